// The original SDK's slashCommands and eventSubscriptions methods against the real server.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { seedTeam, startTestServer, type TestServer } from "../../src/testing/harness.ts";
import { ClickClackClient } from "../src/index.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;
let ada: ClickClackClient;

beforeAll(async () => {
  server = await startTestServer(["--allow-private-webhooks"]);
  team = await seedTeam(server);
  ada = new ClickClackClient({ baseUrl: server.url, userId: team.users[0]!.id });
});
afterAll(() => server.close());

test("eventSubscriptions: create, list, deliveries, rotateSecret, revoke", async () => {
  const W = team.workspace.id;
  const got: string[] = [];
  const receiver = Bun.serve({ port: 0, hostname: "127.0.0.1", async fetch(req) {
    got.push(await req.text());
    return new Response("ok");
  } });
  try {
    const sub = await ada.eventSubscriptions.create(W, { event_types: ["message.created"], callback_url: `http://127.0.0.1:${receiver.port}/` });
    expect(sub.signing_secret).toBeTruthy();
    expect((await ada.eventSubscriptions.list(W)).map((s) => s.id)).toEqual([sub.id]);
    await ada.channels.sendMessage(team.general.id, { body: "to the hook" } as never);
    for (let i = 0; i < 200 && got.length === 0; i++) await Bun.sleep(25);
    await Bun.sleep(100);
    const page = await ada.eventSubscriptions.deliveries(sub.id, { limit: 10 });
    expect(page.deliveries[0]).toMatchObject({ subscription_id: sub.id, workspace_id: W, response_status: 200, event_type: "message.created" });
    const rotated = await ada.eventSubscriptions.rotateSecret(sub.id);
    expect(rotated.signing_secret).not.toBe(sub.signing_secret);
    expect((await ada.eventSubscriptions.revoke(sub.id)).revoked_at).toBeTruthy();
  } finally {
    receiver.stop(true);
  }
});

test("slashCommands: create, list, rotateSecret, revoke", async () => {
  const W = team.workspace.id;
  const bot = await ada.bots.create(W, { display_name: "Cmd bot" } as never);
  const botId = (bot as any).bot?.id ?? (bot as any).id;
  const cmd = await ada.slashCommands.create(W, { command: "/ping", callback_url: "http://127.0.0.1:9/", bot_user_id: botId, description: "pong" });
  expect(cmd).toMatchObject({ command: "/ping", description: "pong" });
  expect(cmd.signing_secret).toBeTruthy();
  expect((await ada.slashCommands.list(W)).map((c) => c.id)).toContain(cmd.id);
  expect((await ada.slashCommands.rotateSecret(cmd.id)).signing_secret).not.toBe(cmd.signing_secret);
  expect((await ada.slashCommands.revoke(cmd.id)).revoked_at).toBeTruthy();
});

test("apps: install (nonce replay), list, revoke with options returns what was revoked", async () => {
  const W = team.workspace.id;
  const bot = (await ada.bots.create(W, { display_name: "App bot" } as never)) as any;
  const botId = bot.bot?.id ?? bot.id;
  const nonce = "setup-nonce-0123456789";
  const app = await ada.apps.install(W, { app_slug: "ci", display_name: "CI", bot_user_id: botId, config: { repo: "x/y" }, setup_nonce: nonce });
  expect(app).toMatchObject({ app_slug: "ci", display_name: "CI", bot_user_id: botId, config: { repo: "x/y" } });
  expect((await ada.apps.install(W, { app_slug: "ci", bot_user_id: botId, setup_nonce: nonce })).id).toBe(app.id);
  expect((await ada.apps.list(W)).map((a) => a.id)).toEqual([app.id]);
  await ada.slashCommands.create(W, { command: "/ci", callback_url: "http://127.0.0.1:9/", bot_user_id: botId, app_installation_id: app.id });
  await ada.eventSubscriptions.create(W, { event_types: ["*"], callback_url: "http://127.0.0.1:9/", app_installation_id: app.id });
  await ada.bots.createToken(botId, { token_name: "app" } as never).catch(() => undefined);
  const result = await ada.apps.revoke(app.id, { revoke_bot_tokens: true });
  expect(result.installation.revoked_at).toBeTruthy();
  expect(result.revoked.slash_commands).toBe(1);
  expect(result.revoked.event_subscriptions).toBe(1);
  expect((await ada.slashCommands.list(W)).find((c) => c.command === "/ci")?.revoked_at).toBeTruthy();
});

test("bots: a setup code claimed by an installer with no credentials; the bot publishes its menu; retirement", async () => {
  const W = team.workspace.id;
  const { bot } = await ada.bots.create(W, { display_name: "Installed", initial_token: false });
  const code = await ada.bots.createSetupCode(W, bot.id, { name: "gateway" });
  expect(code.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  const installer = new ClickClackClient({ baseUrl: server.url });
  const claim = await installer.bots.claimSetupCode(code.code.toLowerCase());
  expect(claim).toMatchObject({ bot: { id: bot.id }, workspace: { id: W }, contract_version: 1 });
  const asBot = new ClickClackClient({ baseUrl: claim.api_base_url, token: claim.token });
  expect((await asBot.bots.setCommands([{ command: "deploy", description: "Ship it", args_hint: "[env]" }])).map((c) => c.command)).toEqual(["/deploy"]);
  expect((await ada.bots.listCommands(W)).find((c) => c.bot.id === bot.id)).toMatchObject({ command: "/deploy", args_hint: "[env]" });
  expect(await installer.bots.claimSetupCode(code.code).catch((e) => e.status)).toBe(404);
  expect(await ada.bots.delete(bot.id)).toMatchObject({ id: bot.id, former_handle: bot.handle });
});
