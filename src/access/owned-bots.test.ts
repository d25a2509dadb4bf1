// A bot owned by a person never acts with more than that person may (issue 12, items 1 and 3):
// its token's scopes are bounded by the owner's role when minted and again at every use, and the
// owner's block or time-out holds the bot too. Everything goes through the real server.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { writeElsewhere } from "../testing/db-inspect.ts";
import { client, seedTeam, startTestServer, type TestServer } from "../testing/harness.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;
const as = (token: string) => client(server.url, { token });
let tokens: string[];

beforeAll(async () => {
  server = await startTestServer([], { dev: false });
  team = await seedTeam(server, ["ada", "bob", "cy", "dee", "eve"]);
  tokens = await Promise.all(team.users.map(async (u) => (await server.store.identity.createSession(u.id, 3_600_000)).token));
  // ada owns the workspace; cy is a moderator; eve a guest.
  await as(tokens[0]!).patch(`/api/workspaces/${team.workspace.id}/moderation/members/${team.users[2]!.id}`, { role: "moderator" });
  await as(tokens[0]!).patch(`/api/workspaces/${team.workspace.id}/moderation/members/${team.users[4]!.id}`, { role: "guest" });
});
afterAll(() => server.close());

async function ownBot(creator: number, scopes: string[], ownerUserId?: string) {
  const r = await as(tokens[creator]!).post(`/api/workspaces/${team.workspace.id}/bots`, { display_name: `bot of ${creator}`, scopes, ...(ownerUserId ? { owner_user_id: ownerUserId } : {}) });
  return r;
}

describe("item 1: a bot never holds more than its owner may", () => {
  test("a member cannot mint bot:admin (channels:write) for their own bot; bot:write is fine", async () => {
    const admin = await ownBot(1, ["bot:admin"]);
    expect(admin.status).toBe(403);
    expect(admin.body.code).toBe("scope_beyond_role");
    expect((await ownBot(1, ["channels:write"])).status).toBe(403);
    const write = await ownBot(1, ["bot:write", "agent_activity:write"]);
    expect(write.status).toBe(201);
    // Nor through a second token, nor by a manager minting for the member's bot.
    const more = await as(tokens[1]!).post(`/api/workspaces/${team.workspace.id}/bots/${write.body.bot.id}/tokens`, { scopes: ["bot:admin"] });
    expect(more.status).toBe(403);
    const byOwner = await as(tokens[0]!).post(`/api/workspaces/${team.workspace.id}/bots/${write.body.bot.id}/tokens`, { scopes: ["bot:admin"] });
    expect(byOwner.status).toBe(403);
    expect(byOwner.body.code).toBe("scope_beyond_role");
  });

  test("the operator's CLI applies the same ceiling to a bot it gives an owner", async () => {
    const cli = (scopes: string) => Bun.spawn(["bun", join(import.meta.dir, "..", "main.ts"), "admin", "bot", "create", "--workspace", team.workspace.id, "--name", "Helper", "--owner", team.users[1]!.id, "--scopes", scopes, ...server.dbArgs, "--json"], { stdout: "pipe", stderr: "pipe" });
    const refused = cli("bot:admin");
    expect(await refused.exited).toBe(1);
    expect(await new Response(refused.stderr).text()).toContain("channels:write");
    const fine = cli("bot:write");
    expect(await fine.exited).toBe(0);
    expect(JSON.parse(await new Response(fine.stdout).text()).bot.owner_user_id).toBe(team.users[1]!.id);
  });

  test("a token minted while its owner could, stops at the owner's new role", async () => {
    // A manager's bot is a service bot unless they own it; this one is the moderator's own.
    const bot = await ownBot(2, ["bot:admin"], team.users[2]!.id);
    expect(bot.status).toBe(201);
    const botApi = as(bot.body.bot_token.token);
    const channel = (await as(tokens[0]!).post(`/api/workspaces/${team.workspace.id}/channels`, { name: "ops" })).body.channel;
    expect((await botApi.patch(`/api/channels/${channel.id}`, { display_title: "Ops" })).status).toBe(200);
    // The moderator becomes a member: the same token can no longer rename or archive.
    await as(tokens[0]!).patch(`/api/workspaces/${team.workspace.id}/moderation/members/${team.users[2]!.id}`, { role: "member" });
    const renamed = await botApi.patch(`/api/channels/${team.general.id}`, { name: "owned" });
    expect(renamed.status).toBe(403);
    expect(renamed.body.code).toBe("owner_role");
    expect((await botApi.patch(`/api/channels/${channel.id}`, { archived: true })).status).toBe(403);
    // What a member may do, it still does.
    expect((await botApi.post(`/api/channels/${team.general.id}/messages`, { body: "still here" })).status).toBe(201);
    const general = await as(tokens[0]!).get(`/api/channels/${team.general.id}`);
    expect(general.body.channel.name).toBe("general");
    expect(general.body.channel.archived_at).toBeUndefined();
  });

  test("a guest's bot reads only #guest and has no direct messages", async () => {
    const guest = team.users[4]!;
    // Even the owner cannot give a guest's bot what a guest may not do.
    expect((await ownBot(0, ["bot:write"], guest.id)).status).toBe(403);
    const bot = await ownBot(0, ["channels:read", "messages:read", "messages:write", "realtime:read"], guest.id);
    expect(bot.status).toBe(201);
    const botApi = as(bot.body.bot_token.token);
    expect((await botApi.get(`/api/channels/${team.general.id}/messages`)).status).toBe(404);
    expect((await botApi.post(`/api/channels/${team.general.id}/messages`, { body: "hi" })).status).toBe(404);
    expect((await botApi.get(`/api/channels/${team.guest.id}/messages`)).status).toBe(200);
    const channels = (await botApi.get(`/api/workspaces/${team.workspace.id}/channels`)).body.channels.map((c: any) => c.name);
    expect(channels).toEqual(["guest"]);
  });

  test("a bot whose owner left the workspace can do nothing there", async () => {
    const bot = await ownBot(3, ["bot:write"]);
    expect(bot.status).toBe(201);
    // dee leaves: there is no "leave" route yet; remove the row the way an operator would.
    await writeElsewhere(server, "DELETE FROM members WHERE workspace_id = ? AND user_id = ?", [team.workspace.id, team.users[3]!.id]);
    const r = await as(bot.body.bot_token.token).post(`/api/channels/${team.general.id}/messages`, { body: "orphan" });
    expect(r.status).toBe(403);
  });
});

