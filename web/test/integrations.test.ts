// Integrations in the browser (issue #13): slash commands from the composer against a real local
// receiver (the server runs with --allow-private-webhooks so it may call loopback), and the
// integrations page for managers (slash commands, event subscriptions with their delivery log),
// at desktop and phone width. Screenshots go to artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHmac } from "node:crypto";
import type { Page } from "playwright-core";
import { violations } from "./axe.ts";
import { type Api, apiAs, errorsOf, hasChromium, screenshot, startTeam, type Team, until } from "./support.ts";

setDefaultTimeout(60_000);

interface Call {
  command: string;
  text: string;
  user_id: string;
  channel_id: string;
  verified: boolean;
}

/** A slash-command callback on loopback: checks the signature, then answers as each command says. */
function startReceiver(secrets: Map<string, string>) {
  const calls: Call[] = [];
  const events: { verified: boolean; type: string }[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const raw = await req.text();
      const ts = req.headers.get("x-clickclack-timestamp") ?? "";
      const sig = req.headers.get("x-clickclack-signature") ?? "";
      const path = new URL(req.url).pathname;
      const secret = secrets.get(path) ?? "";
      const verified = sig === `sha256=${createHmac("sha256", secret).update(`${ts}.${raw}`).digest("hex")}`;
      if (path === "/events") {
        const body = JSON.parse(raw) as { event: { type: string } };
        events.push({ verified, type: body.event.type });
        return new Response("ok");
      }
      const p = JSON.parse(raw) as Call;
      calls.push({ ...p, verified });
      if (!verified) return new Response("bad signature", { status: 401 });
      if (p.command === "/deploy") return Response.json({ response_type: "in_channel", text: `Deploying **${p.text}** now` });
      return Response.json({ response_type: "ephemeral", text: `You ran ${p.command}; only you can see this` });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, calls, events, stop: () => server.stop(true) };
}

