import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { seedTeam, sleep, startTestServer, Subscription, type TestServer } from "../../testing/harness.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;

beforeAll(async () => {
  server = await startTestServer();
  team = await seedTeam(server, ["own", "mod", "mem", "mem2", "gus"]);
  await server.store.workspaces.addMember(team.workspace.id, team.users[1]!.id, "moderator");
  await server.store.workspaces.addMember(team.workspace.id, team.users[4]!.id, "guest");
});
afterAll(() => server.close());

const as = (i: number) => () => team.clients[i]!;
const [own, mod, mem, mem2, gus] = [as(0), as(1), as(2), as(3), as(4)];
const modPath = (userId: string) => `/api/workspaces/${team.workspace.id}/moderation/members/${userId}`;

describe("guests", () => {
  test("see only #guest, cannot create channels or DMs, and post 3 times per 24 hours", async () => {
    const list = await gus().get(`/api/workspaces/${team.workspace.id}/channels`);
    expect(list.body.channels.map((c: any) => c.name)).toEqual(["guest"]);
    expect((await gus().get(`/api/channels/${team.general.id}/messages`)).status).toBe(404);
    expect((await gus().post(`/api/channels/${team.general.id}/messages`, { body: "hi" })).status).toBe(404);
    expect((await gus().post(`/api/workspaces/${team.workspace.id}/channels`, { name: "mine" })).status).toBe(403);
    expect((await gus().post("/api/dms", { workspace_id: team.workspace.id, member_ids: [team.users[0]!.id] })).status).toBe(403);
    expect((await gus().get(`/api/workspaces/${team.workspace.id}/members`)).status).toBe(403);
    const posts = await Promise.all([1, 2, 3, 4, 5].map((i) => gus().post(`/api/channels/${team.guest.id}/messages`, { body: `hello ${i}` })));
    // Concurrent posts cannot overshoot the budget: it is checked inside the write.
    expect(posts.filter((p) => p.status === 201)).toHaveLength(3);
    const refused = posts.filter((p) => p.status === 429);
    expect(refused).toHaveLength(2);
    expect(refused[0]!.body.code).toBe("guest_post_limit");
    expect(Number(refused[0]!.headers.get("retry-after"))).toBeGreaterThan(80_000);
    const entry = await mod().get(modPath(team.users[4]!.id));
    expect(entry.body.member).toMatchObject({ role: "guest", posts_remaining: 0, post_limit: 3 });
  });
});

describe("moderation", () => {
  test("a timeout refuses writes with 403 and allows reads; clearing it restores writes", async () => {
    const r = await mod().patch(modPath(team.users[2]!.id), { timeout_minutes: 10, moderation_note: "cool off" });
    expect(r.status).toBe(200);
    expect(r.body.member.timeout_until).not.toBeNull();
    expect(r.body.event.type).toBe("member.moderation_updated");
    const post = await mem().post(`/api/channels/${team.general.id}/messages`, { body: "let me talk" });
    expect(post.status).toBe(403);
    expect(post.body.code).toBe("moderation_timeout");
    expect((await mem().get(`/api/channels/${team.general.id}/messages`)).status).toBe(200);
    await mod().patch(modPath(team.users[2]!.id), { clear_timeout: true });
    expect((await mem().post(`/api/channels/${team.general.id}/messages`, { body: "thanks" })).status).toBe(201);
  });

  test("a block refuses writes until lifted", async () => {
    await own().patch(modPath(team.users[3]!.id), { blocked: true });
    const post = await mem2().post(`/api/channels/${team.general.id}/messages`, { body: "x" });
    expect(post.body.code).toBe("moderation_blocked");
    expect((await mem2().post(`/api/messages/${(await own().post(`/api/channels/${team.general.id}/messages`, { body: "r" })).body.message.id}/reactions`, { emoji: "👍" })).status).toBe(403);
    await own().patch(modPath(team.users[3]!.id), { blocked: false });
    expect((await mem2().post(`/api/channels/${team.general.id}/messages`, { body: "back" })).status).toBe(201);
  });

  test("rank rules: nobody moderates an owner, a peer or themselves; members moderate no one", async () => {
    expect((await mod().patch(modPath(team.users[0]!.id), { blocked: true })).status).toBe(403);
    expect((await mod().patch(modPath(team.users[1]!.id), { blocked: true })).status).toBe(403);
    expect((await mem().patch(modPath(team.users[3]!.id), { blocked: true })).status).toBe(403);
    expect((await mod().patch(modPath(team.users[2]!.id), { role: "moderator" })).status).toBe(403);
    expect((await own().patch(modPath(team.users[0]!.id), { blocked: true })).status).toBe(403);
    expect((await mod().get(`/api/workspaces/${team.workspace.id}/moderation/members`)).body.members).toHaveLength(5);
    expect((await mem().get(`/api/workspaces/${team.workspace.id}/moderation/members`)).status).toBe(403);
  });

  test("member.moderation_updated reaches the target and the managers only", async () => {
    const tail = (await own().get(`/api/realtime/events?workspace_id=${team.workspace.id}&include_tail=true&limit=1`)).body.tail_cursor;
    const subs = [0, 1, 2, 3].map((i) => new Subscription(server.url, { workspaceId: team.workspace.id, userId: team.users[i]!.id, afterCursor: tail }));
    await Promise.all(subs.map((s) => s.opened));
    await mod().patch(modPath(team.users[2]!.id), { moderation_note: "watch" });
    const marker = await own().post(`/api/channels/${team.general.id}/messages`, { body: "marker" });
    await Promise.all(subs.map((s) => s.until((es) => es.some((e) => e.payload.message_id === marker.body.message.id))));
    const got = subs.map((s) => s.events.some((e) => e.type === "member.moderation_updated"));
    expect(got).toEqual([true, true, true, false]);
    subs.forEach((s) => s.close());
  });

  test("demoting a member to guest closes their sockets so they reconnect with guest gating", async () => {
    const sub = new Subscription(server.url, { workspaceId: team.workspace.id, userId: team.users[3]!.id });
    await sub.opened;
    await sleep(20);
    await own().patch(modPath(team.users[3]!.id), { role: "guest" });
    await sub.closed;
    expect(sub.closeCode).toBe(1008);
    expect((await mem2().get(`/api/channels/${team.general.id}/messages`)).status).toBe(404);
  });
});
