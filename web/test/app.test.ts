// The browser app, end to end: the compiled binary runs as a subprocess (rebuilt first if stale;
// CLICKCLACK_WEB_TEST_SOURCE=1 runs the source tree instead), Debian's Chromium drives the app,
// and two browser contexts act as two people. Screenshots of the main screens are written to
// artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import {
  admin, type Api, apiAs, chartPng, cleanup, ensureBinary, hasChromium, launchBrowser, screenshot, serve, type ServerProcess, sessionToken, signIn, tempDir, until,
} from "./support.ts";

// A browser step waits for the server and a second browser; give each test room on 2 cores.
setDefaultTimeout(45_000);

if (!hasChromium) console.warn("web/test/app.test.ts: skipped, /usr/bin/chromium is absent (apt-get install chromium)");


describe.skipIf(!hasChromium)("browser app", () => {
  let dir: string;
  let server: ServerProcess;
  let browser: Browser;
  let ctxA: BrowserContext;
  let ctxB: BrowserContext;
  let ada: Page;
  let grace: Page;
  let apiA: Api;
  let apiB: Api;
  let workspaceId: string;
  let general: { id: string };
  let graceId: string;
  const link = (email: string) => admin<{ token: string }>(dir, "magic-link", "create", "--email", email).then((r) => r.token);

  beforeAll(async () => {
    ensureBinary();
    dir = tempDir("app");
    const boot = await admin(dir, "bootstrap", "--name", "Ada Lovelace", "--email", "ada@example.com", "--workspace", "Acme");
    workspaceId = boot.workspace.id;
    graceId = (await admin(dir, "user", "create", "--email", "grace@example.com", "--name", "Grace Hopper", "--handle", "grace")).user.id;
    await admin(dir, "member", "add", "--workspace", workspaceId, "--email", "grace@example.com", "--role", "member");
    // Not dev mode: every browser signs in for real.
    server = await serve({ args: ["--data", dir] });
    apiA = apiAs(server.url, await sessionToken(server.url, await link("ada@example.com")));
    apiB = apiAs(server.url, await sessionToken(server.url, await link("grace@example.com")));
    general = (await apiA.get(`/api/workspaces/${workspaceId}/channels`)).channels.find((c: { name: string }) => c.name === "general");
    browser = await launchBrowser();
    ctxA = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    ctxB = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) cleanup(dir);
  });

  // On a failure, both screens and their console are kept for the post-mortem.
  const consoleLog: string[] = [];
  const watch = (page: Page, who: string) => {
    page.on("console", (m) => consoleLog.push(`${who} ${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => consoleLog.push(`${who} pageerror: ${e.message}`));
    return page;
  };
  const it = (name: string, fn: () => Promise<void>) =>
    test(name, async () => {
      try {
        await fn();
      } catch (err) {
        const slug = name.replace(/\W+/g, "-").slice(0, 40);
        for (const [who, page] of [["ada", ada], ["grace", grace]] as const) if (page && !page.isClosed()) await screenshot(page, `failed-${slug}-${who}`).catch(() => {});
        console.error(`console before the failure of "${name}":\n${consoleLog.slice(-40).join("\n")}`);
        // Later tests start from #general; one failure should not fail them all.
        for (const page of [ada, grace]) if (page && !page.isClosed()) await page.goto(`${server.url}/app/c/${general.id}`).catch(() => {});
        throw err;
      }
    });

  const composer = (page: Page, name = /^Message #/) => page.getByRole("textbox", { name });
  const message = (page: Page, text: string) => page.locator("[data-message-id]", { hasText: text });
  async function send(page: Page, text: string, name?: RegExp) {
    const box = composer(page, name);
    await box.fill(text);
    await box.press("Enter");
  }

  it("signs in with a magic link; a signed-out or expired browser sees the sign-in page", async () => {
    const fresh = await browser.newContext();
    const page = await fresh.newPage();
    await page.goto(`${server.url}/app`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await fresh.addCookies([{ name: "cc_session", value: "sst_not_a_real_session", url: server.url }]);
    await page.reload();
    await page.getByText("Your session has expired").waitFor();
    await page.goto(`${server.url}/app/login#token=mgt_not_a_real_token`);
    await page.getByText("invalid, already used or expired").waitFor();
    await fresh.close();

    ada = watch(await signIn(ctxA, server.url, await link("ada@example.com")), "ada");
    grace = watch(await signIn(ctxB, server.url, await link("grace@example.com")), "grace");
    await ada.getByRole("heading", { name: "general", exact: true }).waitFor();
    await grace.getByRole("heading", { name: "general", exact: true }).waitFor();
    // The token left the address bar; the session is an HttpOnly cookie.
    expect(ada.url()).not.toContain("mgt_");
    const cookie = (await ctxA.cookies()).find((c) => c.name === "cc_session");
    expect(cookie?.httpOnly).toBe(true);
  });

  it("a Markdown message is rendered", async () => {
    await send(ada, "Release **today**, see `make ship` and https://example.com/notes\n```\nbun run build\n```");
    const m = message(ada, "Release");
    await m.locator("strong", { hasText: "today" }).waitFor();
    await m.locator("code", { hasText: "make ship" }).waitFor();
    await m.locator("pre code", { hasText: "bun run build" }).waitFor();
    const a = m.locator("a[href='https://example.com/notes']");
    expect(await a.getAttribute("target")).toBe("_blank");
    expect(await a.getAttribute("rel")).toBe("noopener noreferrer");
  });

  it("two people see each other's messages, typing, reactions, edits and deletes live, once each", async () => {
    await composer(grace).fill("Hello from Gr");
    await ada.getByText("Grace Hopper is typing…").waitFor();
    await send(grace, "Hello from Grace");
    await message(ada, "Hello from Grace").waitFor();
    await ada.getByText("Grace Hopper is typing…").waitFor({ state: "detached" });
    await send(ada, "Hi Grace, welcome!");
    await message(grace, "Hi Grace, welcome!").waitFor();

    // Ada reacts through the picker; Grace sees the count.
    const row = message(ada, "Hello from Grace");
    await row.hover();
    await row.getByRole("button", { name: "Add reaction" }).first().click();
    await ada.getByRole("button", { name: "React with 🎉" }).click();
    await message(grace, "Hello from Grace").getByRole("button", { name: /🎉 1/ }).waitFor();
    // Grace adds the same emoji by clicking the chip: 2 for both.
    await message(grace, "Hello from Grace").getByRole("button", { name: /🎉 1/ }).click();
    await message(ada, "Hello from Grace").getByRole("button", { name: /🎉 2/ }).waitFor();

    // Grace edits her last message with Up in the empty composer.
    await composer(grace).click();
    await composer(grace).press("ArrowUp");
    const edit = grace.getByRole("textbox", { name: "Edit message" });
    await edit.fill("Hello from Grace, edited");
    await edit.press("Enter");
    await message(ada, "Hello from Grace, edited").getByText("(edited)").waitFor();

    // Grace deletes it; it disappears for Ada.
    const mine = message(grace, "Hello from Grace, edited");
    await mine.hover();
    await mine.getByRole("button", { name: "Delete" }).click();
    await grace.getByRole("dialog", { name: "Delete message?" }).getByRole("button", { name: "Delete" }).click();
    await message(ada, "Hello from Grace, edited").waitFor({ state: "detached" });

    expect(await message(ada, "Hi Grace, welcome!").count()).toBe(1);
    expect(await message(grace, "Hi Grace, welcome!").count()).toBe(1);
    expect(await message(ada, "Release").count()).toBe(1);
  });

  it("a thread reply arrives live in the thread and as a summary", async () => {
    await send(ada, "Who reviews the migration?");
    const root = message(ada, "Who reviews the migration?");
    await root.hover();
    await root.getByRole("button", { name: "Reply in thread" }).click();
    await ada.getByRole("complementary", { name: "Thread" }).waitFor();
    await send(ada, "I can take it tomorrow.", /Reply in thread/);
    await message(grace, "Who reviews the migration?").getByRole("button", { name: /1 reply/ }).click();
    const pane = grace.getByRole("complementary", { name: "Thread" });
    await pane.getByText("I can take it tomorrow.").waitFor();
    await send(grace, "Thanks, I'll pair with you.", /Reply in thread/);
    await ada.getByRole("complementary", { name: "Thread" }).getByText("Thanks, I'll pair with you.").waitFor();
    await message(ada, "Who reviews the migration?").getByRole("button", { name: /2 replies/ }).waitFor();
    await screenshot(ada, "thread-open");
    // Esc closes the pane.
    await ada.keyboard.press("Escape");
    await ada.getByRole("complementary", { name: "Thread" }).waitFor({ state: "detached" });
  });

  it("a direct message", async () => {
    await ada.getByRole("button", { name: "New direct message" }).click();
    const dialog = ada.getByRole("dialog", { name: "New direct message" });
    await dialog.getByRole("textbox", { name: "Find people" }).fill("grace");
    await dialog.getByRole("button", { name: /Grace Hopper/ }).click();
    await dialog.getByRole("button", { name: "Start conversation" }).click();
    await ada.waitForURL(/\/app\/d\//);
    await send(ada, "Psst, a private note", /Write a message/);
    const dmLink = grace.getByRole("link", { name: /Ada Lovelace/ });
    await dmLink.waitFor();
    expect(await dmLink.getAttribute("aria-label")).toContain("1 unread");
    await dmLink.click();
    await message(grace, "Psst, a private note").waitFor();
    // Ctrl+K switches conversations from the keyboard.
    for (const page of [ada, grace]) {
      await page.keyboard.press("Control+k");
      const input = page.getByRole("combobox", { name: "Jump to a channel or person" });
      await input.fill("gener");
      await input.press("Enter");
      await page.getByRole("heading", { name: "general", exact: true }).waitFor();
    }
  });

  it("hostile Markdown renders inert", async () => {
    const hostile = [
      "<img src=x onerror=\"window.__pwned='img'\">",
      "[click me](javascript:window.__pwned='link')",
      "<script>window.__pwned='script'</script>",
      '<a href="javascript:alert(1)" onclick="window.__pwned=\'a\'">raw link</a>',
      "![pic](javascript:alert(1)) ![remote](https://tracker.example/pixel.png)",
      "<iframe src=\"https://example.com\"></iframe><svg onload=\"window.__pwned='svg'\"></svg>",
      "[data](data:text/html,<script>alert(1)</script>) <b style=\"color:red\">bold?</b>",
    ].join("\n\n");
    await apiB.post(`/api/channels/${general.id}/messages`, { body: `hostile ${hostile}` });
    const m = message(ada, "hostile");
    await m.waitFor();
    await ada.waitForTimeout(300);
    const report = await m.locator(".md").evaluate((el) => ({
      pwned: (window as { __pwned?: string }).__pwned ?? null,
      scripts: el.querySelectorAll("script, iframe, svg, object, embed, style").length,
      handlers: [...el.querySelectorAll("*")].flatMap((n) => [...n.attributes].map((a) => a.name)).filter((n) => n.startsWith("on") || n === "style"),
      // A link whose URL was refused keeps its text and loses its href.
      hrefs: [...el.querySelectorAll("a[href]")].map((a) => a.getAttribute("href") ?? ""),
      imgs: [...el.querySelectorAll(".md img")].map((i) => i.getAttribute("src")),
      text: el.textContent ?? "",
    }));
    expect(report.pwned).toBeNull();
    expect(report.scripts).toBe(0);
    expect(report.handlers).toEqual([]);
    expect(report.imgs).toEqual([]);
    for (const href of report.hrefs) expect(href).toMatch(/^(https?:|mailto:|\/)/);
    // Raw HTML is shown as text, not interpreted.
    expect(report.text).toContain("<img src=x onerror=");
    expect(report.text).toContain("<script>");
  });

  it("@ autocomplete, and a mention badge until it is read", async () => {
    await ada.getByRole("button", { name: "Create a channel" }).click();
    const dialog = ada.getByRole("dialog", { name: "Create a channel" });
    await dialog.getByRole("textbox", { name: "Name" }).fill("random");
    await dialog.getByRole("button", { name: "Create channel" }).click();
    await ada.getByRole("heading", { name: "random", exact: true }).waitFor();
    const box = composer(ada);
    await box.pressSequentially("@gra");
    await ada.getByRole("option", { name: /Grace Hopper/ }).waitFor();
    await box.press("Enter");
    expect(await box.inputValue()).toBe("@grace ");
    await box.pressSequentially("can you review the release notes?");
    await box.press("Enter");
    const link = grace.getByRole("link", { name: /#random/ });
    await until(async () => (await link.getAttribute("aria-label"))?.includes("1 mentions"), 10_000, "a mention badge on #random");
    await link.click();
    await message(grace, "can you review the release notes?").locator(".mention-me", { hasText: "@grace" }).waitFor();
    await until(async () => !(await grace.getByRole("link", { name: /#random/ }).getAttribute("aria-label"))?.includes("mentions"), 10_000, "the badge to clear");
    await grace.getByRole("link", { name: /#general/ }).click();
  });

  it("mentions made while away are a badge on a new device's sign-in; Threads lists a reply that mentions you, and reading it there updates the other device", async () => {
    const random = (await apiA.get(`/api/workspaces/${workspaceId}/channels`)).channels.find((c: { name: string }) => c.name === "random");
    const root = await apiA.post(`/api/channels/${random.id}/messages`, { body: "Away plan" });
    await apiA.post(`/api/channels/${random.id}/messages`, { body: "@grace while you were away" });
    await apiA.post(`/api/messages/${root.message.id}/thread/replies`, { body: "@grace have a look at this thread" });
    const ctxC = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const phone = watch(await signIn(ctxC, server.url, await link("grace@example.com")), "grace-2");
      const randomLink = (page: Page) => page.getByRole("link", { name: /#random/ });
      await until(async () => (await randomLink(phone).getAttribute("aria-label"))?.includes("2 mentions"), 10_000, "2 mentions on #random on the new device");
      const threads = phone.getByRole("button", { name: /^Threads/ });
      await until(async () => (await threads.getAttribute("aria-label"))?.includes("1 mentions"), 10_000, "a thread mention");
      await threads.click();
      await phone.getByRole("complementary", { name: "Threads" }).getByRole("button", { name: /Away plan/ }).click();
      await phone.locator("[data-message-id]", { hasText: "have a look at this thread" }).first().waitFor();
      await until(async () => !(await threads.getAttribute("aria-label"))?.includes("mentions"), 10_000, "the thread mention to clear");
      // The first device hears the thread read: #random keeps only the root mention.
      await until(async () => (await randomLink(grace).getAttribute("aria-label"))?.includes("1 mentions"), 10_000, "1 mention left on the other device");
    } finally {
      await ctxC.close();
    }
  });

  it("a mention while the tab is in the background is a desktop notification", async () => {
    const ctxD = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      // The page sees a background tab and a granted permission; notifications are recorded.
      await ctxD.addInitScript(() => {
        const w = window as unknown as { __notes: { title: string; body: string }[] };
        w.__notes = [];
        class FakeNotification {
          static permission = "granted";
          static requestPermission = async () => "granted";
          onclick: (() => void) | null = null;
          constructor(title: string, opts: { body: string }) {
            w.__notes.push({ title, body: opts.body });
          }
          close() {}
        }
        Object.defineProperty(window, "Notification", { value: FakeNotification });
        Object.defineProperty(document, "visibilityState", { get: () => "hidden" });
      });
      const away = watch(await signIn(ctxD, server.url, await link("grace@example.com")), "grace-away");
      await away.getByRole("link", { name: /#general/ }).waitFor();
      await Bun.sleep(500);
      await apiA.post(`/api/channels/${general.id}/messages`, { body: "@grace the deploy needs you" });
      await until(async () => (await away.evaluate(() => (window as any).__notes.length)) > 0, 10_000, "a desktop notification");
      expect(await away.evaluate(() => (window as any).__notes[0])).toEqual({ title: "Ada Lovelace", body: "@grace the deploy needs you" });
    } finally {
      await ctxD.close();
    }
  });

  it("the unread divider after a reload", async () => {
    await ada.getByRole("link", { name: /#random/ }).click();
    await ada.getByRole("heading", { name: "random", exact: true }).waitFor();
    for (const body of ["Unread one", "Unread two", "Unread three"]) await apiB.post(`/api/channels/${general.id}/messages`, { body });
    await until(async () => (await ada.getByRole("link", { name: /#general/ }).getAttribute("aria-label"))?.includes("3 unread"), 10_000, "3 unread in the sidebar");
    await ada.reload();
    await ada.getByRole("link", { name: /#general, 3 unread/ }).click();
    const divider = ada.getByRole("separator", { name: "New messages" });
    await divider.waitFor();
    // The divider sits right above the first unread message.
    const next = await divider.evaluate((el) => el.closest(".vrow")?.nextElementSibling?.textContent ?? "");
    expect(next).toContain("Unread one");
  });

  it("offline: a message posted while offline is sent exactly once, and missed messages appear", async () => {
    await ada.getByRole("heading", { name: "general", exact: true }).waitFor();
    await ctxA.setOffline(true);
    await ada.getByText("You are offline.").waitFor();
    await send(ada, "Sent while offline");
    await message(ada, "Sent while offline").waitFor({ state: "detached" }).catch(() => {});
    await ada.locator(".msg.pending", { hasText: "Sent while offline" }).waitFor();
    await apiB.post(`/api/channels/${general.id}/messages`, { body: "Missed while you were offline" });
    await ada.waitForTimeout(500);
    await ctxA.setOffline(false);
    await message(ada, "Sent while offline").waitFor();
    await message(ada, "Missed while you were offline").waitFor();
    await ada.locator(".msg.pending").waitFor({ state: "detached" });
    await message(grace, "Sent while offline").waitFor();
    const page = await apiB.get(`/api/channels/${general.id}/messages?limit=50`);
    expect(page.messages.filter((m: { body: string }) => m.body === "Sent while offline")).toHaveLength(1);
    expect(await message(ada, "Sent while offline").count()).toBe(1);
    expect(await ada.locator("[data-state='live']").count()).toBe(1);
  });

  it("a pruned cursor (close 4001): the app reloads from the tail", async () => {
    await ada.getByRole("heading", { name: "general", exact: true }).waitFor();
    await ctxA.setOffline(true);
    await ada.getByText("You are offline.").waitFor();
    await apiB.post(`/api/channels/${general.id}/messages`, { body: "Posted while your cursor was pruned" });
    // Every event so far is gone, the one Ada's socket would resume from included.
    await admin(dir, "events", "prune", "--workspace", workspaceId, "--older-than-days", "0");
    await ctxA.setOffline(false);
    await message(ada, "Posted while your cursor was pruned").waitFor();
    await ada.locator("[data-state='live']").waitFor();
    // And live again afterwards.
    await apiB.post(`/api/channels/${general.id}/messages`, { body: "Live after the resync" });
    await message(ada, "Live after the resync").waitFor();
    // The live message may arrive while the resync is still reloading the view (seen once in a
    // full run under load: counted at that moment, the resynced message was not drawn yet). Once
    // the view has settled, it is there, once.
    await message(ada, "Posted while your cursor was pruned").waitFor();
    expect(await message(ada, "Posted while your cursor was pruned").count()).toBe(1);
  });

  it("an agent's progress shows live under its message", async () => {
    const bot = await admin(dir, "bot", "create", "--workspace", workspaceId, "--name", "Build Bot", "--handle", "buildbot", "--scopes", "bot:write,agent_activity:write");
    const botApi = apiAs(server.url, bot.bot_token.token);
    const { message: m } = await botApi.post(`/api/channels/${general.id}/messages`, { body: "Running the release checks…" });
    await message(ada, "Running the release checks").waitFor();
    const progress = (text: string) => botApi.post("/api/realtime/ephemeral", { workspace_id: workspaceId, type: "agent.progress", channel_id: general.id, payload: { message_id: m.id, turn_id: "turn-1", text } });
    await progress("Installing dependencies");
    await message(ada, "Running the release checks").getByText("Installing dependencies").waitFor();
    await progress("Running 412 tests");
    const line = message(ada, "Running the release checks").locator(".agent-activity-line");
    await line.getByText("Running 412 tests").waitFor();
    await line.click();
    expect(await message(ada, "Running the release checks").locator(".agent-trail li").count()).toBe(2);
  });

  it("an upload with an image preview", async () => {
    const probe = await fetch(`${server.url}/api/uploads?workspace_id=${workspaceId}`, { method: "POST" });
    const body = await probe.text();
    if (probe.status === 404 && body.includes("no such route")) {
      console.warn("TODO: upload test skipped: this build has no POST /api/uploads yet");
      return;
    }
    await ada.locator("input[type=file]").first().setInputFiles({ name: "red.png", mimeType: "image/png", buffer: chartPng() });
    await ada.locator(".staged-ready").first().waitFor();
    await composer(ada).fill("Here is the chart");
    await composer(ada).press("Enter");
    const img = message(ada, "Here is the chart").locator(".attachment-image img");
    await img.waitFor();
    await until(() => img.evaluate((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0), 10_000, "image preview loaded");
    await message(grace, "Here is the chart").locator(".attachment-image img").waitFor();

    // Dropped and pasted files are staged the same way.
    const bytes = [...chartPng()];
    await ada.evaluate((data) => {
      const file = (name: string) => new File([new Uint8Array(data)], name, { type: "image/png" });
      const dropped = new DataTransfer();
      dropped.items.add(file("dropped.png"));
      document.querySelector(".conversation")!.dispatchEvent(new DragEvent("drop", { dataTransfer: dropped, bubbles: true, cancelable: true }));
      const pasted = new DataTransfer();
      pasted.items.add(file("pasted.png"));
      document.querySelector(".composer-input")!.dispatchEvent(new ClipboardEvent("paste", { clipboardData: pasted, bubbles: true, cancelable: true }));
    }, bytes);
    await until(async () => (await ada.locator(".staged-ready").count()) === 2, 10_000, "two staged uploads");
    await composer(ada).press("Enter");
    // Sent alone, a file's message shows the file, not its name again as text.
    await ada.locator("[data-message-id] .attachment-image img[alt='dropped.png']").waitFor();
    await ada.locator("[data-message-id] .attachment-image img[alt='pasted.png']").waitFor();
  });

  it("pins and quote-replies", async () => {
    await send(grace, "The deploy window is 14:00–15:00 UTC");
    const row = message(ada, "The deploy window is");
    await row.waitFor();
    await row.hover();
    await row.getByRole("button", { name: "Pin", exact: true }).click();
    await ada.getByRole("button", { name: "Pinned messages (1)" }).click();
    const pins = ada.getByRole("complementary", { name: "Pinned messages" });
    await pins.getByRole("button", { name: /^Grace Hopper.*deploy window/ }).waitFor();
    await grace.getByRole("button", { name: "Pinned messages (1)" }).waitFor();
    await ada.getByRole("button", { name: "Close pinned messages" }).click();

    await row.hover();
    await row.getByRole("button", { name: "Quote" }).click();
    await ada.locator(".composer-quote", { hasText: "The deploy window" }).waitFor();
    await send(ada, "Works for me");
    const reply = message(grace, "Works for me");
    await reply.locator(".msg-quote", { hasText: "The deploy window is 14:00–15:00 UTC" }).waitFor();
    expect(await reply.locator(".msg-quote-author").textContent()).toBe("Grace Hopper");
  });

  it("search jumps to a message", async () => {
    const probe = await fetch(`${server.url}/api/search?workspace_id=${workspaceId}&q=x`);
    if (probe.status === 404 && (await probe.text()).includes("no such route")) {
      console.warn("TODO: search test skipped: this build has no GET /api/search yet");
      return;
    }
    await apiB.post(`/api/channels/${general.id}/messages`, { body: "The quarterly zeppelin budget is approved" });
    // Push it out of the first page so the jump has to load around it.
    await Promise.all(Array.from({ length: 120 }, (_, i) => apiB.post(`/api/channels/${general.id}/messages`, { body: `filler ${i}` })));
    const box = ada.getByRole("searchbox", { name: "Search messages" });
    await box.fill("zeppelin");
    await box.press("Enter");
    const results = ada.getByRole("complementary", { name: "Search" });
    await results.getByRole("button", { name: /quarterly zeppelin budget/ }).click();
    const target = message(ada, "quarterly zeppelin budget");
    await target.waitFor();
    expect(await target.evaluate((el) => el.classList.contains("highlighted"))).toBe(true);
    await ada.getByRole("button", { name: "Close search" }).click();
  });

  it("after a server restart the app reconnects, sends what waited and replays what it missed", async () => {
    await ada.goto(`${server.url}/app/c/${general.id}`);
    await ada.locator("[data-state='live']").waitFor();
    const port = server.port;
    await server.stop();
    await ada.getByText(/Connection lost/).waitFor();
    await send(ada, "Written while the server was down");
    await ada.locator(".msg.pending", { hasText: "Written while the server was down" }).waitFor();
    server = await serve({ args: ["--data", dir], port });
    await apiB.post(`/api/channels/${general.id}/messages`, { body: "Posted right after the restart" });
    await message(ada, "Posted right after the restart").waitFor({ timeout: 20_000 });
    await message(ada, "Written while the server was down").waitFor();
    await ada.locator("[data-state='live']").waitFor();
    const page = await apiB.get(`/api/channels/${general.id}/messages?limit=20`);
    expect(page.messages.filter((m: { body: string }) => m.body === "Written while the server was down")).toHaveLength(1);
  });

  it("screenshots of the main screens", async () => {
    // A realistic conversation to look at.
    const launch = (await apiB.post(`/api/workspaces/${workspaceId}/channels`, { name: "launch", display_title: "Shipping v1.0 this week" })).channel;
    const bot = await admin(dir, "bot", "create", "--workspace", workspaceId, "--name", "Build Bot", "--handle", "buildbot", "--scopes", "bot:write,agent_activity:write");
    const botApi = apiAs(server.url, bot.bot_token.token);
    const post = (api: Api, body: string, extra: Record<string, unknown> = {}) => api.post(`/api/channels/${launch.id}/messages`, { body, ...extra }).then((r) => r.message);
    const plan = await post(apiB, "Launch plan for **v1.0** 🚀\n\n1. Freeze `main` on Wednesday\n2. Cut the release binary\n3. Announce on Thursday morning");
    await post(apiA, "Release notes draft is up: https://example.com/notes/v1. Shout if anything is missing.");
    await post(apiA, "I also added the upgrade steps for people running the Go server.");
    const build = await post(botApi, "✅ Build #1284 passed in 3m 12s\n```\n412 tests, 0 failures\nbinary: dist/clickclack (58.2 MiB)\n```");
    let chart: string | null = null;
    try {
      chart = (await apiB.upload(workspaceId, chartPng(), "load-test.png", "image/png")).id;
    } catch {
      // No uploads on this build: the screenshot goes without the chart.
    }
    await post(apiB, "Load test from last night: p99 stayed under 40 ms all the way to 5k msgs/s.", chart ? { upload_id: chart } : {});
    const adaHandle = (await apiA.get("/api/me")).user.handle;
    const ask = await post(apiB, `@${adaHandle} can you take the Docker image? I'll write the announcement.`);
    await post(apiA, "On it 👍");
    await apiA.post(`/api/messages/${ask.id}/reactions`, { emoji: "👍" });
    await apiB.post(`/api/messages/${build.id}/reactions`, { emoji: "🎉" });
    await apiA.post(`/api/messages/${build.id}/reactions`, { emoji: "🎉" });
    await apiA.post(`/api/messages/${build.id}/reactions`, { emoji: "🚀" });
    await apiA.post(`/api/messages/${plan.id}/thread/replies`, { body: "Wednesday works. I'll ping the SDK folks." });
    await apiB.post(`/api/messages/${plan.id}/thread/replies`, { body: "Perfect, thanks!" });

    await ada.goto(`${server.url}/app/c/${launch.id}`);
    await ada.getByRole("heading", { name: "launch", exact: true }).waitFor();
    // Progress is ephemeral: only open pages see it.
    await botApi.post("/api/realtime/ephemeral", { workspace_id: workspaceId, type: "agent.progress", channel_id: launch.id, payload: { message_id: build.id, turn_id: "t1", text: "Publishing the Docker image…" } });
    await message(ada, "Build #1284").getByText("Publishing the Docker image…").waitFor();
    const latest = ada.getByRole("button", { name: "Jump to latest" });
    if (await latest.isVisible()) await latest.click();
    // Park the pointer on the header, so no row shows its hover toolbar.
    await ada.mouse.move(700, 20);
    await ada.waitForTimeout(400);
    await screenshot(ada, "channel");
    await message(ada, "Launch plan").getByRole("button", { name: /2 replies/ }).click();
    await ada.getByRole("complementary", { name: "Thread" }).getByText("Perfect, thanks!").waitFor();
    await ada.mouse.move(700, 20);
    await screenshot(ada, "thread-open");

    const dark = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "dark" });
    const darkPage = await signIn(dark, server.url, await link("ada@example.com"));
    await darkPage.goto(`${server.url}/app/c/${launch.id}`);
    await darkPage.getByRole("heading", { name: "launch", exact: true }).waitFor();
    await darkPage.waitForTimeout(400);
    await screenshot(darkPage, "channel-dark");
    await dark.close();

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const phonePage = await signIn(phone, server.url, await link("grace@example.com"));
    await phonePage.goto(`${server.url}/app/c/${launch.id}`);
    await phonePage.getByRole("heading", { name: "launch", exact: true }).waitFor();
    await phonePage.waitForTimeout(400);
    await screenshot(phonePage, "phone");
    await phonePage.getByRole("button", { name: "Open the sidebar" }).click();
    await phonePage.waitForTimeout(300);
    await screenshot(phonePage, "phone-sidebar");
    await phone.close();

    const landing = await browser.newPage();
    await landing.goto(server.url);
    await landing.getByRole("link", { name: "Open ClickClack" }).waitFor();
    await screenshot(landing, "landing");
    await landing.close();

    const login = await browser.newPage();
    await login.goto(`${server.url}/app`);
    await login.getByRole("heading", { name: "Sign in" }).waitFor();
    await screenshot(login, "sign-in");
    await login.close();
  });
});
