// Reaching people through the real server: mention counts kept on the server (so a device that
// was offline sees them), followed threads, and preferences deciding who @channel reaches.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { client, seedTeam, startTestServer, Subscription, type TestServer } from "../../testing/harness.ts";
import { forEachStore } from "../../testing/stores.ts";

forEachStore((kind) => {
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;
  const subs: Subscription[] = [];

  beforeAll(async () => {
    server = await startTestServer([], { store: kind, dev: false });
    team = await seedTeam(server, ["ada", "bob", "cy", "dee"]);
  });
  afterAll(async () => {
    for (const s of subs) s.close?.();
    await server.close();
  });

  /** A new device of this person: a session of its own, as after signing in. */
  async function device(i: number) {
    const { token } = await server.store.identity.createSession(team.users[i]!.id, 3_600_000);
    return { http: client(server.url, { token }), token };
  }
  const general = async (c: ReturnType<typeof client>) =>
    (await c.get(`/api/workspaces/${team.workspace.id}/channels`)).body.channels.find((ch: any) => ch.id === team.general.id);

  describe("mentions", () => {
    test("a mention made while you were offline is a badge on your next sign-in, and reading on one device clears it on the other", async () => {
      const ada = await device(0);
      const posted = await ada.http.post(`/api/channels/${team.general.id}/messages`, { body: "@bob the build is green" });
      expect(posted.status).toBe(201);
      const phone = await device(1);
      expect(await general(phone.http)).toMatchObject({ mention_count: 1, unread_count: 1 });
      const laptop = await device(1);
      const watching = new Subscription(server.url, { workspaceId: team.workspace.id, token: laptop.token });
      subs.push(watching);
      await watching.opened;
      await phone.http.post(`/api/channels/${team.general.id}/read`, { seq: posted.body.message.channel_seq });
      const [read] = (await watching.until((es) => es.some((e) => e.type === "channel.read"))).filter((e) => e.type === "channel.read");
      expect(read!.payload).toMatchObject({ mention_count: 0, last_read_seq: posted.body.message.channel_seq });
      expect((await general(laptop.http)).mention_count).toBe(0);
    });

    test("a mention reaches the named person's devices as a private event", async () => {
      const [bobWs, cyWs] = await Promise.all([1, 2].map(async (i) => {
        const s = new Subscription(server.url, { workspaceId: team.workspace.id, token: (await device(i)).token });
        subs.push(s);
        await s.opened;
        return s;
      }));
      const ada = await device(0);
      const posted = await ada.http.post(`/api/channels/${team.general.id}/messages`, { body: "ping @bob" });
      const mine = (e: { type: string; payload: any }) => e.type === "mention.created" && e.payload.message_id === posted.body.message.id;
      const got = await bobWs!.until((es) => es.some(mine));
      expect(got.find(mine)!.payload).toMatchObject({ channel_id: team.general.id, author_id: team.users[0]!.id });
      await cyWs!.until((es) => es.some((e) => e.type === "message.created" && e.payload.message_id === posted.body.message.id));
      expect(cyWs!.events.some((e) => e.type === "mention.created")).toBe(false);
      await (await device(1)).http.post(`/api/channels/${team.general.id}/read`, { seq: 1000 });
    });

    test("a mention in a thread reply counts, and replies reach the thread's followers until the thread is read", async () => {
      const [ada, bob, cy] = await Promise.all([0, 1, 2].map(device));
      const root = await ada!.http.post(`/api/channels/${team.general.id}/messages`, { body: "release plan" });
      const rootId = root.body.message.id;
      await ada!.http.post(`/api/channels/${team.general.id}/read`, { seq: 1000 });
      await cy!.http.post(`/api/channels/${team.general.id}/read`, { seq: 1000 });
      const reply = await bob!.http.post(`/api/messages/${rootId}/thread/replies`, { body: "@cy can you check the notes?" });
      expect(reply.status).toBe(201);
      expect((await general(cy!.http)).mention_count).toBe(1);
      expect((await general(ada!.http)).mention_count).toBe(1); // ada started the thread
      const threads = (await ada!.http.get(`/api/workspaces/${team.workspace.id}/threads`)).body.threads;
      expect(threads).toMatchObject([{ root_message_id: rootId, reason: "started", unread_count: 1, mention_count: 1, root: { id: rootId } }]);
      const read = await ada!.http.post(`/api/messages/${rootId}/thread/read`, { seq: reply.body.message.thread_seq });
      expect(read.body).toMatchObject({ thread: { unread_count: 0, mention_count: 0 }, event: { type: "thread.read", payload: { root_message_id: rootId, mention_count: 0 } } });
      expect((await general(ada!.http)).mention_count).toBe(0);
      // Unfollowing: the next reply no longer counts.
      expect((await ada!.http.delete(`/api/messages/${rootId}/thread/follow`)).body.thread.following).toBe(false);
      await bob!.http.post(`/api/messages/${rootId}/thread/replies`, { body: "done" });
      expect((await general(ada!.http)).mention_count).toBe(0);
      expect((await general(cy!.http)).mention_count).toBe(2); // cy follows since being mentioned
      await cy!.http.post(`/api/messages/${rootId}/thread/read`, { seq: 1000 });
      expect((await general(cy!.http)).mention_count).toBe(0);
    });
  });

  describe("preferences", () => {
    test("@channel follows each person's preference; a muted channel notifies nothing, not even @handle", async () => {
      const [ada, bob, cy, dee] = await Promise.all([0, 1, 2, 3].map(device));
      for (const d of [bob, cy, dee]) await d!.http.post(`/api/channels/${team.general.id}/read`, { seq: 100_000 });
      expect((await cy!.http.patch(`/api/channels/${team.general.id}/notification-settings`, { preference: "mentions" })).body).toEqual({ preference: "mentions" });
      expect((await dee!.http.patch(`/api/channels/${team.general.id}/notification-settings`, { preference: "muted" })).body).toEqual({ preference: "muted" });
      expect((await dee!.http.get(`/api/channels/${team.general.id}/notification-settings`)).body).toEqual({ preference: "muted" });
      const deeWs = new Subscription(server.url, { workspaceId: team.workspace.id, token: dee!.token });
      subs.push(deeWs);
      await deeWs.opened;
      await ada!.http.post(`/api/channels/${team.general.id}/messages`, { body: "@channel standup in 5" });
      const direct = await ada!.http.post(`/api/channels/${team.general.id}/messages`, { body: "@dee @cy and you two" });
      expect([(await general(bob!.http)).mention_count, (await general(cy!.http)).mention_count, (await general(dee!.http)).mention_count]).toEqual([1, 1, 0]);
      await deeWs.until((es) => es.some((e) => e.type === "message.created" && e.payload.message_id === direct.body.message.id));
      expect(deeWs.events.some((e) => e.type === "mention.created")).toBe(false);
    });

    test("a person's defaults and do-not-disturb hours", async () => {
      const bob = await device(1);
      expect((await bob.http.get("/api/me/notification-settings")).body.settings).toEqual({ preference: "all", dnd_start_minute: null, dnd_end_minute: null, email_digest: true });
      const set = await bob.http.patch("/api/me/notification-settings", { preference: "mentions", dnd_start_minute: 1320, dnd_end_minute: 420 });
      expect(set.body.settings).toEqual({ preference: "mentions", dnd_start_minute: 1320, dnd_end_minute: 420, email_digest: true });
      expect((await bob.http.get(`/api/channels/${team.guest.id}/notification-settings`)).body).toEqual({ preference: "mentions" });
    });
  });
});
