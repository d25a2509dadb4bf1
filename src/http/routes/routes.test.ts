import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { seedTeam, startTestServer, type TestServer } from "../../testing/harness.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;
beforeAll(async () => {
  server = await startTestServer();
  team = await seedTeam(server, ["ada", "bob", "cy", "gus"]);
  await server.store.workspaces.addMember(team.workspace.id, team.users[3]!.id, "guest");
});
afterAll(() => server.close());

describe("shareable links", () => {
  test("resolve a channel, a DM and a thread by route id (or raw id); 404 for anyone who may not open them", async () => {
    const [ada, bob, cy, gus] = team.clients;
    const ws = team.workspace.route_id;
    const ch = await ada!.get(`/api/routes/${ws}/${team.general.route_id}`);
    expect(ch.body.route).toMatchObject({ workspace_id: team.workspace.id, target_type: "channel", target_id: team.general.id, canonical_path: `/app/c/${team.general.id}` });
    expect((await ada!.get(`/api/routes/${team.workspace.id}/${team.general.id}`)).body.route.target_route_id).toBe(team.general.route_id);

    const root = (await ada!.post(`/api/channels/${team.general.id}/messages`, { body: "root" })).body.message;
    const reply = (await bob!.post(`/api/messages/${root.id}/thread/replies`, { body: "reply" })).body.message;
    const thread = await bob!.get(`/api/routes/${ws}/${reply.route_id}`);
    expect(thread.body.route).toMatchObject({ target_type: "thread", target_id: root.id, parent_type: "channel", parent_id: team.general.id, canonical_path: `/app/c/${team.general.id}/t/${root.id}` });

    const dm = (await ada!.post("/api/dms", { workspace_id: team.workspace.id, member_ids: [team.users[1]!.id] })).body.conversation;
    expect((await bob!.get(`/api/routes/${ws}/${dm.route_id}`)).body.route.target_type).toBe("direct");
    // Not a member of the DM, a guest outside #guest, a mismatched workspace, nonsense: all 404.
    expect((await cy!.get(`/api/routes/${ws}/${dm.route_id}`)).status).toBe(404);
    expect((await gus!.get(`/api/routes/${ws}/${team.general.route_id}`)).status).toBe(404);
    const other = await server.store.workspaces.create({ name: "Other", ownerId: team.users[0]!.id });
    expect((await ada!.get(`/api/routes/${other.workspace.route_id}/${team.general.route_id}`)).status).toBe(404);
    expect((await ada!.get(`/api/routes/${ws}/Cnonsense`)).status).toBe(404);
  });
});

describe("topics", () => {
  test("create in the workspace or a channel; names are unique per place; guests see only theirs", async () => {
    const [ada, , , gus] = team.clients;
    const t1 = await ada!.post(`/api/workspaces/${team.workspace.id}/topics`, { name: "Release 1.0" });
    expect(t1.status).toBe(201);
    expect(t1.body.topic).toMatchObject({ name: "Release 1.0" });
    expect("channel_id" in t1.body.topic).toBe(false);
    expect((await ada!.post(`/api/workspaces/${team.workspace.id}/topics`, { name: "release 1.0" })).status).toBe(409);
    const t2 = await ada!.post(`/api/workspaces/${team.workspace.id}/topics`, { name: "Release 1.0", channel_id: team.general.id });
    expect(t2.status).toBe(201);
    const t3 = await gus!.post(`/api/workspaces/${team.workspace.id}/topics`, { name: "Welcome", channel_id: team.guest.id });
    expect(t3.status).toBe(201);
    expect((await gus!.post(`/api/workspaces/${team.workspace.id}/topics`, { name: "Anywhere" })).status).toBe(403);
    expect((await ada!.get(`/api/workspaces/${team.workspace.id}/topics`)).body.topics).toHaveLength(3);
    expect((await gus!.get(`/api/workspaces/${team.workspace.id}/topics`)).body.topics.map((t: any) => t.name)).toEqual(["Welcome"]);
    // Messages can be filed under a topic and a page can show just that topic.
    const m = await ada!.post(`/api/channels/${team.general.id}/messages`, { body: "notes", topic_id: t2.body.topic.id });
    expect(m.body.message.topic_id).toBe(t2.body.topic.id);
    expect((await ada!.post(`/api/channels/${team.general.id}/messages`, { body: "x", topic_id: t3.body.topic.id })).status).toBe(404);
    expect((await ada!.post(`/api/channels/${team.general.id}/messages`, { body: "x", topic_id: "tpc_nope" })).status).toBe(404);
    const page = await ada!.get(`/api/channels/${team.general.id}/messages?topic_id=${t2.body.topic.id}`);
    expect(page.body.messages.map((x: any) => x.id)).toEqual([m.body.message.id]);
  });
});
