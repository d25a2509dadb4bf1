// Behaviours a bot ported from the Go server relies on (issue 14, wire compatibility).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { seedTeam, startTestServer, type TestServer } from "../testing/harness.ts";
import { forEachStore } from "../testing/stores.ts";

forEachStore((store) => {
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;
  beforeAll(async () => {
    server = await startTestServer([], { store });
    team = await seedTeam(server);
  });
  afterAll(() => server.close());

  test("a second DELETE of a message is 200 with the deleted message and no new event", async () => {
    const ada = team.clients[0]!;
    const m = (await ada.post(`/api/channels/${team.general.id}/messages`, { body: "gone soon" })).body.message;
    const first = await ada.delete(`/api/messages/${m.id}`);
    expect(first.status).toBe(200);
    expect(first.body.event.type).toBe("message.deleted");
    const again = await ada.delete(`/api/messages/${m.id}`);
    expect(again.status).toBe(200);
    expect(again.body.message.deleted_at).toBe(first.body.message.deleted_at);
    expect(again.body.event).toBeUndefined();
  });

  test("X-Correlation-ID is copied into the payload of the events the request writes", async () => {
    const ada = team.clients[0]!;
    const r = await ada.post(`/api/channels/${team.general.id}/messages`, { body: "traced" }, { "x-correlation-id": "req-42" });
    expect(r.body.event.payload.correlation_id).toBe("req-42");
    const plain = await ada.post(`/api/channels/${team.general.id}/messages`, { body: "untraced" });
    expect("correlation_id" in plain.body.event.payload).toBe(false);
    // Concurrent writes batched into one transaction keep their own ids.
    const many = await Promise.all([1, 2, 3, 4].map((i) => ada.post(`/api/channels/${team.general.id}/messages`, { body: `n${i}` }, { "x-correlation-id": `c${i}` })));
    expect(many.map((x) => x.body.event.payload.correlation_id)).toEqual(["c1", "c2", "c3", "c4"]);
    const log = (await ada.get(`/api/realtime/events?workspace_id=${team.workspace.id}`)).body.events;
    expect(log.find((e: any) => e.id === r.body.event.id).payload.correlation_id).toBe("req-42");
  });

  test("archived channels are in the channel list, as the original's", async () => {
    const ada = team.clients[0]!;
    const c = (await ada.post(`/api/workspaces/${team.workspace.id}/channels`, { name: "old-stuff" })).body.channel;
    await ada.patch(`/api/channels/${c.id}`, { archived: true });
    const listed = (await ada.get(`/api/workspaces/${team.workspace.id}/channels`)).body.channels;
    expect(listed.find((x: any) => x.id === c.id)?.archived_at).toBeString();
    const active = (await ada.get(`/api/workspaces/${team.workspace.id}/channels?include_archived=false`)).body.channels;
    expect(active.some((x: any) => x.id === c.id)).toBe(false);
  });

  test("search results carry {message, rank} and the original's sort names are accepted", async () => {
    const ada = team.clients[0]!;
    await ada.post(`/api/channels/${team.general.id}/messages`, { body: "zebra crossing" });
    for (const sort of ["relevance", "recent", "newest", "rank"]) {
      const r = await ada.get(`/api/search?workspace_id=${team.workspace.id}&q=zebra&sort=${sort}`);
      expect(r.status).toBe(200);
      expect(r.body.results[0]).toMatchObject({ message: { body: "zebra crossing" }, rank: expect.any(Number) });
    }
    expect((await ada.get(`/api/search?workspace_id=${team.workspace.id}&q=zebra&sort=sideways`)).status).toBe(400);
  });

  test("a channel's kind is any name, and its presentation fields are stored and omitted when unset", async () => {
    const ada = team.clients[0]!;
    const r = await ada.post(`/api/workspaces/${team.workspace.id}/channels`, { name: "gh-7", kind: "github_issue", display_title: "Crash on start", external_managed: true, external_ref: "o/r#7", external_url: "https://github.com/o/r/issues/7", sidebar_section: "Issues" });
    expect(r.status).toBe(201);
    expect(r.body.channel).toMatchObject({ kind: "github_issue", display_title: "Crash on start", external_managed: true, external_ref: "o/r#7", external_url: "https://github.com/o/r/issues/7", sidebar_section: "Issues" });
    const p = await ada.patch(`/api/channels/${r.body.channel.id}`, { sidebar_section: "" });
    expect(p.status).toBe(200);
    expect("sidebar_section" in p.body.channel).toBe(false);
    expect((await ada.get(`/api/channels/${r.body.channel.id}`)).body.channel.external_ref).toBe("o/r#7");
    expect((await ada.post(`/api/workspaces/${team.workspace.id}/channels`, { name: "g2", kind: "guest" })).status).toBe(400);
    expect((await ada.post(`/api/workspaces/${team.workspace.id}/channels`, { name: "g3", kind: "Bad Kind" })).status).toBe(400);
  });

  test("GET /api/me/bots lists the bots you own with their workspace and live token count; /api/home-link answers {url, label}", async () => {
    const bob = team.clients[1]!;
    const made = await bob.post(`/api/workspaces/${team.workspace.id}/bots`, { display_name: "Bobbot", handle: "bobbot", scopes: ["bot:read"] });
    expect(made.status).toBe(201);
    await bob.post(`/api/workspaces/${team.workspace.id}/bots/${made.body.bot.id}/tokens`, { name: "second" });
    const mine = (await bob.get("/api/me/bots")).body.bots;
    expect(mine).toEqual([expect.objectContaining({ bot: expect.objectContaining({ id: made.body.bot.id }), workspace: expect.objectContaining({ id: team.workspace.id }), active_token_count: 2 })]);
    expect((await team.clients[2]!.get("/api/me/bots")).body.bots).toEqual([]);
    const home = await bob.get("/api/home-link");
    expect(home.body).toEqual({ url: server.url, label: "ClickClack" });
  });

  test("creating a bot mints its first token (bot:write) unless create_token is false", async () => {
    const ada = team.clients[0]!;
    const made = await ada.post(`/api/workspaces/${team.workspace.id}/bots`, { display_name: "Auto", handle: "auto-tok" });
    expect(made.body.bot_token.token).toStartWith("ccb_");
    expect(made.body.bot_token.scopes).toContain("messages:write");
    const bare = await ada.post(`/api/workspaces/${team.workspace.id}/bots`, { display_name: "Bare", handle: "bare-bot", create_token: false });
    expect(bare.status).toBe(201);
    expect(bare.body.bot_token).toBeUndefined();
  });
});

