// Embeds in the browser: /embed/channel/… and /embed/thread/… show one conversation, compact and
// read-only, updating live over the realtime socket; signed out they offer a sign-in link that
// opens the app in its own tab; a link to something unknown or out of reach says "not available".
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { hasChromium, screenshot, startTeam, type Team } from "./support.ts";
import { violations } from "./axe.ts";

setDefaultTimeout(90_000);

describe.skipIf(!hasChromium)("browser app: embeds", () => {
  let team: Team;
  let ws: string;
  let general: string;

  beforeAll(async () => {
    team = await startTeam("embeds", { serveArgs: ["--embed-frame-ancestors", "'self'"] });
    ws = (await team.apiA.get(`/api/workspaces/${team.workspaceId}`)).workspace.route_id;
    general = (await team.apiA.get(`/api/channels/${team.general.id}`)).channel.route_id;
  }, 120_000);

  afterAll(async () => {
    await team?.stop();
  });

  test("a channel embed shows the latest messages and new ones as they are posted, with no composer", async () => {
    await team.apiA.post(`/api/channels/${team.general.id}/messages`, { body: "Posted before the embed opened" });
    const page = await team.open("ada@example.com", { width: 480, height: 600 });
    await page.goto(`${team.server.url}/embed/channel/${ws}/${general}`);
    await page.getByRole("heading", { name: "#general", exact: true }).waitFor();
    await page.locator("[data-message-id]", { hasText: "Posted before the embed opened" }).waitFor();
    await team.apiB.post(`/api/channels/${team.general.id}/messages`, { body: "Live into the embed" });
    await page.locator("[data-message-id]", { hasText: "Live into the embed" }).waitFor();
    expect(await page.getByRole("textbox", { name: /^Message / }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Open in ClickClack" }).getAttribute("target")).toBe("_blank");
    await screenshot(page, "embed-channel");
    expect(await violations(page)).toEqual([]);
    await page.close();
  });

  test("a thread embed shows the root and its replies, live", async () => {
    const root = (await team.apiA.post(`/api/channels/${team.general.id}/messages`, { body: "Where do embeds go?" })).message;
    await team.apiB.post(`/api/messages/${root.id}/thread/replies`, { body: "On the intranet" });
    const page = await team.open("ada@example.com", { width: 480, height: 600, dark: true });
    await page.goto(`${team.server.url}/embed/thread/${ws}/${root.route_id}`);
    await page.getByRole("heading", { name: "Thread in #general" }).waitFor();
    await page.locator("[data-message-id]", { hasText: "Where do embeds go?" }).waitFor();
    await page.locator("[data-message-id]", { hasText: "On the intranet" }).waitFor();
    await team.apiB.post(`/api/messages/${root.id}/thread/replies`, { body: "And on the wiki" });
    await page.locator("[data-message-id]", { hasText: "And on the wiki" }).waitFor();
    expect(await page.getByRole("textbox", { name: "Reply in thread" }).count()).toBe(0);
    await screenshot(page, "embed-thread-dark");
    expect(await violations(page)).toEqual([]);
    await page.close();
  });

  test("a page of a listed site ('self' here) frames the embed, signed in; the app itself refuses to be framed", async () => {
    const page = await team.open("ada@example.com");
    const frame = (src: string, title: string) =>
      page.evaluate(
        ([src, title]) =>
          new Promise<void>((resolve) => {
            const f = Object.assign(document.createElement("iframe"), { src, title, width: 480, height: 400 });
            f.onload = () => resolve();
            document.body.append(f);
          }),
        [src, title] as const,
      );
    await frame(`/embed/channel/${ws}/${general}`, "embed");
    const embed = page.frameLocator('iframe[title="embed"]');
    await embed.getByRole("heading", { name: "#general", exact: true }).waitFor();
    await team.apiB.post(`/api/channels/${team.general.id}/messages`, { body: "Seen through the frame" });
    await embed.locator("[data-message-id]", { hasText: "Seen through the frame" }).waitFor();
    // The app's own page is blocked by frame-ancestors 'none': the frame never gets its document.
    await frame("/app", "app");
    const blocked = await (await page.$('iframe[title="app"]'))!.contentFrame();
    expect(blocked).not.toBeNull();
    expect(await blocked!.locator("#app").count()).toBe(0);
    // …while the embed's frame holds the app's document.
    expect(await embed.locator("#app").count()).toBe(1);
    await page.close();
  });

  test("signed out, a sign-in link for a new tab; unknown links are not available", async () => {
    const stranger = await team.browser.newContext();
    const out = await stranger.newPage();
    await out.goto(`${team.server.url}/embed/channel/${ws}/${general}`);
    const signIn = out.getByRole("link", { name: "Sign in to ClickClack" });
    await signIn.waitFor();
    expect(await signIn.getAttribute("target")).toBe("_blank");
    await screenshot(out, "embed-signed-out");
    expect(await violations(out)).toEqual([]);
    await stranger.close();

    const page = await team.open("ada@example.com", { width: 480, height: 600 });
    await page.goto(`${team.server.url}/embed/channel/${ws}/Cnonsense`);
    await page.getByText("This conversation is not available.", { exact: false }).waitFor();
    await page.close();
  });
});
