// The defects found in an afternoon of use (issue #16), each driven in Chromium against the app:
// a long message must not freeze the tab, archived channels stay readable, a person with no
// workspace sees who they are and can sign out, dialogs keep the keyboard, files show properly,
// an over-long message is kept, a channel name is previewed, and the small things of round two.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { admin, type Api, apiAs, cleanup, ensureBinary, hasChromium, launchBrowser, screenshot, serve, type ServerProcess, sessionToken, signIn, tempDir, until } from "./support.ts";

setDefaultTimeout(60_000);

/** Resolves once the page has painted two frames; a frozen tab fails the test instead of hanging. */
export async function responsive(page: Page, label: string, ms = 10_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frozen = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the tab froze: ${label}`)), ms)));
  try {
    await Promise.race([page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))), frozen]);
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(!hasChromium)("browser app: defects of round two", () => {
  let dir: string;
  let server: ServerProcess;
  let browser: Browser;
  let apiA: Api;
  let apiB: Api;
  let workspaceId: string;
  let general: { id: string };
  const link = (email: string) => admin<{ token: string }>(dir, "magic-link", "create", "--email", email).then((r) => r.token);
  const contexts: BrowserContext[] = [];
  async function open(email: string, opts: { width?: number; height?: number; dark?: boolean; phone?: boolean } = {}): Promise<Page> {
    const ctx = await browser.newContext({
      viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
      colorScheme: opts.dark ? "dark" : "light",
      ...(opts.phone ? { isMobile: true, hasTouch: true } : {}),
    });
    contexts.push(ctx);
    return signIn(ctx, server.url, await link(email));
  }

  beforeAll(async () => {
    ensureBinary();
    dir = tempDir("defects");
    const boot = await admin(dir, "bootstrap", "--name", "Ada Lovelace", "--email", "ada@example.com", "--workspace", "Acme");
    workspaceId = boot.workspace.id;
    await admin(dir, "user", "create", "--email", "grace@example.com", "--name", "Grace Hopper", "--handle", "grace");
    await admin(dir, "member", "add", "--workspace", workspaceId, "--email", "grace@example.com", "--role", "member");
    server = await serve({ args: ["--data", dir] });
    apiA = apiAs(server.url, await sessionToken(server.url, await link("ada@example.com")));
    apiB = apiAs(server.url, await sessionToken(server.url, await link("grace@example.com")));
    general = (await apiA.get(`/api/workspaces/${workspaceId}/channels`)).channels.find((c: { name: string }) => c.name === "general");
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
    if (dir) cleanup(dir);
  });

  const message = (page: Page, text: string) => page.locator("[data-message-id]", { hasText: text });
  const composer = (page: Page, name = /^Message #/) => page.getByRole("textbox", { name });

  test("1. a 60-line message of 170-character lines: the thread and the channel stay responsive, folded with Show more", async () => {
    const line = (i: number) => `${String(i).padStart(2, "0")} ${"log-entry ".repeat(17).slice(0, 166)}`;
    const log = Array.from({ length: 60 }, (_, i) => line(i)).join("\n");
    const logs = (await apiA.post(`/api/workspaces/${workspaceId}/channels`, { name: "logs" })).channel;
    const root = (await apiA.post(`/api/channels/${logs.id}/messages`, { body: "The nightly run failed, log in the thread" })).message;
    await apiB.post(`/api/messages/${root.id}/thread/replies`, { body: log });
    await apiB.post(`/api/channels/${logs.id}/messages`, { body: log });
    await apiB.post(`/api/channels/${logs.id}/messages`, { body: "after the log" });

    const threadUrl = `${server.url}/app/c/${logs.id}/t/${root.id}`;
    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844, phone: true }]) {
      const page = await open("ada@example.com", viewport);
      for (let visit = 0; visit < 2; visit++) {
        // The second visit is a reload of the thread's URL.
        if (visit === 0) await page.goto(threadUrl);
        else await page.reload();
        const pane = page.getByRole("complementary", { name: "Thread" });
        const reply = pane.locator("[data-message-id]", { hasText: "log-entry" });
        await reply.waitFor();
        await responsive(page, `thread at ${viewport.width} px`);
        await reply.getByRole("button", { name: "Show more" }).click();
        await reply.getByRole("button", { name: "Show more" }).waitFor({ state: "detached" });
        await responsive(page, `unfolded thread reply at ${viewport.width} px`);
        // The whole log is there, and the list can scroll to its last line.
        await until(() => reply.evaluate((el) => el.getBoundingClientRect().height > 2000), 10_000, "the unfolded reply");
        await pane.getByRole("log").evaluate((el) => (el.scrollTop = el.scrollHeight));
        await responsive(page, "scrolled to the end");
        // Its end is on screen: the list measured the real row, not its estimate.
        const end = await reply.evaluate((el) => {
          const list = el.closest(".vlist")!.getBoundingClientRect();
          const row = el.getBoundingClientRect();
          return { row: row.bottom, top: list.top, bottom: list.bottom, text: el.textContent ?? "" };
        });
        expect(end.text).toContain("59 log-entry");
        expect(end.row).toBeLessThanOrEqual(end.bottom + 1);
        expect(end.row).toBeGreaterThan(end.top);
      }
      await page.goto(`${server.url}/app/c/${logs.id}`);
      await message(page, "after the log").waitFor();
      await responsive(page, `channel at ${viewport.width} px`);
      const folded = page.getByRole("log", { name: /Messages/ }).locator("[data-message-id]", { hasText: "log-entry" }).getByRole("button", { name: "Show more" });
      await folded.waitFor();
      await screenshot(page, `long-message-${viewport.width}`);
      await folded.click();
      await responsive(page, `unfolded in the channel at ${viewport.width} px`);
      await until(() => message(page, "log-entry").evaluate((el) => el.getBoundingClientRect().height > 2000 && (el.textContent ?? "").includes("59 log-entry")), 10_000, "the unfolded message");
      await page.context().close();
    }
  });
});
