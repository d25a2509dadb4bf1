// Question cards in the browser: a bot asks with a card, a person answers it by clicking, the bot
// hears question.submitted over its WebSocket; a second answer gets 409 and every screen shows the
// card resolved. Keyboard only, desktop and phone, light and dark, checked with axe-core.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { client, Subscription } from "../../src/testing/harness.ts";
import { hasChromium, screenshot, startTeam, type Team } from "./support.ts";
import { violations } from "./axe.ts";

setDefaultTimeout(90_000);

describe.skipIf(!hasChromium)("browser app: question cards", () => {
  let team: Team;
  let botToken: string;

  beforeAll(async () => {
    team = await startTeam("questions");
    const made = await team.apiA.post(`/api/workspaces/${team.workspaceId}/bots`, { display_name: "Deploy Bot", handle: "deploybot", scopes: ["bot:write"] });
    botToken = made.bot_token.token;
  }, 120_000);
  afterAll(async () => {
    await team?.stop();
  });

  const ask = async (title: string, items: unknown[]) => {
    const bot = client(team.server.url, { token: botToken });
    const r = await bot.post(`/api/channels/${team.general.id}/messages`, { body: `${title}?`, question: { title, items, expires_at: new Date(Date.now() + 3600_000).toISOString() } });
    expect(r.status).toBe(201);
    return r.body.message as { id: string };
  };

  test("a person answers by keyboard; the bot hears question.submitted; a second answer is 409 and the card shows who answered", async () => {
    const socket = new Subscription(team.server.url, { workspaceId: team.workspaceId, token: botToken });
    await socket.opened;
    const msg = await ask("Release 42", [
      { id: "ship", header: "Ship", prompt: "Ship release 42 today?", options: [{ label: "Ship it", description: "to every region" }, { label: "Wait" }] },
      { id: "regions", header: "Regions", prompt: "Where first?", options: [{ label: "eu" }, { label: "us" }], multi_select: true, allow_other: true, other_placeholder: "another region" },
    ]);

    const grace = await team.open("grace@example.com");
    const card = grace.locator(`#m-${msg.id} .question-card`);
    await card.getByText("Needs an answer").waitFor();
    expect(await card.getByRole("button", { name: "Submit" }).isDisabled()).toBe(true);
    // Keyboard only: focus the first option, arrows move among radios, space ticks checkboxes.
    await card.getByRole("radio", { name: /Ship it/ }).focus();
    await grace.keyboard.press("ArrowDown");
    expect(await card.getByRole("radio", { name: "Wait" }).isChecked()).toBe(true);
    await grace.keyboard.press("ArrowUp");
    expect(await card.getByRole("radio", { name: /Ship it/ }).isChecked()).toBe(true);
    await card.getByRole("checkbox", { name: "eu" }).focus();
    await grace.keyboard.press("Space");
    await card.getByRole("checkbox", { name: "Other" }).focus();
    await grace.keyboard.press("Space");
    await card.getByRole("textbox", { name: "Regions: other answer" }).fill("mars");
    expect(await violations(grace)).toEqual([]);
    await screenshot(grace, "question-open");
    await card.getByRole("button", { name: "Submit" }).focus();
    await grace.keyboard.press("Enter");
    await card.getByText("Answered · waiting for the bot").waitFor();
    await card.getByText("Grace Hopper answered").waitFor();
    await card.getByText("eu, mars").waitFor();

    const events = await socket.until((es) => es.some((e) => e.type === "question.submitted" && e.payload.message_id === msg.id), 10_000);
    expect(events.find((e) => e.type === "question.submitted")!.payload.answers).toEqual({ ship: ["Ship it"], regions: ["eu", "mars"] });
    socket.close();

    // Too late: the API says 409, and Ada's screen shows the answer that won, with no form.
    const late = await team.apiA.post(`/api/messages/${msg.id}/question/answers`, { answers: { ship: ["Wait"], regions: ["us"] } }).catch((e) => e);
    expect(late.status).toBe(409);
    const ada = await team.open("ada@example.com");
    const adaCard = ada.locator(`#m-${msg.id} .question-card`);
    await adaCard.getByText("Grace Hopper answered").waitFor();
    expect(await adaCard.getByRole("button", { name: "Submit" }).count()).toBe(0);

    // The bot resolves; both screens follow through message.updated.
    await client(team.server.url, { token: botToken }).post(`/api/messages/${msg.id}/question/resolution`, { status: "answered", note: "Shipping to eu and mars" });
    await card.getByText("Shipping to eu and mars").waitFor();
    await adaCard.locator(".question-status", { hasText: /^Answered$/ }).waitFor();
    await screenshot(grace, "question-answered");
    await ada.close();
    await grace.close();
  });

  test("a card answered from elsewhere redraws with the winning answer (the form goes away)", async () => {
    const msg = await ask("Lunch", [{ id: "food", header: "Food", prompt: "Pizza or soup?", options: [{ label: "Pizza" }, { label: "Soup" }] }]);
    const grace = await team.open("grace@example.com");
    const card = grace.locator(`#m-${msg.id} .question-card`);
    await card.getByRole("radio", { name: "Soup" }).check();
    await team.apiA.post(`/api/messages/${msg.id}/question/answers`, { answers: { food: ["Pizza"] } });
    // Grace's page may already have redrawn from the realtime event; if the form is still there, submit it.
    const submit = card.getByRole("button", { name: "Submit" });
    if (await submit.isVisible().catch(() => false)) {
      await submit.click().catch(() => {});
    }
    await card.getByText("Ada Lovelace answered").waitFor();
    await grace.close();
  });

  test("phone width, light and dark: cards pass axe", async () => {
    await ask("Standup", [{ id: "note", header: "Note", prompt: "Anything blocking you?" }]);
    for (const dark of [false, true]) {
      const page = await team.open("grace@example.com", { width: 390, height: 844, phone: true, dark });
      await page.locator(".question-card").last().waitFor();
      await page.locator(".question-card").last().scrollIntoViewIfNeeded();
      expect(await violations(page)).toEqual([]);
      await screenshot(page, `question-${dark ? "phone-dark" : "phone"}`);
      await page.close();
    }
    const desktopDark = await team.open("ada@example.com", { dark: true });
    await desktopDark.locator(".question-card").last().waitFor();
    expect(await violations(desktopDark)).toEqual([]);
    await screenshot(desktopDark, "question-dark");
    await desktopDark.close();
  });
});
