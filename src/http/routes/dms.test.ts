import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { seedTeam, startTestServer, Subscription, type TestServer } from "../../testing/harness.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;

beforeAll(async () => {
  server = await startTestServer();
  const names = Array.from({ length: 34 }, (_, i) => `user${String(i).padStart(2, "0")}`);
  team = await seedTeam(server, names);
});
afterAll(() => server.close());

describe("direct conversations", () => {
  test("the same member set reuses the conversation, whoever opens it", async () => {
    const [a, b, c] = team.users;
    const first = await team.clients[0]!.post("/api/dms", { workspace_id: team.workspace.id, member_ids: [b!.id, c!.id] });
    expect(first.status).toBe(201);
    const again = await team.clients[2]!.post("/api/dms", { workspace_id: team.workspace.id, member_ids: [a!.id, b!.id, c!.id] });
    expect(again.body.conversation.id).toBe(first.body.conversation.id);
    expect(first.body.conversation.members.map((m: any) => m.id).sort()).toEqual([a!.id, b!.id, c!.id].sort());
    const pair = await team.clients[0]!.post("/api/dms", { workspace_id: team.workspace.id, member_ids: [b!.id] });
    expect(pair.body.conversation.id).not.toBe(first.body.conversation.id);
  });

  test("at most 32 members, the caller included; fewer than two is 400", async () => {
    const others = team.users.slice(1).map((u) => u.id);
    const ok = await team.clients[0]!.post("/api/dms", { workspace_id: team.workspace.id, member_ids: others.slice(0, 31) });
    expect(ok.status).toBe(201);
    expect(ok.body.conversation.members).toHaveLength(32);
    const tooMany = await team.clients[0]!.post("/api/dms", { workspace_id: team.workspace.id, member_ids: others.slice(0, 32) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.code).toBe("dm_too_large");
    expect((await team.clients[0]!.post("/api/dms", { workspace_id: team.workspace.id, member_ids: [] })).status).toBe(400);
  });

  test("messages, unread counts, close and reopen", async () => {
    const [a, b] = team.users;
    const { body } = await team.clients[0]!.post("/api/dms", { workspace_id: team.workspace.id, member_ids: [b!.id] });
    const id = body.conversation.id;
    for (let i = 0; i < 3; i++) expect((await team.clients[0]!.post(`/api/dms/${id}/messages`, { body: `hi ${i}` })).status).toBe(201);
    const forB = await team.clients[1]!.get(`/api/dms/${id}`);
    expect(forB.body.conversation).toMatchObject({ last_seq: 3, last_read_seq: 0, unread_count: 3, can_send: true });
    const read = await team.clients[1]!.post(`/api/dms/${id}/read`, { seq: 2 });
    expect(read.body.receipt.last_read_seq).toBe(2);
    expect((await team.clients[1]!.get(`/api/dms/${id}`)).body.conversation.unread_count).toBe(1);

    const closed = await team.clients[1]!.delete(`/api/dms/${id}`);
    expect(closed.body.ok).toBe(true);
    let list = await team.clients[1]!.get(`/api/dms?workspace_id=${team.workspace.id}`);
    expect(list.body.conversations.map((c: any) => c.id)).not.toContain(id);
    await team.clients[0]!.post(`/api/dms/${id}/messages`, { body: "are you there?" });
    list = await team.clients[1]!.get(`/api/dms?workspace_id=${team.workspace.id}`);
    expect(list.body.conversations.map((c: any) => c.id)).toContain(id);

    // Outsiders cannot see the conversation at all.
    const outsider = team.clients[5]!;
    expect((await outsider.get(`/api/dms/${id}`)).status).toBe(404);
    expect((await outsider.get(`/api/dms/${id}/messages`)).status).toBe(404);
    expect((await outsider.post(`/api/dms/${id}/messages`, { body: "intrude" })).status).toBe(404);
    void a;
  });

  test("a DM event is delivered to members only, live and on replay", async () => {
    const [a, b] = team.users;
    const outsider = team.users[6]!;
    const tail = (await team.clients[0]!.get(`/api/realtime/events?workspace_id=${team.workspace.id}&include_tail=true&limit=1`)).body.tail_cursor;
    const member = new Subscription(server.url, { workspaceId: team.workspace.id, userId: b!.id, afterCursor: tail });
    const stranger = new Subscription(server.url, { workspaceId: team.workspace.id, userId: outsider.id, afterCursor: tail });
    await Promise.all([member.opened, stranger.opened]);
    const { body } = await team.clients[0]!.post("/api/dms", { workspace_id: team.workspace.id, member_ids: [b!.id] });
    const sent = await team.clients[0]!.post(`/api/dms/${body.conversation.id}/messages`, { body: "secret" });
    const marker = await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: "public marker" });
    await member.until((es) => es.some((e) => e.payload.message_id === marker.body.message.id));
    await stranger.until((es) => es.some((e) => e.payload.message_id === marker.body.message.id));
    expect(member.events.some((e) => e.payload.message_id === sent.body.message.id)).toBe(true);
    expect(stranger.events.some((e) => e.payload.message_id === sent.body.message.id)).toBe(false);
    member.close();
    stranger.close();

    const replay = new Subscription(server.url, { workspaceId: team.workspace.id, userId: outsider.id, afterCursor: tail });
    await replay.until((es) => es.some((e) => e.payload.message_id === marker.body.message.id));
    expect(replay.events.some((e) => e.payload.message_id === sent.body.message.id)).toBe(false);
    replay.close();
    const pulled = await team.clients[6]!.get(`/api/realtime/events?workspace_id=${team.workspace.id}&after_cursor=${tail}`);
    expect(pulled.body.events.some((e: any) => e.payload.message_id === sent.body.message.id)).toBe(false);
    expect(pulled.body.events.some((e: any) => e.payload.message_id === marker.body.message.id)).toBe(true);
    void a;
  });

  test("a conversation whose only peer left the workspace cannot be sent to (409, can_send false)", async () => {
    const bot = await server.store.bots.create({ workspaceId: team.workspace.id, displayName: "Leaving Bot" });
    const { body } = await team.clients[0]!.post("/api/dms", { workspace_id: team.workspace.id, member_ids: [bot.id] });
    const id = body.conversation.id;
    expect(body.conversation.can_send).toBe(true);
    expect((await team.clients[0]!.post(`/api/dms/${id}/messages`, { body: "hello bot" })).status).toBe(201);
    expect((await team.clients[0]!.delete(`/api/workspaces/${team.workspace.id}/bots/${bot.id}/membership`)).status).toBe(204);
    const refused = await team.clients[0]!.post(`/api/dms/${id}/messages`, { body: "anyone there?" });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe("no_active_peer");
    expect((await team.clients[0]!.get(`/api/dms/${id}`)).body.conversation.can_send).toBe(false);
  });
});