describe("item 3: moderation reaches a member's bots", () => {
  test("a blocked member's bot cannot post, open or write DMs; a timed-out one neither", async () => {
    const bob = team.users[1]!;
    const bot = await ownBot(1, ["bot:write"]);
    expect(bot.status).toBe(201);
    const botApi = as(bot.body.bot_token.token);
    const dm = await botApi.post("/api/dms", { workspace_id: team.workspace.id, member_ids: [team.users[0]!.id] });
    expect(dm.status).toBe(201);
    await as(tokens[0]!).patch(`/api/workspaces/${team.workspace.id}/moderation/members/${bob.id}`, { blocked: true });
    const post = await botApi.post(`/api/channels/${team.general.id}/messages`, { body: "through my bot" });
    expect(post.status).toBe(403);
    expect(post.body.code).toBe("moderation_blocked");
    expect((await botApi.post(`/api/dms/${dm.body.conversation.id}/messages`, { body: "psst" })).body.code).toBe("moderation_blocked");
    expect((await botApi.post("/api/dms", { workspace_id: team.workspace.id, member_ids: [team.users[2]!.id] })).status).toBe(403);
    // Reading stays allowed, as for the owner.
    expect((await botApi.get(`/api/channels/${team.general.id}/messages`)).status).toBe(200);
    await as(tokens[0]!).patch(`/api/workspaces/${team.workspace.id}/moderation/members/${bob.id}`, { blocked: false, timeout_minutes: 10 });
    const timedOut = await botApi.post(`/api/channels/${team.general.id}/messages`, { body: "still?" });
    expect(timedOut.status).toBe(403);
    expect(timedOut.body.code).toBe("moderation_timeout");
    await as(tokens[0]!).patch(`/api/workspaces/${team.workspace.id}/moderation/members/${bob.id}`, { clear_timeout: true });
    expect((await botApi.post(`/api/channels/${team.general.id}/messages`, { body: "back" })).status).toBe(201);
  });

  test("a blocked moderator's bot cannot archive channels", async () => {
    await as(tokens[0]!).patch(`/api/workspaces/${team.workspace.id}/moderation/members/${team.users[2]!.id}`, { role: "moderator" });
    const bot = await ownBot(2, ["bot:admin"], team.users[2]!.id);
    expect(bot.status).toBe(201);
    await as(tokens[0]!).patch(`/api/workspaces/${team.workspace.id}/moderation/members/${team.users[2]!.id}`, { blocked: true });
    const r = await as(bot.body.bot_token.token).patch(`/api/channels/${team.general.id}`, { archived: true });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe("moderation_blocked");
  });
});
