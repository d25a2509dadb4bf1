// The defects found in an afternoon of use (issue #16), each driven in Chromium against the app:
// a long message must not freeze the tab, archived channels stay readable, a person with no
// workspace sees who they are and can sign out, dialogs keep the keyboard, files show properly,
// an over-long message is kept, a channel name is previewed, and the small things of round two.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import { admin, type Api, errorsOf, hasChromium, responsive, screenshot, startTeam, type Team, until } from "./support.ts";

setDefaultTimeout(60_000);

describe.skipIf(!hasChromium)("browser app: defects of round two", () => {
  let team: Team;
  let server: Team["server"];
  let apiA: Api;
  let apiB: Api;
  let workspaceId: string;
  let general: { id: string };
  let dir: string;
  let open: Team["open"];

  beforeAll(async () => {
    team = await startTeam("defects");
    ({ server, apiA, apiB, workspaceId, general, dir, open } = team);
  }, 120_000);

  afterAll(async () => {
    await team?.stop();
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
      await page.close();
    }
  });

  test("2. an archived channel stays readable, with a banner instead of the composer, also by link", async () => {
    const old = (await apiA.post(`/api/workspaces/${workspaceId}/channels`, { name: "old-plans" })).channel;
    await apiA.post(`/api/channels/${old.id}/messages`, { body: "Plan from last year" });
    const grace = await open("grace@example.com");
    await grace.goto(`${server.url}/app/c/${old.id}`);
    await message(grace, "Plan from last year").waitFor();
    await composer(grace).waitFor();
    // Archived while Grace has it open.
    await apiA.patch(`/api/channels/${old.id}`, { archived: true });
    await grace.getByText("#old-plans is archived").waitFor();
    await message(grace, "Plan from last year").waitFor();
    expect(await composer(grace).count()).toBe(0);
    // Out of the sidebar, but the link still works after a reload.
    await grace.getByRole("link", { name: /#old-plans/ }).waitFor({ state: "detached" });
    await grace.reload();
    await message(grace, "Plan from last year").waitFor();
    await grace.getByText("#old-plans is archived").waitFor();
    // A member may not unarchive; the owner may.
    expect(await grace.getByRole("button", { name: "Unarchive" }).count()).toBe(0);
    await screenshot(grace, "archived-channel");
    const ada = await open("ada@example.com");
    await ada.goto(`${server.url}/app/c/${old.id}`);
    await ada.getByRole("button", { name: "Unarchive" }).click();
    await composer(ada).waitFor();
    await composer(grace).waitFor();
    await grace.close();
    await ada.close();
  });

  test("3. a person in no workspace sees who they are, can start a workspace or sign out", async () => {
    await admin(dir, "user", "create", "--email", "nobody@example.com", "--name", "Nora Nobody", "--handle", "nora");
    for (const opts of [{ width: 1280, height: 800 }, { width: 390, height: 844, phone: true, dark: true }]) {
      const page = await open("nobody@example.com", { ...opts, noWorkspace: true });
      const errors = errorsOf(page);
      const empty = page.locator(".no-workspace");
      await empty.getByRole("heading", { name: "You are not in a workspace yet" }).waitFor();
      await empty.getByText("Nora Nobody").waitFor();
      await empty.getByText("@nora").waitFor();
      // Centred in the window, not squeezed into a sidebar column.
      const box = (await empty.boundingBox())!;
      expect(Math.abs(box.x + box.width / 2 - opts.width / 2)).toBeLessThan(40);
      await screenshot(page, `no-workspace-${opts.width}`);
      await empty.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  test("4. the name dialog keeps Esc and Tab after a server error submitted with the mouse; 7. it previews the channel name", async () => {
    const ada = await open("ada@example.com");
    await ada.getByRole("button", { name: "Create a channel" }).click();
    const dialog = ada.getByRole("dialog", { name: "Create a channel" });
    const field = dialog.getByRole("textbox", { name: "Name" });
    await field.fill("Release Plans: Q3!");
    await dialog.getByText("Will be created as #release-plans-q3").waitFor();
    await field.fill("A very long channel name that goes on and on and on past the limit");
    await dialog.getByText(`Will be created as #${"a-very-long-channel-name-that-goes-on-and-on-and-on-past-the-limit".slice(0, 48)}`, { exact: true }).waitFor();
    // "General" exists: the server refuses.
    await field.fill("General");
    await dialog.getByText("Will be created as #general").waitFor();
    await dialog.getByRole("button", { name: "Create channel" }).click();
    await dialog.getByRole("alert").waitFor();
    expect(await ada.evaluate(() => !!document.activeElement?.closest("[role=dialog]"))).toBe(true);
    await ada.keyboard.press("Tab");
    expect(await ada.evaluate(() => !!document.activeElement?.closest("[role=dialog]"))).toBe(true);
    await ada.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    // And when focus did fall to <body>, Esc still closes.
    await ada.getByRole("button", { name: "Create a channel" }).click();
    await dialog.waitFor();
    await ada.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await ada.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await ada.close();
  });

  test("5. files: a file alone does not repeat its name, a PDF opens inline, an image opens in a viewer, uploads show progress", async () => {
    const ada = await open("ada@example.com");
    await ada.goto(`${server.url}/app/c/${general.id}`);
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");
    await ada.locator("input[type=file]").first().setInputFiles({ name: "minutes.pdf", mimeType: "application/pdf", buffer: pdf });
    await ada.locator(".staged-ready").first().waitFor();
    await composer(ada).press("Enter");
    const row = ada.locator("[data-message-id]", { has: ada.locator(".attachment-file", { hasText: "minutes.pdf" }) });
    await row.waitFor();
    expect(await row.locator(".msg-content").count()).toBe(0);
    const link = row.locator(".attachment-file");
    expect(await link.getAttribute("download")).toBeNull();
    expect(await link.getAttribute("target")).toBe("_blank");

    const { chartPng } = await import("./support.ts");
    await ada.locator("input[type=file]").first().setInputFiles({ name: "chart.png", mimeType: "image/png", buffer: chartPng() });
    await ada.locator(".staged-ready").first().waitFor();
    await composer(ada).press("Enter");
    const image = ada.locator("[data-message-id] .attachment-image", { has: ada.locator("img[alt='chart.png']") });
    await image.click();
    const viewer = ada.getByRole("dialog", { name: "chart.png" });
    await viewer.locator("img.viewer-image").waitFor();
    await screenshot(ada, "image-viewer");
    await ada.keyboard.press("Escape");
    await viewer.waitFor({ state: "detached" });
    expect(ada.url()).toContain(`/app/c/${general.id}`);

    // A slow link: the staged file shows how far it got.
    const cdp = await ada.context().newCDPSession(ada);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
    await ada.locator("input[type=file]").first().setInputFiles({ name: "big.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(1024 * 1024, 7) });
    await until(async () => {
      const text = (await ada.locator(".staged-uploading .staged-name").textContent().catch(() => "")) ?? "";
      const m = /Uploading… (\d+)%/.exec(text);
      return m && Number(m[1]) > 0 && Number(m[1]) < 100;
    }, 20_000, "a progress figure between 0 and 100%");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await ada.locator(".staged-ready").first().waitFor({ timeout: 30_000 });
    await ada.getByRole("button", { name: "Remove big.bin" }).click();
    await ada.close();
  });

  test("6. an over-long message is stopped before sending, keeps its text, and a counter shows near the limit", async () => {
    const ada = await open("ada@example.com");
    await ada.goto(`${server.url}/app/c/${general.id}`);
    const box = composer(ada);
    await box.fill("x".repeat(36_500));
    await ada.getByText("36,500 / 40,000 characters").waitFor();
    const tooLong = "y".repeat(40_010);
    await box.fill(tooLong);
    await ada.getByRole("alert").filter({ hasText: "Too long to send: 10 characters over" }).waitFor();
    await box.press("Enter");
    expect((await box.inputValue()).length).toBe(40_010);
    expect(await ada.locator(".msg.pending").count()).toBe(0);
    expect(await ada.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);
    await box.fill("");
    await ada.close();
  });

  test("8. message actions: reachable by keyboard, one toolbar at a time, not clipped on a thread's root", async () => {
    const a = (await apiB.post(`/api/channels/${general.id}/messages`, { body: "First row for the toolbar" })).message;
    await apiB.post(`/api/channels/${general.id}/messages`, { body: "Second row for the toolbar" });
    await apiA.post(`/api/messages/${a.id}/thread/replies`, { body: "a reply" });
    const ada = await open("ada@example.com");
    await ada.goto(`${server.url}/app/c/${general.id}`);
    const first = message(ada, "First row for the toolbar");
    const second = message(ada, "Second row for the toolbar");
    await second.waitFor();
    // Keyboard: the row takes focus, its toolbar appears, Tab walks into it.
    expect(await first.getAttribute("tabindex")).toBe("0");
    await first.focus();
    await first.getByRole("toolbar", { name: "Message actions" }).waitFor();
    await ada.keyboard.press("Tab");
    expect(await ada.evaluate(() => document.activeElement?.closest("[role=toolbar]") !== null)).toBe(true);
    // The mouse: use a button, move to another row: one toolbar only.
    await first.hover();
    await first.getByRole("button", { name: "Copy link" }).click();
    await second.hover();
    await second.getByRole("toolbar").waitFor();
    expect(await ada.getByRole("toolbar", { name: "Message actions" }).count()).toBe(1);
    await ada.mouse.move(640, 20);
    await ada.getByRole("toolbar", { name: "Message actions" }).waitFor({ state: "detached" });

    // The thread's root shows its whole toolbar.
    await ada.goto(`${server.url}/app/c/${general.id}/t/${a.id}`);
    const pane = ada.getByRole("complementary", { name: "Thread" });
    const root = pane.locator(".thread-root [data-message-id]");
    await root.hover();
    const toolbar = root.getByRole("toolbar");
    await toolbar.waitFor();
    const [bar, list] = await Promise.all([toolbar.boundingBox(), pane.getByRole("log").boundingBox()]);
    expect(bar!.y).toBeGreaterThanOrEqual(list!.y);
    await ada.close();
  });

  test("8. at 1024 px with a thread open the channel title keeps its width", async () => {
    const planning = (await apiA.post(`/api/workspaces/${workspaceId}/channels`, { name: "release-planning", display_title: "Dates and owners" })).channel;
    const root = (await apiA.post(`/api/channels/${planning.id}/messages`, { body: "Thread about dates" })).message;
    const ada = await open("ada@example.com", { width: 1024, height: 768 });
    await ada.goto(`${server.url}/app/c/${planning.id}/t/${root.id}`);
    await ada.getByRole("complementary", { name: "Thread" }).waitFor();
    const title = ada.getByRole("heading", { name: "release-planning", exact: true });
    await title.waitFor();
    const fits = await title.evaluate((h) => h.scrollWidth <= h.clientWidth);
    expect(fits).toBe(true);
    await screenshot(ada, "thread-1024");
    await ada.close();
  });

  test("8. quotes keep lists and code and jump to the original; the pins panel unpins; signing out never throws", async () => {
    const original = (await apiB.post(`/api/channels/${general.id}/messages`, { body: "Checklist:\n\n- build the binary\n- run `bun test`\n\n```\nmake ship\n```" })).message;
    for (let i = 0; i < 30; i++) await apiB.post(`/api/channels/${general.id}/messages`, { body: `chatter ${i}` });
    await apiA.post(`/api/channels/${general.id}/messages`, { body: "Quoting the checklist", quoted_message_id: original.id });
    await apiA.post(`/api/channels/${general.id}/pins`, { message_id: original.id });
    const ada = await open("ada@example.com", { dark: true, fresh: true });
    const errors = errorsOf(ada);
    await ada.goto(`${server.url}/app/c/${general.id}`);
    const quote = message(ada, "Quoting the checklist").locator(".msg-quote");
    await quote.locator("li", { hasText: "build the binary" }).waitFor();
    await quote.locator("code", { hasText: "make ship" }).waitFor();
    await quote.getByRole("button", { name: /jump to the original/ }).click();
    await ada.waitForURL(new RegExp(`/m/${original.id}`));
    await until(() => ada.locator(`#m-${original.id}`).evaluate((el) => el.classList.contains("highlighted")).catch(() => false), 10_000, "the original highlighted");

    await ada.getByRole("button", { name: "Pinned messages (1)" }).click();
    const pins = ada.getByRole("complementary", { name: "Pinned messages" });
    await pins.getByRole("button", { name: /^Unpin: Checklist/ }).click();
    await pins.getByText("Nothing is pinned yet").waitFor();
    await ada.getByRole("button", { name: "Pinned messages (0)" }).waitFor();

    await ada.getByRole("button", { name: "Sign out" }).click();
    await ada.getByRole("heading", { name: "Sign in" }).waitFor();
    await ada.waitForTimeout(300);
    expect(errors).toEqual([]);
    await ada.close();
  });
});
