// The screens a team needs to run itself from the browser (issue #16), in Chromium against the app:
// channels (browse, create, rename, topic, archive, star, mute), people and profiles, settings
// (profile, appearance, sign out everywhere), composing (emoji shortcodes and picker, @channel,
// highlighted code) and the tab's title and favicon. Screenshots at desktop and phone width, light
// and dark, go to artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import { type Api, apiAs, chartPng, errorsOf, sessionToken, hasChromium, screenshot, startTeam, type Team, until } from "./support.ts";

setDefaultTimeout(60_000);

describe.skipIf(!hasChromium)("browser app: screens a team needs", () => {
  let team: Team;
  let apiA: Api;
  let apiB: Api;
  let workspaceId: string;
  let general: { id: string };
  let url: string;
  let adaHandle: string;

  beforeAll(async () => {
    team = await startTeam("screens");
    ({ apiA, apiB, workspaceId, general } = team);
    url = team.server.url;
    adaHandle = (await apiA.get("/api/me")).user.handle;
  }, 120_000);

  afterAll(async () => {
    await team?.stop();
  });

  const message = (page: Page, text: string) => page.locator("[data-message-id]", { hasText: text });
  const composer = (page: Page, name = /^Message #/) => page.getByRole("textbox", { name });

  test("channels: browse, create with a preview, rename and set a topic, archive and find it among the archived", async () => {
    const ada = await team.open("ada@example.com");
    await ada.getByRole("button", { name: "Browse channels" }).click();
    const browser = ada.getByRole("dialog", { name: "Browse channels" });
    await browser.getByRole("button", { name: /^#general/ }).waitFor();
    await browser.getByRole("button", { name: "Create a channel" }).click();
    const create = ada.getByRole("dialog", { name: "Create a channel" });
    await create.getByRole("textbox", { name: "Name" }).fill("Design Reviews");
    await create.getByText("Will be created as #design-reviews").waitFor();
    await create.getByRole("button", { name: "Create channel" }).click();
    await ada.getByRole("heading", { name: "design-reviews", exact: true }).waitFor();

    await ada.getByRole("button", { name: "Channel settings" }).click();
    const settings = ada.getByRole("dialog", { name: "#design-reviews settings" });
    await settings.getByRole("textbox", { name: "Name" }).fill("Design Crits");
    await settings.getByText("Will be renamed to #design-crits").waitFor();
    await settings.getByRole("textbox", { name: "Topic" }).fill("Every Thursday at 15:00");
    await screenshot(ada, "channel-settings");
    await settings.getByRole("button", { name: "Save" }).click();
    await ada.getByRole("heading", { name: "design-crits", exact: true }).waitFor();
    await ada.getByText("Every Thursday at 15:00").first().waitFor();

    // A member sees the settings but may not change them.
    const grace = await team.open("grace@example.com");
    await grace.getByRole("link", { name: /#design-crits/ }).click();
    await grace.getByRole("button", { name: "Channel settings" }).click();
    const theirs = grace.getByRole("dialog", { name: "#design-crits settings" });
    expect(await theirs.getByRole("textbox", { name: "Name" }).isDisabled()).toBe(true);
    await theirs.getByText("Only the workspace's owners and moderators can change a channel.").waitFor();
    expect(await theirs.getByRole("button", { name: /Archive/ }).count()).toBe(0);
    await grace.keyboard.press("Escape");

    // Archive from the settings, after a confirmation; it moves to the archived list.
    await ada.getByRole("button", { name: "Channel settings" }).click();
    await ada.getByRole("dialog", { name: "#design-crits settings" }).getByRole("button", { name: "Archive channel" }).click();
    await ada.getByRole("dialog", { name: "Archive #design-crits?" }).getByRole("button", { name: "Archive" }).click();
    await ada.getByText("#design-crits is archived").waitFor();
    await grace.getByText("#design-crits is archived").waitFor();
    await ada.getByRole("button", { name: "Browse channels" }).click();
    await browser.getByRole("button", { name: /Archived \(1\)/ }).click();
    await browser.getByRole("button", { name: /#design-crits/ }).waitFor();
    await screenshot(ada, "browse-channels");
    await ada.keyboard.press("Escape");
    await ada.getByRole("button", { name: "Unarchive" }).click();
    await composer(ada).waitFor();
    await grace.close();
    await ada.close();
  });

  test("a star clicked while the app is still loading your choices stays when they arrive", async () => {
    const early = (await apiA.post(`/api/workspaces/${workspaceId}/channels`, { name: "early-star" })).channel;
    const ada = await team.open("ada@example.com");
    // The choices are read from the server before the click and reach the app only after it.
    let fetched!: () => void;
    const answered = new Promise<void>((r) => (fetched = r));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let delivered = false;
    await ada.route("**/api/workspaces/*/channel-preferences", async (route) => {
      const response = await route.fetch();
      fetched();
      await held;
      await route.fulfill({ response });
      delivered = true;
    });
    await ada.goto(`${url}/app/c/${early.id}`);
    await answered;
    await ada.getByRole("button", { name: "Star #early-star" }).click();
    const link = ada.getByRole("region", { name: "Starred" }).getByRole("link", { name: /#early-star/ });
    await link.waitFor();
    release();
    await until(async () => delivered, 10_000, "the held choices delivered");
    await ada.waitForTimeout(300);
    expect(await link.isVisible()).toBe(true);
    await ada.unroute("**/api/workspaces/*/channel-preferences");
    await ada.reload();
    await link.waitFor();
    await ada.close();
  });

  test("star and mute: a starred section, and a muted channel counts only mentions (kept by the server: on another device too)", async () => {
    const noisy = (await apiA.post(`/api/workspaces/${workspaceId}/channels`, { name: "noisy" })).channel;
    const ada = await team.open("ada@example.com");
    await ada.goto(`${url}/app/c/${noisy.id}`);
    await ada.getByRole("button", { name: "Star #noisy" }).click();
    const starred = ada.getByRole("region", { name: "Starred" });
    await starred.getByRole("link", { name: /#noisy/ }).waitFor();
    await ada.getByRole("button", { name: "Channel settings" }).click();
    await ada.getByRole("dialog", { name: "#noisy settings" }).getByRole("button", { name: "Mute" }).click();
    await ada.keyboard.press("Escape");
    await ada.goto(`${url}/app/c/${general.id}`);
    await ada.reload();
    const link = starred.getByRole("link", { name: /#noisy/ });
    await link.waitFor();
    for (let i = 0; i < 3; i++) await apiB.post(`/api/channels/${noisy.id}/messages`, { body: `chatter ${i}` });
    await until(async () => (await link.getAttribute("aria-label"))?.includes("muted"), 10_000, "muted in the label");
    await ada.waitForTimeout(500);
    expect(await link.getAttribute("aria-label")).not.toContain("unread");
    await apiB.post(`/api/channels/${noisy.id}/messages`, { body: `@${adaHandle} can you look?` });
    await until(async () => (await link.getAttribute("aria-label"))?.includes("1 mentions"), 10_000, "a mention on a muted channel");
    await ada.close();
    // Another device (a browser of its own, nothing in its storage) shows the same choices.
    const laptop = await team.open("ada@example.com", { fresh: true });
    await laptop.goto(`${url}/app/c/${noisy.id}`);
    await laptop.getByRole("button", { name: "Unstar #noisy" }).waitFor();
    await laptop.getByRole("region", { name: "Starred" }).getByRole("link", { name: /#noisy.*muted/ }).waitFor();
    expect((await apiA.get(`/api/workspaces/${workspaceId}/channel-preferences`)).channels).toContainEqual({ channel_id: noisy.id, starred: true, preference: "mentions" });
    await laptop.close();
  });

  test("people: the member list, a profile card with role, and Message opens a DM", async () => {
    const ada = await team.open("ada@example.com");
    await ada.getByRole("button", { name: "People", exact: true }).click();
    const people = ada.getByRole("dialog", { name: "People" });
    await people.getByRole("searchbox", { name: "Find people" }).fill("gra");
    await people.getByRole("button", { name: /Grace Hopper/ }).click();
    const card = ada.getByRole("dialog", { name: "Grace Hopper's profile" });
    await card.getByText("@grace").waitFor();
    await card.getByText("Member", { exact: true }).waitFor();
    await screenshot(ada, "profile-card");
    await card.getByRole("button", { name: "Message", exact: true }).click();
    await ada.waitForURL(/\/app\/d\//);
    await ada.getByRole("heading", { name: "Grace Hopper" }).waitFor();

    // From a message: the author's name opens the card; members of a channel from its header.
    await apiB.post(`/api/channels/${general.id}/messages`, { body: "Hello from the profile test" });
    await ada.goto(`${url}/app/c/${general.id}`);
    await message(ada, "Hello from the profile test").getByRole("button", { name: "Grace Hopper" }).click();
    await ada.getByRole("dialog", { name: "Grace Hopper's profile" }).waitFor();
    await ada.keyboard.press("Escape");
    await ada.getByRole("button", { name: /^\d+ members$/ }).click();
    const members = ada.getByRole("dialog", { name: "Members of #general" });
    await members.getByRole("button", { name: /Ada Lovelace.*Owner/ }).waitFor();
    await ada.keyboard.press("Escape");
    await ada.close();
  });

  test("settings: profile, appearance, and sign out everywhere signs out the other browser too", async () => {
    const grace = await team.open("grace@example.com", { fresh: true });
    const elsewhere = await team.open("grace@example.com", { width: 390, height: 844, phone: true });
    const errors = errorsOf(grace);
    await grace.getByRole("button", { name: "Settings", exact: true }).click();
    const settings = grace.getByRole("dialog", { name: "Settings" });
    await settings.getByRole("textbox", { name: "Display name" }).fill("Grace B. Hopper");
    await settings.getByRole("button", { name: "Save profile" }).click();
    await grace.locator(".sidebar-me").getByText("Grace B. Hopper").waitFor();
    await settings.getByRole("radio", { name: "Dark" }).check();
    expect(await grace.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    const bg = await grace.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe("rgb(23, 23, 27)");
    await screenshot(grace, "settings-dark");
    await settings.getByRole("radio", { name: "Match the system" }).check();
    expect(await grace.evaluate(() => document.documentElement.dataset.theme ?? null)).toBeNull();
    await settings.getByRole("button", { name: "Sign out everywhere" }).click();
    await grace.getByRole("heading", { name: "Sign in" }).waitFor();
    // The other browser's session is gone: its next request (or its socket) signs it out.
    await elsewhere.reload();
    await elsewhere.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(errors).toEqual([]);
    // Grace's API session went with the rest.
    await expect(apiB.get("/api/me")).rejects.toThrow("401");
    apiB = apiAs(url, await sessionToken(url, await team.link("grace@example.com")));
    team.forget("grace@example.com");
  });

  test("presence, local time and a picture: a dot for who is online, their local time on the card, your own picture from settings", async () => {
    // Earlier pages of Grace's adopted their device's zone: she starts with none here.
    await apiB.patch("/api/me", { time_zone: "" });
    const grace = await team.open("grace@example.com", { fresh: true, timezoneId: "Asia/Tokyo" });
    const ada = await team.open("ada@example.com");
    const errors = errorsOf(ada);
    // Grace never chose a time zone: her device's was adopted.
    await until(async () => (await apiA.get(`/api/workspaces/${workspaceId}/members?q=grace`)).members[0]?.user.time_zone === "Asia/Tokyo");
    await ada.getByRole("button", { name: "People", exact: true }).click();
    const people = ada.getByRole("dialog", { name: "People" });
    await people.getByRole("searchbox", { name: "Find people" }).fill("gra");
    const row = people.getByRole("button", { name: /Grace/ });
    await row.locator(".presence-dot.online").waitFor();
    await row.click();
    const card = ada.getByRole("dialog", { name: /Grace.*profile/ });
    await card.getByText("Online", { exact: true }).waitFor();
    const tokyo = (d: Date) => new Intl.DateTimeFormat("en-US", { timeZone: "Asia/Tokyo", hour: "numeric", minute: "2-digit" }).format(d);
    const shown = await card.locator(".profile-local-time time").textContent();
    expect([tokyo(new Date(Date.now() - 60_000)), tokyo(new Date()), tokyo(new Date(Date.now() + 60_000))]).toContain(shown!);
    await card.getByText("(Asia/Tokyo)").waitFor();
    await screenshot(ada, "profile-card-presence");
    // Grace closes her app: her last socket goes, and the card says so.
    await grace.context().close();
    await card.getByText("Offline", { exact: true }).waitFor();
    expect(await row.locator(".presence-dot").count()).toBe(0);
    await ada.keyboard.press("Escape");

    // A picture of your own, from settings; and removed again.
    await ada.getByRole("button", { name: "Settings", exact: true }).click();
    const settings = ada.getByRole("dialog", { name: "Settings" });
    await settings.locator("#settings-picture").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: chartPng() });
    await settings.getByText("Picture updated").or(ada.getByText("Picture updated")).first().waitFor();
    await ada.locator(".sidebar-me img.avatar").waitFor();
    expect((await apiA.get("/api/me")).user.avatar_url).toMatch(/^\/api\/users\/.+\/avatar/);
    await settings.getByRole("button", { name: "Remove" }).click();
    await ada.locator(".sidebar-me .avatar-initials").waitFor();
    expect((await apiA.get("/api/me")).user.avatar_url).toBe("");
    await ada.keyboard.press("Escape");
    expect(errors).toEqual([]);
    await ada.close();
  });

  test("composing: :shortcode: autocomplete, a searchable emoji picker, @channel and @here, highlighted code", async () => {
    const ada = await team.open("ada@example.com");
    await ada.goto(`${url}/app/c/${general.id}`);
    const box = composer(ada);
    await box.pressSequentially("Shipped :tad");
    await ada.getByRole("option", { name: /:tada:/ }).waitFor();
    await box.press("Enter");
    expect(await box.inputValue()).toBe("Shipped 🎉 ");
    await ada.getByRole("button", { name: "Insert an emoji" }).click();
    const picker = ada.getByRole("dialog", { name: "Insert an emoji" });
    await picker.getByRole("searchbox", { name: "Search emoji" }).fill("rocket");
    await picker.getByRole("button", { name: "Insert 🚀" }).click();
    expect(await box.inputValue()).toBe("Shipped 🎉 🚀");
    await box.press("Enter");
    await message(ada, "Shipped 🎉 🚀").waitFor();

    // The picker browses the full set by group.
    await ada.getByRole("button", { name: "Insert an emoji" }).click();
    await picker.getByRole("button", { name: "animals & nature" }).click();
    await picker.getByRole("button", { name: "Insert 🦊" }).waitFor();
    await screenshot(ada, "emoji-picker");
    await ada.keyboard.press("Escape");

    await box.pressSequentially("@ch");
    await ada.getByRole("option", { name: /@channel/ }).waitFor();
    await box.press("Enter");
    expect(await box.inputValue()).toBe("@channel ");
    await box.fill("");
    await box.pressSequentially("@he");
    await ada.getByRole("option", { name: /@here/ }).waitFor();
    await box.fill("");

    await apiB.post(`/api/channels/${general.id}/messages`, { body: "```ts\nconst answer: number = 42; // the answer\nfunction ask() { return \"why\"; }\n```" });
    const code = message(ada, "const answer").locator("pre code");
    await code.locator(".hljs-keyword", { hasText: "const" }).waitFor();
    await code.locator(".hljs-string").first().waitFor();
    await ada.close();
  });

  test("the tab's title counts unread and mentions; the favicon carries a badge", async () => {
    const quiet = (await apiA.post(`/api/workspaces/${workspaceId}/channels`, { name: "quiet-room" })).channel;
    // Start from nothing unread (earlier tests left some).
    for (const c of (await apiA.get(`/api/workspaces/${workspaceId}/channels`)).channels) if (c.last_seq > c.last_read_seq) await apiA.post(`/api/channels/${c.id}/read`, { seq: c.last_seq });
    const ada = await team.open("ada@example.com");
    await ada.goto(`${url}/app/c/${quiet.id}`);
    await until(async () => (await ada.title()) === "#quiet-room — Acme — ClickClack", 10_000, "the plain title");
    await apiB.post(`/api/channels/${general.id}/messages`, { body: "something new" });
    await until(async () => (await ada.title()).startsWith("1 new · #quiet-room"), 10_000, "1 new in the title");
    // The first badge is painted once the icon has loaded, a moment after the title changes.
    await until(async () => (await ada.locator("link[rel~=icon]").getAttribute("data-badged")) === "dot", 10_000, "an unread dot on the favicon");
    await apiB.post(`/api/channels/${general.id}/messages`, { body: `@${adaHandle} please check` });
    await until(async () => (await ada.title()).startsWith("(1) 2 new · "), 10_000, "a mention in the title");
    await until(async () => (await ada.locator("link[rel~=icon]").getAttribute("data-badged")) === "1", 10_000, "a mention badge on the favicon");
    expect(await ada.locator("link[rel~=icon]").getAttribute("href")).toStartWith("data:image/png");
    await ada.getByRole("link", { name: /^#general/ }).click();
    await until(async () => (await ada.title()) === "#general — Acme — ClickClack", 10_000, "counts cleared after reading");
    await ada.close();
  });

  test("screenshots: the new screens at phone width, light and dark", async () => {
    for (const dark of [false, true]) {
      const page = await team.open("ada@example.com", { width: 390, height: 844, phone: true, dark });
      const suffix = dark ? "phone-dark" : "phone";
      await page.getByRole("button", { name: "Open the sidebar" }).click();
      await page.getByRole("button", { name: "Browse channels" }).click();
      await page.getByRole("dialog", { name: "Browse channels" }).getByRole("button", { name: /^#general/ }).waitFor();
      await screenshot(page, `browse-channels-${suffix}`);
      await page.keyboard.press("Escape");
      // The dialog closed the sidebar it was opened from.
      await page.getByRole("button", { name: "Open the sidebar" }).click();
      await page.getByRole("button", { name: "Settings", exact: true }).click();
      await page.getByRole("dialog", { name: "Settings" }).waitFor();
      await screenshot(page, `settings-${suffix}`);
      await page.close();
    }
  });
});
