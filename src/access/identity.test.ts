import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { databaseDigest } from "../testing/db-inspect.ts";
import { client, seedTeam, startTestServer, Subscription, type TestServer } from "../testing/harness.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;

beforeAll(async () => {
  server = await startTestServer([], { dev: false });
  team = await seedTeam(server);
});
afterAll(() => server.close());

async function signIn(email: string, name = "Person") {
  const link = await server.store.identity.createMagicLink({ email, displayName: name, ttlMs: 60_000 });
  const r = await client(server.url).post("/api/auth/magic/consume", { token: link.token });
  expect(r.status).toBe(200);
  return { ...r, cookie: r.headers.get("set-cookie")!.split(";")[0]! };
}

describe("sessions and magic links", () => {
  test("without credentials (and without dev mode) every API route is 401", async () => {
    const anon = client(server.url);
    for (const path of ["/api/me", "/api/workspaces", `/api/channels/${team.general.id}/messages`]) {
      const r = await anon.get(path);
      expect(r.status).toBe(401);
      expect(r.body.code).toBe("unauthenticated");
    }
    expect((await anon.get("/api/me", { "x-clickclack-user": team.users[0]!.id })).status).toBe(401);
  });

  test("a magic link signs in once: cookie and bearer both work; a reused link is refused", async () => {
    const link = await server.store.identity.createMagicLink({ email: "new@example.com", displayName: "New Person", ttlMs: 60_000 });
    const r = await client(server.url).post("/api/auth/magic/consume", { token: link.token });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ display_name: "New Person", kind: "human" });
    expect(r.body.token).toStartWith("sst_");
    expect(r.body.session.token).toBe(r.body.token);
    const cookie = r.headers.get("set-cookie")!;
    expect(cookie).toContain("cc_session=sst_");
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect((await client(server.url, { cookie: cookie.split(";")[0] }).get("/api/me")).body.user.id).toBe(r.body.user.id);
    expect((await client(server.url, { token: r.body.token }).get("/api/me")).body.user.id).toBe(r.body.user.id);
    const again = await client(server.url).post("/api/auth/magic/consume", { token: link.token });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe("invalid_magic_link");
    // The same email signs in as the same person.
    const second = await signIn("new@example.com");
    expect(second.body.user.id).toBe(r.body.user.id);
  });

  test("an expired link is refused", async () => {
    const link = await server.store.identity.createMagicLink({ email: "late@example.com", ttlMs: 1 });
    await Bun.sleep(5);
    expect((await client(server.url).post("/api/auth/magic/consume", { token: link.token })).status).toBe(401);
  });

  test("magic link requests need mail delivery outside dev loopback (501)", async () => {
    const r = await client(server.url).post("/api/auth/magic/request", { email: "a@b.co" });
    expect(r.status).toBe(501);
  });

  test("CSRF: cookie writes need X-ClickClack-CSRF and the same origin; bearer writes do not", async () => {
    const { cookie } = await signIn(team.users.length ? "ada-csrf@example.com" : "x@y.z");
    const user = (await client(server.url, { cookie }).get("/api/me")).body.user;
    await server.store.workspaces.addMember(team.workspace.id, user.id, "member");
    const path = `/api/channels/${team.general.id}/messages`;
    const withCookie = client(server.url, { cookie });
    expect((await withCookie.post(path, { body: "no header" })).body.code).toBe("csrf");
    expect((await withCookie.post(path, { body: "x-site" }, { "x-clickclack-csrf": "1", origin: "https://evil.example" })).status).toBe(403);
    expect((await withCookie.post(path, { body: "fetch-site" }, { "x-clickclack-csrf": "1", "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await withCookie.post(path, { body: "ok" }, { "x-clickclack-csrf": "1", origin: server.url })).status).toBe(201);
    expect((await withCookie.get(path)).status).toBe(200);
    const dup = await client(server.url, { cookie: `${cookie}; ${cookie}` }).get("/api/me");
    expect(dup.status).toBe(401);
    expect(dup.body.code).toBe("ambiguous_session");
  });

  test("logout revokes the session at once and closes its sockets with 1008 within a second", async () => {
    const { body, cookie } = await signIn("leaving@example.com");
    await server.store.workspaces.addMember(team.workspace.id, body.user.id, "member");
    const sub = new Subscription(server.url, { workspaceId: team.workspace.id, token: body.token });
    await sub.opened;
    const other = await signIn("leaving@example.com");
    const otherSub = new Subscription(server.url, { workspaceId: team.workspace.id, token: other.body.token });
    await otherSub.opened;
    const started = Date.now();
    const out = await client(server.url, { cookie }).post("/api/auth/logout", undefined, { "x-clickclack-csrf": "1" });
    expect(out.status).toBe(200);
    await sub.closed;
    expect(sub.closeCode).toBe(1008);
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await client(server.url, { token: body.token }).get("/api/me")).status).toBe(401);
    // Only that session: the same person's other session stays signed in.
    expect((await client(server.url, { token: other.body.token }).get("/api/me")).status).toBe(200);
    expect(otherSub.closeCode).toBeNull();
    otherSub.close();
    expect((await client(server.url).post("/api/auth/logout")).status).toBe(200);
  });

  test("sign out everywhere revokes every session of that person and closes their sockets; others stay", async () => {
    const first = await signIn("everywhere@example.com");
    await server.store.workspaces.addMember(team.workspace.id, first.body.user.id, "member");
    // Further sessions straight from the store: magic links are rate limited per address.
    const second = { body: { token: (await server.store.identity.createSession(first.body.user.id, 60_000)).token } };
    const sub = new Subscription(server.url, { workspaceId: team.workspace.id, token: second.body.token });
    await sub.opened;
    const bystander = { body: { token: (await server.store.identity.createSession(team.users[1]!.id, 60_000)).token } };
    const out = await client(server.url, { cookie: first.cookie }).post("/api/auth/logout-everywhere", undefined, { "x-clickclack-csrf": "1" });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ ok: true, revoked: 2 });
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    await sub.closed;
    expect(sub.closeCode).toBe(1008);
    for (const s of [first, second]) expect((await client(server.url, { token: s.body.token }).get("/api/me")).status).toBe(401);
    expect((await client(server.url, { token: bystander.body.token }).get("/api/me")).status).toBe(200);
    // Signed out already: 401, not a 500.
    expect((await client(server.url, { token: first.body.token }).post("/api/auth/logout-everywhere")).status).toBe(401);
  });

});

