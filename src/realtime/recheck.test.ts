// Open sockets follow durable state (issue 12, items 13 and 14): they close when their credential
// or membership changes, wherever the change came from (the API, the admin CLI in another
// process, the clock), and they never carry direct messages to those the HTTP API refuses them.
import { writeElsewhere } from "../testing/db-inspect.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { client, seedTeam, sleep, startTestServer, Subscription, type TestServer } from "../testing/harness.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;
const as = (token: string) => client(server.url, { token });
const session = async (userId: string, ttlMs = 3_600_000) => (await server.store.identity.createSession(userId, ttlMs)).token;
const MAIN = join(import.meta.dir, "..", "main.ts");

beforeAll(async () => {
  server = await startTestServer([], { dev: false });
  team = await seedTeam(server, ["ada", "bob", "cy", "dee", "eve", "fay"]);
});
afterAll(() => server.close());

async function subscribe(token: string) {
  const sub = new Subscription(server.url, { workspaceId: team.workspace.id, token });
  await sub.opened;
  return sub;
}

async function closedWithin(sub: Subscription, ms: number) {
  await Promise.race([sub.closed, sleep(ms)]);
  return sub.closeCode;
}

describe("item 13: sockets are re-checked when their credential or membership changes", () => {
  test("a role change made by the admin CLI in another process closes the member's socket", async () => {
    const bob = team.users[1]!;
    const sub = await subscribe(await session(bob.id));
    const p = Bun.spawn(["bun", MAIN, "admin", "member", "add", "--workspace", team.workspace.id, "--user", bob.id, "--role", "guest", ...server.dbArgs, "--json"], { stdout: "pipe", stderr: "pipe" });
    expect(await p.exited).toBe(0);
    expect(await closedWithin(sub, 5000)).toBe(1008);
    // Reconnecting works, as the guest bob now is.
    const again = await subscribe(await session(bob.id));
    const owner = as(await session(team.users[0]!.id));
    const hidden = (await owner.post(`/api/channels/${team.general.id}/messages`, { body: "members only" })).body.message.id;
    const shown = (await owner.post(`/api/channels/${team.guest.id}/messages`, { body: "for guests too" })).body.message.id;
    const events = await again.until((es) => es.some((e) => e.payload.message_id === shown));
    expect(events.some((e) => e.payload.message_id === hidden)).toBe(false);
    again.close();
  });

  test("a session revoked by another process closes its socket", async () => {
    const token = await session(team.users[2]!.id);
    const sub = await subscribe(token);
    // Another process's write: a connection of its own, not the server's.
    await writeElsewhere(server, "UPDATE sessions SET revoked_at = ? WHERE user_id = ?", [new Date().toISOString(), team.users[2]!.id]);
    expect(await closedWithin(sub, 5000)).toBe(1008);
  });

  test("a socket closes when its session expires", async () => {
    const sub = await subscribe(await session(team.users[3]!.id, 1500));
    const started = Date.now();
    expect(await closedWithin(sub, 5000)).toBe(1008);
    expect(sub.closeReason).toContain("expired");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test("an owner demoted to guest through the API: their bot's socket closes too", async () => {
    const dee = team.users[3]!;
    const owner = as(await session(team.users[0]!.id));
    const bot = await as(await session(dee.id)).post(`/api/workspaces/${team.workspace.id}/bots`, { display_name: "Dee's bot", scopes: ["channels:read", "messages:read", "realtime:read"] });
    expect(bot.status).toBe(201);
    const sub = await subscribe(bot.body.bot_token.token);
    await owner.patch(`/api/workspaces/${team.workspace.id}/moderation/members/${dee.id}`, { role: "guest" });
    expect(await closedWithin(sub, 2000)).toBe(1008);
  });
});

describe("item 14: direct messages reach only those who may read them", () => {
  test("a member demoted to guest no longer receives events of their old DMs", async () => {
    const [ada, , , , eve] = team.users;
    const adaApi = as(await session(ada!.id));
    const dm = (await adaApi.post("/api/dms", { workspace_id: team.workspace.id, member_ids: [eve!.id] })).body.conversation;
    await adaApi.patch(`/api/workspaces/${team.workspace.id}/moderation/members/${eve!.id}`, { role: "guest" });
    const eveToken = await session(eve!.id);
    const sub = await subscribe(eveToken);
    const secret = (await adaApi.post(`/api/dms/${dm.id}/messages`, { body: "secret for eve" })).body.message.id;
    const marker = (await adaApi.post(`/api/channels/${team.guest.id}/messages`, { body: "marker" })).body.message.id;
    const events = await sub.until((es) => es.some((e) => e.payload.message_id === marker));
    expect(JSON.stringify(events)).not.toContain(secret);
    expect(JSON.stringify(events)).not.toContain(dm.id);
    // The HTTP API refuses the same DM, and the pull fallback gates alike.
    expect((await as(eveToken).get(`/api/dms/${dm.id}/messages`)).status).toBe(403);
    const pulled = await as(eveToken).get(`/api/realtime/events?workspace_id=${team.workspace.id}`);
    expect(JSON.stringify(pulled.body)).not.toContain(secret);
    sub.close();
  });

  test("a bot without dms:read receives channel events but none of a DM it is in", async () => {
    const [ada] = team.users;
    const adaApi = as(await session(ada!.id));
    const bot = await adaApi.post(`/api/workspaces/${team.workspace.id}/bots`, { display_name: "Listener", scopes: ["channels:read", "messages:read", "realtime:read"] });
    const token = bot.body.bot_token.token;
    const dm = (await adaApi.post("/api/dms", { workspace_id: team.workspace.id, member_ids: [bot.body.bot.id] })).body.conversation;
    const sub = await subscribe(token);
    const secret = (await adaApi.post(`/api/dms/${dm.id}/messages`, { body: "dm to the bot" })).body.message.id;
    const marker = (await adaApi.post(`/api/channels/${team.general.id}/messages`, { body: "channel marker" })).body.message.id;
    const events = await sub.until((es) => es.some((e) => e.payload.message_id === marker));
    expect(JSON.stringify(events)).not.toContain(secret);
    expect(JSON.stringify(events)).not.toContain(dm.id);
    expect((await as(token).get(`/api/dms/${dm.id}/messages`)).status).toBe(403);
    const pulled = await as(token).get(`/api/realtime/events?workspace_id=${team.workspace.id}`);
    expect(JSON.stringify(pulled.body)).not.toContain(secret);
    sub.close();
  });
});