describe.skipIf(!hasChromium)("browser app: integrations", () => {
  let team: Team;
  let apiA: Api;
  let workspaceId: string;
  let general: { id: string };
  let botId: string;
  const secrets = new Map<string, string>();
  let receiver: ReturnType<typeof startReceiver>;

  beforeAll(async () => {
    team = await startTeam("integrations", { serveArgs: ["--allow-private-webhooks"] });
    ({ apiA, workspaceId, general } = team);
    receiver = startReceiver(secrets);
    botId = (await apiA.post(`/api/workspaces/${workspaceId}/bots`, { display_name: "Deployer", handle: "deployer", create_token: false })).bot.id;
    for (const [command, description] of [["/deploy", "Deploy a build"], ["/whoami", "Who am I?"]] as const) {
      const { slash_command } = await apiA.post(`/api/workspaces/${workspaceId}/slash-commands`, { command, description, callback_url: `${receiver.url}/${command.slice(1)}`, bot_user_id: botId });
      secrets.set(`/${command.slice(1)}`, slash_command.signing_secret);
    }
  }, 120_000);

  afterAll(async () => {
    receiver?.stop();
    await team?.stop();
  });

  const message = (page: Page, text: string) => page.locator("[data-message-id]", { hasText: text });
  const composer = (page: Page) => page.getByRole("textbox", { name: "Message #general" });

  test("composer: / lists the commands, filters as you type, and /deploy prod posts the bot's signed reply", async () => {
    const ada = await team.open("ada@example.com");
    const errors = errorsOf(ada);
    const box = composer(ada);
    await box.click();
    await box.pressSequentially("/");
    const menu = ada.getByRole("listbox", { name: "Commands" });
    await menu.getByRole("option", { name: /\/deploy/ }).waitFor();
    await menu.getByRole("option", { name: /\/whoami/ }).waitFor();
    expect(await box.getAttribute("aria-activedescendant")).toBeTruthy();
    await box.pressSequentially("who");
    await until(async () => (await menu.getByRole("option").count()) === 1, 5_000, "filtered to /whoami");
    await box.press("Backspace");
    await box.press("Backspace");
    await box.press("Backspace");
    await box.pressSequentially("de");
    await screenshot(ada, "slash-menu");
    await box.press("Enter"); // completes the command
    expect(await box.inputValue()).toBe("/deploy ");
    await box.pressSequentially("prod");
    await box.press("Enter");
    await message(ada, "Deploying prod now").waitFor();
    expect(await box.inputValue()).toBe("");
    const row = message(ada, "Deploying prod now");
    await row.getByText("Bot", { exact: true }).waitFor();
    await screenshot(ada, "slash-reply");
    const call = receiver.calls.find((c) => c.command === "/deploy")!;
    expect(call).toMatchObject({ text: "prod", channel_id: general.id, verified: true });
    expect(call.user_id).toBe((await apiA.get("/api/me")).user.id);
    // Everyone sees the bot's reply.
    const grace = await team.open("grace@example.com");
    await message(grace, "Deploying prod now").waitFor();
    await grace.close();
    expect(errors).toEqual([]);
    await ada.close();
  });

  test("composer: an ephemeral reply is shown only to the caller, and an unknown command is refused with the text kept", async () => {
    const ada = await team.open("ada@example.com");
    const box = composer(ada);
    await box.click();
    await box.pressSequentially("/whoami");
    await ada.getByRole("listbox", { name: "Commands" }).getByRole("option", { name: /\/whoami/ }).waitFor();
    await box.press("Enter"); // typed in full: Enter runs it rather than completing it
    const notes = ada.getByRole("list", { name: "Command replies only visible to you" });
    await notes.getByText("only you can see this").waitFor();
    await notes.getByText("Only visible to you · /whoami").waitFor();
    await screenshot(ada, "slash-ephemeral");
    const page = await apiA.get(`/api/channels/${general.id}/messages?mode=latest`);
    expect(page.messages.some((m: { body: string }) => m.body.includes("only you can see this"))).toBe(false);

    await box.fill("/nope hello there");
    await box.press("Enter");
    await ada.getByRole("alert").getByText("/nope is not a command in this workspace").waitFor();
    expect(await box.inputValue()).toBe("/nope hello there");
    expect(await box.getAttribute("aria-invalid")).toBe("true");
    await notes.getByRole("button", { name: "Dismiss" }).click();
    await notes.waitFor({ state: "detached" });
    await ada.close();
  });

  const openPage = async (width = 1280) => {
    const page = await team.open("ada@example.com", { width, height: width > 500 ? 800 : 844 });
    if (width > 500) {
      await page.getByRole("button", { name: /Acme/ }).click();
      await page.getByRole("menuitem", { name: "Integrations" }).click();
    } else {
      await page.goto(`${team.server.url}/app/integrations`);
    }
    await page.getByRole("heading", { name: "Integrations · Acme" }).waitFor();
    return page;
  };

  test("page: register a slash command (secret once), rotate its secret, revoke it; members do not get the page", async () => {
    const ada = await openPage();
    const errors = errorsOf(ada);
    const form = ada.getByRole("form", { name: "Register a slash command" });
    await form.getByRole("textbox", { name: "Command" }).fill("/build");
    await form.getByRole("textbox", { name: "Callback URL" }).fill(`${receiver.url}/build`);
    await form.getByRole("textbox", { name: "Description" }).fill("Build a branch");
    expect(await form.getByRole("combobox", { name: "Answers as" }).inputValue()).toBe(botId);
    await form.getByRole("button", { name: "Register command" }).click();
    const secretBox = ada.getByRole("textbox", { name: "Signing secret for /build" });
    await secretBox.waitFor();
    const first = await secretBox.inputValue();
    expect(first.length).toBeGreaterThan(20);
    const item = ada.getByRole("listitem", { name: "/build" });
    await item.getByText("Active", { exact: true }).waitFor();
    await screenshot(ada, "integrations-slash");
    await ada.getByRole("button", { name: "Done" }).click();
    await secretBox.waitFor({ state: "detached" });

    await item.getByRole("button", { name: "Rotate secret" }).click();
    await ada.getByRole("dialog", { name: "Rotate the secret of /build?" }).getByRole("button", { name: "Rotate secret" }).click();
    await until(async () => (await secretBox.count()) === 1 && (await secretBox.inputValue()) !== first, 10_000, "a new secret");

    await item.getByRole("button", { name: "Revoke" }).click();
    await ada.getByRole("dialog", { name: "Revoke /build?" }).getByRole("button", { name: "Revoke" }).click();
    await item.getByText("Revoked", { exact: true }).waitFor();
    const listed = (await apiA.get(`/api/workspaces/${workspaceId}/slash-commands`)).slash_commands.find((c: { command: string }) => c.command === "/build");
    expect(listed.revoked_at).toBeTruthy();
    expect(errors).toEqual([]);
    await ada.close();

    const grace = await team.open("grace@example.com");
    await grace.getByRole("button", { name: /Acme/ }).click();
    await grace.getByRole("menuitem", { name: "New workspace" }).waitFor();
    expect(await grace.getByRole("menuitem", { name: "Integrations" }).count()).toBe(0);
    await grace.goto(`${team.server.url}/app/integrations`);
    await grace.getByText("Only the workspace's owners and moderators manage integrations.").waitFor();
    await grace.close();
  });

  test("page: revoke an app with what it registered", async () => {
    const helper = (await apiA.post(`/api/workspaces/${workspaceId}/bots`, { display_name: "CI Helper", handle: "ci-helper", create_token: false })).bot.id;
    const { app_installation } = await apiA.post(`/api/workspaces/${workspaceId}/app-installations`, { app_slug: "ci-helper", display_name: "CI Helper", bot_user_id: helper });
    await apiA.post(`/api/workspaces/${workspaceId}/slash-commands`, { command: "/ci", description: "CI status", callback_url: `${receiver.url}/ci`, bot_user_id: helper, app_installation_id: app_installation.id });
    const ada = await openPage();
    const app = ada.getByRole("listitem", { name: "CI Helper" });
    await app.getByText("Installed", { exact: true }).waitFor();
    await app.getByRole("button", { name: "Revoke…" }).click();
    const dialog = ada.getByRole("dialog", { name: "Revoke CI Helper?" });
    expect(await dialog.getByRole("checkbox", { name: "Revoke its slash commands" }).isChecked()).toBe(true);
    expect(await dialog.getByRole("checkbox", { name: "Delete its bot" }).isChecked()).toBe(false);
    await screenshot(ada, "integrations-revoke-app");
    await dialog.getByRole("button", { name: "Revoke app" }).click();
    await ada.getByText("Revoked CI Helper: 1 slash command, 0 event subscriptions, 0 bot tokens").waitFor();
    await app.getByText("Revoked", { exact: true }).waitFor();
    const ci = (await apiA.get(`/api/workspaces/${workspaceId}/slash-commands`)).slash_commands.find((c: { command: string }) => c.command === "/ci");
    expect(ci.revoked_at).toBeTruthy();

    await ada.close();
  });

  test("page: an incoming webhook made in the page posts a Slack payload with its badge; rotate retires the old URL; delete", async () => {
    const ada = await openPage();
    const errors = errorsOf(ada);
    await ada.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: team.server.url });
    const form = ada.getByRole("form", { name: "Add an incoming webhook" });
    await form.getByRole("textbox", { name: "Name" }).fill("CI");
    expect(await form.getByRole("combobox", { name: "Posts to" }).inputValue()).toBe(general.id);
    await form.getByRole("button", { name: "Create webhook" }).click();
    const urlBox = ada.getByRole("textbox", { name: "URL of CI" });
    await urlBox.waitFor();
    await ada.getByText("Anyone who has it can post to the channel.").waitFor();
    await urlBox.locator("xpath=..").getByRole("button", { name: "Copy" }).click();
    await ada.getByText("Copied", { exact: true }).waitFor();
    const url = await ada.evaluate(() => navigator.clipboard.readText());
    expect(url).toBe(await urlBox.inputValue());
    expect(url).toStartWith(`${team.server.url}/api/hooks/incoming/`);
    const item = ada.getByRole("list", { name: "Incoming webhooks" }).getByRole("listitem", { name: "CI", exact: true });
    await item.getByText("→ #general").waitFor();
    expect(await violations(ada)).toEqual([]);
    await screenshot(ada, "integrations-webhook");
    await ada.getByRole("button", { name: "Done" }).click();
    await urlBox.waitFor({ state: "detached" });
    // The list never shows the URL again.
    expect(await ada.getByText(url).count()).toBe(0);

    const post = (to: string, payload: unknown) => fetch(to, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) });
    const sent = await post(url, { text: "Build <https://ci.example.com/7|#7> passed", username: "Jenkins", attachments: [{ color: "good", title: "main" }] });
    expect(sent.status).toBe(200);
    const viewer = await team.open("grace@example.com");
    const row = message(viewer, "passed");
    await row.waitFor();
    await row.getByText("Webhook", { exact: true }).waitFor();
    await row.getByRole("button", { name: "Jenkins" }).waitFor();
    expect(await row.getByRole("link", { name: "#7" }).getAttribute("href")).toBe("https://ci.example.com/7");
    // Without a username the webhook's own name labels the post; a new name is a new header.
    expect((await post(url, { text: "Deploy finished" })).status).toBe(200);
    const plain = message(viewer, "Deploy finished");
    await plain.getByText("Webhook", { exact: true }).waitFor();
    await plain.getByRole("button", { name: "CI" }).waitFor();
    await screenshot(viewer, "webhook-badge");
    // A person's message carries no badge.
    await team.apiB.post(`/api/channels/${general.id}/messages`, { body: "Thanks, CI" });
    expect(await message(viewer, "Thanks, CI").locator(".badge").count()).toBe(0);
    await viewer.close();

    await item.getByRole("button", { name: "Rotate URL" }).click();
    await ada.getByRole("dialog", { name: "Rotate the URL of “CI”?" }).getByRole("button", { name: "Rotate URL" }).click();
    await urlBox.waitFor();
    const rotated = await urlBox.inputValue();
    expect(rotated).not.toBe(url);
    expect((await post(url, { text: "from the old URL" })).status).toBe(404);
    expect((await post(rotated, { text: "from the new URL" })).status).toBe(200);

    await item.getByRole("button", { name: "Delete" }).click();
    await ada.getByRole("dialog", { name: "Delete the webhook “CI”?" }).getByRole("button", { name: "Delete webhook" }).click();
    await item.waitFor({ state: "detached" });
    await urlBox.waitFor({ state: "detached" });
    await ada.getByText("No incoming webhooks yet.").waitFor();
    expect((await post(rotated, { text: "after delete" })).status).toBe(404);
    expect((await apiA.get(`/api/workspaces/${workspaceId}/incoming-webhooks`)).incoming_webhooks).toEqual([]);
    expect(errors).toEqual([]);
    await ada.close();
  });

  test("composer: a bot that publishes its menu shows up in an open / menu at once, and choosing it sends the line", async () => {
    const { bot } = await apiA.post(`/api/workspaces/${workspaceId}/bots`, { display_name: "Helper", handle: "helper-menu", create_token: false });
    const { bot_token } = await apiA.post(`/api/workspaces/${workspaceId}/bots/${bot.id}/tokens`, { name: "menu", scopes: ["commands:write"] });
    const asBot = apiAs(team.server.url, bot_token.token);
    const ada = await team.open("ada@example.com");
    const errors = errorsOf(ada);
    await ada.locator('.conn[data-state="live"]').waitFor();
    const box = composer(ada);
    await box.click();
    await box.pressSequentially("/");
    const menu = ada.getByRole("listbox", { name: "Commands" });
    await menu.getByRole("option", { name: /\/deploy/ }).waitFor();
    expect(await menu.getByRole("option", { name: /\/standup/ }).count()).toBe(0);
    await asBot.put("/api/bots/self/commands", { commands: [{ command: "standup", description: "Start the daily standup", args_hint: "[team]" }] });
    // No reload and no retyping: the menu was loaded a moment ago, so only bot_command.updated brings it.
    const option = menu.getByRole("option", { name: /\/standup/ });
    await option.waitFor();
    await option.getByText("Start the daily standup").waitFor();
    await screenshot(ada, "slash-menu-bot");
    await option.click();
    expect(await box.inputValue()).toBe("/standup ");
    await box.pressSequentially("web");
    await box.press("Enter");
    await message(ada, "/standup web").waitFor();
    expect(await box.inputValue()).toBe("");
    const page = await apiA.get(`/api/channels/${general.id}/messages?mode=latest`);
    expect(page.messages.some((m: { body: string }) => m.body === "/standup web")).toBe(true);

    // A change made while the socket was down (the event is ephemeral, never replayed) is read on reconnect.
    await ada.context().setOffline(true);
    await ada.locator('.conn[data-state="offline"]').waitFor();
    await asBot.put("/api/bots/self/commands", { commands: [{ command: "retro", description: "Start a retrospective" }] });
    await ada.context().setOffline(false);
    await ada.locator('.conn[data-state="live"]').waitFor();
    await box.pressSequentially("/");
    await menu.getByRole("option", { name: /\/retro/ }).waitFor();
    await until(async () => (await menu.getByRole("option", { name: /\/standup/ }).count()) === 0, 5_000, "the old menu gone");
    expect(errors).toEqual([]);
    await ada.close();
  });

  for (const width of [1280, 390]) {
    test(`page at ${width} px: subscribe to message.created, see the signed delivery in the log, redeliver it; no serious axe violations`, async () => {
      const ada = await openPage(width);
      const problems: string[] = [];
      const check = async (screen: string) => {
        for (const v of await violations(ada)) problems.push(`[${screen}] ${v}`);
      };
      await check("integrations");
      const form = ada.getByRole("form", { name: "Add an event subscription" });
      const callback = `${receiver.url}/events?w=${width}`;
      await form.getByRole("textbox", { name: "Callback URL" }).fill(callback);
      await form.getByRole("checkbox", { name: "message.created" }).waitFor();
      expect(await form.getByRole("checkbox", { name: "message.created" }).isChecked()).toBe(true);
      await form.getByRole("button", { name: "Subscribe" }).click();
      const secretBox = ada.getByRole("textbox", { name: `Signing secret for ${callback}` });
      await secretBox.waitFor();
      secrets.set("/events", await secretBox.inputValue());
      const before = receiver.events.length;
      await team.apiB.post(`/api/channels/${general.id}/messages`, { body: `Ping for the subscription at ${width}` });
      await until(() => receiver.events.length > before, 15_000, "a delivery");
      expect(receiver.events.at(-1)).toEqual({ verified: true, type: "message.created" });

      const item = ada.getByRole("listitem", { name: callback });
      await item.getByRole("button", { name: "Delivery log" }).click();
      const log = item.getByRole("table", { name: `Deliveries to ${callback}` });
      await log.getByText("Delivered").first().waitFor();
      await check("delivery log");
      await screenshot(ada, `integrations-deliveries-${width}`);
      await log.getByRole("button", { name: /^Redeliver message.created/ }).first().click();
      await log.getByText("(manual)").waitFor();
      await until(() => receiver.events.length > before + 1, 10_000, "the redelivery");
      expect(receiver.events.at(-1)).toEqual({ verified: true, type: "message.created" });
      await item.getByRole("button", { name: "Revoke" }).click();
      await ada.getByRole("dialog", { name: "Revoke this subscription?" }).getByRole("button", { name: "Revoke" }).click();
      await item.getByText("Revoked", { exact: true }).waitFor();
      await ada.close();
      expect(problems).toEqual([]);
    });
  }
});
