import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { seedTeam, startTestServer, type TestServer } from "../../testing/harness.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;

beforeAll(async () => {
  server = await startTestServer();
  team = await seedTeam(server, ["ada", "bob", "cy", "dee", "eve"]);
});
afterAll(() => server.close());

const ada = () => team.clients[0]!;
const bob = () => team.clients[1]!;

describe("posting", () => {
  test("nonce: same payload replays with 200, another payload conflicts with 409", async () => {
    const path = `/api/channels/${team.general.id}/messages`;
    const first = await ada().post(path, { body: "ship it", nonce: "n-1" });
    expect(first.status).toBe(201);
    expect(first.body.event.type).toBe("message.created");
    expect(first.body.event.payload).toMatchObject({ message_id: first.body.message.id, nonce: "n-1" });

    const replay = await ada().post(path, { body: "ship it", nonce: "n-1" });
    expect(replay.status).toBe(200);
    expect(replay.body.message.id).toBe(first.body.message.id);
    expect(replay.body.event).toBeUndefined();

    const clash = await ada().post(path, { body: "something else", nonce: "n-1" });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe("nonce_conflict");

    // Nonces are per author: bob may use the same one.
    expect((await bob().post(path, { body: "ship it", nonce: "n-1" })).status).toBe(201);

    const found = await ada().get(`/api/messages/by-nonce?workspace_id=${team.workspace.id}&nonce=n-1`);
    expect(found.status).toBe(200);
    expect(found.body.message.id).toBe(first.body.message.id);
    const missing = await ada().get(`/api/messages/by-nonce?workspace_id=${team.workspace.id}&nonce=never`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-clickclack-message-nonce")).toBe("supported");
  });

  test("concurrent posts with one nonce write exactly one message", async () => {
    const path = `/api/channels/${team.general.id}/messages`;
    const results = await Promise.all(Array.from({ length: 20 }, () => ada().post(path, { body: "once", nonce: "race-1" })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(19);
    expect(new Set(results.map((r) => r.body.message.id)).size).toBe(1);
  });

  test("sequence numbers are allocated in order and never reused after a delete", async () => {
    const { body: ch } = await ada().post(`/api/workspaces/${team.workspace.id}/channels`, { name: "Seq Test" });
    expect(ch.channel.name).toBe("seq-test");
    const path = `/api/channels/${ch.channel.id}/messages`;
    const a = await ada().post(path, { body: "one" });
    const b = await ada().post(path, { body: "two" });
    expect([a.body.message.channel_seq, b.body.message.channel_seq]).toEqual([1, 2]);
    const del = await ada().delete(`/api/messages/${b.body.message.id}`);
    expect(del.status).toBe(200);
    expect(del.body.message.deleted_at).not.toBeNull();
    expect(del.body.message.body).toBe("");
    expect(del.body.event.type).toBe("message.deleted");
    const c = await ada().post(path, { body: "three" });
    expect(c.body.message.channel_seq).toBe(3);
    const page = await ada().get(path);
    expect(page.body.messages.map((m: any) => m.channel_seq)).toEqual([1, 2, 3]);
    expect(page.body.messages[1].deleted_at).not.toBeNull();
    // Deleting twice is a 200 (as the original), and nothing is written.
    const again = await ada().delete(`/api/messages/${b.body.message.id}`);
    expect(again.status).toBe(200);
    expect(again.body.event).toBeUndefined();
  });

  test("mentions resolve to workspace members only, and @channel wakes no one", async () => {
    const r = await ada().post(`/api/channels/${team.general.id}/messages`, { body: "hey @bob and @nobody and @channel, see `@cy`" });
    expect(r.body.event.mentioned_user_ids).toEqual([team.users[1]!.id]);
  });

  test("edit is the author's; others get 403 and the body stays", async () => {
    const r = await ada().post(`/api/channels/${team.general.id}/messages`, { body: "draft" });
    const id = r.body.message.id;
    const denied = await bob().patch(`/api/messages/${id}`, { body: "hijack" });
    expect(denied.status).toBe(403);
    const ok = await ada().patch(`/api/messages/${id}`, { body: "final" });
    expect(ok.status).toBe(200);
    expect(ok.body.message.body).toBe("final");
    expect(ok.body.message.edited_at).not.toBeNull();
    expect(ok.body.event.type).toBe("message.updated");
    expect((await bob().get(`/api/messages/${id}`)).body.message.body).toBe("final");
  });

  test("an edit obeys the body rules of a post: required, at most 40,000 characters", async () => {
    const r = await ada().post(`/api/channels/${team.general.id}/messages`, { body: "short" });
    const id = r.body.message.id;
    const long = await ada().patch(`/api/messages/${id}`, { body: "x".repeat(40_001) });
    expect([long.status, long.body.code]).toEqual([400, "body_too_long"]);
    const blank = await ada().patch(`/api/messages/${id}`, { body: "   " });
    expect([blank.status, blank.body.code]).toEqual([400, "body_required"]);
    expect((await ada().get(`/api/messages/${id}`)).body.message.body).toBe("short");
  });

  test("quotes must come from the same channel", async () => {
    const { body: other } = await ada().post(`/api/workspaces/${team.workspace.id}/channels`, { name: "elsewhere" });
    const src = await ada().post(`/api/channels/${other.channel.id}/messages`, { body: "quoted words" });
    const bad = await ada().post(`/api/channels/${team.general.id}/messages`, { body: "q", quoted_message_id: src.body.message.id });
    expect(bad.status).toBe(400);
    const local = await ada().post(`/api/channels/${other.channel.id}/messages`, { body: "q", quoted_message_id: src.body.message.id });
    expect(local.status).toBe(201);
    expect(local.body.message).toMatchObject({ quoted_message_id: src.body.message.id, quoted_body_snapshot: "quoted words", quoted_author_id: team.users[0]!.id });
  });
});

describe("threads", () => {
  test("replies get thread seqs, thread_state keeps the 3 most recent authors, nested replies are 400", async () => {
    const root = await ada().post(`/api/channels/${team.general.id}/messages`, { body: "thread root" });
    const rootId = root.body.message.id;
    const authors = [0, 1, 2, 3, 1];
    let last: any;
    for (const [i, who] of authors.entries()) {
      last = await team.clients[who]!.post(`/api/messages/${rootId}/thread/replies`, { body: `reply ${i}` });
      expect(last.status).toBe(201);
      expect(last.body.message.thread_seq).toBe(i + 1);
      expect(last.body.message.channel_seq).toBeUndefined();
      expect(last.body.events.map((e: any) => e.type)).toEqual(["thread.reply_created", "thread.state_updated"]);
    }
    expect(last.body.thread_state.reply_count).toBe(5);
    expect(last.body.thread_state.last_reply_author_ids).toEqual([team.users[1]!.id, team.users[3]!.id, team.users[2]!.id]);

    const nested = await ada().post(`/api/messages/${last.body.message.id}/thread/replies`, { body: "deeper" });
    expect(nested.status).toBe(400);
    expect(nested.body.code).toBe("nested_thread");

    // Replies stay out of the channel page; the root carries the state.
    const page = await ada().get(`/api/channels/${team.general.id}/messages?mode=latest&limit=1`);
    expect(page.body.messages[0].id).toBe(rootId);
    expect(page.body.messages[0].thread_state.reply_count).toBe(5);

    const oldest = await ada().get(`/api/messages/${rootId}/thread?limit=2`);
    expect(oldest.body.replies.map((r: any) => r.thread_seq)).toEqual([1, 2]);
    expect(oldest.body).toMatchObject({ has_older: false, has_newer: true, oldest_seq: 1, newest_seq: 2 });
    const latest = await ada().get(`/api/messages/${rootId}/thread?limit=2&latest=true`);
    expect(latest.body.replies.map((r: any) => r.thread_seq)).toEqual([4, 5]);
    const around = await ada().get(`/api/messages/${rootId}/thread?limit=3&around_seq=3`);
    expect(around.body.replies.map((r: any) => r.thread_seq)).toEqual([2, 3, 4]);

    const replay = await bob().post(`/api/messages/${rootId}/thread/replies`, { body: "idempotent", nonce: "tr-1" });
    const again = await bob().post(`/api/messages/${rootId}/thread/replies`, { body: "idempotent", nonce: "tr-1" });
    expect([replay.status, again.status]).toEqual([201, 200]);
    expect(again.body.events).toBeNull();
  });
});

describe("pages", () => {
  test("windows: latest, before, after, around and has_older/has_newer", async () => {
    const { body: ch } = await ada().post(`/api/workspaces/${team.workspace.id}/channels`, { name: "pages" });
    const path = `/api/channels/${ch.channel.id}/messages`;
    const empty = await ada().get(path);
    expect(empty.body).toEqual({ messages: [], oldest_seq: 0, newest_seq: 0, has_older: false, has_newer: false });
    for (let i = 1; i <= 10; i++) await ada().post(path, { body: `m${i}` });
    const seqs = (r: any) => r.body.messages.map((m: any) => m.channel_seq);
    const latest = await ada().get(`${path}?limit=3`);
    expect(seqs(latest)).toEqual([8, 9, 10]);
    expect(latest.body).toMatchObject({ has_older: true, has_newer: false, oldest_seq: 8, newest_seq: 10 });
    expect(seqs(await ada().get(`${path}?before_seq=8&limit=3`))).toEqual([5, 6, 7]);
    const after = await ada().get(`${path}?after_seq=0&limit=3`);
    expect(seqs(after)).toEqual([1, 2, 3]);
    expect(after.body).toMatchObject({ has_older: false, has_newer: true });
    expect(seqs(await ada().get(`${path}?around_seq=5&limit=4`))).toEqual([4, 5, 6, 7]);
    expect(seqs(await ada().get(`${path}?around_seq=10&limit=4`))).toEqual([7, 8, 9, 10]);
    expect((await ada().get(`${path}?after_seq=1&before_seq=5`)).status).toBe(400);
    expect((await ada().get(`${path}?after_seq=abc`)).status).toBe(400);
    expect((await ada().get(`${path}?mode=oldest`)).status).toBe(400);
    expect(seqs(await ada().get(`${path}?limit=5000`)).length).toBe(10);
  });
});

describe("reactions and pins", () => {
  test("reactions add once, summarise per viewer, and remove", async () => {
    const m = await ada().post(`/api/channels/${team.general.id}/messages`, { body: "react to me" });
    const id = m.body.message.id;
    const add = await bob().post(`/api/messages/${id}/reactions`, { emoji: "👍" });
    expect(add.status).toBe(201);
    expect(add.body.event).toMatchObject({ type: "reaction.added", payload: { message_id: id, emoji: "👍" } });
    expect(add.body.reactions).toEqual([{ emoji: "👍", count: 1, reacted_by_me: true }]);
    const dup = await bob().post(`/api/messages/${id}/reactions`, { emoji: "👍" });
    expect(dup.status).toBe(200);
    expect(dup.body.event).toBeNull();
    await ada().post(`/api/messages/${id}/reactions`, { emoji: ":tada:" });
    const view = await ada().get(`/api/messages/${id}`);
    expect(view.body.message.reactions).toEqual([
      { emoji: "👍", count: 1, reacted_by_me: false },
      { emoji: ":tada:", count: 1, reacted_by_me: true },
    ]);
    const del = await bob().delete(`/api/messages/${id}/reactions/${encodeURIComponent("👍")}`);
    expect(del.status).toBe(200);
    expect(del.body.event.type).toBe("reaction.removed");
    expect((await bob().post(`/api/messages/${id}/reactions`, { emoji: "<script>" })).status).toBe(400);
  });

  // Pages reuse each message's rendering and its JSON (src/store/message-cache.ts,
  // src/http/render-json.ts): read again, a page must show every change, as each reader sees it,
  // and each message exactly as GET /api/messages/:id (which renders afresh) shows it.
  test("a page answered from kept renderings carries every header any answer does", async () => {
    const a = team.clients[0]!;
    await a.post(`/api/channels/${team.general.id}/messages`, { body: "headers" });
    for (let read = 0; read < 2; read++) {
      const res = await a.get(`/api/channels/${team.general.id}/messages?limit=5`, { "X-Request-ID": `page-${read}` });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toStartWith("application/json");
      expect(res.headers.get("x-request-id")).toBe(`page-${read}`);
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("content-security-policy")).toBe("frame-ancestors 'none'");
      expect(res.body.messages.at(-1).body).toBe("headers");
    }
  });

  test("a page read again shows edits, reactions per reader and a renamed author, as the message's own route does", async () => {
    const { body: ch } = await ada().post(`/api/workspaces/${team.workspace.id}/channels`, { name: "page-cache" });
    const path = `/api/channels/${ch.channel.id}`;
    await bob().post(`/api/channels/${ch.channel.id}/join`);
    const id = (await ada().post(`${path}/messages`, { body: "one" })).body.message.id;
    await ada().post(`${path}/messages`, { body: "two" });
    const seen = async (who: typeof ada) => {
      const page = await who().get(`${path}/messages?limit=10`);
      expect(page.status).toBe(200);
      const fromPage = page.body.messages.find((m: { id: string }) => m.id === id);
      expect(fromPage).toEqual((await who().get(`/api/messages/${id}`)).body.message);
      return fromPage;
    };
    expect(await seen(ada)).toMatchObject({ body: "one", reactions: [] });
    await seen(bob);

    await bob().post(`/api/messages/${id}/reactions`, { emoji: "👍" });
    expect((await seen(bob)).reactions).toEqual([{ emoji: "👍", count: 1, reacted_by_me: true }]);
    expect((await seen(ada)).reactions).toEqual([{ emoji: "👍", count: 1, reacted_by_me: false }]);

    await ada().patch(`/api/messages/${id}`, { body: "one, edited" });
    expect(await seen(bob)).toMatchObject({ body: "one, edited", edited_at: expect.any(String), reactions: [{ emoji: "👍", reacted_by_me: true }] });

    await ada().patch("/api/me", { display_name: "Ada Lovelace" });
    expect((await seen(bob)).author.display_name).toBe("Ada Lovelace");
    expect((await seen(ada)).author.display_name).toBe("Ada Lovelace");
  });

  test("pins: add, list, limit of 100, remove", async () => {
    const { body: ch } = await ada().post(`/api/workspaces/${team.workspace.id}/channels`, { name: "pins" });
    const path = `/api/channels/${ch.channel.id}`;
    const ids: string[] = [];
    for (let i = 0; i < 101; i++) ids.push((await ada().post(`${path}/messages`, { body: `p${i}` })).body.message.id);
    for (const id of ids.slice(0, 100)) expect((await ada().post(`${path}/pins`, { message_id: id })).status).toBe(201);
    const over = await ada().post(`${path}/pins`, { message_id: ids[100] });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe("pin_limit");
    expect((await ada().post(`${path}/pins`, { message_id: ids[0] })).status).toBe(409);
    expect((await ada().get(`${path}/pins`)).body.messages).toHaveLength(100);
    const un = await ada().delete(`${path}/pins/${ids[0]}`);
    expect(un.status).toBe(200);
    expect(un.body.event.type).toBe("pin.removed");
    expect((await ada().delete(`${path}/pins/${ids[0]}`)).status).toBe(404);
  }, 60_000); // 200+ sequential writes: on Postgres each waits for its own commit (fsync)
});
