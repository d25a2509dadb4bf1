// The Bots screen, in Chromium: a manager creates a bot and sees its first token once, mints and
// revokes tokens, mints a setup code an installer claims, and retires the bot. A member has no
// such screen. Checked by axe at desktop and phone width; screenshots go to artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import { hasChromium, screenshot, startTeam, type Team } from "./support.ts";
import { violations } from "./axe.ts";

setDefaultTimeout(90_000);

describe.skipIf(!hasChromium)("browser app: bots", () => {
  let team: Team;
  beforeAll(async () => {
    team = await startTeam("bots");
  }, 120_000);
  afterAll(async () => {
    await team?.stop();
  });

  const openBots = async (page: Page) => {
    await page.getByRole("button", { name: "Acme" }).click();
    await page.getByRole("menuitem", { name: "Bots" }).click();
    const dialog = page.getByRole("dialog", { name: "Bots" });
    await dialog.waitFor();
    return dialog;
  };
  const asBot = (token: string) => fetch(`${team.server.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });

  test("create a bot, mint and revoke tokens, mint a setup code, retire the bot", async () => {
    const ada = await team.open("ada@example.com");
    const bots = await openBots(ada);
    await bots.getByText("No bots yet.").waitFor();
    await bots.getByRole("textbox", { name: "Name" }).fill("Deploy Helper");
    await bots.getByRole("button", { name: "Create bot" }).click();

    // The first token, once.
    const first = bots.getByRole("status", { name: 'Token "default" of Deploy Helper' });
    const firstToken = (await first.locator("code").textContent())!;
    expect(firstToken).toStartWith("ccb_");
    expect((await asBot(firstToken)).status).toBe(200);
    await first.getByRole("button", { name: "Done" }).click();
    const row = bots.getByRole("listitem", { name: "Deploy Helper" });
    await row.getByText("@deploy-helper").waitFor();
    await row.getByRole("cell", { name: "Read & write" }).waitFor();

    // A read-only token for CI.
    await row.getByRole("textbox", { name: "Token name" }).fill("ci");
    await row.getByRole("combobox", { name: "Access" }).selectOption("bot:read");
    await row.getByRole("button", { name: "New token for Deploy Helper" }).click();
    const ci = bots.getByRole("status", { name: 'Token "ci" of Deploy Helper' });
    const ciToken = (await ci.locator("code").textContent())!;
    expect((await asBot(ciToken)).status).toBe(200);
    await ci.getByRole("button", { name: "Done" }).click();
    await row.getByRole("cell", { name: "Read", exact: true }).waitFor();
    expect(await bots.locator("code").count()).toBe(0);

    // A setup code, with its countdown; an installer claims it without credentials.
    await row.getByRole("textbox", { name: "Token name" }).fill("gateway");
    await row.getByRole("button", { name: "Setup code for Deploy Helper" }).click();
    const codePanel = bots.getByRole("status", { name: /^Setup code for Deploy Helper/ });
    const code = (await codePanel.locator("code").textContent())!;
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await codePanel.getByText(/^Expires in (10:00|9:\d\d)$/).waitFor();
    expect(await violations(ada)).toEqual([]);
    await screenshot(ada, "bots-desktop");
    const claim = await fetch(`${team.server.url}/api/bot-setup-codes/claim`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code }) });
    expect(claim.status).toBe(200);
    const claimed = (await claim.json()) as { token: string };
    expect((await asBot(claimed.token)).status).toBe(200);
    await codePanel.getByRole("button", { name: "Done" }).click();

    // Revoking the CI token stops it at once.
    await row.getByRole("button", { name: "Revoke token ci of Deploy Helper" }).click();
    await row.getByText(/^revoked /).waitFor();
    expect((await asBot(ciToken)).status).toBe(401);

    // Retiring asks first; then every token stops and the handle is free again.
    await row.getByRole("button", { name: "Retire Deploy Helper" }).click();
    const confirm = ada.getByRole("dialog", { name: "Retire Deploy Helper?" });
    await confirm.getByRole("button", { name: "Retire bot" }).click();
    await bots.getByText("No bots yet.").waitFor();
    expect((await asBot(firstToken)).status).toBe(401);
    expect((await asBot(claimed.token)).status).toBe(401);
    const again = await team.apiA.post(`/api/workspaces/${team.workspaceId}/bots`, { display_name: "Deploy Helper", handle: "deploy-helper", initial_token: false });
    expect(again.bot.handle).toBe("deploy-helper");
    await ada.close();
  });

  test("at phone width, light and dark: usable, accessible, screenshots", async () => {
    await team.apiA.post(`/api/workspaces/${team.workspaceId}/bots`, { display_name: "Phone Bot" });
    for (const dark of [false, true]) {
      const page = await team.open("ada@example.com", { width: 390, height: 844, phone: true, dark });
      await page.getByRole("button", { name: "Open the sidebar" }).click();
      const bots = await openBots(page);
      await bots.getByRole("listitem", { name: "Phone Bot" }).waitFor();
      expect(await violations(page)).toEqual([]);
      await screenshot(page, dark ? "bots-phone-dark" : "bots-phone");
      await page.close();
    }
  });

  test("a member has no Bots screen", async () => {
    const grace = await team.open("grace@example.com");
    await grace.getByRole("button", { name: "Acme" }).click();
    await grace.getByRole("menuitem", { name: "New workspace" }).waitFor();
    expect(await grace.getByRole("menuitem", { name: "Bots" }).count()).toBe(0);
    await grace.close();
  });
});
