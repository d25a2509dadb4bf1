// VirtualList, alone in Chromium, under random rows: heights far from their estimates (tiny rows
// estimated tall, pasted logs estimated short), text that wraps at a random width, stuck to the
// bottom or holding a row at the top, then a resize. Whatever the draw, the list settles within a
// few frames (a list that never yields a frame fails by timeout), shows contiguous rows covering
// the viewport, and ends where it was asked to be.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import fc from "fast-check";
import type { Browser, Page } from "playwright-core";
import type { FixtureRow, FixtureSpec } from "./fixtures/virtual-list-page.tsx";
import { hasChromium, launchBrowser } from "./support.ts";

setDefaultTimeout(240_000);

/** A handful of frames: one measuring pass per frame, and the first pass is synchronous. */
const SETTLE_FRAMES = 12;

const rowArb: fc.Arbitrary<Omit<FixtureRow, "key">> = fc.oneof(
  // Far from the estimate either way: 8 px rows estimated at 400, 6000 px rows estimated at 40.
  fc.record({ height: fc.integer({ min: 8, max: 6000 }), estimate: fc.integer({ min: 20, max: 400 }) }),
  fc.record({ text: fc.string({ minLength: 1, maxLength: 4000 }).map((s) => s.replace(/\s/g, "x") + " end"), estimate: fc.integer({ min: 20, max: 400 }) }),
);

const specArb = fc
  .record({
    rows: fc.array(rowArb, { minLength: 1, maxLength: 200 }),
    width: fc.integer({ min: 240, max: 1400 }),
    height: fc.integer({ min: 300, max: 900 }),
    anchorAt: fc.option(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { nil: null }),
    resizeTo: fc.integer({ min: 240, max: 1400 }),
  })
  .map(({ rows, anchorAt, ...rest }) => ({
    ...rest,
    rows: rows.map((r, i) => ({ ...r, key: `r${i}` })),
    anchor: anchorAt === null ? null : Math.floor(anchorAt * rows.length),
  }));

describe.skipIf(!hasChromium)("VirtualList converges", () => {
  let server: ReturnType<typeof Bun.serve>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const built = await Bun.build({ entrypoints: [join(import.meta.dir, "fixtures/virtual-list-page.tsx")], target: "browser" });
    if (!built.success) throw new AggregateError(built.logs, "fixture build failed");
    const js = await built.outputs[0]!.text();
    server = Bun.serve({
      port: 0,
      fetch: (req) =>
        new URL(req.url).pathname === "/fixture.js"
          ? new Response(js, { headers: { "content-type": "text/javascript" } })
          : new Response('<!doctype html><meta charset="utf-8"><style>body{margin:0}.vlist{position:absolute;inset:0;overflow-y:auto;overflow-anchor:none;display:flex;flex-direction:column}.vlist-header{margin-top:auto}.vlist-body{position:relative;flex:none;padding-bottom:8px}.vrow{contain:layout style;position:relative}.vlist-window{position:absolute;left:0;right:0;top:0}</style><div id="root"></div><script type="module" src="/fixture.js"></script>', { headers: { "content-type": "text/html" } }),
    });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await page.waitForFunction(() => "fixture" in window);
  });

  afterAll(async () => {
    await browser?.close();
    server?.stop(true);
  });

  /** Runs `fn` in the page; a page that never yields (the old freeze) fails instead of hanging. */
  async function inPage<T>(fn: () => Promise<T>, label: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the page did not answer: ${label}`)), 15_000)));
    try {
      return await Promise.race([fn(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  function checkScreen(state: Awaited<ReturnType<typeof inspectPage>>, spec: FixtureSpec) {
    const { rows, scrollTop, scrollHeight, clientHeight } = state;
    expect(rows.length).toBeGreaterThan(0);
    // Contiguous, and covering the viewport (or reaching the list's ends).
    for (let i = 1; i < rows.length; i++) expect(Math.abs(rows[i]!.top - rows[i - 1]!.bottom)).toBeLessThan(1.5);
    if (rows[0]!.key !== "r0") expect(rows[0]!.top).toBeLessThanOrEqual(0.5);
    if (rows.at(-1)!.key !== spec.rows.at(-1)!.key) expect(rows.at(-1)!.bottom).toBeGreaterThanOrEqual(clientHeight - 0.5);
    if (spec.anchor === null) {
      expect(scrollTop + clientHeight).toBeGreaterThanOrEqual(scrollHeight - 1);
      expect(rows.at(-1)!.key).toBe(spec.rows.at(-1)!.key);
    }
  }

  const inspectPage = () => page.evaluate(() => (window as any).fixture.inspect() as { scrollTop: number; scrollHeight: number; clientHeight: number; rows: { key: string; top: number; bottom: number }[] });

  test("random rows, widths and positions settle within a few frames", async () => {
    const settled: number[] = [];
    await fc.assert(
      fc.asyncProperty(specArb, async (spec) => {
        const first = await inPage(() => page.evaluate(async (s) => {
          const f = (window as any).fixture;
          f.mount(s);
          return (await f.settle()) as number;
        }, spec), "mount");
        settled.push(first);
        expect(first).toBeGreaterThanOrEqual(0);
        expect(first).toBeLessThanOrEqual(SETTLE_FRAMES);
        const state = await inspectPage();
        checkScreen(state, spec);
        if (spec.anchor !== null) {
          // The requested row sits near the top unless the list ends first.
          const row = state.rows.find((r) => r.key === spec.rows[spec.anchor!]!.key)!;
          expect(row).toBeDefined();
          if (state.scrollTop > 0 && state.scrollTop + state.clientHeight < state.scrollHeight - 1) expect(Math.abs(row.top - 12)).toBeLessThan(1.5);
        }
        // A new width re-wraps every text row: it settles again and stays where it was.
        const second = await inPage(() => page.evaluate(async (w) => {
          const f = (window as any).fixture;
          f.resize(w);
          return (await f.settle()) as number;
        }, spec.resizeTo), "resize");
        settled.push(second);
        expect(second).toBeGreaterThanOrEqual(0);
        expect(second).toBeLessThanOrEqual(SETTLE_FRAMES);
        checkScreen(await inspectPage(), spec);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 40), endOnFailure: true },
    );
    settled.sort((a, b) => a - b);
    console.log(`VirtualList settled in frames: median ${settled[settled.length >> 1]}, max ${settled.at(-1)} (${settled.length} settles)`);
  });
});
