// Accessibility: axe-core, run inside the page, finds no serious or critical violation on the main
// screens (a channel, a thread, the dialogs, sign-in, the no-workspace page), at desktop and phone
// width, in light and dark.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { violations } from "./axe.ts";
import { hasChromium, startTeam, type Team } from "./support.ts";

setDefaultTimeout(90_000);

describe.skipIf(!hasChromium)("accessibility (axe-core)", () => {
  let team: Team;
  let url: string;
  let rootId: string;

  beforeAll(async () => {
    team = await startTeam("a11y");
    url = team.server.url;
    const { apiA, apiB, general } = team;
    await apiB.post(`/api/channels/${general.id}/messages`, { body: "Launch plan for **v1.0**\n\n1. Freeze `main`\n2. Cut the binary\n\n```ts\nconst ok = true;\n```" });
    const root = (await apiA.post(`/api/channels/${general.id}/messages`, { body: "Who reviews the migration? https://example.com/notes" })).message;
    rootId = root.id;
    await apiB.post(`/api/messages/${root.id}/thread/replies`, { body: "I can take it tomorrow." });
    await apiA.post(`/api/messages/${root.id}/reactions`, { emoji: "👍" });
  }, 120_000);

  afterAll(async () => {
    await team?.stop();
  });

  for (const dark of [false, true]) {
    for (const width of [1280, 390]) {
      const label = `${width} px, ${dark ? "dark" : "light"}`;
      test(`main screens: ${label}`, async () => {
        const page = await team.open("ada@example.com", { width, height: width > 500 ? 800 : 844, dark });
        const problems: string[] = [];
        const check = async (screen: string) => {
          for (const v of await violations(page)) problems.push(`[${screen}] ${v}`);
        };
        await page.locator("[data-message-id]", { hasText: "Who reviews" }).waitFor();
        await check("channel");
        // A row with its toolbar showing.
        await page.locator("[data-message-id]", { hasText: "Who reviews" }).focus();
        await page.getByRole("toolbar", { name: "Message actions" }).waitFor();
        await check("message actions");
        await page.goto(`${url}/app/c/${team.general.id}/t/${rootId}`);
        await page.getByRole("complementary", { name: "Thread" }).getByText("I can take it tomorrow.").waitFor();
        await check("thread");
        await page.goto(`${url}/app/c/${team.general.id}`);
        await page.locator("[data-message-id]", { hasText: "Who reviews" }).waitFor();
        for (const [button, dialog] of [["Browse channels", "Browse channels"], ["People", "People"], ["Settings", "Settings"], ["Channel settings", "#general settings"]] as const) {
          if (width < 500 && button !== "Channel settings") await page.getByRole("button", { name: "Open the sidebar" }).click();
          await page.getByRole("button", { name: button, exact: true }).click();
          await page.getByRole("dialog", { name: dialog }).waitFor();
          await check(dialog);
          await page.keyboard.press("Escape");
          await page.getByRole("dialog", { name: dialog }).waitFor({ state: "detached" });
        }
        await page.close();
        expect(problems).toEqual([]);
      });
    }
  }

  test("sign-in and the no-workspace page", async () => {
    const problems: string[] = [];
    for (const dark of [false, true]) {
      const ctx = await team.browser.newContext({ colorScheme: dark ? "dark" : "light" });
      const page = await ctx.newPage();
      await page.goto(`${url}/app`);
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      for (const v of await violations(page)) problems.push(`[sign-in ${dark ? "dark" : "light"}] ${v}`);
      await ctx.close();
    }
    const { admin } = await import("./support.ts");
    await admin(team.dir, "user", "create", "--email", "alone@example.com", "--name", "Alone", "--handle", "alone");
    const page = await team.open("alone@example.com", { noWorkspace: true });
    await page.getByRole("heading", { name: "You are not in a workspace yet" }).waitFor();
    for (const v of await violations(page)) problems.push(`[no workspace] ${v}`);
    expect(problems).toEqual([]);
  });

  test("the Invites screen and an invite link's page", async () => {
    const problems: string[] = [];
    for (const dark of [false, true]) {
      const page = await team.open("ada@example.com", { dark });
      await page.getByRole("button", { name: "People", exact: true }).click();
      await page.getByRole("button", { name: "Invite people" }).click();
      const dialog = page.getByRole("dialog", { name: "Invites" });
      await dialog.getByRole("button", { name: "Create link" }).click();
      const link = await dialog.getByLabel("New invite link (shown once)").inputValue();
      for (const v of await violations(page)) problems.push(`[invites ${dark ? "dark" : "light"}] ${v}`);
      await page.close();
      const ctx = await team.browser.newContext({ colorScheme: dark ? "dark" : "light" });
      const invite = await ctx.newPage();
      await invite.goto(link);
      await invite.getByRole("heading", { name: "Join Acme" }).waitFor();
      for (const v of await violations(invite)) problems.push(`[invite page ${dark ? "dark" : "light"}] ${v}`);
      await ctx.close();
    }
    expect(problems).toEqual([]);
  });
});