describe("bots and tokens", () => {
  test("create a bot with a token; the secret appears once and is stored only as a hash", async () => {
    const { cookie } = await signIn("owner-bots@example.com");
    const owner = (await client(server.url, { cookie }).get("/api/me")).body.user;
    await server.store.workspaces.addMember(team.workspace.id, owner.id, "owner");
    const api = client(server.url, { cookie, headers: { "x-clickclack-csrf": "1" } });
    const created = await api.post(`/api/workspaces/${team.workspace.id}/bots`, { display_name: "Helper", handle: "helper-bot", scopes: ["bot:write"] });
    expect(created.status).toBe(201);
    const raw = created.body.bot_token.token as string;
    expect(raw).toStartWith("ccb_");
    expect(created.body.bot_token.scopes).not.toContain("channels:write");
    expect(created.body.bot_token.scopes).not.toContain("agent_activity:write");
    const listed = await api.get(`/api/workspaces/${team.workspace.id}/bots`);
    expect(JSON.stringify(listed.body)).not.toContain(raw);
    expect(JSON.stringify((await api.get(`/api/workspaces/${team.workspace.id}/bots/${created.body.bot.id}/tokens`)).body)).not.toContain(raw);
    expect(await databaseDigest(server.store)).not.toContain(raw);
    if (server.store.dialect === "sqlite") expect(readFileSync(server.dbPath).includes(Buffer.from(raw))).toBe(false);

    const bot = client(server.url, { token: raw });
    expect((await bot.get("/api/me")).body.user.kind).toBe("bot");
    const post = await bot.post(`/api/channels/${team.general.id}/messages`, { body: "beep" });
    expect(post.status).toBe(201);
    expect((await bot.post(`/api/workspaces/${team.workspace.id}/channels`, { name: "botland" })).body.code).toBe("missing_scope");
    expect((await bot.post(`/api/channels/${team.general.id}/messages`, { body: "tool", kind: "agent_tool", turn_id: "t1" })).status).toBe(403);

    // Revocation: refused on the next request, sockets closed with 1008 within a second.
    const sub = new Subscription(server.url, { workspaceId: team.workspace.id, token: raw });
    await sub.opened;
    const started = Date.now();
    const revoked = await api.post(`/api/bot-tokens/${created.body.bot_token.id}/revoke`, {});
    expect(revoked.body.bot_token.revoked_at).not.toBeNull();
    await sub.closed;
    expect(sub.closeCode).toBe(1008);
    expect(Date.now() - started).toBeLessThan(1000);
    const after = await bot.get("/api/me");
    expect(after.status).toBe(401);
    expect(after.body.code).toBe("invalid_token");
  });

  test("a token is bound to its workspace", async () => {
    const other = await server.store.workspaces.create({ name: "Elsewhere", ownerId: team.users[0]!.id });
    const b = await server.store.bots.create({ workspaceId: other.workspace.id, displayName: "Stranger" });
    const t = await server.store.bots.mintToken({ botUserId: b.id, workspaceId: other.workspace.id, name: "x", scopes: ["messages:read", "messages:write", "channels:read", "workspaces:read"] });
    const bot = client(server.url, { token: t.token });
    expect((await bot.get(`/api/workspaces/${team.workspace.id}/channels`)).status).toBe(403);
    expect((await bot.post(`/api/channels/${team.general.id}/messages`, { body: "intrude" })).status).toBe(403);
    expect((await bot.get("/api/workspaces")).body.workspaces.map((w: any) => w.id)).toEqual([other.workspace.id]);
  });

  test("agent activity needs agent_activity:write; never part of a bundle", async () => {
    const b = await server.store.bots.create({ workspaceId: team.workspace.id, displayName: "Agent" });
    const t = await server.store.bots.mintToken({ botUserId: b.id, workspaceId: team.workspace.id, name: "x", scopes: ["messages:write", "messages:read", "agent_activity:write", "threads:write"] });
    const bot = client(server.url, { token: t.token });
    const r = await bot.post(`/api/channels/${team.general.id}/messages`, { body: "Reading files", kind: "agent_tool", turn_id: "turn-1" });
    expect(r.status).toBe(201);
    expect(r.body.message).toMatchObject({ kind: "agent_tool", turn_id: "turn-1" });
    // Agent activity is progress, not conversation: it is not unread for anyone.
    const { token } = await server.store.identity.createSession(team.users[1]!.id, 60_000);
    const bob = client(server.url, { token });
    const before = (await bob.get(`/api/channels/${team.general.id}`)).body.channel;
    await bot.post(`/api/channels/${team.general.id}/messages`, { body: "Thinking", kind: "agent_commentary", turn_id: "turn-1" });
    const after = (await bob.get(`/api/channels/${team.general.id}`)).body.channel;
    expect(after.last_seq).toBe(before.last_seq + 1);
    expect(after.unread_count).toBe(before.unread_count);
  });
});

describe("rate limits", () => {
  test("magic consume is rate limited with Retry-After", async () => {
    let last;
    for (let i = 0; i < 12; i++) last = await client(server.url).post("/api/auth/magic/consume", { token: `mgt_guess${i}` });
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
