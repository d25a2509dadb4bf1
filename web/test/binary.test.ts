// The single binary, alone: copied into an empty directory, `./clickclack serve --dev-bootstrap`
// serves the app, which works (dev mode signs the browser in as the first user). The same server
// then measures what the README promises: the JavaScript a first load transfers, and smooth
// scrolling through 5,000 messages. Figures go to artifacts/web-bench.json.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { admin, BINARY, cleanup, clickclack, ensureBinary, FROM_SOURCE, hasChromium, launchBrowser, ROOT, screenshot, serve, type ServerProcess, tempDir } from "./support.ts";

setDefaultTimeout(60_000);

const MESSAGES = 5_000;
const JS_BUDGET_BYTES = 100 * 1024;

describe.skipIf(!hasChromium)("the single binary", () => {
  let dir: string;
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  const bench: Record<string, unknown> = {};

  beforeAll(async () => {
    ensureBinary();
    dir = tempDir("binary");
    let command = clickclack();
    if (!FROM_SOURCE) {
      // Nothing beside it: no node_modules, no web/dist, no migrations directory.
      copyFileSync(BINARY, join(dir, "clickclack"));
      command = ["./clickclack"];
    }
    // --no-limits: the rendering test below seeds 5,000 messages as one person, far past the
    // per-person post rate (src/access/limits.test.ts tests the limits).
    server = await serve({ cwd: dir, command, args: ["--dev-bootstrap", "--no-limits"] });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) cleanup(dir);
    mkdirSync(join(ROOT, "artifacts"), { recursive: true });
    writeFileSync(join(ROOT, "artifacts/web-bench.json"), `${JSON.stringify(bench, null, 2)}\n`);
  });

  test("`clickclack version` reports the build", async () => {
    const proc = Bun.spawn([...(FROM_SOURCE ? clickclack() : ["./clickclack"]), "version"], { cwd: dir, stdout: "pipe" });
    const out = await new Response(proc.stdout).text();
    expect(await proc.exited).toBe(0);
    expect(out).toMatch(/^clickclack \d+\.\d+\.\d+ /);
    if (!FROM_SOURCE) expect(out).toContain("commit");
  });

  test("backup (its worker is inside the binary), export and import work from the binary alone", async () => {
    const cmd = FROM_SOURCE ? clickclack() : ["./clickclack"];
    const run = async (args: string[]) => {
      const proc = Bun.spawn([...cmd, ...args], { cwd: dir, stdout: "pipe", stderr: "pipe" });
      const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      return { out, err, code };
    };
    const backup = await run(["backup", "--out", "copy.db", "--data", "data", "--json"]);
    expect(backup.err).toBe("");
    expect(JSON.parse(backup.out).bytes).toBeGreaterThan(0);
    expect((await run(["export", "--out", "all.json", "--data", "data"])).code).toBe(0);
    const imported = await run(["import", "--in", "all.json", "--db", "restored.db", "--json"]);
    expect(imported.err).toBe("");
    expect(JSON.parse(imported.out).rows).toBeGreaterThan(0);
  });

    test("serves the product page and the app, and a first load stays under 100 KB of gzipped JavaScript", async () => {
    const landing = await fetch(server.url);
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain('href="/app"');

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await ctx.newPage();
    const scripts: Promise<number>[] = [];
    const all: Promise<number>[] = [];
    page.on("requestfinished", (req) => {
      const size = req.sizes().then((s) => s.responseBodySize);
      all.push(size);
      if (req.resourceType() === "script") scripts.push(size);
    });
    await page.goto(`${server.url}/app`);
    await page.getByRole("heading", { name: "general", exact: true }).waitFor();
    const js = (await Promise.all(scripts)).reduce((a, b) => a + b, 0);
    bench.first_load_js_gzip_bytes = js;
    bench.first_load_all_bytes = (await Promise.all(all)).reduce((a, b) => a + b, 0);
    expect(js).toBeGreaterThan(0);
    expect(js).toBeLessThan(JS_BUDGET_BYTES);

    // Hashed assets are immutable and compressed.
    const asset = await fetch(`${server.url}${await page.evaluate(() => document.querySelector("script[src]")!.getAttribute("src"))}`, { headers: { "accept-encoding": "gzip" } });
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect(asset.headers.get("content-encoding")).toBe("gzip");
  });

  test("the app works from the binary alone: send and see a message", async () => {
    const box = page.getByRole("textbox", { name: "Message #general" });
    await box.fill("Hello from a **single binary**");
    await box.press("Enter");
    await page.locator("[data-message-id]", { hasText: "Hello from a single binary" }).locator("strong").waitFor();
  });

  test("5,000 messages: windowed rendering scrolls at 60 fps", async () => {
    const ws = (await (await fetch(`${server.url}/api/workspaces`)).json()).workspaces[0];
    const { channel } = await (await fetch(`${server.url}/api/workspaces/${ws.id}/channels`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "firehose" }) })).json();
    const bob = (await admin(join(dir, "data"), "user", "create", "--email", "bob@example.com", "--name", "Bob Builder", "--handle", "bob")).user.id;
    await admin(join(dir, "data"), "member", "add", "--workspace", ws.id, "--user", bob, "--role", "member");
    const started = performance.now();
    let next = 0;
    const lorem = ["Deploy finished in 42s.", "Can someone look at **the flaky test** in `store.test.ts`?", "LGTM 👍", "Here is the plan:\n- migrate\n- backfill\n- flip the flag", "```\nbun run build && ./dist/clickclack version\n```", "Thanks!"];
    // Dev mode: loopback requests act as the first user, or as X-ClickClack-User.
    const worker = async () => {
      while (next < MESSAGES) {
        const i = next++;
        const res = await fetch(`${server.url}/api/channels/${channel.id}/messages`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(i % 3 === 0 ? { "x-clickclack-user": bob } : {}) },
          body: JSON.stringify({ body: `#${i} ${lorem[i % lorem.length]}`, nonce: `seed-${i}` }),
        });
        if (!res.ok) throw new Error(`seed ${i}: ${res.status}`);
      }
    };
    await Promise.all(Array.from({ length: 24 }, worker));
    bench.seed_seconds = Number(((performance.now() - started) / 1000).toFixed(1));
    // Read, so the channel opens at its end (not at the first of 5,000 unread).
    await fetch(`${server.url}/api/channels/${channel.id}/read`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seq: MESSAGES }) });

    await page.goto(`${server.url}/app/c/${channel.id}`);
    await page.getByRole("heading", { name: "firehose", exact: true }).waitFor();
    const list = page.locator(".conversation .vlist");
    // Page the whole history in by scrolling to the top until the channel's start shows.
    const loadStart = performance.now();
    for (let i = 0; i < 200; i++) {
      await list.evaluate((el) => (el.scrollTop = 0));
      if (await page.getByRole("heading", { name: "Welcome to #firehose" }).isVisible()) break;
      await page.waitForTimeout(60);
    }
    bench.page_in_5000_seconds = Number(((performance.now() - loadStart) / 1000).toFixed(1));
    await page.getByRole("heading", { name: "Welcome to #firehose" }).waitFor();
    const inDom = await page.locator(".conversation .vrow").count();
    bench.rows_in_dom = inDom;
    expect(inDom).toBeLessThan(120); // windowed: not 5,000

    // Scroll top to bottom, one step per animation frame, timing every frame.
    const result = await list.evaluate(async (el) => {
      const frame = () => new Promise<number>((r) => requestAnimationFrame(r));
      for (let i = 0; i < 10; i++) await frame();
      // 550 px a frame (33,000 px/s) is a hard fling; 600 frames cover the whole history.
      const step = 550;
      const gaps: number[] = [];
      const rows = el.querySelector(".vlist-window")!;
      let maxRows = 0;
      let last = await frame();
      while (el.scrollTop + el.clientHeight < el.scrollHeight - 2 && gaps.length < 600) {
        el.scrollTop += step;
        const now = await frame();
        gaps.push(now - last);
        last = now;
        maxRows = Math.max(maxRows, rows.childElementCount);
      }
      gaps.sort((a, b) => a - b);
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      return { frames: gaps.length, step, maxRows, height: el.scrollHeight, fps: 1000 / mean, p95: gaps[Math.floor(gaps.length * 0.95)]!, long: gaps.filter((g) => g > 25).length };
    });
    Object.assign(bench, {
      scroll_frames: result.frames,
      scroll_max_rows_in_dom: result.maxRows,
      scroll_step_px: result.step,
      scroll_height_px: Math.round(result.height),
      scroll_fps: Number(result.fps.toFixed(1)),
      scroll_p95_frame_ms: Number(result.p95.toFixed(1)),
      scroll_frames_over_25ms: result.long,
    });
    bench.load_average_1m = Number(loadavg()[0]!.toFixed(2));
    await screenshot(page, "firehose");
    console.log(`5,000 messages: ${JSON.stringify(bench)}`);
    // The development machine measures 58 fps of Chromium's 60 (BENCHMARKS.md); the bound leaves
    // room for a busier CI box. The row counts above guard the windowing itself.
    expect(result.maxRows).toBeLessThan(150);
    expect(result.fps).toBeGreaterThan(40);
    expect(result.p95).toBeLessThan(60);
    // Seeding and paging in 5,000 messages take most of this on a busy 2-core machine.
  }, 180_000);
});
