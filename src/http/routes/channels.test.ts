import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { seedTeam, startTestServer, type TestServer } from "../../testing/harness.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;

beforeAll(async () => {
  server = await startTestServer();
  team = await seedTeam(server);
});
afterAll(() => server.close());

describe("channels", () => {
  test("unread counts: roots by others after the read pointer; pointers only move forward", async () => {
    const [ada, bob] = team.clients;
    const { body } = await ada!.post(`/api/workspaces/${team.workspace.id}/channels`, { name: "unread" });
    const id = body.channel.id;
    for (let i = 0; i < 5; i++) await ada!.post(`/api/channels/${id}/messages`, { body: `m${i}` });
    await bob!.post(`/api/channels/${id}/messages`, { body: "mine" });
    const root = (await ada!.get(`/api/channels/${id}/messages?limit=1&before_seq=2`)).body.messages[0].id;
    await ada!.post(`/api/messages/${root}/thread/replies`, { body: "a reply does not count" });
    const del = (await ada!.post(`/api/channels/${id}/messages`, { body: "deleted" })).body.message.id;
    await ada!.delete(`/api/messages/${del}`);

    const list = async () => (await bob!.get(`/api/workspaces/${team.workspace.id}/channels`)).body.channels.find((c: any) => c.id === id);
    expect(await list()).toMatchObject({ last_seq: 7, last_read_seq: 0, unread_count: 5 });
    const r1 = await bob!.post(`/api/channels/${id}/read`, { seq: 3 });
    expect(r1.body.receipt).toMatchObject({ scope_id: id, last_read_seq: 3 });
    expect(r1.body.event).toMatchObject({ type: "channel.read", seq: 3 });
    expect(await list()).toMatchObject({ last_read_seq: 3, unread_count: 2 });
    const back = await bob!.post(`/api/channels/${id}/read`, { seq: 1 });
    expect(back.body.receipt.last_read_seq).toBe(3);
    expect(back.body.event).toBeUndefined();
    const beyond = await bob!.post(`/api/channels/${id}/read`, { seq: 999 });
    expect(beyond.body.receipt.last_read_seq).toBe(7);
    expect(await list()).toMatchObject({ unread_count: 0 });
    expect((await bob!.post(`/api/channels/${id}/read`, { seq: -1 })).status).toBe(400);
  });

  test("create, rename, archive: names are slugs, duplicates conflict, archived refuses posts", async () => {
    const [ada, bob] = team.clients;
    const created = await ada!.post(`/api/workspaces/${team.workspace.id}/channels`, { name: "Release Plans" });
    expect(created.status).toBe(201);
    expect(created.body.channel.name).toBe("release-plans");
    expect(created.body.event.type).toBe("channel.created");
    expect((await bob!.post(`/api/workspaces/${team.workspace.id}/channels`, { name: "release plans" })).status).toBe(409);
    expect((await bob!.post(`/api/workspaces/${team.workspace.id}/channels`, { name: "guest" })).status).toBe(400);
    const id = created.body.channel.id;
    expect((await bob!.patch(`/api/channels/${id}`, { name: "mine-now" })).status).toBe(403);
    const renamed = await ada!.patch(`/api/channels/${id}`, { name: "launch" });
    expect(renamed.body.channel.name).toBe("launch");
    const archived = await ada!.patch(`/api/channels/${id}`, { archived: true });
    expect(archived.body.channel.archived_at).not.toBeNull();
    const refused = await bob!.post(`/api/channels/${id}/messages`, { body: "hello?" });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("channel_archived");
    const names = (await ada!.get(`/api/workspaces/${team.workspace.id}/channels?include_archived=false`)).body.channels.map((c: any) => c.name);
    expect(names).not.toContain("launch");
    const all = (await ada!.get(`/api/workspaces/${team.workspace.id}/channels`)).body.channels.map((c: any) => c.name);
    expect(all).toContain("launch");
  });

  test("workspaces: create makes you owner with #general and #guest; members directory pages", async () => {
    const [ada] = team.clients;
    const ws = await ada!.post("/api/workspaces", { name: "Second Team" });
    expect(ws.status).toBe(201);
    expect(ws.body.workspace).toMatchObject({ name: "Second Team", slug: "second-team", role: "owner" });
    const channels = (await ada!.get(`/api/workspaces/${ws.body.workspace.id}/channels`)).body.channels.map((c: any) => c.name);
    expect(channels).toEqual(["general", "guest"]);
    const p1 = await ada!.get(`/api/workspaces/${team.workspace.id}/members?limit=2`);
    expect(p1.body).toMatchObject({ total_count: 3, has_more: true });
    const p2 = await ada!.get(`/api/workspaces/${team.workspace.id}/members?limit=2&cursor=${p1.body.next_cursor}`);
    expect(p2.body.has_more).toBe(false);
    const ids = [...p1.body.members, ...p2.body.members].map((m: any) => m.user.id).sort();
    expect(ids).toEqual(team.users.map((u) => u.id).sort());
    const q = await ada!.get(`/api/workspaces/${team.workspace.id}/members?q=bo`);
    expect(q.body.members.map((m: any) => m.user.handle)).toEqual(["bob"]);
    const upd = await ada!.patch(`/api/workspaces/${ws.body.workspace.id}`, { name: "Renamed" });
    expect(upd.body.workspace.name).toBe("Renamed");
    expect(upd.body.event.type).toBe("workspace.updated");
  });
});

describe("deleted workspaces", () => {
  test("are gone for their members: 404, and no longer listed", async () => {
    const [ada] = team.clients;
    const ws = (await ada!.post("/api/workspaces", { name: "Short Lived" })).body.workspace;
    expect((await ada!.delete(`/api/workspaces/${ws.id}`)).status).toBe(204);
    const r = await ada!.get(`/api/workspaces/${ws.id}`);
    expect(r.status).toBe(404);
    expect(r.body.code).toBe("not_found");
    expect((await ada!.get(`/api/workspaces/${ws.id}/channels`)).status).toBe(404);
    expect((await ada!.get("/api/workspaces")).body.workspaces.map((w: any) => w.id)).not.toContain(ws.id);
  });
});
