// The bot platform through the real server: setup codes (mint, claim once, uniform 404, rate
// limit), setup nonces, command menus, retirement, and the original's legacy token routes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { client, seedTeam, startTestServer, Subscription, type TestServer } from "../../testing/harness.ts";
import { forEachStore } from "../../testing/stores.ts";

forEachStore((store) => {
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;
  let W: string;
  beforeAll(async () => {
    server = await startTestServer([], { store });
    team = await seedTeam(server);
    W = team.workspace.id;
  });
  afterAll(() => server.close());

  const ada = () => team.clients[0]!;
  const bob = () => team.clients[1]!;
  const anonymous = () => client(server.url);
  const newBot = async (display_name: string, extra: Record<string, unknown> = {}) => {
    const r = await ada().post(`/api/workspaces/${W}/bots`, { display_name, ...extra });
    expect(r.status).toBe(201);
    return r.body as { bot: { id: string; handle: string }; bot_token?: { id: string; token: string } };
  };

  describe("setup codes", () => {
    test("a manager mints a code; the installer claims it once, without credentials, for a working token", async () => {
      const { bot, bot_token } = await newBot("Gateway", { initial_token: false });
      expect(bot_token).toBeUndefined();
      const mintUrl = `/api/workspaces/${W}/bots/${bot.id}/setup-codes`;
      expect((await bob().post(mintUrl, { name: "gateway" })).status).toBe(403);
      const { bot_token: adminToken } = await newBot("Admin Bot");
      expect((await client(server.url, { token: adminToken!.token }).post(mintUrl, { name: "gateway" })).status).toBe(403);

      const minted = await ada().post(mintUrl, { name: "gateway", scopes: ["bot:read"], defaults: { allowFrom: ["ada"] } });
      expect(minted.status).toBe(201);
      const code: string = minted.body.setup_code.code;
      expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      expect(minted.body.setup_code).toMatchObject({ bot_user_id: bot.id, workspace_id: W, token_name: "gateway", contract_version: 1, api_base_url: server.url, claim_url: `${server.url}/api/bot-setup-codes/claim` });
      expect(Date.parse(minted.body.setup_code.expires_at) - Date.now()).toBeGreaterThan(9 * 60_000);
      // The code is not kept: the bot's token list knows nothing of it.
      expect(JSON.stringify((await ada().get(`/api/workspaces/${W}/bots`)).body)).not.toContain(code);

      const claim = await anonymous().post("/api/bot-setup-codes/claim", { code: ` ${code.toLowerCase().replaceAll("-", "")} ` });
      expect(claim.status).toBe(200);
      expect(Object.keys(claim.body).sort()).toEqual(["api_base_url", "bot", "contract_version", "defaults", "token", "workspace"]);
      expect(claim.body).toMatchObject({ bot: { id: bot.id, handle: bot.handle }, workspace: { id: W, route_id: team.workspace.route_id }, defaults: { defaultTo: "channel:general", allowFrom: ["ada"] }, contract_version: 1, api_base_url: server.url });
      const asBot = client(server.url, { token: claim.body.token });
      expect((await asBot.get("/api/me")).body.user.id).toBe(bot.id);
      expect((await asBot.get(`/api/channels/${team.general.id}/messages`)).status).toBe(200);
      expect((await asBot.post(`/api/channels/${team.general.id}/messages`, { body: "read only" })).status).toBe(403);
      const tokens = (await ada().get(`/api/workspaces/${W}/bots/${bot.id}/tokens`)).body.bot_tokens;
      expect(tokens.map((k: { name: string }) => k.name)).toEqual(["gateway"]);

      // Used, wrong and malformed codes get one and the same answer.
      const used = await anonymous().post("/api/bot-setup-codes/claim", { code });
      const wrong = await anonymous().post("/api/bot-setup-codes/claim", { code: "AAAA-BBBB-CCCC" });
      const malformed = await anonymous().post("/api/bot-setup-codes/claim", { code: "nope" });
      expect([used.status, wrong.status, malformed.status]).toEqual([404, 404, 404]);
      expect(used.body).toEqual(wrong.body);
      expect(malformed.body).toEqual(wrong.body);
    });

    test("minting again for the same token name replaces the pending code", async () => {
      const { bot } = await newBot("Twice", { initial_token: false });
      const url = `/api/workspaces/${W}/bots/${bot.id}/setup-codes`;
      const first = (await ada().post(url, {})).body.setup_code.code;
      const second = (await ada().post(url, {})).body.setup_code.code;
      expect((await anonymous().post("/api/bot-setup-codes/claim", { code: first })).status).toBe(404);
      expect((await anonymous().post("/api/bot-setup-codes/claim", { code: second })).status).toBe(200);
    });
  });

  describe("setup nonces", () => {
    test("a retried bot creation returns the same bot and token row, with a new secret; another payload is a 409", async () => {
      const setup_nonce = `retry-${crypto.randomUUID()}`;
      const first = await ada().post(`/api/workspaces/${W}/bots`, { display_name: "Retry", setup_nonce });
      const again = await ada().post(`/api/workspaces/${W}/bots`, { display_name: "Retry", setup_nonce });
      expect([first.status, again.status]).toEqual([201, 200]);
      expect(again.body.bot.id).toBe(first.body.bot.id);
      expect(again.body.bot_token.id).toBe(first.body.bot_token.id);
      expect(again.body.bot_token.token).not.toBe(first.body.bot_token.token);
      expect((await client(server.url, { token: first.body.bot_token.token }).get("/api/me")).status).toBe(401);
      expect((await client(server.url, { token: again.body.bot_token.token }).get("/api/me")).status).toBe(200);
      const other = await ada().post(`/api/workspaces/${W}/bots`, { display_name: "Not Retry", setup_nonce });
      expect([other.status, other.body.code]).toEqual([409, "setup_nonce_conflict"]);
      const short = await ada().post(`/api/workspaces/${W}/bots`, { display_name: "Short", setup_nonce: "short" });
      expect([short.status, short.body.code]).toEqual([400, "invalid_nonce"]);

      const url = `/api/workspaces/${W}/bots/${first.body.bot.id}/tokens`;
      const tokenNonce = `token-${crypto.randomUUID()}`;
      const k1 = await ada().post(url, { name: "ci", setup_nonce: tokenNonce });
      const k2 = await ada().post(url, { name: "ci", setup_nonce: tokenNonce });
      expect([k1.status, k2.status, k2.body.bot_token.id]).toEqual([201, 200, k1.body.bot_token.id]);
    });
  });

  describe("command menus", () => {
    test("a bot replaces its menu atomically; members read the workspace's menu sorted by handle, then command", async () => {
      const zeta = await newBot("Zeta", { handle: "zeta-menu" });
      const alpha = await newBot("Alpha", { handle: "alpha-menu" });
      const asZeta = client(server.url, { token: zeta.bot_token!.token });
      const asAlpha = client(server.url, { token: alpha.bot_token!.token });
      // People cannot publish a menu; a token without commands:write cannot either.
      expect((await ada().put("/api/bots/self/commands", { commands: [] })).status).toBe(403);
      const readOnly = (await ada().post(`/api/workspaces/${W}/bots/${zeta.bot.id}/tokens`, { scopes: ["bot:read"] })).body.bot_token.token;
      expect((await client(server.url, { token: readOnly }).put("/api/bots/self/commands", { commands: [] })).status).toBe(403);
      expect((await asZeta.put("/api/bots/self/commands", {})).status).toBe(400);

      const listening = new Subscription(server.url, { workspaceId: W, userId: team.users[1]!.id });
      await listening.opened;
      const set = await asZeta.put("/api/bots/self/commands", { commands: [{ command: "status", description: "Show status" }, { command: "/New", description: "Start", args_hint: "[message]" }] });
      expect(set.status).toBe(200);
      // Composers hear that the menu changed (ephemeral: no cursor).
      const [heard] = (await listening.until((es) => es.some((e) => e.type === "bot_command.updated"))).filter((e) => e.type === "bot_command.updated");
      expect(heard).toMatchObject({ cursor: "", workspace_id: W, payload: { workspace_id: W, bot_user_id: zeta.bot.id } });
      listening.close();
      expect(set.body.bot_commands.map((c: { command: string }) => c.command)).toEqual(["/new", "/status"]);
      expect(set.body.bot_commands[0]).toMatchObject({ workspace_id: W, bot_user_id: zeta.bot.id, args_hint: "[message]" });
      await asAlpha.put("/api/bots/self/commands", { commands: [{ command: "about", description: "About" }] });

      // A bad menu changes nothing.
      const tooMany = Array.from({ length: 101 }, (_, i) => ({ command: `c${i}`, description: "d" }));
      for (const commands of [[{ command: "bad name", description: "x" }], [{ command: "ok", description: "" }], tooMany, [{ command: "dup", description: "a" }, { command: "/DUP", description: "b" }]]) {
        const r = await asZeta.put("/api/bots/self/commands", { commands });
        expect(r.status).toBe(400);
      }
      const menu = await bob().get(`/api/workspaces/${W}/bot-commands`);
      expect(menu.status).toBe(200);
      const mine = menu.body.bot_commands.filter((c: { bot: { handle: string } }) => c.bot.handle.endsWith("-menu"));
      expect(mine.map((c: { bot: { handle: string }; command: string }) => `${c.bot.handle} ${c.command}`)).toEqual(["alpha-menu /about", "zeta-menu /new", "zeta-menu /status"]);
      expect(mine[0].bot).toEqual({ id: alpha.bot.id, handle: "alpha-menu", display_name: "Alpha", avatar_url: "" });
      expect(Object.keys(mine[0]).sort()).toEqual(["args_hint", "bot", "command", "created_at", "description", "id", "updated_at"]);
      // Outsiders do not read it.
      const outsider = await server.store.users.create({ kind: "human", displayName: "Out", handle: "outsider-menu" });
      expect((await client(server.url, { userId: outsider.id }).get(`/api/workspaces/${W}/bot-commands`)).status).toBe(403);
      // [] clears.
      expect((await asZeta.put("/api/bots/self/commands", { commands: [] })).body.bot_commands).toEqual([]);
    });
  });

  describe("retirement", () => {
    test("DELETE /api/bots/{id} retires it everywhere: sockets close, the handle is free, messages keep the name", async () => {
      const { bot, bot_token } = await newBot("Retiree", { handle: "retiree" });
      const asBot = client(server.url, { token: bot_token!.token });
      const posted = await asBot.post(`/api/channels/${team.general.id}/messages`, { body: "last words" });
      expect(posted.status).toBe(201);
      const socket = new Subscription(server.url, { workspaceId: W, token: bot_token!.token });
      await socket.opened;
      expect((await bob().delete(`/api/bots/${bot.id}`)).status).toBe(403);
      const r = await ada().delete(`/api/bots/${bot.id}`);
      expect(r.status).toBe(200);
      expect(r.body.deleted_bot).toEqual({ id: bot.id, display_name: "Retiree", former_handle: "retiree", deleted_at: expect.any(String) });
      await socket.closed;
      expect(socket.closeCode).toBe(1008);
      expect((await asBot.get("/api/me")).status).toBe(401);
      expect((await ada().delete(`/api/bots/${bot.id}`)).status).toBe(404);
      expect((await ada().get(`/api/messages/${posted.body.message.id}`)).body.message.author.display_name).toBe("Retiree");
      // The handle can be taken again, by a bot or a person.
      const again = await ada().post(`/api/workspaces/${W}/bots`, { display_name: "New Retiree", handle: "retiree" });
      expect([again.status, again.body.bot.handle]).toEqual([201, "retiree"]);
    });
  });

  describe("legacy token routes", () => {
    test("/api/bots/{id}/tokens works for a bot in one workspace", async () => {
      const { bot } = await newBot("Legacy", { initial_token: false });
      const minted = await ada().post(`/api/bots/${bot.id}/tokens`, { name: "old" });
      expect([minted.status, minted.body.bot_token.name]).toEqual([201, "old"]);
      expect(minted.body.bot_token.token).toStartWith("ccb_");
      const listed = await ada().get(`/api/bots/${bot.id}/tokens`);
      expect(listed.body.bot_tokens.map((k: { id: string; token?: string }) => [k.id, k.token])).toEqual([[minted.body.bot_token.id, undefined]]);
      expect((await ada().get("/api/bots/usr_missing/tokens")).status).toBe(404);
    });
  });
});

describe("setup code claims are rate limited per client", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  test("the 11th claim in a minute gets 429 with Retry-After", async () => {
    const anonymous = client(server.url);
    for (let i = 0; i < 10; i++) expect((await anonymous.post("/api/bot-setup-codes/claim", { code: "AAAA-BBBB-CCCC" })).status).toBe(404);
    const limited = await anonymous.post("/api/bot-setup-codes/claim", { code: "AAAA-BBBB-CCCC" });
    expect([limited.status, limited.body.code]).toEqual([429, "rate_limited"]);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
