// The Store contract, executable: one suite every implementation runs (SQLite in
// src/store/sqlite/contract.test.ts, Postgres beside it), after drizzle's per-dialect `tests()`
// functions that each driver runs. It speaks only through the `Store` interface, so what passes
// here behaves the same behind every route. Each test makes its own team (unique handles and
// names), so the tests share one database and may run in any order.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { auditEntry, audited } from "../chat/audit.ts";
import { AppError } from "../chat/errors.ts";
import { DEFAULT_SCOPE } from "../chat/notifications.ts";
import { LIMITS } from "../chat/rules.ts";
import type { Role, StoredEvent, User } from "../chat/types.ts";
import { parseQuery } from "../search/query.ts";
import { queryRows } from "../testing/db-inspect.ts";
import type { PostMessageInput, Scope, SearchInput, Store } from "./store.ts";

/**
 * A store on a fresh database, and `twin`: another store on the same database, standing for a
 * second server process (its own connections and writer), so a rule's race is run across
 * processes and not only inside one. Cleanup runs after the twin is closed.
 */
export type OpenStore = () => Promise<{ store: Store; twin(): Promise<Store>; cleanup(): Promise<void> }>;

/** The refusal a write must end in: an AppError with this status and code. */
export async function refused(p: Promise<unknown>, status: number, code: string): Promise<AppError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AppError);
  const e = caught as AppError;
  expect([e.status, e.code]).toEqual([status, code]);
  return e;
}

const later = (ms: number) => new Date(Date.now() + ms).toISOString();
const appRevokeNone = { revoke_slash_commands: false, revoke_event_subscriptions: false, revoke_bot_tokens: false, delete_bot: false };
const appRevokeAll = { revoke_slash_commands: true, revoke_event_subscriptions: true, revoke_bot_tokens: true, delete_bot: true };
let counter = 0;
/** A name no other test uses (handles: lowercase, at most 32 characters). */
const unique = (base: string) => `${base}${Date.now().toString(36).slice(-5)}${(counter++).toString(36)}`;

export function storeContract(name: string, open: OpenStore): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    /** The same database through another "process". */
    let other: Store;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      const opened = await open();
      ({ store, cleanup } = opened);
      other = await opened.twin();
    });
    afterAll(async () => {
      await other?.close();
      await cleanup?.();
    });

    /** A workspace with an owner and members (`ada`, `bob`, … with unique handles). */
    async function team(names: string[] = ["ada", "bob", "cy"], roles: Role[] = []) {
      const users: User[] = [];
      for (const n of names) users.push(await store.users.create({ kind: "human", displayName: n, handle: unique(n) }));
      const { workspace, channels } = await store.workspaces.create({ name: unique("Team"), ownerId: users[0]!.id });
      for (const [i, u] of users.slice(1).entries()) await store.workspaces.addMember(workspace.id, u.id, roles[i] ?? "member");
      const general = channels.find((c) => c.name === "general")!;
      const guest = channels.find((c) => c.name === "guest")!;
      const inGeneral: Scope = { kind: "channel", id: general.id, workspaceId: workspace.id };
      const inGuest: Scope = { kind: "channel", id: guest.id, workspaceId: workspace.id };
      const post = (authorId: string, body: string, extra: Partial<PostMessageInput> = {}) =>
        store.messages.post({ scope: inGeneral, authorId, body, ...extra });
      return { users, ids: users.map((u) => u.id), workspace, general, guest, inGeneral, inGuest, post };
    }
    type Team = Awaited<ReturnType<typeof team>>;

    /** Outcomes of concurrent writes, sorted: "ok" or the refusal's code. */
    const codes = (results: PromiseSettledResult<unknown>[]) =>
      results.map((r) => (r.status === "fulfilled" ? "ok" : (r.reason as AppError).code)).sort();

    async function dmOf(t: Team, memberIds: string[]): Promise<Scope> {
      const { conversation } = await store.dms.open(t.workspace.id, memberIds, memberIds[0]!);
      return { kind: "dm", id: conversation.id, workspaceId: t.workspace.id };
    }

    async function allEvents(workspaceId: string, after: string | null = null): Promise<StoredEvent[]> {
      const out: StoredEvent[] = [];
      let cursor = after;
      for (;;) {
        const page = await store.events.replayAfter(workspaceId, cursor, 100);
        expect(page.status).toBe("ok");
        out.push(...page.events);
        if (!page.hasMore || page.events.length === 0) return out;
        cursor = page.events[page.events.length - 1]!.cursor;
      }
    }

    describe("posting", () => {
      test("root messages take the next channel seq and announce message.created with it", async () => {
        const t = await team();
        const a = await t.post(t.ids[0]!, "first");
        const b = await t.post(t.ids[1]!, "second");
        expect([a.message.channel_seq, b.message.channel_seq]).toEqual([1, 2]);
        expect(a.replayed).toBe(false);
        expect(a.message).toMatchObject({ body: "first", author_id: t.ids[0]!, channel_id: t.general.id, thread_root_id: a.message.id, parent_message_id: null, kind: "message" });
        expect(a.events.map((e) => e.type)).toEqual(["message.created"]);
        expect(a.events[0]).toMatchObject({ seq: 1, channel_id: t.general.id, workspace_id: t.workspace.id, payload: { message_id: a.message.id, author_id: t.ids[0]! } });
        expect((await store.messages.get(a.message.id, t.ids[1]!))?.body).toBe("first");
        expect((await store.channels.get(t.general.id, t.ids[2]!))?.last_seq).toBe(2);
      });

      test("a nonce replays the same post: same message, no event, no seq spent", async () => {
        const t = await team();
        const first = await t.post(t.ids[0]!, "hello", { nonce: "n-1" });
        const again = await t.post(t.ids[0]!, "hello", { nonce: "n-1" });
        expect(again.replayed).toBe(true);
        expect(again.events).toEqual([]);
        expect(again.message.id).toBe(first.message.id);
        expect(first.events[0]!.payload.nonce).toBe("n-1");
        expect((await t.post(t.ids[0]!, "next")).message.channel_seq).toBe(2);
        expect((await store.messages.byNonce(t.workspace.id, t.ids[0]!, "n-1", t.ids[0]!))?.id).toBe(first.message.id);
        expect(await store.messages.byNonce(t.workspace.id, t.ids[1]!, "n-1", t.ids[1]!)).toBeNull();
      });

      test("the same nonce with another payload is 409 nonce_conflict and writes nothing", async () => {
        const t = await team();
        await t.post(t.ids[0]!, "hello", { nonce: "n-2" });
        const tail = await store.events.tail(t.workspace.id);
        await refused(t.post(t.ids[0]!, "hello, edited", { nonce: "n-2" }), 409, "nonce_conflict");
        await refused(t.post(t.ids[0]!, "hello", { nonce: "n-2", scope: t.inGuest }), 409, "nonce_conflict");
        expect(await store.events.tail(t.workspace.id)).toBe(tail);
        expect((await t.post(t.ids[0]!, "next")).message.channel_seq).toBe(2);
      });

      test("a nonce belongs to its author: another author's same nonce is a new message", async () => {
        const t = await team();
        const a = await t.post(t.ids[0]!, "hello", { nonce: "shared" });
        const b = await t.post(t.ids[1]!, "hello", { nonce: "shared" });
        expect(b.replayed).toBe(false);
        expect(b.message.id).not.toBe(a.message.id);
      });

      test("concurrent posts with one nonce make one message; the others replay it", async () => {
        const t = await team();
        const results = await Promise.all(Array.from({ length: 8 }, () => t.post(t.ids[0]!, "once", { nonce: "race" })));
        expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
        expect(results.filter((r) => !r.replayed)).toHaveLength(1);
        const page = await store.messages.page(t.inGeneral, { kind: "latest", limit: 50 }, t.ids[0]!);
        expect(page.messages).toHaveLength(1);
      });

      test("seqs are never reused: concurrent posts, deletes and refused writes leave no gap and no repeat", async () => {
        const t = await team();
        const posted = await Promise.all(Array.from({ length: 20 }, (_, i) => t.post(t.ids[i % 3]!, `m${i}`)));
        expect(posted.map((p) => p.message.channel_seq).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        const last = posted.find((p) => p.message.channel_seq === 20)!;
        await store.messages.remove(last.message.id, last.message.author_id);
        await refused(t.post(t.ids[0]!, "bad parent", { parentMessageId: "msg_missing" }), 404, "not_found");
        expect((await t.post(t.ids[0]!, "after")).message.channel_seq).toBe(21);
      });

      test("mentions name members of the workspace (of the DM, in a DM), never @channel or strangers", async () => {
        const t = await team();
        const stranger = await store.users.create({ kind: "human", displayName: "Zed", handle: unique("zed") });
        const [ada, bob, cy] = t.users;
        const r = await t.post(ada!.id, `hi @${bob!.handle} and @${stranger.handle} @channel \`@${cy!.handle}\``);
        expect(r.events[0]!.mentioned_user_ids).toEqual([bob!.id]);
        const dm = await dmOf(t, [ada!.id, bob!.id]);
        const d = await store.messages.post({ scope: dm, authorId: ada!.id, body: `@${bob!.handle} @${cy!.handle}` });
        expect(d.events[0]!.mentioned_user_ids).toEqual([bob!.id]);
      });

      test("a topic must belong to the workspace and to this channel (or to none)", async () => {
        const t = await team();
        const other = await team(["zoe"]);
        const wide = await store.topics.create({ workspaceId: t.workspace.id, name: "release", createdBy: t.ids[0]! });
        const ops = (await store.channels.create({ workspaceId: t.workspace.id, name: "ops", createdBy: t.ids[0]! })).channel;
        const narrow = await store.topics.create({ workspaceId: t.workspace.id, channelId: ops.id, name: "oncall", createdBy: t.ids[0]! });
        const foreign = await store.topics.create({ workspaceId: other.workspace.id, name: "x", createdBy: other.ids[0]! });
        const r = await t.post(t.ids[0]!, "on topic", { topicId: wide.id });
        expect(r.message.topic_id).toBe(wide.id);
        expect(r.events[0]!.payload.topic_id).toBe(wide.id);
        await refused(t.post(t.ids[0]!, "x", { topicId: narrow.id }), 404, "not_found");
        await refused(t.post(t.ids[0]!, "x", { topicId: foreign.id }), 404, "not_found");
        await store.messages.post({ scope: { kind: "channel", id: ops.id, workspaceId: t.workspace.id }, authorId: t.ids[0]!, body: "ok", topicId: narrow.id });
        const page = await store.messages.page(t.inGeneral, { kind: "latest", limit: 10 }, t.ids[0]!, wide.id);
        expect(page.messages.map((m) => m.id)).toEqual([r.message.id]);
      });

      test("agent activity keeps its kind and turn on the message and the event", async () => {
        const t = await team();
        const r = await t.post(t.ids[0]!, "thinking", { kind: "agent_commentary", turnId: "turn-9" });
        expect(r.message).toMatchObject({ kind: "agent_commentary", turn_id: "turn-9" });
        expect(r.events[0]!.payload).toMatchObject({ kind: "agent_commentary", turn_id: "turn-9" });
      });
    });

    describe("guest budget", () => {
      const budget = { max: 3, windowMs: 24 * 3600_000 };

      test("the post over budget is 429 guest_post_limit with a Retry-After", async () => {
        const t = await team(["ada", "gus"], ["guest"]);
        for (let i = 0; i < 3; i++) await store.messages.post({ scope: t.inGuest, authorId: t.ids[1]!, body: `g${i}`, budget });
        const e = await refused(store.messages.post({ scope: t.inGuest, authorId: t.ids[1]!, body: "over", budget }), 429, "guest_post_limit");
        expect(Number(e.headers?.["Retry-After"])).toBeGreaterThan(0);
        expect(await store.moderation.postsSince(t.workspace.id, t.ids[1]!, later(-3600_000))).toBe(3);
        expect((await store.moderation.entry(t.workspace.id, t.ids[1]!))).toMatchObject({ posts_remaining: 0, post_limit: 3 });
      });

      test("concurrent posts cannot overshoot the budget", async () => {
        const t = await team(["ada", "gus"], ["guest"]);
        const results = await Promise.allSettled(Array.from({ length: 7 }, (_, i) => store.messages.post({ scope: t.inGuest, authorId: t.ids[1]!, body: `race ${i}`, budget })));
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
        for (const r of results) if (r.status === "rejected") expect((r.reason as AppError).code).toBe("guest_post_limit");
      });

      test("slash invocations spend the same budget as posts, and concurrent ones cannot overshoot it", async () => {
        const t = await team(["ada", "gus"], ["guest"]);
        const bot = await store.bots.create({ workspaceId: t.workspace.id, displayName: "Budget" });
        const cmd = await store.integrations.createSlashCommand({ workspaceId: t.workspace.id, command: "/spend", description: "", callbackUrl: "https://example.com/s", botUserId: bot.id, createdBy: t.ids[0]! });
        const call = { commandId: cmd.id, workspaceId: t.workspace.id, channelId: t.guest.id, userId: t.ids[1]!, text: "", outcome: "pending", responseStatus: null, error: null };
        await store.messages.post({ scope: t.inGuest, authorId: t.ids[1]!, body: "one post", budget });
        const results = await Promise.allSettled(Array.from({ length: 6 }, () => store.integrations.recordInvocation(call, budget)));
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
        for (const r of results) if (r.status === "rejected") expect((r.reason as AppError).code).toBe("guest_post_limit");
        // The budget is spent: a post is refused too.
        await refused(store.messages.post({ scope: t.inGuest, authorId: t.ids[1]!, body: "over", budget }), 429, "guest_post_limit");
        const id = (results.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<string>).value;
        await store.integrations.finishInvocation(id, { outcome: "in_channel", responseStatus: 200, error: null });
        expect(await store.integrations.invocationsSince(t.workspace.id, t.ids[1]!, later(-3600_000))).toBe(2);
        expect(await store.moderation.entry(t.workspace.id, t.ids[1]!)).toMatchObject({ posts_remaining: 0, post_limit: 3 });
        // Without a budget (a member) nothing is counted.
        await store.integrations.recordInvocation({ ...call, userId: t.ids[0]! });
      });

      test("a nonce replay is not a new post and costs nothing", async () => {
        const t = await team(["ada", "gus"], ["guest"]);
        for (let i = 0; i < 3; i++) await store.messages.post({ scope: t.inGuest, authorId: t.ids[1]!, body: "same", nonce: `b${i}`, budget });
        const again = await store.messages.post({ scope: t.inGuest, authorId: t.ids[1]!, body: "same", nonce: "b0", budget });
        expect(again.replayed).toBe(true);
      });
    });

    describe("threads", () => {
      test("replies take thread seqs and announce thread.reply_created then thread.state_updated", async () => {
        const t = await team();
        const root = await t.post(t.ids[0]!, "root");
        const r1 = await t.post(t.ids[1]!, "one", { parentMessageId: root.message.id });
        const r2 = await t.post(t.ids[2]!, "two", { parentMessageId: root.message.id });
        expect([r1.message.thread_seq, r2.message.thread_seq]).toEqual([1, 2]);
        expect(r1.message.channel_seq).toBeNull();
        expect(r2.events.map((e) => e.type)).toEqual(["thread.reply_created", "thread.state_updated"]);
        expect(r2.events[0]!.payload).toMatchObject({ message_id: r2.message.id, root_message_id: root.message.id, thread_seq: 2 });
        expect(r2.threadState).toMatchObject({ root_message_id: root.message.id, reply_count: 2, last_reply_author_ids: [t.ids[2]!, t.ids[1]!] });
        expect(r2.events[1]!.payload.thread_state).toEqual(r2.threadState);
        // Replies do not take channel seqs: the next root continues the channel.
        expect((await t.post(t.ids[0]!, "next root")).message.channel_seq).toBe(2);
        const thread = await store.messages.thread(root.message.id, { kind: "oldest", limit: 10 }, t.ids[0]!);
        expect(thread.replies.map((m) => m.id)).toEqual([r1.message.id, r2.message.id]);
        expect(thread.thread_state.reply_count).toBe(2);
        const page = await store.messages.page(t.inGeneral, { kind: "latest", limit: 10 }, t.ids[0]!);
        expect(page.messages.map((m) => m.body)).toEqual(["root", "next root"]);
      });

      test("recent reply authors: distinct, newest first, at most three", async () => {
        const t = await team(["ada", "bob", "cy", "dee"]);
        const root = await t.post(t.ids[0]!, "root");
        let state;
        for (const who of [0, 1, 2, 3, 1]) state = (await t.post(t.ids[who]!, "r", { parentMessageId: root.message.id })).threadState;
        expect(state!.last_reply_author_ids).toEqual([t.ids[1]!, t.ids[3]!, t.ids[2]!]);
        expect(state!.reply_count).toBe(5);
      });

      test("deleting a reply updates the thread state and announces it", async () => {
        const t = await team();
        const root = await t.post(t.ids[0]!, "root");
        const reply = await t.post(t.ids[1]!, "reply", { parentMessageId: root.message.id });
        const tail = await store.events.tail(t.workspace.id);
        const removed = await store.messages.remove(reply.message.id, t.ids[1]!);
        expect(removed.event.type).toBe("message.deleted");
        const after = await allEvents(t.workspace.id, tail);
        expect(after.map((e) => e.type)).toEqual(["message.deleted", "thread.state_updated"]);
        expect(after[1]!.payload.thread_state).toMatchObject({ reply_count: 0, last_reply_author_ids: [] });
        expect((await store.messages.thread(root.message.id, { kind: "oldest", limit: 5 }, t.ids[0]!)).thread_state.reply_count).toBe(0);
      });

      test("threads are one level deep; a reply needs a live root in the same channel", async () => {
        const t = await team();
        const root = await t.post(t.ids[0]!, "root");
        const reply = await t.post(t.ids[1]!, "reply", { parentMessageId: root.message.id });
        await refused(t.post(t.ids[0]!, "nested", { parentMessageId: reply.message.id }), 400, "nested_thread");
        await refused(store.messages.post({ scope: t.inGuest, authorId: t.ids[0]!, body: "elsewhere", parentMessageId: root.message.id }), 404, "not_found");
        await refused(store.messages.thread(reply.message.id, { kind: "oldest", limit: 5 }, t.ids[0]!), 400, "not_thread_root");
        const gone = await t.post(t.ids[0]!, "to delete");
        await store.messages.remove(gone.message.id, t.ids[0]!);
        await refused(t.post(t.ids[0]!, "late", { parentMessageId: gone.message.id }), 404, "not_found");
      });
    });

    describe("quotes, edits, deletes", () => {
      test("a quote snapshots a live message of the same channel", async () => {
        const t = await team();
        const q = await t.post(t.ids[1]!, "quote me");
        const r = await t.post(t.ids[0]!, "quoting", { quotedMessageId: q.message.id });
        expect(r.message).toMatchObject({ quoted_message_id: q.message.id, quoted_body_snapshot: "quote me", quoted_author_id: t.ids[1]! });
        const other = await store.messages.post({ scope: t.inGuest, authorId: t.ids[0]!, body: "guest side" });
        await refused(t.post(t.ids[0]!, "x", { quotedMessageId: other.message.id }), 400, "quote_out_of_scope");
        await store.messages.remove(q.message.id, t.ids[1]!);
        await refused(t.post(t.ids[0]!, "x", { quotedMessageId: q.message.id }), 404, "not_found");
      });

      test("a delete takes the words from the row and from every quote of it", async () => {
        const t = await team();
        const q = await t.post(t.ids[1]!, "regrettable words");
        const quoting = await Promise.all([t.post(t.ids[0]!, "quoting", { quotedMessageId: q.message.id }), t.post(t.ids[2]!, "me too", { quotedMessageId: q.message.id })]);
        const unrelated = await t.post(t.ids[0]!, "quoting another", { quotedMessageId: (await t.post(t.ids[2]!, "keep me")).message.id });
        await store.messages.remove(q.message.id, t.ids[1]!);
        const stored = async (id: string) => (await queryRows(store, "SELECT body, quoted_body_snapshot FROM messages WHERE id = ?", [id]))[0];
        expect(await stored(q.message.id)).toEqual({ body: "", quoted_body_snapshot: null });
        for (const r of quoting) {
          expect(await stored(r.message.id)).toEqual({ body: r.message.body, quoted_body_snapshot: null });
          expect((await store.messages.get(r.message.id, t.ids[0]!))?.quoted_body_snapshot).toBeNull();
        }
        expect((await stored(unrelated.message.id))?.quoted_body_snapshot).toBe("keep me");
      });

      test("only the author edits (403 message_not_writable); a deleted message is 409 message_deleted", async () => {
        const t = await team();
        const m = await t.post(t.ids[0]!, `hello @${t.users[1]!.handle}`);
        await refused(store.messages.edit(m.message.id, "hijack", t.ids[1]!), 403, "message_not_writable");
        const edited = await store.messages.edit(m.message.id, `hello @${t.users[2]!.handle}`, t.ids[0]!);
        expect(edited.message.body).toBe(`hello @${t.users[2]!.handle}`);
        expect(edited.message.edited_at).not.toBeNull();
        expect(edited.event).toMatchObject({ type: "message.updated", seq: 1, payload: { message_id: m.message.id, author_id: t.ids[0]!, edited_at: edited.message.edited_at } });
        expect(edited.event.mentioned_user_ids).toEqual([t.ids[2]!]);
        await store.messages.remove(m.message.id, t.ids[0]!);
        await refused(store.messages.edit(m.message.id, "again", t.ids[0]!), 409, "message_deleted");
        await refused(store.messages.edit("msg_missing", "x", t.ids[0]!), 404, "not_found");
      });

      test("a delete keeps the slot, drops reactions and pins, and cannot happen twice", async () => {
        const t = await team();
        const m = await t.post(t.ids[0]!, "soon gone");
        await store.messages.react(m.message.id, t.ids[1]!, "👍", true);
        await store.messages.pin(t.general.id, m.message.id, t.ids[0]!);
        const removed = await store.messages.remove(m.message.id, t.ids[2]!);
        expect(removed.event).toMatchObject({ type: "message.deleted", seq: 1, payload: { message_id: m.message.id, deleted_by: t.ids[2]! } });
        expect(removed.message.deleted_at).not.toBeNull();
        expect(await store.messages.pins(t.general.id, t.ids[0]!)).toEqual([]);
        expect((await store.messages.scopeOf(m.message.id))?.deleted).toBe(true);
        await refused(store.messages.remove(m.message.id, t.ids[0]!), 404, "not_found");
        await refused(store.messages.react(m.message.id, t.ids[1]!, "👍", true), 404, "not_found");
      });

      test("scopeOf tells where a message lives and who wrote it", async () => {
        const t = await team();
        const root = await t.post(t.ids[0]!, "root");
        const reply = await t.post(t.ids[1]!, "reply", { parentMessageId: root.message.id });
        expect(await store.messages.scopeOf(reply.message.id)).toEqual({ scope: t.inGeneral, authorId: t.ids[1]!, parentMessageId: root.message.id, deleted: false });
        expect(await store.messages.scopeOf("msg_missing")).toBeNull();
      });
    });

    describe("reactions and pins", () => {
      test("a reaction is announced once with the new count; reacting again changes nothing", async () => {
        const t = await team();
        const m = await t.post(t.ids[0]!, "react to me");
        const a = await store.messages.react(m.message.id, t.ids[1]!, "🎉", true);
        expect(a.event).toMatchObject({ type: "reaction.added", payload: { emoji: "🎉", user_id: t.ids[1]!, count: 1, message_id: m.message.id } });
        const b = await store.messages.react(m.message.id, t.ids[2]!, "🎉", true);
        expect(b.event!.payload.count).toBe(2);
        expect((await store.messages.react(m.message.id, t.ids[2]!, "🎉", true)).event).toBeNull();
        const off = await store.messages.react(m.message.id, t.ids[1]!, "🎉", false);
        expect(off.event).toMatchObject({ type: "reaction.removed", payload: { count: 1 } });
        expect(off.reactions).toEqual([{ emoji: "🎉", count: 1, reacted_by_me: false }]);
        expect((await store.messages.react(m.message.id, t.ids[1]!, "🎉", false)).event).toBeNull();
        expect((await store.messages.get(m.message.id, t.ids[2]!))?.reactions).toEqual([{ emoji: "🎉", count: 1, reacted_by_me: true }]);
      });

      test("a message holds a bounded set of different emoji, even when two processes react at once", async () => {
        const t = await team();
        const m = await t.post(t.ids[0]!, "so many feelings");
        const emoji = Array.from({ length: LIMITS.reactionsPerMessage + 2 }, (_, i) => String.fromCodePoint(0x1f600 + i));
        for (const e of emoji.slice(0, LIMITS.reactionsPerMessage - 2)) await store.messages.react(m.message.id, t.ids[1]!, e, true);
        const last = emoji.slice(LIMITS.reactionsPerMessage - 2);
        const results = await Promise.allSettled(last.map((e, i) => (i % 2 ? other : store).messages.react(m.message.id, t.ids[1]!, e, true)));
        expect(codes(results)).toEqual(["ok", "ok", "reaction_limit", "reaction_limit"]);
        expect((await store.messages.get(m.message.id, t.ids[0]!))?.reactions).toHaveLength(LIMITS.reactionsPerMessage);
        // Joining an emoji already there adds no new one; taking one off makes room again.
        expect((await store.messages.react(m.message.id, t.ids[2]!, emoji[0]!, true)).event).toMatchObject({ payload: { count: 2 } });
        await store.messages.react(m.message.id, t.ids[1]!, emoji[1]!, false);
        await store.messages.react(m.message.id, t.ids[2]!, last[results.findIndex((r) => r.status === "rejected")]!, true);
        await refused(store.messages.react(m.message.id, t.ids[2]!, emoji[1]!, true), 409, "reaction_limit");
      });

      test("concurrent identical reactions count once", async () => {
        const t = await team();
        const m = await t.post(t.ids[0]!, "race");
        const results = await Promise.all(Array.from({ length: 6 }, () => store.messages.react(m.message.id, t.ids[1]!, "🔥", true)));
        expect(results.filter((r) => r.event !== null)).toHaveLength(1);
        expect((await store.messages.get(m.message.id, t.ids[0]!))?.reactions).toEqual([{ emoji: "🔥", count: 1, reacted_by_me: false }]);
      });

      test("pins: once per message, listed newest first, unpinned once", async () => {
        const t = await team();
        const a = await t.post(t.ids[0]!, "a");
        const b = await t.post(t.ids[0]!, "b");
        const pinned = await store.messages.pin(t.general.id, a.message.id, t.ids[1]!);
        expect(pinned.event).toMatchObject({ type: "pin.added", seq: 1, channel_id: t.general.id, payload: { message_id: a.message.id, pinned_by: t.ids[1]! } });
        await refused(store.messages.pin(t.general.id, a.message.id, t.ids[1]!), 409, "already_pinned");
        await Bun.sleep(5); // pinned_at has millisecond resolution: a later pin, a later instant
        await store.messages.pin(t.general.id, b.message.id, t.ids[1]!);
        expect((await store.messages.pins(t.general.id, t.ids[0]!)).map((m) => m.id)).toEqual([b.message.id, a.message.id]);
        expect((await store.messages.unpin(t.general.id, a.message.id, t.ids[1]!)).event?.type).toBe("pin.removed");
        await refused(store.messages.unpin(t.general.id, a.message.id, t.ids[1]!), 404, "not_found");
        await refused(store.messages.pin(t.guest.id, b.message.id, t.ids[1]!), 404, "not_found");
      });
    });

    describe("pages", () => {
      test("windows over the channel seq: latest, oldest, before, after, around", async () => {
        const t = await team();
        for (let i = 1; i <= 9; i++) await t.post(t.ids[0]!, `m${i}`);
        const seqs = async (w: Parameters<Store["messages"]["page"]>[1]) => {
          const p = await store.messages.page(t.inGeneral, w, t.ids[0]!);
          return [p.messages.map((m) => m.channel_seq), p.has_older, p.has_newer, p.oldest_seq, p.newest_seq];
        };
        expect(await seqs({ kind: "latest", limit: 3 })).toEqual([[7, 8, 9], true, false, 7, 9]);
        expect(await seqs({ kind: "oldest", limit: 3 })).toEqual([[1, 2, 3], false, true, 1, 3]);
        expect(await seqs({ kind: "before", seq: 4, limit: 2 })).toEqual([[2, 3], true, true, 2, 3]);
        expect(await seqs({ kind: "after", seq: 7, limit: 5 })).toEqual([[8, 9], true, false, 8, 9]);
        expect(await seqs({ kind: "around", seq: 5, limit: 3 })).toEqual([[4, 5, 6], true, true, 4, 6]);
        expect(await seqs({ kind: "after", seq: 9, limit: 5 })).toEqual([[], false, false, 0, 0]);
      });

      // Pages reuse each message's rendering while its version stands (src/store/message-cache.ts):
      // every change must move it, whichever process made it.
      test("a page read again shows every change made since, by this process or another", async () => {
        const t = await team();
        const root = (await t.post(t.ids[0]!, "first")).message;
        const quoted = (await t.post(t.ids[1]!, "to be quoted")).message;
        const quoting = (await t.post(t.ids[2]!, "quoting", { quotedMessageId: quoted.id })).message;
        const page = async (viewer = t.ids[0]!) => {
          const p = await store.messages.page(t.inGeneral, { kind: "latest", limit: 10 }, viewer);
          return new Map(p.messages.map((m) => [m.id, m]));
        };
        const before = (await page()).get(root.id);
        expect((await page()).get(root.id)).toEqual(before!);

        await other.messages.edit(root.id, "first, edited", t.ids[0]!);
        expect((await page()).get(root.id)).toMatchObject({ body: "first, edited", edited_at: expect.any(String) });

        await other.messages.post({ scope: t.inGeneral, authorId: t.ids[1]!, body: "reply", parentMessageId: root.id });
        expect((await page()).get(root.id)!.thread_state).toMatchObject({ reply_count: 1, last_reply_author_ids: [t.ids[1]] });

        await other.messages.react(root.id, t.ids[1]!, "👍", true);
        expect((await page(t.ids[1]!)).get(root.id)!.reactions).toEqual([{ emoji: "👍", count: 1, reacted_by_me: true }]);
        expect((await page(t.ids[0]!)).get(root.id)!.reactions).toEqual([{ emoji: "👍", count: 1, reacted_by_me: false }]);
        await other.messages.react(root.id, t.ids[1]!, "👍", false);
        expect((await page(t.ids[1]!)).get(root.id)!.reactions).toEqual([]);

        await other.users.update(t.ids[0]!, { displayName: "Ada Renamed" });
        expect((await page()).get(root.id)!.author).toMatchObject({ display_name: "Ada Renamed" });

        await other.messages.remove(quoted.id, t.ids[1]!);
        const afterDelete = await page();
        expect(afterDelete.get(quoted.id)).toMatchObject({ body: "", deleted_at: expect.any(String) });
        expect(afterDelete.get(quoting.id)!.quoted_body_snapshot).toBeNull();

        const reserved = await other.uploads.reserve({ workspaceId: t.workspace.id, ownerId: t.ids[2]!, bytes: 10, quota: { maxBytes: 1000, maxFiles: 5 } });
        const file = (await other.uploads.complete(reserved.id, { filename: "a.txt", contentType: "text/plain", byteSize: 10, width: null, height: null, durationMs: null, nonce: null, fingerprint: "fp-page" })).upload;
        await other.uploads.attach(quoting.id, file.id, t.ids[2]!);
        expect((await page()).get(quoting.id)!.attachments!.map((a) => a.id)).toEqual([file.id]);

        // A thread page, its root and its replies alike.
        const thread = async () => store.messages.thread(root.id, { kind: "latest", limit: 10 }, t.ids[0]!);
        const reply = (await thread()).replies[0]!;
        await other.messages.edit(reply.id, "reply, edited", t.ids[1]!);
        await other.messages.edit(root.id, "first, edited twice", t.ids[0]!);
        const seen = await thread();
        expect([seen.root.body, seen.replies[0]!.body]).toEqual(["first, edited twice", "reply, edited"]);
      });

      // Thread pages also keep their window of replies while the root's version and the people's
      // epoch stand (src/store/thread-windows.ts): a change to a reply alone, or to a replier
      // alone, must move them, whichever process made it.
      test("a thread page read again shows every change to its replies, by this process or another", async () => {
        const t = await team();
        const root = (await t.post(t.ids[0]!, "root")).message;
        const first = (await store.messages.post({ scope: t.inGeneral, authorId: t.ids[1]!, body: "one", parentMessageId: root.id })).message;
        const latest = (viewer = t.ids[0]!) => store.messages.thread(root.id, { kind: "latest", limit: 2 }, viewer);
        const bodies = async (viewer?: string) => (await latest(viewer)).replies.map((m) => m.body);
        expect(await bodies()).toEqual(["one"]);
        expect(await bodies()).toEqual(["one"]);

        await other.messages.edit(first.id, "one, edited", t.ids[1]!);
        expect(await bodies()).toEqual(["one, edited"]);

        const second = (await other.messages.post({ scope: t.inGeneral, authorId: t.ids[2]!, body: "two", parentMessageId: root.id })).message;
        expect(await bodies()).toEqual(["one, edited", "two"]);
        await other.messages.post({ scope: t.inGeneral, authorId: t.ids[0]!, body: "three", parentMessageId: root.id });
        const page = await latest();
        expect([page.replies.map((m) => m.body), page.has_older, page.oldest_seq, page.newest_seq]).toEqual([["two", "three"], true, 2, 3]);
        const older = await store.messages.thread(root.id, { kind: "before", seq: 2, limit: 2 }, t.ids[0]!);
        expect([older.replies.map((m) => m.body), older.has_newer]).toEqual([["one, edited"], true]);

        await other.messages.react(second.id, t.ids[1]!, "🎉", true);
        expect((await latest(t.ids[1]!)).replies[0]!.reactions).toEqual([{ emoji: "🎉", count: 1, reacted_by_me: true }]);
        await other.messages.react(second.id, t.ids[1]!, "🎉", false);
        expect((await latest(t.ids[1]!)).replies[0]!.reactions).toEqual([]);

        await other.users.update(t.ids[2]!, { displayName: "Gus Renamed" });
        expect((await latest()).replies[0]!.author).toMatchObject({ id: t.ids[2], display_name: "Gus Renamed" });

        const reserved = await other.uploads.reserve({ workspaceId: t.workspace.id, ownerId: t.ids[2]!, bytes: 10, quota: { maxBytes: 1000, maxFiles: 5 } });
        const file = (await other.uploads.complete(reserved.id, { filename: "b.txt", contentType: "text/plain", byteSize: 10, width: null, height: null, durationMs: null, nonce: null, fingerprint: "fp-thread" })).upload;
        await other.uploads.attach(second.id, file.id, t.ids[2]!);
        expect((await latest()).replies[0]!.attachments!.map((a) => a.id)).toEqual([file.id]);

        await other.messages.remove(second.id, t.ids[2]!);
        const afterDelete = await latest();
        expect(afterDelete.replies[0]).toMatchObject({ id: second.id, body: "", deleted_at: expect.any(String) });
        expect(afterDelete.thread_state.reply_count).toBe(2);
      });
    });

    describe("thread windows and lookups", () => {
      // A reply moves its root's counters from the root's own (countersAfterReply); a deleted
      // reply counts the thread again. Both must agree, whichever process replies.
      test("thread state follows replies from both processes and a deletion, newest repliers first", async () => {
        const t = await team(["ada", "bob", "cy", "dee"]);
        const root = (await t.post(t.ids[0]!, "root")).message;
        const reply = (who: number, via: Store) => via.messages.post({ scope: t.inGeneral, authorId: t.ids[who]!, body: `from ${who}`, parentMessageId: root.id });
        const state = async () => (await store.messages.get(root.id, t.ids[0]!))!.thread_state!;
        await reply(0, store);
        await reply(1, other);
        await reply(2, store);
        await reply(3, other);
        const last = await reply(1, store);
        expect(last.threadState).toMatchObject({ reply_count: 5, last_reply_at: last.message.created_at, last_reply_author_ids: [t.ids[1], t.ids[3], t.ids[2]] });
        expect(await state()).toEqual(last.threadState!);
        await other.messages.remove(last.message.id, t.ids[1]!);
        expect(await state()).toMatchObject({ reply_count: 4, last_reply_author_ids: [t.ids[3], t.ids[2], t.ids[1]] });
        const after = await reply(0, other);
        expect(after.threadState).toMatchObject({ reply_count: 5, last_reply_author_ids: [t.ids[0], t.ids[3], t.ids[2]] });
        expect(await state()).toEqual(after.threadState!);
      });

      test("replies racing from both processes leave the counters a recount of the thread gives", async () => {
        const t = await team(["ada", "bob", "cy", "dee"]);
        const root = (await t.post(t.ids[0]!, "root")).message;
        await Promise.all(Array.from({ length: 12 }, (_, i) =>
          (i % 2 ? other : store).messages.post({ scope: t.inGeneral, authorId: t.ids[i % 4]!, body: `race ${i}`, parentMessageId: root.id })));
        const page = await store.messages.thread(root.id, { kind: "latest", limit: 50 }, t.ids[0]!);
        const newestFirst = [...page.replies].sort((a, b) => b.thread_seq! - a.thread_seq!);
        const recent = [...new Set(newestFirst.map((m) => m.author_id))].slice(0, 3);
        expect(page.replies.map((m) => m.thread_seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
        expect(page.root.thread_state).toEqual({
          root_message_id: root.id, reply_count: 12, last_reply_at: newestFirst.map((m) => m.created_at).sort().at(-1)!, last_reply_author_ids: recent,
        });
      });

      test("thread replies page by thread seq like a channel pages by channel seq", async () => {
        const t = await team();
        const root = await t.post(t.ids[0]!, "root");
        for (let i = 1; i <= 6; i++) await t.post(t.ids[i % 3]!, `r${i}`, { parentMessageId: root.message.id });
        const seqs = async (w: Parameters<Store["messages"]["thread"]>[1]) => {
          const p = await store.messages.thread(root.message.id, w, t.ids[0]!);
          expect(p.root.id).toBe(root.message.id);
          return [p.replies.map((m) => m.thread_seq), p.has_older, p.has_newer, p.oldest_seq, p.newest_seq];
        };
        expect(await seqs({ kind: "latest", limit: 2 })).toEqual([[5, 6], true, false, 5, 6]);
        expect(await seqs({ kind: "before", seq: 3, limit: 5 })).toEqual([[1, 2], false, true, 1, 2]);
        expect(await seqs({ kind: "after", seq: 4, limit: 1 })).toEqual([[5], true, true, 5, 5]);
        expect(await seqs({ kind: "around", seq: 3, limit: 2 })).toEqual([[3, 4], true, true, 3, 4]);
        await refused(store.messages.thread("msg_missing", { kind: "oldest", limit: 1 }, t.ids[0]!), 404, "not_found");
      });

      test("byNonce is scoped to the workspace and the author; a deleted message stays readable as deleted", async () => {
        const t = await team();
        const other = await team(["zoe"]);
        await store.workspaces.addMember(other.workspace.id, t.ids[0]!, "member");
        const m = await t.post(t.ids[0]!, "mine", { nonce: "k" });
        expect(await store.messages.byNonce(other.workspace.id, t.ids[0]!, "k", t.ids[0]!)).toBeNull();
        await store.messages.remove(m.message.id, t.ids[0]!);
        const gone = await store.messages.get(m.message.id, t.ids[1]!);
        expect(gone?.id).toBe(m.message.id);
        expect(gone?.deleted_at).not.toBeNull();
        expect(await store.messages.get("msg_missing", t.ids[0]!)).toBeNull();
      });

      test("a message carries its author, thread state and reactions as the viewer sees them", async () => {
        const t = await team();
        const root = await t.post(t.ids[0]!, "root");
        await t.post(t.ids[1]!, "reply", { parentMessageId: root.message.id });
        await store.messages.react(root.message.id, t.ids[1]!, "👍", true);
        const seen = await store.messages.get(root.message.id, t.ids[1]!);
        expect(seen).toMatchObject({ author: { id: t.ids[0], handle: t.users[0]!.handle }, thread_state: { reply_count: 1, last_reply_author_ids: [t.ids[1]] }, reactions: [{ emoji: "👍", count: 1, reacted_by_me: true }], body_format: "markdown" });
        expect((await store.messages.get(root.message.id, t.ids[2]!))?.reactions).toEqual([{ emoji: "👍", count: 1, reacted_by_me: false }]);
      });
    });

    describe("read pointers", () => {
      test("move forward only, never past the last message, and only the reader hears of it", async () => {
        const t = await team();
        for (let i = 0; i < 4; i++) await t.post(t.ids[0]!, `m${i}`);
        const r = await store.messages.markRead(t.inGeneral, t.ids[1]!, 2);
        expect(r.receipt).toMatchObject({ scope_id: t.general.id, user_id: t.ids[1]!, last_read_seq: 2 });
        expect(r.event).toMatchObject({ type: "channel.read", seq: 2, payload: { user_id: t.ids[1]!, channel_id: t.general.id, last_read_seq: 2 } });
        expect((r.event as StoredEvent).recipients ?? (await allEvents(t.workspace.id)).at(-1)!.recipients).toEqual([t.ids[1]!]);
        const back = await store.messages.markRead(t.inGeneral, t.ids[1]!, 1);
        expect([back.receipt.last_read_seq, back.event]).toEqual([2, null]);
        const far = await store.messages.markRead(t.inGeneral, t.ids[1]!, 1000);
        expect(far.receipt.last_read_seq).toBe(4);
        expect((await store.messages.markRead(t.inGeneral, t.ids[1]!, 4)).event).toBeNull();
        const ch = await store.channels.get(t.general.id, t.ids[1]!);
        expect([ch?.last_read_seq, ch?.unread_count]).toEqual([4, 0]);
        const other = await store.channels.get(t.general.id, t.ids[2]!);
        expect([other?.last_read_seq, other?.unread_count]).toEqual([0, 4]);
      });

      test("concurrent marks end at the highest", async () => {
        const t = await team();
        for (let i = 0; i < 10; i++) await t.post(t.ids[0]!, `m${i}`);
        const results = await Promise.all([3, 9, 1, 7, 5].map((s) => store.messages.markRead(t.inGeneral, t.ids[1]!, s)));
        const moved = results.filter((r) => r.event).map((r) => r.receipt.last_read_seq);
        expect(moved).toEqual([...moved].sort((a, b) => a - b));
        expect((await store.channels.get(t.general.id, t.ids[1]!))?.last_read_seq).toBe(9);
      });

      test("DM read pointers are dm.read events for the reader", async () => {
        const t = await team();
        const dm = await dmOf(t, [t.ids[0]!, t.ids[1]!]);
        await store.messages.post({ scope: dm, authorId: t.ids[0]!, body: "hi" });
        const r = await store.messages.markRead(dm, t.ids[1]!, 1);
        expect(r.event).toMatchObject({ type: "dm.read", channel_id: null, payload: { direct_conversation_id: dm.id, last_read_seq: 1 } });
        expect((await store.dms.get(dm.id, t.ids[1]!))).toMatchObject({ last_read_seq: 1, unread_count: 0 });
        await refused(store.messages.markRead({ kind: "channel", id: "chn_missing", workspaceId: t.workspace.id }, t.ids[0]!, 1), 404, "not_found");
      });
    });

    describe("mentions, followed threads and preferences", () => {
      const handleOf = (t: Team, i: number) => t.users[i]!.handle;
      const mentionsOf = async (t: Team, userId: string) => (await store.channels.get(t.general.id, userId))!.mention_count;

      test("a direct @handle counts for the named person only, privately, until their read pointer passes it", async () => {
        const t = await team();
        const before = (await store.events.tail(t.workspace.id)) ?? null;
        const m = await t.post(t.ids[0]!, `hey @${handleOf(t, 1)} and @${handleOf(t, 0)}`);
        expect([await mentionsOf(t, t.ids[1]!), await mentionsOf(t, t.ids[2]!), await mentionsOf(t, t.ids[0]!)]).toEqual([1, 0, 0]);
        const mention = (await allEvents(t.workspace.id, before)).find((e) => e.type === "mention.created")!;
        expect(mention).toMatchObject({ recipients: [t.ids[1]!], payload: { message_id: m.message.id, channel_id: t.general.id } });
        expect((await store.channels.list(t.workspace.id, t.ids[1]!, { guestOnly: false, includeArchived: false })).find((c) => c.id === t.general.id)?.mention_count).toBe(1);
        const read = await store.messages.markRead(t.inGeneral, t.ids[1]!, m.message.channel_seq!);
        expect(read.event?.payload).toMatchObject({ mention_count: 0 });
        expect(await mentionsOf(t, t.ids[1]!)).toBe(0);
      });

      test("@channel reaches those who want everything; `mentions` and `muted` are left out; muted ignores even @handle", async () => {
        const t = await team(["ada", "bob", "cy", "dee"]);
        await store.notifications.updateSetting(t.ids[2]!, t.general.id, { preference: "mentions" });
        await store.notifications.updateSetting(t.ids[3]!, t.general.id, { preference: "muted" });
        await t.post(t.ids[0]!, "@channel lunch?");
        expect(await Promise.all(t.ids.map((id) => mentionsOf(t, id)))).toEqual([0, 1, 0, 0]);
        await t.post(t.ids[0]!, `@${handleOf(t, 2)} @${handleOf(t, 3)} you two`);
        expect(await Promise.all(t.ids.map((id) => mentionsOf(t, id)))).toEqual([0, 1, 1, 0]);
        // A person's default applies where they set nothing for the channel.
        await store.notifications.updateSetting(t.ids[1]!, "", { preference: "mentions" });
        await t.post(t.ids[0]!, "@here again");
        expect(await mentionsOf(t, t.ids[1]!)).toBe(1);
        expect(await store.notifications.setting(t.ids[1]!, t.general.id)).toMatchObject({ preference: "mentions" });
      });

      test("replies reach the thread's followers; reading the thread reads them and the channel's count follows", async () => {
        const t = await team();
        const root = await t.post(t.ids[0]!, "plan");
        const r1 = await t.post(t.ids[1]!, "a reply", { parentMessageId: root.message.id });
        expect(await mentionsOf(t, t.ids[0]!)).toBe(1); // ada started the thread
        await t.post(t.ids[2]!, `and @${handleOf(t, 1)}`, { parentMessageId: root.message.id });
        expect([await mentionsOf(t, t.ids[0]!), await mentionsOf(t, t.ids[1]!)]).toEqual([2, 1]);
        const followed = await store.notifications.threads(t.workspace.id, t.ids[0]!, 20);
        expect(followed).toMatchObject([{ root_message_id: root.message.id, reason: "started", following: true, unread_count: 2, mention_count: 2 }]);
        // The channel's read pointer does not read thread replies; the thread's does.
        await store.messages.markRead(t.inGeneral, t.ids[0]!, 100);
        expect(await mentionsOf(t, t.ids[0]!)).toBe(2);
        const read = await store.notifications.readThread(root.message.id, t.ids[0]!, r1.message.thread_seq!);
        expect(read.event).toMatchObject({ type: "thread.read", recipients: [t.ids[0]!], payload: { root_message_id: root.message.id, mention_count: 1 } });
        expect(read.thread).toMatchObject({ last_read_seq: 1, unread_count: 1, mention_count: 1 });
        expect((await store.notifications.readThread(root.message.id, t.ids[0]!, 0)).event).toBeNull();
        await store.notifications.readThread(root.message.id, t.ids[0]!, 99);
        expect(await mentionsOf(t, t.ids[0]!)).toBe(0);
        // Unfollowing stops replies from counting; a reply of one's own follows again.
        await store.notifications.follow(root.message.id, t.ids[0]!, false);
        await t.post(t.ids[1]!, "more", { parentMessageId: root.message.id });
        expect(await mentionsOf(t, t.ids[0]!)).toBe(0);
        expect(await store.notifications.threads(t.workspace.id, t.ids[0]!, 20)).toEqual([]);
        await t.post(t.ids[0]!, "back", { parentMessageId: root.message.id });
        await t.post(t.ids[1]!, "welcome", { parentMessageId: root.message.id });
        expect(await mentionsOf(t, t.ids[0]!)).toBe(1);
        await refused(store.notifications.readThread(r1.message.id, t.ids[0]!, 1), 400, "not_thread_root");
      });

      test("a deleted message's mention no longer counts; DMs count mentions too", async () => {
        const t = await team();
        const m = await t.post(t.ids[0]!, `@${handleOf(t, 1)} oops`);
        await store.messages.remove(m.message.id, t.ids[0]!);
        expect(await mentionsOf(t, t.ids[1]!)).toBe(0);
        const dm = await dmOf(t, [t.ids[0]!, t.ids[1]!]);
        await store.messages.post({ scope: dm, authorId: t.ids[0]!, body: `@${handleOf(t, 1)} ping` });
        expect((await store.dms.get(dm.id, t.ids[1]!))?.mention_count).toBe(1);
        expect((await store.dms.list(t.ids[1]!, t.workspace.id)).find((d) => d.id === dm.id)?.mention_count).toBe(1);
      });

      test("defaults keep do-not-disturb hours; a channel setting keeps only its preference", async () => {
        const t = await team();
        expect(await store.notifications.setting(t.ids[0]!, "")).toEqual({ preference: "all", dnd_start_minute: null, dnd_end_minute: null });
        await store.notifications.updateSetting(t.ids[0]!, "", { dnd_start_minute: 22 * 60, dnd_end_minute: 7 * 60 });
        await store.notifications.updateSetting(t.ids[0]!, t.general.id, { preference: "muted", dnd_start_minute: 1 });
        expect(await store.notifications.setting(t.ids[0]!, t.general.id)).toEqual({ preference: "muted", dnd_start_minute: 1320, dnd_end_minute: 420 });
      });
    });

    describe("event log", () => {
      test("cursors strictly increase in commit order; onCommit hears each event once, in order", async () => {
        const t = await team();
        const heard: StoredEvent[] = [];
        const stop = store.events.onCommit((batch) => heard.push(...batch.filter((e) => e.workspace_id === t.workspace.id)));
        const before = await store.events.tail(t.workspace.id);
        const results = await Promise.all(Array.from({ length: 40 }, (_, i) => t.post(t.ids[i % 3]!, `burst ${i}`)));
        stop();
        const log = await allEvents(t.workspace.id, before);
        expect(log).toHaveLength(40);
        const cursors = log.map((e) => e.cursor);
        for (let i = 1; i < cursors.length; i++) expect(cursors[i]! > cursors[i - 1]!).toBe(true);
        expect(heard.map((e) => e.cursor)).toEqual(cursors);
        expect(new Set(results.map((r) => r.events[0]!.cursor))).toEqual(new Set(cursors));
        expect(await store.events.tail(t.workspace.id)).toBe(cursors.at(-1)!);
        // The seq order of a channel is the commit order.
        expect(log.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      });

      test("a reader tailing during a burst never sees a cursor before one it already passed", async () => {
        const t = await team();
        const seen: string[] = [];
        let cursor = await store.events.tail(t.workspace.id);
        let done = false;
        const writes = (async () => {
          for (let round = 0; round < 6; round++) await Promise.all(Array.from({ length: 10 }, (_, i) => t.post(t.ids[i % 3]!, `r${round}.${i}`)));
          done = true;
        })();
        while (!done) {
          const page = await store.events.replayAfter(t.workspace.id, cursor, 1000);
          expect(page.status).toBe("ok");
          for (const e of page.events) seen.push(e.cursor);
          if (page.events.length) cursor = page.events.at(-1)!.cursor;
          await Bun.sleep(1);
        }
        await writes;
        const rest = await allEvents(t.workspace.id, cursor);
        seen.push(...rest.map((e) => e.cursor));
        const full = (await allEvents(t.workspace.id)).map((e) => e.cursor).filter((c) => c > (seen[0] ?? "") || c === seen[0]);
        expect(seen).toEqual(full);
        expect(seen).toHaveLength(60);
      });

      test("replayAfter pages with hasMore and starts after the cursor", async () => {
        const t = await team();
        for (let i = 0; i < 5; i++) await t.post(t.ids[0]!, `m${i}`);
        const all = await allEvents(t.workspace.id);
        const created = all.filter((e) => e.type === "message.created");
        expect(created).toHaveLength(5);
        const first = await store.events.replayAfter(t.workspace.id, null, 2);
        expect([first.status, first.events.map((e) => e.cursor), first.hasMore]).toEqual(["ok", all.slice(0, 2).map((e) => e.cursor), true]);
        const tail = await store.events.replayAfter(t.workspace.id, all.at(-2)!.cursor, 10);
        expect([tail.events.map((e) => e.cursor), tail.hasMore]).toEqual([[all.at(-1)!.cursor], false]);
        const end = await store.events.replayAfter(t.workspace.id, all.at(-1)!.cursor, 10);
        expect([end.status, end.events, end.hasMore]).toEqual(["ok", [], false]);
        // Stored events round-trip whole: payload, recipients and the DM gate.
        expect(all.find((e) => e.cursor === created[0]!.cursor)).toMatchObject({ type: "message.created", recipients: null, direct_conversation_id: null, channel_id: t.general.id });
      });

      test("unknown cursors: pruned, future, foreign, garbage", async () => {
        const t = await team();
        const other = await team(["zoe"]);
        for (let i = 0; i < 4; i++) await t.post(t.ids[0]!, `m${i}`);
        await other.post(other.ids[0]!, "elsewhere");
        const foreign = (await store.events.tail(other.workspace.id))!;
        const log = await allEvents(t.workspace.id);
        const future = `cur_7${"z".repeat(25)}`;
        for (const c of [foreign, future, "garbage", "cur_", ""]) {
          expect(await store.events.replayAfter(t.workspace.id, c, 10)).toEqual({ status: "unknown_cursor", events: [], hasMore: false });
        }
        await store.events.prune(t.workspace.id, { olderThan: later(60_000), keepLatest: 2 });
        expect((await store.events.replayAfter(t.workspace.id, log[0]!.cursor, 10)).status).toBe("unknown_cursor");
        const kept = await store.events.replayAfter(t.workspace.id, log.at(-2)!.cursor, 10);
        expect([kept.status, kept.events.map((e) => e.cursor)]).toEqual(["ok", [log.at(-1)!.cursor]]);
      });

      test("prune removes old events but keeps the latest N; the cursor sequence goes on", async () => {
        const t = await team();
        for (let i = 0; i < 6; i++) await t.post(t.ids[0]!, `m${i}`);
        const log = await allEvents(t.workspace.id);
        expect(await store.events.prune(t.workspace.id, { olderThan: later(-3600_000), keepLatest: 0 })).toBe(0);
        const n = await store.events.prune(t.workspace.id, { olderThan: later(60_000), keepLatest: 3 });
        expect(n).toBe(log.length - 3);
        expect((await allEvents(t.workspace.id)).map((e) => e.cursor)).toEqual(log.slice(-3).map((e) => e.cursor));
        expect(await store.events.tail(t.workspace.id)).toBe(log.at(-1)!.cursor);
        const next = await t.post(t.ids[0]!, "after prune");
        expect(next.events[0]!.cursor > log.at(-1)!.cursor).toBe(true);
        expect(await store.events.prune(t.workspace.id, { olderThan: later(60_000), keepLatest: 0 })).toBe(4);
        expect(await allEvents(t.workspace.id)).toEqual([]);
        expect(await store.events.tail(t.workspace.id)).toBe(next.events[0]!.cursor);
        expect((await t.post(t.ids[0]!, "still")).events[0]!.cursor > next.events[0]!.cursor).toBe(true);
      });

      test("a refused write appends nothing and leaves the cursor where it was", async () => {
        const t = await team();
        await t.post(t.ids[0]!, "one");
        const tail = await store.events.tail(t.workspace.id);
        const heard: StoredEvent[] = [];
        const stop = store.events.onCommit((b) => heard.push(...b.filter((e) => e.workspace_id === t.workspace.id)));
        const results = await Promise.allSettled([
          t.post(t.ids[0]!, "bad quote", { quotedMessageId: "msg_missing" }),
          t.post(t.ids[0]!, "good"),
          store.messages.edit("msg_missing", "x", t.ids[0]!),
        ]);
        stop();
        expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "rejected"]);
        const after = await allEvents(t.workspace.id, tail);
        expect(after.map((e) => e.payload.message_id)).toEqual([(results[1] as PromiseFulfilledResult<{ message: { id: string } }>).value.message.id]);
        expect(heard.map((e) => e.cursor)).toEqual(after.map((e) => e.cursor));
      });

      test("a new workspace has no tail; its log starts with its channels", async () => {
        const t = await team(["solo"]);
        const log = await allEvents(t.workspace.id);
        expect(log.map((e) => [e.type, e.payload.name])).toEqual([["channel.created", "general"], ["channel.created", "guest"]]);
        expect(await store.events.tail("wsp_missing")).toBeNull();
      });
    });

    describe("channels", () => {
      test("any kind, and the presentation fields (title, external place, sidebar section), are stored and patched", async () => {
        const t = await team();
        const { channel } = await store.channels.create({ workspaceId: t.workspace.id, name: "gh-42", kind: "github_issue", externalManaged: true, externalRef: "org/repo#42", externalUrl: "https://github.com/org/repo/issues/42", sidebarSection: "Issues", createdBy: t.ids[0]! });
        expect(channel).toMatchObject({ kind: "github_issue", external_managed: true, external_ref: "org/repo#42", external_url: "https://github.com/org/repo/issues/42", sidebar_section: "Issues", display_title: null });
        const patched = await store.channels.update(channel.id, { displayTitle: "Fix it", sidebarSection: null }, t.ids[0]!);
        expect(patched.channel).toMatchObject({ display_title: "Fix it", sidebar_section: null, external_ref: "org/repo#42", external_managed: true });
        expect(await store.channels.get(channel.id, t.ids[0]!)).toMatchObject({ kind: "github_issue", display_title: "Fix it", external_url: "https://github.com/org/repo/issues/42" });
        const plain = (await store.channels.create({ workspaceId: t.workspace.id, name: "plain", createdBy: t.ids[0]! })).channel;
        expect(plain).toMatchObject({ kind: "public", external_managed: false, external_ref: null, external_url: null, sidebar_section: null });
      });

      test("create, rename, archive and delete announce themselves; names stay unique", async () => {
        const t = await team();
        const { channel, event } = await store.channels.create({ workspaceId: t.workspace.id, name: "ops", displayTitle: "Ops", createdBy: t.ids[0]! });
        expect(channel).toMatchObject({ name: "ops", display_title: "Ops", kind: "public", last_seq: 0, archived_at: null });
        expect(event).toMatchObject({ type: "channel.created", channel_id: channel.id, payload: { name: "ops", kind: "public", created_by: t.ids[0]! } });
        await refused(store.channels.create({ workspaceId: t.workspace.id, name: "ops", createdBy: t.ids[0]! }), 409, "channel_exists");
        await refused(store.channels.update(channel.id, { name: "general" }, t.ids[0]!), 409, "channel_exists");
        const renamed = await store.channels.update(channel.id, { name: "ops2", archived: true }, t.ids[1]!);
        expect(renamed.channel.archived_at).not.toBeNull();
        expect(renamed.event.payload).toMatchObject({ name: "ops2", archived: true, updated_by: t.ids[1]! });
        expect((await store.channels.list(t.workspace.id, t.ids[0]!, { guestOnly: false, includeArchived: false })).map((c) => c.name)).toEqual(["general", "guest"]);
        expect((await store.channels.list(t.workspace.id, t.ids[0]!, { guestOnly: false, includeArchived: true })).map((c) => c.name)).toEqual(["general", "guest", "ops2"]);
        expect((await store.channels.list(t.workspace.id, t.ids[0]!, { guestOnly: true, includeArchived: true })).map((c) => c.name)).toEqual(["guest"]);
        expect((await store.channels.record(channel.id))?.archivedAt).not.toBeNull();
        const removed = await store.channels.remove(channel.id, t.ids[0]!);
        expect(removed.event).toMatchObject({ type: "channel.deleted", payload: { channel_id: channel.id, deleted_by: t.ids[0]! } });
        expect(await store.channels.record(channel.id)).toBeNull();
        // The name is free again once the channel is gone.
        await store.channels.create({ workspaceId: t.workspace.id, name: "ops2", createdBy: t.ids[0]! });
      });

      test("the last public channel cannot be deleted", async () => {
        const t = await team();
        await refused(store.channels.remove(t.general.id, t.ids[0]!), 409, "last_channel");
        await refused(store.channels.remove("chn_missing", t.ids[0]!), 404, "not_found");
      });

      test("unread counts skip own messages, replies, deletions and agent activity", async () => {
        const t = await team();
        const root = await t.post(t.ids[0]!, "root");
        await t.post(t.ids[0]!, "reply", { parentMessageId: root.message.id });
        await t.post(t.ids[0]!, "progress", { kind: "agent_commentary", turnId: "x" });
        const gone = await t.post(t.ids[0]!, "gone");
        await store.messages.remove(gone.message.id, t.ids[0]!);
        await t.post(t.ids[1]!, "mine");
        expect((await store.channels.get(t.general.id, t.ids[1]!))?.unread_count).toBe(1);
        expect((await store.channels.get(t.general.id, t.ids[0]!))?.unread_count).toBe(1);
      });
    });

    describe("private channels", () => {
      /** ada (owner) makes #secret with bob; cy (member) and gus (guest) are outside. */
      async function secret() {
        const t = await team(["ada", "bob", "cy", "gus"], ["member", "member", "guest"]);
        const created = await store.channels.create({ workspaceId: t.workspace.id, name: unique("secret"), createdBy: t.ids[1]!, private: true });
        const channel = created.channel;
        const added = await store.channels.addMember(channel.id, t.ids[0]!, t.ids[1]!);
        const scope: Scope = { kind: "channel", id: channel.id, workspaceId: t.workspace.id };
        return { t, channel, created, added, scope };
      }
      const listed = async (workspaceId: string, viewerId: string, guestOnly = false) =>
        (await store.channels.list(workspaceId, viewerId, { guestOnly, includeArchived: true })).map((c) => c.name);

      test("the creator is its first member; only members hear of it, list it or find its record's members", async () => {
        const { t, channel, created, added } = await secret();
        expect(channel.private).toBe(true);
        expect(created.event).toMatchObject({ type: "channel.created", payload: { channel_id: channel.id, private: true } });
        expect((created.event as StoredEvent).recipients ?? (await allEvents(t.workspace.id)).find((e) => e.id === created.event.id)!.recipients).toEqual([t.ids[1]!]);
        expect(added.event).toMatchObject({ type: "channel.member_added", payload: { channel_id: channel.id, user_id: t.ids[0]!, added_by: t.ids[1]! } });
        expect(new Set((await store.channels.record(channel.id))!.memberIds)).toEqual(new Set([t.ids[0]!, t.ids[1]!]));
        expect((await store.channels.record(t.general.id))!.memberIds).toBeNull();
        expect((await store.channels.members(channel.id)).map((u) => u.id).sort()).toEqual([t.ids[0]!, t.ids[1]!].sort());
        expect(await listed(t.workspace.id, t.ids[0]!)).toContain(channel.name);
        expect(await listed(t.workspace.id, t.ids[2]!)).not.toContain(channel.name);
        expect(await listed(t.workspace.id, t.ids[3]!, true)).toEqual(["guest"]);
        // A public channel is not marked (the key is left out).
        expect("private" in (await store.channels.get(t.general.id, t.ids[0]!))!).toBe(false);
      });

      test("every event about it goes to its members alone; a change of membership takes effect at its event", async () => {
        const { t, channel, scope } = await secret();
        const first = await store.messages.post({ scope, authorId: t.ids[0]!, body: `hello @${t.users[2]!.handle} @${t.users[1]!.handle}` });
        const recipientsOf = async (id: string) => (await allEvents(t.workspace.id)).find((e) => e.id === id)!.recipients;
        expect(new Set(await recipientsOf(first.events[0]!.id))).toEqual(new Set([t.ids[0]!, t.ids[1]!]));
        // cy is not in it: not mentioned, though named.
        const named = (await allEvents(t.workspace.id)).find((e) => e.type === "mention.created" && e.payload.message_id === first.message.id)!;
        expect(named.recipients).toEqual([t.ids[1]!]);
        expect(await store.messages.pins(channel.id, t.ids[0]!)).toEqual([]);
        const pin = await store.messages.pin(channel.id, first.message.id, t.ids[0]!);
        expect(new Set(await recipientsOf(pin.event.id))).toEqual(new Set([t.ids[0]!, t.ids[1]!]));

        const join = await store.channels.addMember(channel.id, t.ids[3]!, t.ids[0]!);
        expect(new Set(await recipientsOf(join.event!.id))).toEqual(new Set([t.ids[0]!, t.ids[1]!, t.ids[3]!]));
        expect((await store.channels.addMember(channel.id, t.ids[3]!, t.ids[0]!)).event).toBeNull();
        expect(await listed(t.workspace.id, t.ids[3]!, true)).toEqual(["guest", channel.name].sort());

        const leave = await store.channels.removeMember(channel.id, t.ids[1]!, t.ids[0]!);
        expect(leave.event).toMatchObject({ type: "channel.member_removed", payload: { channel_id: channel.id, user_id: t.ids[1]!, removed_by: t.ids[0]! } });
        // The person removed hears of it, and of nothing after it.
        expect(new Set(await recipientsOf(leave.event!.id))).toEqual(new Set([t.ids[0]!, t.ids[1]!, t.ids[3]!]));
        expect((await store.channels.removeMember(channel.id, t.ids[1]!, t.ids[0]!)).event).toBeNull();
        const after = await store.messages.post({ scope, authorId: t.ids[0]!, body: "after bob left" });
        expect(new Set(await recipientsOf(after.events[0]!.id))).toEqual(new Set([t.ids[0]!, t.ids[3]!]));
        const renamed = await store.channels.update(channel.id, { archived: true }, t.ids[0]!);
        expect(new Set(await recipientsOf(renamed.event.id))).toEqual(new Set([t.ids[0]!, t.ids[3]!]));
        expect(await listed(t.workspace.id, t.ids[1]!)).not.toContain(channel.name);
      });

      test("@channel and followed threads reach members only; push candidates are members; left threads are not listed", async () => {
        const { t, channel, scope } = await secret();
        for (const i of [0, 1, 2]) await store.users.update(t.ids[i]!, { pushoverUserKey: `${i}`.repeat(30) });
        const root = await store.messages.post({ scope, authorId: t.ids[0]!, body: "@channel plans" });
        expect((await store.notifications.pushCandidates(root.message.id)).map((c) => c.userId).sort()).toEqual([t.ids[0]!, t.ids[1]!].sort());
        const mention = (await allEvents(t.workspace.id)).find((e) => e.type === "mention.created" && e.payload.message_id === root.message.id)!;
        expect(mention.recipients).toEqual([t.ids[1]!]);
        await store.messages.post({ scope, authorId: t.ids[1]!, body: "a reply", parentMessageId: root.message.id });
        expect((await store.notifications.threads(t.workspace.id, t.ids[1]!, 10)).map((f) => f.root_message_id)).toEqual([root.message.id]);
        await store.channels.removeMember(channel.id, t.ids[1]!, t.ids[1]!);
        expect(await store.notifications.threads(t.workspace.id, t.ids[1]!, 10)).toEqual([]);
        const reply = await store.messages.post({ scope, authorId: t.ids[0]!, body: "another reply", parentMessageId: root.message.id });
        const reach = (await allEvents(t.workspace.id)).find((e) => e.type === "mention.created" && e.payload.message_id === reply.message.id);
        expect(reach?.recipients ?? []).not.toContain(t.ids[1]!);
      });

      test("search finds its messages for members only, on both search paths' rules", async () => {
        const { t, scope } = await secret();
        const word = unique("zebra");
        const hit = await store.messages.post({ scope, authorId: t.ids[0]!, body: `${word} launch codes` });
        const find = async (viewer: number, over: Partial<SearchInput> = {}) =>
          (await store.search.search({ workspaceId: t.workspace.id, viewerId: t.ids[viewer]!, guestOnly: viewer === 3, includeDms: true, query: parseQuery(word), sort: "recent", limit: 10, after: null, ...over })).hits.map((h) => h.message.id);
        expect(await find(0)).toEqual([hit.message.id]);
        expect(await find(1, { sort: "relevance" })).toEqual([hit.message.id]);
        expect(await find(2)).toEqual([]);
        expect(await find(2, { channelId: scope.id })).toEqual([]);
        expect(await find(3)).toEqual([]);
        await store.channels.addMember(scope.id, t.ids[3]!, t.ids[0]!);
        expect(await find(3)).toEqual([hit.message.id]);
      });

      test("membership is a private channel's own; outsiders of the workspace cannot join; privacy is fixed", async () => {
        const { t, channel } = await secret();
        await refused(store.channels.addMember(t.general.id, t.ids[2]!, t.ids[0]!), 409, "channel_not_private");
        await refused(store.channels.removeMember(t.general.id, t.ids[2]!, t.ids[0]!), 409, "channel_not_private");
        const stranger = await store.users.create({ kind: "human", displayName: "x", handle: unique("x") });
        await refused(store.channels.addMember(channel.id, stranger.id, t.ids[0]!), 404, "not_found");
        await refused(store.channels.update(channel.id, { private: false }, t.ids[0]!), 409, "channel_privacy_fixed");
        await refused(store.channels.update(t.general.id, { private: true }, t.ids[0]!), 409, "channel_privacy_fixed");
        expect((await store.channels.update(channel.id, { private: true, displayTitle: "Secret" }, t.ids[0]!)).channel).toMatchObject({ private: true, display_title: "Secret" });
        // A private channel does not count as the workspace's last public one.
        await refused(store.channels.remove(t.general.id, t.ids[0]!), 409, "last_channel");
        await store.channels.remove(channel.id, t.ids[0]!);
      });

      test("two processes adding and removing at once agree on who is in it", async () => {
        const { t, channel } = await secret();
        await Promise.all([
          store.channels.addMember(channel.id, t.ids[2]!, t.ids[0]!),
          other.channels.addMember(channel.id, t.ids[2]!, t.ids[0]!),
          other.channels.removeMember(channel.id, t.ids[1]!, t.ids[0]!),
          store.channels.addMember(channel.id, t.ids[3]!, t.ids[0]!),
        ]);
        const events = (await allEvents(t.workspace.id)).filter((e) => e.type.startsWith("channel.member_"));
        // One add of cy (the other was a no-op), ada's, gus's, and bob's removal.
        expect(events.filter((e) => e.type === "channel.member_added" && e.payload.user_id === t.ids[2]!)).toHaveLength(1);
        expect(new Set((await store.channels.record(channel.id))!.memberIds)).toEqual(new Set([t.ids[0]!, t.ids[2]!, t.ids[3]!]));
      });
    });

    describe("workspaces and members", () => {
      test("a workspace starts with its owner, #general and #guest; slugs are unique", async () => {
        const owner = await store.users.create({ kind: "human", displayName: "Owner", handle: unique("own") });
        const name = unique("Acme");
        const { workspace, channels } = await store.workspaces.create({ name, ownerId: owner.id });
        expect(workspace.role).toBe("owner");
        expect(channels.map((c) => [c.name, c.kind])).toEqual([["general", "public"], ["guest", "guest"]]);
        await Bun.sleep(2); // listFor orders by creation instant (millisecond resolution)
        const again = await store.workspaces.create({ name, ownerId: owner.id });
        expect(again.workspace.slug).not.toBe(workspace.slug);
        await refused(store.workspaces.create({ name: "x", slug: workspace.slug, ownerId: owner.id }), 409, "slug_taken");
        expect((await store.workspaces.bySlug(workspace.slug))?.id).toBe(workspace.id);
        expect((await store.workspaces.listFor(owner.id)).map((w) => w.id)).toEqual([workspace.id, again.workspace.id]);
        expect((await store.workspaces.membership(workspace.id, owner.id))?.role).toBe("owner");
        const updated = await store.workspaces.update(workspace.id, { name: "Renamed", iconUrl: "https://x/y.png" }, owner.id);
        expect(updated.event).toMatchObject({ type: "workspace.updated", payload: { name: "Renamed", slug: workspace.slug, icon_url: "https://x/y.png", updated_by: owner.id } });
        await refused(store.workspaces.update(workspace.id, { slug: again.workspace.slug }, owner.id), 409, "slug_taken");
        await store.workspaces.remove(again.workspace.id);
        expect(await store.workspaces.get(again.workspace.id)).toBeNull();
        expect(await store.workspaces.membership(again.workspace.id, owner.id)).toBeNull();
        await refused(store.workspaces.remove(again.workspace.id), 404, "not_found");
        expect((await store.workspaces.listAll()).map((w) => w.id)).toContain(workspace.id);
      });

      test("a person owns at most maxOwned live workspaces, even when two processes create at once", async () => {
        const owner = await store.users.create({ kind: "human", displayName: "Owner", handle: unique("own") });
        const elsewhere = await team(["zed"]);
        await store.workspaces.addMember(elsewhere.workspace.id, owner.id, "moderator"); // a member, not an owner: not counted
        const first = await store.workspaces.create({ name: unique("One"), ownerId: owner.id, maxOwned: 3 });
        const results = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => (i % 2 ? other : store).workspaces.create({ name: unique("More"), ownerId: owner.id, maxOwned: 3 })));
        expect(codes(results)).toEqual(["ok", "ok", "workspace_limit", "workspace_limit"]);
        const refusal = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
        expect((refusal.reason as AppError).status).toBe(403);
        expect(await store.workspaces.listFor(owner.id)).toHaveLength(4);
        // Without a limit nothing is counted; a deleted workspace no longer counts.
        const unlimited = await store.workspaces.create({ name: unique("Free"), ownerId: owner.id });
        await refused(store.workspaces.create({ name: "x", ownerId: owner.id, maxOwned: 3 }), 403, "workspace_limit");
        await store.workspaces.remove(unlimited.workspace.id);
        await store.workspaces.remove(first.workspace.id);
        await store.workspaces.create({ name: unique("Again"), ownerId: owner.id, maxOwned: 3 });
      });

      test("members: add, change role, page, filter, count", async () => {
        const t = await team(["ada", "bob", "cy", "dee", "eve"]);
        expect((await store.workspaces.addMember(t.workspace.id, t.ids[1]!, "moderator")).role).toBe("moderator");
        const page1 = await store.workspaces.members(t.workspace.id, { limit: 2 });
        expect([page1.members.length, page1.has_more, page1.total_count]).toEqual([2, true, 5]);
        const page2 = await store.workspaces.members(t.workspace.id, { limit: 10, cursor: page1.next_cursor! });
        expect(page2.members).toHaveLength(3);
        expect(new Set([...page1.members, ...page2.members].map((m) => m.user.id))).toEqual(new Set(t.ids));
        const mods = await store.workspaces.members(t.workspace.id, { limit: 10, role: "moderator" });
        expect(mods.members.map((m) => m.user.id)).toEqual([t.ids[1]!]);
        const byName = await store.workspaces.members(t.workspace.id, { limit: 10, q: t.users[3]!.handle.toUpperCase() });
        expect(byName.members.map((m) => m.user.id)).toEqual([t.ids[3]!]);
        expect((await store.workspaces.members(t.workspace.id, { limit: 10, q: "%" })).total_count).toBe(0);
        await refused(store.workspaces.addMember(t.workspace.id, "usr_missing", "member"), 404, "not_found");
        await refused(store.workspaces.members(t.workspace.id, { limit: 0 }), 400, "invalid_request");
      });
    });

    describe("users", () => {
      test("handles and emails are unique; reserved handles are refused", async () => {
        const handle = unique("uma");
        const u = await store.users.create({ kind: "human", displayName: "Uma", handle, email: `${handle}@Example.COM` });
        expect((await store.users.byEmail(`${handle}@example.com`))?.id).toBe(u.id);
        expect((await store.users.byHandle(handle.toUpperCase()))?.id).toBe(u.id);
        await refused(store.users.create({ kind: "human", displayName: "x", handle }), 409, "handle_taken");
        await refused(store.users.create({ kind: "human", displayName: "x", handle: "channel" }), 409, "handle_taken");
        await refused(store.users.create({ kind: "human", displayName: "x", email: `${handle}@example.com` }), 409, "email_taken");
        const derived = await store.users.create({ kind: "human", displayName: "Uma" });
        const derived2 = await store.users.create({ kind: "human", displayName: "Uma" });
        expect(derived.handle).not.toBe(derived2.handle);
        const updated = await store.users.update(u.id, { displayName: "Uma Two", avatarUrl: `/api/users/${u.id}/avatar?v=upl_picture` });
        expect(updated).toMatchObject({ display_name: "Uma Two", handle, avatar_url: `/api/users/${u.id}/avatar?v=upl_picture` });
        await refused(store.users.update(u.id, { handle: derived.handle }), 409, "handle_taken");
        for (const reserved of ["all", "here", "everyone"]) await refused(store.users.update(u.id, { handle: reserved }), 409, "handle_taken");
        await refused(store.users.update("usr_missing", { displayName: "x" }), 404, "not_found");
        expect(await store.users.get("usr_missing")).toBeNull();
        expect(await store.users.first()).not.toBeNull();
      });
    });

    describe("pictures", () => {
      test("a remote avatar or icon stored before uploads is never shown; ours are", async () => {
        const t = await team(["ada", "bob"]);
        const [ada, bob] = t.users;
        for (const url of ["https://tracker.example/a.png", `/api/users/${bob!.id}/avatar?v=upl_bobs`]) {
          expect((await store.users.update(ada!.id, { avatarUrl: url })).avatar_url).toBe("");
          expect((await store.users.get(ada!.id))?.avatar_url).toBe("");
        }
        const ours = `/api/users/${ada!.id}/avatar?v=upl_adas`;
        expect((await store.users.update(ada!.id, { avatarUrl: ours })).avatar_url).toBe(ours);
        const listed = (await store.workspaces.members(t.workspace.id, { limit: 10 })).members.find((m) => m.user.id === ada!.id);
        expect(listed?.user.avatar_url).toBe(ours);
        await store.workspaces.update(t.workspace.id, { iconUrl: "https://tracker.example/icon.png" }, ada!.id);
        expect((await store.workspaces.get(t.workspace.id))?.icon_url).toBe("");
        expect((await store.workspaces.listFor(ada!.id)).find((w) => w.id === t.workspace.id)?.icon_url).toBe("");
        await store.workspaces.update(t.workspace.id, { iconUrl: "/api/uploads/upl_icon" }, ada!.id);
        expect((await store.workspaces.get(t.workspace.id))?.icon_url).toBe("/api/uploads/upl_icon");
      });
    });

    describe("identity", () => {
      test("sessions: a token finds its live session; revoked or expired finds nothing", async () => {
        const u = await store.users.create({ kind: "human", displayName: "Sam", handle: unique("sam") });
        const { session, token } = await store.identity.createSession(u.id, 60_000);
        expect((await store.identity.sessionByToken(token))?.user.id).toBe(u.id);
        expect(await store.identity.sessionByToken(`${token}x`)).toBeNull();
        expect((await store.identity.revokeSession(session.id))?.revoked_at).not.toBeNull();
        expect(await store.identity.sessionByToken(token)).toBeNull();
        expect(await store.identity.revokeSession("ses_missing")).toBeNull();
        const expired = await store.identity.createSession(u.id, -1000);
        expect(await store.identity.sessionByToken(expired.token)).toBeNull();
      });

      test("sign out everywhere revokes a person's live sessions only, and counts them", async () => {
        const u = await store.users.create({ kind: "human", displayName: "Eve", handle: unique("eve") });
        const other = await store.users.create({ kind: "human", displayName: "Oz", handle: unique("oz") });
        const a = await store.identity.createSession(u.id, 60_000);
        const b = await store.identity.createSession(u.id, 60_000);
        await store.identity.revokeSession(b.session.id);
        const c = await store.identity.createSession(u.id, 60_000);
        const theirs = await store.identity.createSession(other.id, 60_000);
        expect(await store.identity.revokeUserSessions(u.id)).toBe(2);
        expect(await store.identity.sessionByToken(a.token)).toBeNull();
        expect(await store.identity.sessionByToken(c.token)).toBeNull();
        expect((await store.identity.sessionByToken(theirs.token))?.user.id).toBe(other.id);
        expect(await store.identity.revokeUserSessions(u.id)).toBe(0);
      });

      test("magic links are single use, even when consumed concurrently", async () => {
        const email = `${unique("mia")}@example.com`;
        const link = await store.identity.createMagicLink({ email, displayName: "Mia", ttlMs: 60_000 });
        const results = await Promise.all(Array.from({ length: 5 }, () => store.identity.consumeMagicLink(link.token)));
        const winners = results.filter((r) => r !== null);
        expect(winners).toHaveLength(1);
        expect(winners[0]).toMatchObject({ created: true, user: { display_name: "Mia" } });
        expect(await store.identity.consumeMagicLink(link.token)).toBeNull();
        const second = await store.identity.createMagicLink({ email: email.toUpperCase(), ttlMs: 60_000 });
        expect(await store.identity.consumeMagicLink(second.token)).toMatchObject({ created: false, user: { id: winners[0]!.user.id } });
        const expired = await store.identity.createMagicLink({ email, ttlMs: -1000 });
        expect(await store.identity.consumeMagicLink(expired.token)).toBeNull();
        expect(await store.identity.consumeMagicLink("mgt_nothing")).toBeNull();
      });

      test("OAuth state is taken once, before it expires", async () => {
        const state = unique("state");
        await store.identity.saveOAuthState({ state, codeVerifier: "verifier", returnTo: "/app", ttlMs: 60_000 });
        const results = await Promise.all(Array.from({ length: 4 }, () => store.identity.takeOAuthState(state)));
        expect(results.filter((r) => r !== null)).toEqual([{ codeVerifier: "verifier", returnTo: "/app" }]);
        const old = unique("old");
        await store.identity.saveOAuthState({ state: old, codeVerifier: "v", returnTo: null, ttlMs: -1000 });
        expect(await store.identity.takeOAuthState(old)).toBeNull();
      });

      test("GitHub identities link to one user", async () => {
        const gh = unique("gh");
        const u = await store.users.create({ kind: "human", displayName: "Gia", handleBase: "gia-login", githubId: gh });
        expect((await store.identity.userByGithubId(gh))?.id).toBe(u.id);
        await refused(store.users.create({ kind: "human", displayName: "Other", githubId: gh }), 409, "github_taken");
        const v = await store.users.create({ kind: "human", displayName: "Vic", handle: unique("vic") });
        const gh2 = unique("gh");
        await store.identity.linkGithub(v.id, gh2);
        expect((await store.identity.userByGithubId(gh2))?.id).toBe(v.id);
        expect(await store.identity.userByGithubId("nope")).toBeNull();
      });

      test("a password hash is set, read and cleared; unknown users are refused", async () => {
        const u = await store.users.create({ kind: "human", displayName: "Pat", handle: unique("pat") });
        expect(await store.identity.passwordHash(u.id)).toBeNull();
        await store.identity.setPasswordHash(u.id, "$argon2id$fake");
        expect(await store.identity.passwordHash(u.id)).toBe("$argon2id$fake");
        expect(JSON.stringify(await store.users.get(u.id))).not.toContain("argon2id");
        await store.identity.setPasswordHash(u.id, null);
        expect(await store.identity.passwordHash(u.id)).toBeNull();
        await refused(store.identity.setPasswordHash("usr_nobody", "x"), 404, "not_found");
      });
    });

    describe("bots and tokens", () => {
      test("a bot is a member with role bot; its tokens authenticate until revoked", async () => {
        const t = await team(["ada"]);
        const bot = await store.bots.create({ workspaceId: t.workspace.id, displayName: "Helper", ownerUserId: t.ids[0]! });
        expect(bot.kind).toBe("bot");
        expect((await store.workspaces.membership(t.workspace.id, bot.id))?.role).toBe("bot");
        const minted = await store.bots.mintToken({ botUserId: bot.id, workspaceId: t.workspace.id, name: "ci", scopes: ["messages:read", "messages:write"] });
        expect(minted.token.length).toBeGreaterThan(20);
        const found = await store.bots.byToken(minted.token);
        expect(found).toMatchObject({ user: { id: bot.id }, token: { id: minted.id, scopes: ["messages:read", "messages:write"], workspace_id: t.workspace.id } });
        expect((found!.token as { token?: string }).token).toBeUndefined();
        expect((await store.bots.tokens(bot.id)).map((k) => k.id)).toEqual([minted.id]);
        expect((await store.bots.list(t.workspace.id)).map((b) => [b.bot.id, b.tokens.length])).toEqual([[bot.id, 1]]);
        expect((await store.bots.revokeToken(minted.id)).revoked_at).not.toBeNull();
        expect(await store.bots.byToken(minted.token)).toBeNull();
        await refused(store.bots.revokeToken("tok_missing"), 404, "not_found");
        await refused(store.bots.mintToken({ botUserId: t.ids[0]!, workspaceId: t.workspace.id, name: "x", scopes: [] }), 404, "not_found");
      });

      test("retiring a bot revokes every credential, drops its memberships and menus, and frees its handle", async () => {
        const t = await team(["ada"]);
        const handle = unique("temp");
        const bot = await store.bots.create({ workspaceId: t.workspace.id, displayName: "Temp", handle });
        const k = await store.bots.mintToken({ botUserId: bot.id, workspaceId: t.workspace.id, name: "k", scopes: [] });
        await store.bots.setCommands(t.workspace.id, bot.id, [{ command: "/go", description: "go", args_hint: "" }]);
        const posted = await t.post(bot.id, "before retiring");
        const deleted = await store.bots.remove(bot.id, t.ids[0]!);
        expect(deleted).toMatchObject({ id: bot.id, display_name: "Temp", former_handle: handle, workspace_ids: [t.workspace.id] });
        expect(await store.bots.byToken(k.token)).toBeNull();
        expect(await store.workspaces.membership(t.workspace.id, bot.id)).toBeNull();
        expect(await store.users.get(bot.id)).toBeNull();
        expect(await store.bots.commands(t.workspace.id)).toEqual([]);
        await refused(store.bots.remove(bot.id), 404, "not_found");
        // Its messages keep their author's name; the handle is anybody's again.
        expect((await store.messages.get(posted.message.id, t.ids[0]!))?.author?.display_name).toBe("Temp");
        const again = await store.bots.create({ workspaceId: t.workspace.id, displayName: "Again", handle });
        expect(again.handle).toBe(handle);
        expect((await store.users.byHandle(handle))?.id).toBe(again.id);
        const other = await store.bots.create({ workspaceId: t.workspace.id, displayName: "Other" });
        const k2 = await store.bots.mintToken({ botUserId: other.id, workspaceId: t.workspace.id, name: "k", scopes: [] });
        await store.bots.setCommands(t.workspace.id, other.id, [{ command: "/x", description: "x", args_hint: "" }]);
        await store.bots.removeMembership(t.workspace.id, other.id);
        expect(await store.bots.byToken(k2.token)).toBeNull();
        expect(await store.workspaces.membership(t.workspace.id, other.id)).toBeNull();
        expect(await store.users.get(other.id)).not.toBeNull();
        expect(await store.bots.commands(t.workspace.id)).toEqual([]);
      });

      test("setup codes: hashed, single use even when claimed at once, replaced by a new one for the same token name", async () => {
        const t = await team(["ada"]);
        const twin = other;
        const bot = await store.bots.create({ workspaceId: t.workspace.id, displayName: "Installer" });
        const input = { workspaceId: t.workspace.id, botUserId: bot.id, tokenName: "gateway", scopes: ["messages:read"], defaults: {}, createdBy: t.ids[0]! };
        const first = await store.bots.createSetupCode(input);
        expect(first.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
        expect(Date.parse(first.expires_at) - Date.now()).toBeGreaterThan(9 * 60_000);
        const second = await store.bots.createSetupCode(input);
        expect(await store.bots.claimSetupCode(first.code)).toBeNull();
        const forOther = await store.bots.createSetupCode({ ...input, tokenName: "other" });
        // Case and separators do not matter; of concurrent claims (two "processes"), exactly one wins.
        const lower = second.code.toLowerCase().replaceAll("-", " ");
        const claims = await Promise.all([lower, second.code, second.code.replaceAll("-", ""), forOther.code.toLowerCase()].map((c, i) => (i % 2 ? twin : store).bots.claimSetupCode(c)));
        expect(claims.slice(0, 3).filter(Boolean)).toHaveLength(1);
        const won = claims.slice(0, 3).find(Boolean)!;
        expect(won).toMatchObject({ bot: { id: bot.id }, workspace: { id: t.workspace.id }, defaults: { defaultTo: "channel:general" }, token: { name: "gateway", scopes: ["messages:read"] } });
        expect((await store.bots.byToken(won.token.token))?.user.id).toBe(bot.id);
        expect(claims[3]?.token.name).toBe("other");
        expect(await store.bots.claimSetupCode(second.code)).toBeNull();
        expect(await store.bots.claimSetupCode("not-a-code")).toBeNull();
        // A code for a bot that was retired meanwhile is as good as wrong.
        const late = await store.bots.createSetupCode(input);
        await store.bots.remove(bot.id);
        expect(await store.bots.claimSetupCode(late.code)).toBeNull();
        await refused(store.bots.createSetupCode(input), 404, "not_found");
      });

      test("setup nonces: a retry reuses the bot and token rows (with a new secret); another request with the nonce is a 409", async () => {
        const t = await team(["ada"]);
        const twin = other;
        const setupNonce = { nonce: unique("nonce-0123456789"), createdBy: t.ids[0]! };
        const input = { workspaceId: t.workspace.id, displayName: "Nonce Bot", firstToken: { name: "default", scopes: ["messages:read"] }, setupNonce };
        const first = await store.bots.setUp(input);
        expect(first.replayed).toBe(false);
        const again = await store.bots.setUp(input);
        expect(again).toMatchObject({ replayed: true, bot: { id: first.bot.id }, token: { id: first.token!.id } });
        expect(again.token!.token).not.toBe(first.token!.token);
        expect(await store.bots.byToken(first.token!.token)).toBeNull();
        expect((await store.bots.byToken(again.token!.token))?.user.id).toBe(first.bot.id);
        expect((await store.bots.list(t.workspace.id)).filter((b) => b.bot.display_name === "Nonce Bot")).toHaveLength(1);
        await refused(store.bots.setUp({ ...input, displayName: "Someone Else" }), 409, "setup_nonce_conflict");
        // Another person's nonce is theirs.
        const theirs = await store.bots.setUp({ ...input, setupNonce: { ...setupNonce, createdBy: "usr_someone" } });
        expect(theirs.bot.id).not.toBe(first.bot.id);
        // Tokens: the same, and a revoked token's nonce cannot bring it back.
        const tokenNonce = { nonce: unique("token-nonce-0123456"), createdBy: t.ids[0]! };
        const mint = { botUserId: first.bot.id, workspaceId: t.workspace.id, name: "ci", scopes: ["messages:read"], setupNonce: tokenNonce };
        const k = await store.bots.mintToken(mint);
        const k2 = await store.bots.mintToken(mint);
        expect([k2.id, k2.replayed]).toEqual([k.id, true]);
        await refused(store.bots.mintToken({ ...mint, name: "other" }), 409, "setup_nonce_conflict");
        await store.bots.revokeToken(k.id);
        await refused(store.bots.mintToken(mint), 409, "setup_nonce_conflict");
        // Concurrent first attempts make one bot.
        const raced = await Promise.allSettled(Array.from({ length: 3 }, () => store.bots.setUp({ ...input, setupNonce: { nonce: unique("race-nonce-01234567"), createdBy: "usr_racer" } })));
        expect(codes(raced)).toEqual(["ok", "ok", "ok"]);
        const sameNonce = { nonce: unique("same-nonce-01234567"), createdBy: "usr_racer" };
        const same = await Promise.all(Array.from({ length: 4 }, (_, i) => (i % 2 ? twin : store).bots.setUp({ ...input, setupNonce: sameNonce })));
        expect(new Set(same.map((r) => r.bot.id)).size).toBe(1);
        expect(same.filter((r) => !r.replayed)).toHaveLength(1);
      });

      test("command menus replace whole, per bot and workspace; only member bots are listed", async () => {
        const t = await team(["ada"]);
        const a = await store.bots.create({ workspaceId: t.workspace.id, displayName: "Alpha" });
        const z = await store.bots.create({ workspaceId: t.workspace.id, displayName: "Zeta" });
        const set = await store.bots.setCommands(t.workspace.id, z.id, [{ command: "/status", description: "Status", args_hint: "" }, { command: "/new", description: "New", args_hint: "[msg]" }]);
        expect(set.map((c) => [c.command, c.args_hint, c.bot_user_id, c.workspace_id])).toEqual([["/new", "[msg]", z.id, t.workspace.id], ["/status", "", z.id, t.workspace.id]]);
        await store.bots.setCommands(t.workspace.id, a.id, [{ command: "/about", description: "About", args_hint: "" }]);
        expect((await store.bots.setCommands(t.workspace.id, z.id, [{ command: "/help", description: "Help", args_hint: "" }])).map((c) => c.command)).toEqual(["/help"]);
        const listed = (await store.bots.commands(t.workspace.id)).map((c) => [c.bot.id, c.command]).sort();
        expect(listed).toEqual([[a.id, "/about"], [z.id, "/help"]].sort());
        expect(await store.bots.setCommands(t.workspace.id, z.id, [])).toEqual([]);
        expect((await store.bots.commands(t.workspace.id)).map((c) => c.command)).toEqual(["/about"]);
        await refused(store.bots.setCommands(t.workspace.id, t.ids[0]!, []), 404, "not_found");
        // Concurrent replacements leave exactly one of them.
        await Promise.all(["/one", "/two", "/three"].map((command) => store.bots.setCommands(t.workspace.id, z.id, [{ command, description: "d", args_hint: "" }, { command: "/same", description: "d", args_hint: "" }])));
        expect((await store.bots.commands(t.workspace.id)).filter((c) => c.bot.id === z.id)).toHaveLength(2);
      });
    });

    describe("integrations", () => {
      test("a subscription starts at the tail; one worker at a time holds its lease; progress needs the lease", async () => {
        const t = await team(["ada"]);
        await t.post(t.ids[0]!, "before");
        const tail = await store.events.tail(t.workspace.id);
        const sub = await store.integrations.createSubscription({ workspaceId: t.workspace.id, callbackUrl: "https://example.com/h", eventTypes: ["message.created"], createdBy: t.ids[0]! });
        expect(sub.signing_secret).toMatch(/^ccs_/);
        expect(sub).toMatchObject({ status: "active", last_delivered_cursor: tail, failure_count: 0 });
        expect((await store.integrations.subscriptions(t.workspace.id))[0]!.signing_secret).toBeUndefined();
        expect(await store.integrations.signingSecret(sub.id)).toBe(sub.signing_secret);
        const mine = (await store.integrations.claimDue("w1", 30_000, 100)).filter((c) => c.subscription.id === sub.id);
        expect(mine).toHaveLength(1);
        expect(mine[0]!.signingSecret).toBe(sub.signing_secret);
        expect((await store.integrations.claimDue("w2", 30_000, 100)).some((c) => c.subscription.id === sub.id)).toBe(false);
        const { events } = await t.post(t.ids[0]!, "after");
        const at = new Date().toISOString();
        const attempt = { event_id: events[0]!.id, event_type: "message.created", event_cursor: events[0]!.cursor, attempt: 1, outcome: "succeeded" as const, response_status: 200, error: null, duration_ms: 3, redelivery: false };
        expect(await store.integrations.progress(sub.id, "w2", { cursor: events[0]!.cursor, delivery: attempt, failureCount: 0, failingSince: null, nextAttemptAt: at })).toBe(false);
        expect(await store.integrations.progress(sub.id, "w1", { cursor: events[0]!.cursor, delivery: attempt, failureCount: 0, failingSince: null, nextAttemptAt: at })).toBe(true);
        expect((await store.integrations.subscription(sub.id))!.last_delivered_cursor).toBe(events[0]!.cursor);
        await store.integrations.release(sub.id, "w1");
        expect((await store.integrations.claimDue("w2", 30_000, 100)).some((c) => c.subscription.id === sub.id)).toBe(true);
        // Giving up disables it, with the reason; enabling resumes from the same cursor.
        expect(await store.integrations.progress(sub.id, "w2", { delivery: { ...attempt, outcome: "failed", response_status: 500 }, failureCount: 9, failingSince: at, nextAttemptAt: at, disabledReason: "gave up" })).toBe(true);
        expect(await store.integrations.subscription(sub.id)).toMatchObject({ status: "disabled", disabled_reason: "gave up" });
        expect((await store.integrations.claimDue("w3", 30_000, 100)).some((c) => c.subscription.id === sub.id)).toBe(false);
        expect(await store.integrations.enableSubscription(sub.id)).toMatchObject({ status: "active", failure_count: 0, last_delivered_cursor: events[0]!.cursor });
        const page1 = await store.integrations.deliveries(sub.id, { limit: 1 });
        expect(page1.deliveries.map((d) => d.outcome)).toEqual(["failed"]);
        const page2 = await store.integrations.deliveries(sub.id, { limit: 1, before: page1.next_cursor! });
        expect(page2).toMatchObject({ deliveries: [{ outcome: "succeeded", event_id: events[0]!.id }], next_cursor: null });
        expect((await store.integrations.event(t.workspace.id, events[0]!.id))?.cursor).toBe(events[0]!.cursor);
        const rotated = await store.integrations.rotateSubscriptionSecret(sub.id);
        expect(await store.integrations.signingSecret(sub.id)).toBe(rotated.signing_secret);
        expect((await store.integrations.revokeSubscription(sub.id)).status).toBe("revoked");
        await refused(store.integrations.revokeSubscription("sub_missing"), 404, "not_found");
      });

      test("app installations: a setup nonce replays the same row; revoke is idempotent", async () => {
        const t = await team(["ada"]);
        const bot = await store.bots.create({ workspaceId: t.workspace.id, displayName: "App" });
        const input = { workspaceId: t.workspace.id, appSlug: "ci", displayName: "CI", botUserId: bot.id, config: { a: 1 }, setupNonce: "nonce-0123456789abcdef", createdBy: t.ids[0]! };
        const first = await store.integrations.installApp(input);
        expect(first).toMatchObject({ replayed: false, installation: { app_slug: "ci", config: { a: 1 }, revoked_at: null } });
        const again = await store.integrations.installApp({ ...input, displayName: "Other" });
        expect(again).toMatchObject({ replayed: true, installation: { id: first.installation.id, display_name: "CI" } });
        expect((await store.integrations.installApp({ ...input, setupNonce: null })).installation.id).not.toBe(first.installation.id);
        expect(await store.integrations.apps(t.workspace.id)).toHaveLength(2);
        const revoked = (await store.integrations.revokeApp(first.installation.id, appRevokeAll)).installation;
        expect(revoked.revoked_at).not.toBeNull();
        expect((await store.integrations.revokeApp(first.installation.id, appRevokeAll)).installation.revoked_at).toBe(revoked.revoked_at);
        await refused(store.integrations.revokeApp("app_missing", appRevokeAll), 404, "not_found");
      });

      test("app revoke takes what the options name, in one write; an already deleted bot is no error", async () => {
        const t = await team(["ada"]);
        const bot = await store.bots.create({ workspaceId: t.workspace.id, displayName: "Revokee" });
        const token = await store.bots.mintToken({ botUserId: bot.id, workspaceId: t.workspace.id, name: "t", scopes: ["messages:write"] });
        const { installation } = await store.integrations.installApp({ workspaceId: t.workspace.id, appSlug: "rv", displayName: "RV", botUserId: bot.id, config: {}, createdBy: t.ids[0]! });
        const cmd = await store.integrations.createSlashCommand({ workspaceId: t.workspace.id, command: "/rv", description: "", callbackUrl: "https://example.com/s", botUserId: bot.id, appInstallationId: installation.id, createdBy: t.ids[0]! });
        const other = await store.integrations.createSlashCommand({ workspaceId: t.workspace.id, command: "/mine", description: "", callbackUrl: "https://example.com/s", botUserId: bot.id, createdBy: t.ids[0]! });
        const sub = await store.integrations.createSubscription({ workspaceId: t.workspace.id, callbackUrl: "https://example.com/h", eventTypes: ["*"], appInstallationId: installation.id, createdBy: t.ids[0]! });
        // Only slash commands: the subscription, the token and the bot stay.
        const partial = await store.integrations.revokeApp(installation.id, { ...appRevokeNone, revoke_slash_commands: true });
        expect(partial).toMatchObject({ revoked: { slash_commands: 1, event_subscriptions: 0, bot_tokens: 0 }, revokedTokenIds: [] });
        expect(partial.deleted_bot).toBeUndefined();
        expect((await store.integrations.slashCommand(cmd.id))!.revoked_at).not.toBeNull();
        expect((await store.integrations.slashCommand(other.id))!.revoked_at).toBeNull();
        expect((await store.integrations.subscription(sub.id))!.status).toBe("active");
        // Everything: the rest goes at once, and a second call finds nothing left.
        const all = await store.integrations.revokeApp(installation.id, appRevokeAll);
        expect(all).toMatchObject({ revoked: { slash_commands: 0, event_subscriptions: 1, bot_tokens: 1 }, revokedTokenIds: [token.id], deleted_bot: { id: bot.id } });
        expect((await store.integrations.subscription(sub.id))!.status).toBe("revoked");
        expect((await store.bots.token(token.id))!.revoked_at).not.toBeNull();
        expect(await store.bots.byToken(token.token)).toBeNull();
        const again = await store.integrations.revokeApp(installation.id, appRevokeAll);
        expect(again).toMatchObject({ revoked: { slash_commands: 0, event_subscriptions: 0, bot_tokens: 0 } });
        expect(again.deleted_bot).toBeUndefined();
      });

      test("two revokes of one app at once: each thing is revoked once, the bot deleted once", async () => {
        const t = await team(["ada"]);
        const bot = await store.bots.create({ workspaceId: t.workspace.id, displayName: "Twice" });
        for (let i = 0; i < 2; i++) await store.bots.mintToken({ botUserId: bot.id, workspaceId: t.workspace.id, name: `t${i}`, scopes: ["messages:write"] });
        const { installation } = await store.integrations.installApp({ workspaceId: t.workspace.id, appSlug: "twice", displayName: "Twice", botUserId: bot.id, config: {}, createdBy: t.ids[0]! });
        for (let i = 0; i < 3; i++) await store.integrations.createSlashCommand({ workspaceId: t.workspace.id, command: `/twice-${i}`, description: "", callbackUrl: "https://example.com/s", botUserId: bot.id, appInstallationId: installation.id, createdBy: t.ids[0]! });
        const results = await Promise.all([store.integrations.revokeApp(installation.id, appRevokeAll), store.integrations.revokeApp(installation.id, appRevokeAll)]);
        expect(results.map((r) => r.revoked.slash_commands).sort()).toEqual([0, 3]);
        expect(results.map((r) => r.revoked.bot_tokens).sort()).toEqual([0, 2]);
        expect(results.filter((r) => r.deleted_bot)).toHaveLength(1);
        // The one that found everything done saw it all done: never half of it.
        const second = results.find((r) => r.revoked.slash_commands === 0)!;
        expect([second.revoked.bot_tokens, second.deleted_bot]).toEqual([0, undefined]);
      });

      test("incoming webhooks: a bot of their own, the secret kept hashed, rotate and revoke", async () => {
        const t = await team(["ada"]);
        const { webhook, secret } = await store.integrations.createIncomingWebhook({ workspaceId: t.workspace.id, channelId: t.general.id, name: "CI", createdBy: t.ids[0]! });
        expect(webhook).toMatchObject({ channel_id: t.general.id, name: "CI", revoked_at: null });
        expect(secret).toStartWith("ccw_");
        const bot = (await store.bots.list(t.workspace.id)).find((b) => b.bot.id === webhook.bot_user_id);
        expect(bot?.bot).toMatchObject({ kind: "bot", display_name: "CI" });
        expect(await store.integrations.incomingWebhookBySecret(webhook.id, secret)).toEqual(webhook);
        expect(await store.integrations.incomingWebhookBySecret(webhook.id, `${secret}x`)).toBeNull();
        expect(await store.integrations.incomingWebhookBySecret("whk_missing", secret)).toBeNull();
        expect((await store.integrations.incomingWebhooks(t.workspace.id, t.general.id)).map((w) => w.id)).toEqual([webhook.id]);
        expect(await store.integrations.incomingWebhooks(t.workspace.id, "chn_other")).toEqual([]);
        await refused(store.integrations.createIncomingWebhook({ workspaceId: t.workspace.id, channelId: "chn_missing", name: "x", createdBy: t.ids[0]! }), 404, "not_found");
        const rotated = await store.integrations.rotateIncomingWebhookSecret(webhook.id);
        expect(await store.integrations.incomingWebhookBySecret(webhook.id, secret)).toBeNull();
        expect(await store.integrations.incomingWebhookBySecret(webhook.id, rotated.secret)).toEqual(webhook);
        const posted = await store.messages.post({ scope: t.inGeneral, authorId: webhook.bot_user_id, body: "build green", webhook: { id: webhook.id, name: "Nightly" } });
        expect(posted.message.posted_by_webhook).toEqual({ id: webhook.id, name: "Nightly" });
        expect((await t.post(t.ids[0]!, "plain")).message.posted_by_webhook).toBeUndefined();
        expect((await store.integrations.revokeIncomingWebhook(webhook.id)).revoked_at).not.toBeNull();
        expect(await store.integrations.incomingWebhookBySecret(webhook.id, rotated.secret)).toBeNull();
        expect(await store.integrations.incomingWebhooks(t.workspace.id)).toEqual([]);
        expect((await store.bots.list(t.workspace.id)).some((b) => b.bot.id === webhook.bot_user_id)).toBe(false);
        await refused(store.integrations.revokeIncomingWebhook(webhook.id), 404, "not_found");
        await refused(store.integrations.rotateIncomingWebhookSecret(webhook.id), 404, "not_found");
        // Its posts keep their author and badge.
        expect((await store.messages.get(posted.message.id, t.ids[0]!))?.posted_by_webhook).toEqual({ id: webhook.id, name: "Nightly" });
      });

      test("log pruning: old delivery lines and invocations go; a subscription keeps its newest lines", async () => {
        const t = await team(["ada"]);
        const bot = await store.bots.create({ workspaceId: t.workspace.id, displayName: "Pruner" });
        const sub = await store.integrations.createSubscription({ workspaceId: t.workspace.id, callbackUrl: "https://example.com/h", eventTypes: ["*"], createdBy: t.ids[0]! });
        const cmd = await store.integrations.createSlashCommand({ workspaceId: t.workspace.id, command: "/prune", description: "", callbackUrl: "https://example.com/s", botUserId: bot.id, createdBy: t.ids[0]! });
        const line = { event_id: "evt_x", event_type: "message.created", event_cursor: "cur_x", attempt: 1, outcome: "succeeded" as const, response_status: 200, error: null, duration_ms: 1, redelivery: false };
        for (let i = 0; i < 5; i++) await store.integrations.logDelivery(sub.id, line);
        await store.integrations.recordInvocation({ commandId: cmd.id, workspaceId: t.workspace.id, channelId: t.general.id, userId: t.ids[0]!, text: "", outcome: "in_channel", responseStatus: 200, error: null });
        const newest = (await store.integrations.deliveries(sub.id, { limit: 2 })).deliveries.map((d) => d.id);
        // Nothing is old yet: only the lines beyond the newest 2 go; the invocation stays.
        expect(await store.integrations.pruneLogs({ olderThan: later(-3600_000), keepDeliveries: 2 })).toMatchObject({ invocations: 0 });
        expect((await store.integrations.deliveries(sub.id, { limit: 10 })).deliveries.map((d) => d.id)).toEqual(newest);
        expect(await store.integrations.invocationsSince(t.workspace.id, t.ids[0]!, later(-3600_000))).toBe(1);
        // Everything older than a minute from now is old.
        const old = await store.integrations.pruneLogs({ olderThan: later(60_000), keepDeliveries: 100 });
        expect(old.deliveries).toBeGreaterThanOrEqual(2);
        expect(old.invocations).toBeGreaterThanOrEqual(1);
        expect((await store.integrations.deliveries(sub.id, { limit: 10 })).deliveries).toEqual([]);
        expect(await store.integrations.invocationsSince(t.workspace.id, t.ids[0]!, later(-3600_000))).toBe(0);
      });

      test("slash commands: one active registration per name; rotate, revoke, invocations counted", async () => {
        const t = await team(["ada"]);
        const bot = await store.bots.create({ workspaceId: t.workspace.id, displayName: "Cmd" });
        const input = { workspaceId: t.workspace.id, command: "/deploy", description: "ship", callbackUrl: "https://example.com/s", botUserId: bot.id, createdBy: t.ids[0]! };
        const cmd = await store.integrations.createSlashCommand(input);
        await refused(store.integrations.createSlashCommand(input), 409, "command_taken");
        expect((await store.integrations.activeSlashCommand(t.workspace.id, "/deploy"))?.signingSecret).toBe(cmd.signing_secret);
        const rotated = await store.integrations.rotateSlashSecret(cmd.id);
        expect((await store.integrations.activeSlashCommand(t.workspace.id, "/deploy"))?.signingSecret).toBe(rotated.signing_secret);
        const since = new Date(Date.now() - 1000).toISOString();
        await store.integrations.recordInvocation({ commandId: cmd.id, workspaceId: t.workspace.id, channelId: t.general.id, userId: t.ids[0]!, text: "", outcome: "in_channel", responseStatus: 200, error: null });
        expect(await store.integrations.invocationsSince(t.workspace.id, t.ids[0]!, since)).toBe(1);
        await store.integrations.revokeSlashCommand(cmd.id);
        expect(await store.integrations.activeSlashCommand(t.workspace.id, "/deploy")).toBeNull();
        expect((await store.integrations.createSlashCommand(input)).id).not.toBe(cmd.id);
        expect((await store.integrations.slashCommands(t.workspace.id))).toHaveLength(2);
      });
    });

    describe("moderation", () => {
      test("updates role, timeout and block; the target and active managers hear it", async () => {
        const t = await team(["ada", "mod", "bob", "cy"], ["moderator"]);
        const until = later(3600_000);
        const r = await store.moderation.update(t.workspace.id, t.ids[2]!, { timeoutUntil: until, note: "cool down" }, t.ids[1]!);
        expect(r.member).toMatchObject({ role: "member", timeout_until: until, blocked_at: null, moderation_note: "cool down", moderation_by: t.ids[1]!, posts_remaining: null });
        expect(r.event).toMatchObject({ type: "member.moderation_updated", payload: { user_id: t.ids[2]!, timeout_until: until, blocked: false, updated_by: t.ids[1]! } });
        const stored = (await allEvents(t.workspace.id)).find((e) => e.cursor === r.event.cursor)!;
        expect(new Set(stored.recipients)).toEqual(new Set([t.ids[2]!, t.ids[0]!, t.ids[1]!]));
        const blocked = await store.moderation.update(t.workspace.id, t.ids[2]!, { blocked: true }, t.ids[0]!);
        expect(blocked.member.blocked_at).not.toBeNull();
        expect(blocked.member.moderation_note).toBe("cool down");
        expect((await store.workspaces.membership(t.workspace.id, t.ids[2]!))?.blockedAt).not.toBeNull();
        const unblocked = await store.moderation.update(t.workspace.id, t.ids[2]!, { blocked: false, timeoutUntil: null, role: "guest" }, t.ids[0]!);
        expect(unblocked.member).toMatchObject({ blocked_at: null, timeout_until: null, role: "guest", posts_remaining: 3, post_limit: 3 });
        expect((await store.moderation.list(t.workspace.id)).map((e) => e.user.id).sort()).toEqual([...t.ids].sort());
        await refused(store.moderation.update(t.workspace.id, "usr_missing", { blocked: true }, t.ids[0]!), 404, "not_found");
        expect(await store.moderation.entry(t.workspace.id, "usr_missing")).toBeNull();
      });
    });

    describe("direct messages", () => {
      test("one conversation per member set, whatever the order; hidden until the next message", async () => {
        const t = await team();
        const a = await store.dms.open(t.workspace.id, [t.ids[1]!, t.ids[2]!], t.ids[0]!);
        expect(a.created).toBe(true);
        const b = await store.dms.open(t.workspace.id, [t.ids[2]!, t.ids[0]!, t.ids[1]!], t.ids[1]!);
        expect([b.created, b.conversation.id]).toEqual([false, a.conversation.id]);
        expect(new Set(a.conversation.members.map((m) => m.id))).toEqual(new Set(t.ids));
        expect((await store.dms.record(a.conversation.id))?.memberIds.sort()).toEqual([...t.ids].sort());
        await store.dms.setHidden(a.conversation.id, t.ids[1]!, true);
        expect((await store.dms.list(t.ids[1]!, t.workspace.id)).map((d) => d.id)).toEqual([]);
        const scope: Scope = { kind: "dm", id: a.conversation.id, workspaceId: t.workspace.id };
        const posted = await store.messages.post({ scope, authorId: t.ids[0]!, body: "back" });
        expect(posted.message).toMatchObject({ channel_seq: 1, direct_conversation_id: a.conversation.id, channel_id: null });
        expect(posted.events[0]).toMatchObject({ channel_id: null, payload: { direct_conversation_id: a.conversation.id } });
        const stored = (await allEvents(t.workspace.id)).find((e) => e.cursor === posted.events[0]!.cursor)!;
        expect(stored.direct_conversation_id).toBe(a.conversation.id);
        expect(new Set(stored.recipients)).toEqual(new Set(t.ids));
        expect((await store.dms.list(t.ids[1]!, t.workspace.id)).map((d) => d.id)).toEqual([a.conversation.id]);
        expect((await store.dms.get(a.conversation.id, t.ids[1]!))).toMatchObject({ last_seq: 1, unread_count: 1, can_send: true });
      });

      test("members: two to 32 people of the workspace, no guests, live accounts; outsiders cannot hide it", async () => {
        const t = await team(["ada", "bob", "gus"], ["member", "guest"]);
        const stranger = await store.users.create({ kind: "human", displayName: "Zed", handle: unique("zed") });
        await refused(store.dms.open(t.workspace.id, [stranger.id], t.ids[0]!), 400, "not_member");
        await refused(store.dms.open(t.workspace.id, [t.ids[1]!, t.ids[2]!], t.ids[0]!), 403, "guest_restricted");
        await refused(store.dms.open(t.workspace.id, [], t.ids[0]!), 400, "dm_too_small");
        await refused(store.dms.open(t.workspace.id, [t.ids[0]!, ` ${t.ids[0]!} `, ""], t.ids[0]!), 400, "dm_too_small");
        const many = Array.from({ length: 40 }, (_, i) => `usr_${i}`);
        await refused(store.dms.open(t.workspace.id, many, t.ids[0]!), 400, "dm_too_large");
        const gone = await store.bots.create({ workspaceId: t.workspace.id, displayName: "Gone" });
        await store.bots.remove(gone.id);
        await refused(store.dms.open(t.workspace.id, [gone.id], t.ids[0]!), 400, "not_member");
        const trimmed = await store.dms.open(t.workspace.id, [` ${t.ids[1]!} `], t.ids[0]!);
        expect(trimmed.conversation.members.map((m) => m.id).sort()).toEqual([t.ids[0]!, t.ids[1]!].sort());
        const { conversation } = await store.dms.open(t.workspace.id, [t.ids[1]!], t.ids[0]!);
        await refused(store.dms.setHidden(conversation.id, t.ids[2]!, true), 404, "not_found");
        expect(await store.dms.record("dm_missing")).toBeNull();
      });

      test("canSend needs an active peer", async () => {
        const t = await team(["ada"]);
        const bot = await store.bots.create({ workspaceId: t.workspace.id, displayName: "Peer" });
        const { conversation } = await store.dms.open(t.workspace.id, [bot.id], t.ids[0]!);
        expect(await store.dms.canSend(conversation.id, t.ids[0]!)).toBe(true);
        await store.bots.removeMembership(t.workspace.id, bot.id);
        expect(await store.dms.canSend(conversation.id, t.ids[0]!)).toBe(false);
        expect(await store.dms.canSend("dm_missing", t.ids[0]!)).toBe(false);
      });
    });

    describe("uploads", () => {
      const quota = { maxBytes: 1000, maxFiles: 5 };
      const meta = (over: Partial<Parameters<Store["uploads"]["complete"]>[1]> = {}) => ({
        filename: "a.txt", contentType: "text/plain", byteSize: 10, width: null, height: null, durationMs: null, nonce: null, fingerprint: "fp-a", ...over,
      });

      async function drainCleanup(): Promise<string[]> {
        const keys: string[] = [];
        for (;;) {
          const batch = await store.uploads.cleanupBatch(100);
          if (batch.length === 0) return keys;
          for (const job of batch) {
            keys.push(job.storageKey);
            await store.uploads.cleanupDone(job.id);
          }
        }
      }

      test("reservations count against the quota before any byte lands, even concurrently", async () => {
        const t = await team(["ada"]);
        const results = await Promise.allSettled(Array.from({ length: 8 }, () => store.uploads.reserve({ workspaceId: t.workspace.id, ownerId: t.ids[0]!, bytes: 300, quota })));
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
        for (const r of results) if (r.status === "rejected") expect([(r.reason as AppError).status, (r.reason as AppError).code]).toEqual([413, "upload_quota_exceeded"]);
        const files = await Promise.allSettled(Array.from({ length: 8 }, () => store.uploads.reserve({ workspaceId: t.workspace.id, ownerId: t.ids[0]!, bytes: 1, quota })));
        expect(files.filter((r) => r.status === "fulfilled")).toHaveLength(2);
      });

      test("the quota is per person across every live workspace, held when two processes reserve at once", async () => {
        const a = await team(["ada", "bob"]);
        const b = await team(["zoe"]);
        await store.workspaces.addMember(b.workspace.id, a.ids[0]!, "member");
        const reserve = (s: Store, workspaceId: string, bytes: number) => s.uploads.reserve({ workspaceId, ownerId: a.ids[0]!, bytes, quota });
        await reserve(store, a.workspace.id, 300);
        await reserve(store, a.workspace.id, 300);
        // Another person's uploads are theirs: they do not count against ada.
        await store.uploads.reserve({ workspaceId: a.workspace.id, ownerId: a.ids[1]!, bytes: 900, quota });
        const results = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => reserve(i % 2 ? other : store, b.workspace.id, 300)));
        expect(codes(results)).toEqual(["ok", "upload_quota_exceeded", "upload_quota_exceeded", "upload_quota_exceeded"]);
        await refused(reserve(store, b.workspace.id, 101), 413, "upload_quota_exceeded");
        // A deleted workspace's uploads are gone, and so is their share of the quota.
        await store.workspaces.remove(a.workspace.id);
        await reserve(store, b.workspace.id, 600);
        await refused(reserve(store, b.workspace.id, 101), 413, "upload_quota_exceeded");
      });

      test("complete, replay by nonce, conflict by nonce, release; the cleanup queue gets every orphan", async () => {
        await drainCleanup();
        const t = await team(["ada"]);
        const r1 = await store.uploads.reserve({ workspaceId: t.workspace.id, ownerId: t.ids[0]!, bytes: 10, quota });
        const done = await store.uploads.complete(r1.id, meta({ nonce: "up-1" }));
        expect(done.replayed).toBe(false);
        expect(done.upload).toMatchObject({ id: r1.id, filename: "a.txt", byte_size: 10, nonce: "up-1", url: `/api/uploads/${r1.id}` });
        expect(await store.uploads.get(r1.id)).toMatchObject({ status: "ready", storageKey: r1.storageKey, messageId: null, fingerprint: "fp-a" });
        expect((await store.uploads.byNonce(t.workspace.id, t.ids[0]!, "up-1"))?.upload.id).toBe(r1.id);
        const r2 = await store.uploads.reserve({ workspaceId: t.workspace.id, ownerId: t.ids[0]!, bytes: 10, quota });
        const replay = await store.uploads.complete(r2.id, meta({ nonce: "up-1" }));
        expect([replay.replayed, replay.upload.id]).toEqual([true, r1.id]);
        const r3 = await store.uploads.reserve({ workspaceId: t.workspace.id, ownerId: t.ids[0]!, bytes: 10, quota });
        await refused(store.uploads.complete(r3.id, meta({ nonce: "up-1", fingerprint: "fp-b" })), 409, "nonce_conflict");
        await store.uploads.release(r3.id, r3.storageKey);
        await refused(store.uploads.complete(r3.id, meta()), 404, "not_found");
        expect(await store.uploads.get(r3.id)).toBeNull();
        expect(new Set(await drainCleanup())).toEqual(new Set([r2.storageKey, r3.storageKey]));
      });

      test("the cleanup queue retries failures after fresh jobs", async () => {
        await drainCleanup();
        await store.uploads.queueCleanup("k/one", "test");
        await store.uploads.queueCleanup("k/two", "test");
        const [one] = await store.uploads.cleanupBatch(1);
        expect(one!.storageKey).toBe("k/one");
        await store.uploads.cleanupFailed(one!.id, "disk said no");
        const batch = await store.uploads.cleanupBatch(10);
        expect(batch.map((j) => [j.storageKey, j.attempts])).toEqual([["k/two", 0], ["k/one", 1]]);
        expect(await drainCleanup()).toEqual(["k/two", "k/one"]);
      });

      test("stale reservations are swept and their objects queued", async () => {
        await drainCleanup();
        const t = await team(["ada"]);
        const r = await store.uploads.reserve({ workspaceId: t.workspace.id, ownerId: t.ids[0]!, bytes: 10, quota });
        expect(await store.uploads.sweepReservations(later(-60_000))).toBe(0);
        expect(await store.uploads.sweepReservations(later(60_000))).toBeGreaterThanOrEqual(1);
        expect(await drainCleanup()).toContain(r.storageKey);
        await refused(store.uploads.complete(r.id, meta()), 404, "not_found");
      });

      test("deleting a workspace queues every object of it (ready or pending) and its uploads are gone", async () => {
        await drainCleanup();
        const t = await team(["ada"]);
        const done = await store.uploads.reserve({ workspaceId: t.workspace.id, ownerId: t.ids[0]!, bytes: 10, quota });
        await store.uploads.complete(done.id, meta());
        const pending = await store.uploads.reserve({ workspaceId: t.workspace.id, ownerId: t.ids[0]!, bytes: 10, quota });
        const other = await team(["zoe"]);
        const kept = await store.uploads.reserve({ workspaceId: other.workspace.id, ownerId: other.ids[0]!, bytes: 10, quota });
        await store.uploads.complete(kept.id, meta());
        await store.workspaces.remove(t.workspace.id);
        expect(await store.uploads.get(done.id)).toBeNull();
        expect(new Set(await drainCleanup())).toEqual(new Set([done.storageKey, pending.storageKey]));
        expect(await store.uploads.get(kept.id)).not.toBeNull();
      });

      test("attach: the author's own upload, once, announced as message.updated; a delete detaches", async () => {
        const t = await team(["ada", "bob"]);
        const ready = async (owner: string) => {
          const r = await store.uploads.reserve({ workspaceId: t.workspace.id, ownerId: owner, bytes: 10, quota });
          return (await store.uploads.complete(r.id, meta())).upload;
        };
        const mine = await ready(t.ids[0]!);
        const theirs = await ready(t.ids[1]!);
        const m = await t.post(t.ids[0]!, "with file");
        await refused(store.uploads.attach(m.message.id, mine.id, t.ids[1]!), 403, "message_not_writable");
        await refused(store.uploads.attach(m.message.id, theirs.id, t.ids[0]!), 403, "upload_not_owned");
        const a = await store.uploads.attach(m.message.id, mine.id, t.ids[0]!);
        expect(a.event).toMatchObject({ type: "message.updated", seq: m.message.channel_seq, payload: { message_id: m.message.id, upload_id: mine.id } });
        expect(a.message.attachments?.map((u) => u.id)).toEqual([mine.id]);
        expect((await store.uploads.attach(m.message.id, mine.id, t.ids[0]!)).event).toBeNull();
        const m2 = await t.post(t.ids[0]!, "other");
        await refused(store.uploads.attach(m2.message.id, mine.id, t.ids[0]!), 409, "upload_attached");
        const withFile = await t.post(t.ids[1]!, "posted with it", { uploadId: theirs.id });
        expect(withFile.message.attachments?.map((u) => u.id)).toEqual([theirs.id]);
        await store.messages.remove(withFile.message.id, t.ids[1]!);
        expect(await store.uploads.get(theirs.id)).toMatchObject({ messageId: null });
        expect((await store.uploads.get(theirs.id))?.detachedAt).not.toBeNull();
        // A post refused for its upload writes nothing.
        const tail = await store.events.tail(t.workspace.id);
        await refused(t.post(t.ids[0]!, "bad file", { uploadId: mine.id }), 409, "upload_attached");
        expect(await store.events.tail(t.workspace.id)).toBe(tail);
      });
    });

    describe("search", () => {
      let t: Team;
      type Key = "finished" | "deploying" | "tokyo" | "chinese" | "opsDeploy" | "dmDeploy" | "guestDeploy" | "agent" | "root" | "reply";
      const ids = {} as { [k in Key]: string };
      let dm: Scope;
      let ops: Scope;
      const find = async (q: string, over: Partial<SearchInput> = {}, viewer = 0) => {
        const r = await store.search.search({
          workspaceId: t.workspace.id, viewerId: t.ids[viewer]!, guestOnly: false, includeDms: true, query: parseQuery(q), sort: "recent", limit: 50, after: null, ...over,
        });
        return r.hits.map((h) => h.message.id);
      };

      beforeAll(async () => {
        t = await team(["ada", "bob", "cy", "gus"], ["member", "member", "guest"]);
        const say = async (key: Key, body: string, scope: Scope = t.inGeneral, author = 0, extra: Partial<PostMessageInput> = {}) => {
          ids[key] = (await store.messages.post({ scope, authorId: t.ids[author]!, body, ...extra })).message.id;
        };
        ops = { kind: "channel", id: (await store.channels.create({ workspaceId: t.workspace.id, name: "ops", createdBy: t.ids[0]! })).channel.id, workspaceId: t.workspace.id };
        dm = await dmOf(t, [t.ids[0]!, t.ids[1]!]);
        await say("finished", "The deployment finished without errors");
        await say("deploying", "Deploying the new build tomorrow morning", t.inGeneral, 1);
        await say("tokyo", "東京タワーに行きました");
        await say("chinese", "我们明天发布新版本");
        await say("opsDeploy", "ops deployment checklist", ops, 1);
        await say("dmDeploy", "our secret deployment plan", dm);
        await say("guestDeploy", "welcome guests, deployment notes inside", t.inGuest);
        await say("agent", "agent deployment progress", t.inGeneral, 0, { kind: "agent_commentary", turnId: "t1" });
        await say("root", "thread about the budget");
        await say("reply", "budget reply in the thread", t.inGeneral, 1, { parentMessageId: ids.root });
        const other = await team(["zoe"]);
        await other.post(other.ids[0]!, "deployment in another workspace");
      });

      test("a member finds channels and their DMs; never agent activity or another workspace", async () => {
        expect(new Set(await find("deployment"))).toEqual(new Set([ids.finished, ids.opsDeploy, ids.dmDeploy, ids.guestDeploy]));
        expect(await find("deployment", {}, 2)).not.toContain(ids.dmDeploy);
        expect(await find("deployment", { includeDms: false })).not.toContain(ids.dmDeploy);
        expect(await find("deployment", { dmId: dm.id }, 1)).toEqual([ids.dmDeploy]);
        expect(await find("progress")).toEqual([]);
      });

      test("guests find #guest only, DMs never", async () => {
        expect(await find("deployment", { guestOnly: true }, 3)).toEqual([ids.guestDeploy]);
        expect(await find("deployment", { guestOnly: true, channelId: t.general.id }, 3)).toEqual([]);
      });

      test("partial words, prefixes, any case", async () => {
        expect(new Set(await find("ploy", { channelId: t.general.id }))).toEqual(new Set([ids.finished, ids.deploying]));
        expect(await find("DEPLOYMENT", { channelId: t.general.id })).toEqual([ids.finished]);
        expect(await find("to", { channelId: t.general.id })).toEqual([ids.deploying]);
      });

      test("Japanese and Chinese: short terms, long terms, phrases", async () => {
        for (const q of ["東京", "タワー", "行きました", '"東京タワー"']) expect(await find(q)).toEqual([ids.tokyo]);
        for (const q of ["明天", "新版本", "发"]) expect(await find(q)).toEqual([ids.chinese]);
        expect(await find("京都")).toEqual([]);
      });

      test("phrases are exact; words are ANDed", async () => {
        expect(await find('"deployment finished"')).toEqual([ids.finished]);
        expect(await find('"finished deployment"')).toEqual([]);
        expect(await find("deployment errors")).toEqual([ids.finished]);
      });

      test("filters: from, in, in:thread, before, after", async () => {
        const bob = t.users[1]!.handle;
        expect(new Set(await find(`deploy from:@${bob}`))).toEqual(new Set([ids.deploying, ids.opsDeploy]));
        expect(await find("deployment in:#ops")).toEqual([ids.opsDeploy]);
        expect(new Set(await find("budget in:thread"))).toEqual(new Set([ids.root, ids.reply]));
        const today = new Date().toISOString().slice(0, 10);
        expect(await find(`deployment before:${today}`)).toEqual([]);
        expect(await find("deployment after:2000-01-01")).toContain(ids.finished);
        expect(await find(`from:@${bob}`, { channelId: ops.id })).toEqual([ids.opsDeploy]);
      });

      test("has:file finds messages with attachments", async () => {
        const r = await store.uploads.reserve({ workspaceId: t.workspace.id, ownerId: t.ids[0]!, bytes: 5, quota: { maxBytes: 100, maxFiles: 5 } });
        const up = await store.uploads.complete(r.id, { filename: "f.txt", contentType: "text/plain", byteSize: 5, width: null, height: null, durationMs: null, nonce: null, fingerprint: "x" });
        const m = await t.post(t.ids[0]!, "quarterly figures attached", { uploadId: up.upload.id });
        expect(await find("quarterly has:file")).toEqual([m.message.id]);
        expect(await find("deployment has:file")).toEqual([]);
      });

      test("edits are re-indexed; deleted messages disappear", async () => {
        const m = await t.post(t.ids[0]!, "about kangaroos");
        expect(await find("kangaroos")).toEqual([m.message.id]);
        await store.messages.edit(m.message.id, "about wombats", t.ids[0]!);
        expect(await find("kangaroos")).toEqual([]);
        expect(await find("wombats")).toEqual([m.message.id]);
        await store.messages.remove(m.message.id, t.ids[0]!);
        expect(await find("wombats")).toEqual([]);
      });

      test("newest first, paged without repeats; relevance pages too", async () => {
        const posted: string[] = [];
        for (let i = 0; i < 7; i++) posted.push((await t.post(t.ids[0]!, `pagination marker ${i}`)).message.id);
        for (const sort of ["recent", "relevance"] as const) {
          const seen: string[] = [];
          let after: SearchInput["after"] = null;
          for (let guard = 0; guard < 10; guard++) {
            const page = await store.search.search({ workspaceId: t.workspace.id, viewerId: t.ids[0]!, guestOnly: false, includeDms: true, query: parseQuery("marker"), sort, limit: 3, after });
            seen.push(...page.hits.map((h) => h.message.id));
            if (!page.next) break;
            after = page.next;
          }
          expect(new Set(seen)).toEqual(new Set(posted));
          expect(seen).toHaveLength(7);
          if (sort === "recent") expect(seen).toEqual([...posted].reverse());
        }
      });

      test("hostile queries are only text", async () => {
        for (const q of ['"', "NEAR(a b)", "a OR b", "* ^ :", "col:deployment", "'); DROP TABLE messages; --", "\u0000"]) {
          expect(Array.isArray(await find(q))).toBe(true);
        }
        expect(await find("")).toEqual([]);
      });
    });

    describe("questions", () => {
      async function asked(extra: Record<string, unknown> = {}) {
        const t = await team();
        const bot = await store.users.create({ kind: "bot", displayName: "Asker", handle: unique("asker"), ownerUserId: t.ids[0] });
        await store.workspaces.addMember(t.workspace.id, bot.id, "bot");
        const question = { items: [{ id: "go", header: "Go", prompt: "Go?", options: [{ label: "Yes" }, { label: "No" }] }], expires_at: later(60_000), ...extra };
        const { message } = await t.post(bot.id, "Go?", { question });
        return { t, bot, message };
      }

      test("a question is stored with its message: open, version 1, read back by every reader", async () => {
        const { t, message } = await asked({ responder_user_ids: [] });
        expect(message.question).toMatchObject({ message_id: message.id, status: "open", version: 1 });
        expect((await other.messages.get(message.id, t.ids[1]!))!.question!.items[0]!.id).toBe("go");
        expect((await store.messages.page(t.inGeneral, { kind: "latest", limit: 5 }, t.ids[1]!)).messages.at(-1)!.question!.status).toBe("open");
      });

      test("concurrent answers through two processes: exactly one wins, one question.submitted for the bot", async () => {
        const { t, bot, message } = await asked();
        const answers = (label: string) => ({ go: [label] });
        const results = await Promise.allSettled([
          store.messages.answerQuestion(message.id, { userId: t.ids[0]!, answers: answers("Yes") }),
          other.messages.answerQuestion(message.id, { userId: t.ids[1]!, answers: answers("No") }),
          store.messages.answerQuestion(message.id, { userId: t.ids[2]!, answers: answers("No") }),
          other.messages.answerQuestion(message.id, { userId: t.ids[2]!, answers: answers("Yes") }),
        ]);
        expect(codes(results)).toEqual(["ok", "question_closed", "question_closed", "question_closed"]);
        const { events } = await store.events.replayAfter(t.workspace.id, null, 500);
        const submitted = events.filter((e) => e.type === "question.submitted");
        expect(submitted).toHaveLength(1);
        expect(submitted[0]!.recipients).toEqual([bot.id]);
        const stored = (await store.messages.get(message.id, bot.id))!.question!;
        expect([stored.status, stored.version]).toEqual(["submitted", 2]);
        expect(events.filter((e) => e.type === "message.updated" && e.payload.question_status === "submitted")).toHaveLength(1);
      });

      test("resolution by the asker only; the bot lists its questions by status", async () => {
        const { t, bot, message } = await asked();
        await refused(store.messages.resolveQuestion(message.id, { botId: t.ids[0]!, status: "cancelled" }), 403, "not_the_asker");
        await store.messages.answerQuestion(message.id, { userId: t.ids[1]!, answers: { go: ["Yes"] } });
        expect((await store.messages.botQuestions(bot.id, t.workspace.id, { status: "submitted", limit: 10 })).questions.map((q) => q.message_id)).toEqual([message.id]);
        const resolved = await other.messages.resolveQuestion(message.id, { botId: bot.id, status: "answered", expectedVersion: 2 });
        expect(resolved.message.question!.status).toBe("answered");
        expect((await store.messages.botQuestions(bot.id, t.workspace.id, { status: "pending", limit: 10 })).questions).toEqual([]);
        await refused(store.messages.answerQuestion(message.id, { userId: t.ids[2]!, answers: { go: ["No"] } }), 409, "question_closed");
      });
    });

    describe("administration: ownership, delete previews, the audit log", () => {
      test("transfer: the owner hands over to a member and becomes moderator; announced, audited; refusals write nothing", async () => {
        const t = await team(["ada", "bob", "cy", "gus"], ["member", "member", "guest"]);
        const bot = await store.bots.create({ workspaceId: t.workspace.id, displayName: unique("Bot") });
        const stranger = await store.users.create({ kind: "human", displayName: "stranger", handle: unique("str") });
        const before = await store.audit.list(t.workspace.id, { limit: 50 });
        await refused(store.workspaces.transferOwnership(t.workspace.id, t.ids[2]!, t.ids[1]!), 403, "owner_required");
        await refused(store.workspaces.transferOwnership(t.workspace.id, t.ids[0]!, t.ids[0]!), 400, "already_owner");
        await refused(store.workspaces.transferOwnership(t.workspace.id, stranger.id, t.ids[0]!), 404, "not_found");
        await refused(store.workspaces.transferOwnership(t.workspace.id, bot.id, t.ids[0]!), 400, "bot_cannot_own");
        await refused(store.workspaces.transferOwnership(t.workspace.id, t.ids[3]!, t.ids[0]!), 400, "guest_cannot_own");
        await refused(store.workspaces.transferOwnership("wsp_missing", t.ids[1]!, t.ids[0]!), 404, "not_found");
        expect(await store.audit.list(t.workspace.id, { limit: 50 })).toEqual(before);
        await store.moderation.update(t.workspace.id, t.ids[1]!, { timeoutUntil: later(60_000) }, t.ids[0]!);

        const r = await store.workspaces.transferOwnership(t.workspace.id, t.ids[1]!, t.ids[0]!);
        expect(r.workspace).toMatchObject({ id: t.workspace.id, role: "moderator" });
        expect(r.event).toMatchObject({ type: "workspace.ownership_transferred", payload: { previous_owner_id: t.ids[0]!, new_owner_id: t.ids[1]!, transferred_by: t.ids[0]! } });
        expect(r.events.map((e) => e.type)).toEqual(["workspace.ownership_transferred", "member.moderation_updated", "member.moderation_updated"]);
        expect(r.events.slice(1).map((e) => [e.payload.user_id, e.payload.role])).toEqual([[t.ids[0]!, "moderator"], [t.ids[1]!, "owner"]]);
        expect((await store.workspaces.membership(t.workspace.id, t.ids[0]!))?.role).toBe("moderator");
        // The new owner is beyond moderation: the timeout ends with the handover.
        expect(await store.workspaces.membership(t.workspace.id, t.ids[1]!)).toMatchObject({ role: "owner", timeoutUntil: null, blockedAt: null });
        const logged = (await allEvents(t.workspace.id)).filter((e) => e.type === "workspace.ownership_transferred");
        expect(logged).toHaveLength(1);
        const [entry] = (await store.audit.list(t.workspace.id, { limit: 1 })).entries;
        expect(entry).toMatchObject({ action: "workspace.ownership_transferred", actor_user_id: t.ids[0]!, target_type: "workspace", target_id: t.workspace.id, metadata: { previous_owner_id: t.ids[0]!, new_owner_id: t.ids[1]! } });
        // The former owner is no longer one.
        await refused(store.workspaces.transferOwnership(t.workspace.id, t.ids[2]!, t.ids[0]!), 403, "owner_required");
      });

      test("channel delete preview counts what goes and names what stops it; the delete takes pins and queues uploads", async () => {
        const t = await team(["ada", "bob"]);
        const { channel } = await store.channels.create({ workspaceId: t.workspace.id, name: "doomed", createdBy: t.ids[0]! });
        const inDoomed: Scope = { kind: "channel", id: channel.id, workspaceId: t.workspace.id };
        const root = await store.messages.post({ scope: inDoomed, authorId: t.ids[0]!, body: "root" });
        await store.messages.post({ scope: inDoomed, authorId: t.ids[1]!, body: "reply", parentMessageId: root.message.id });
        const gone = await store.messages.post({ scope: inDoomed, authorId: t.ids[1]!, body: "gone" });
        await store.messages.remove(gone.message.id, t.ids[1]!);
        await store.messages.pin(channel.id, root.message.id, t.ids[0]!);
        const quota = { maxBytes: 10_000, maxFiles: 10 };
        const r = await store.uploads.reserve({ workspaceId: t.workspace.id, ownerId: t.ids[0]!, bytes: 7, quota });
        await store.uploads.complete(r.id, { filename: "a.txt", contentType: "text/plain", byteSize: 7, width: null, height: null, durationMs: null, nonce: null, fingerprint: "fp-doomed" });
        await store.uploads.attach(root.message.id, r.id, t.ids[0]!);
        expect(await store.channels.deletePreview(channel.id)).toEqual({
          channel_id: channel.id, name: "doomed", messages: 2, threads: 1, replies: 1, pins: 1, uploads: 1, upload_bytes: 7, blockers: [], can_delete: true,
        });
        expect(await store.channels.deletePreview(t.guest.id)).toMatchObject({ can_delete: false, blockers: [{ code: "channel_name_reserved" }] });
        await refused(store.channels.remove(t.guest.id, t.ids[0]!), 400, "channel_name_reserved");
        await refused(store.channels.deletePreview("chn_missing"), 404, "not_found");

        const queued = new Set((await store.uploads.cleanupBatch(1000)).map((j) => j.storageKey));
        await store.channels.remove(channel.id, t.ids[0]!);
        expect(await store.uploads.get(r.id)).toBeNull();
        const after = (await store.uploads.cleanupBatch(1000)).filter((j) => !queued.has(j.storageKey)).map((j) => j.storageKey);
        expect(after).toEqual([r.storageKey]);
        // With #doomed gone, #general is the last public channel: the preview says so before the delete does.
        expect(await store.channels.deletePreview(t.general.id)).toMatchObject({ can_delete: false, blockers: [{ code: "last_channel" }] });
      });

      test("workspace delete preview counts people, channels, messages, uploads and bots", async () => {
        const t = await team(["ada", "bob"]);
        await store.bots.create({ workspaceId: t.workspace.id, displayName: unique("Bot") });
        await t.post(t.ids[0]!, "one");
        await t.post(t.ids[1]!, "two");
        expect(await store.workspaces.deletePreview(t.workspace.id)).toEqual({
          workspace_id: t.workspace.id, name: t.workspace.name, members: 2, channels: 2, messages: 2, uploads: 0, upload_bytes: 0, bots: 1,
        });
        await store.workspaces.remove(t.workspace.id);
        await refused(store.workspaces.deletePreview(t.workspace.id), 404, "not_found");
      });

      test("audited(): the entry commits with the write it records, and a refused write records nothing", async () => {
        const t = await team(["ada", "bob"]);
        const entry = (name: string) => auditEntry(t.workspace.id, t.ids[0]!, "channel.created", { type: "channel", id: name }, { name, token: "secret-never-kept" });
        const made = await audited((r) => auditEntry(t.workspace.id, t.ids[0]!, "channel.created", { type: "channel", id: (r as { channel: { id: string } }).channel.id }, { name: "audited" }),
          () => store.channels.create({ workspaceId: t.workspace.id, name: "audited", createdBy: t.ids[0]! }));
        await refused(audited(entry("dupe"), () => store.channels.create({ workspaceId: t.workspace.id, name: "audited", createdBy: t.ids[0]! })), 409, "channel_exists");
        // Concurrent audited writes batch together; each records its own entry only.
        await Promise.all(["c1", "c2", "c3"].map((n) => audited(entry(n), () => store.channels.create({ workspaceId: t.workspace.id, name: n, createdBy: t.ids[0]! }))));
        await store.channels.create({ workspaceId: t.workspace.id, name: "unaudited", createdBy: t.ids[0]! });
        const { entries } = await store.audit.list(t.workspace.id, { limit: 50 });
        expect(entries.map((e) => e.target_id).sort()).toEqual([made.channel.id, "c1", "c2", "c3"].sort());
        expect(entries.every((e) => !("token" in e.metadata))).toBe(true);
        expect(entries.find((e) => e.target_id === made.channel.id)).toMatchObject({ workspace_id: t.workspace.id, actor_user_id: t.ids[0]!, action: "channel.created", target_type: "channel", metadata: { name: "audited" } });
      });

      test("connected accounts: one active record per (workspace, provider, account); revoking frees it; members only", async () => {
        const t = await team(["ada", "bob"]);
        const elsewhere = await team(["zoe"]);
        const input = { workspaceId: t.workspace.id, userId: t.ids[1]!, provider: "github", providerAccountId: "583231", displayName: "bob", scopes: ["repo"], metadata: { login: "bob" }, createdBy: t.ids[1]! };
        const a = await store.connectedAccounts.connect(input);
        expect(a).toMatchObject({ workspace_id: t.workspace.id, user_id: t.ids[1]!, provider: "github", provider_account_id: "583231", scopes: ["repo"], metadata: { login: "bob" }, revoked_at: null });
        await refused(store.connectedAccounts.connect({ ...input, userId: t.ids[0]! }), 409, "account_already_connected");
        // Concurrent connects of one account: one wins, on every store (and across processes).
        const raced = await Promise.allSettled([store.connectedAccounts.connect({ ...input, providerAccountId: "race" }), other.connectedAccounts.connect({ ...input, providerAccountId: "race" })]);
        expect(codes(raced)).toEqual(["account_already_connected", "ok"]);
        // Another workspace is another place.
        await store.connectedAccounts.connect({ ...input, workspaceId: elsewhere.workspace.id, userId: elsewhere.ids[0]! });
        await refused(store.connectedAccounts.connect({ ...input, providerAccountId: "x", userId: elsewhere.ids[0]! }), 404, "not_found");
        expect((await store.connectedAccounts.list(t.workspace.id)).map((x) => x.provider_account_id)).toEqual(["race", "583231"]);
        expect(await store.connectedAccounts.list(t.workspace.id, t.ids[0]!)).toEqual([]);
        const revoked = await store.connectedAccounts.revoke(a.id);
        expect(revoked.revoked_at).not.toBeNull();
        expect(await store.connectedAccounts.revoke(a.id)).toEqual(revoked);
        expect(await store.connectedAccounts.get(a.id)).toEqual(revoked);
        await store.connectedAccounts.connect({ ...input, userId: t.ids[0]! });
        await refused(store.connectedAccounts.revoke("cna_missing"), 404, "not_found");
      });

      test("unlinking GitHub is refused while it is the person's only way in", async () => {
        const only = await store.users.create({ kind: "human", displayName: "gh", handle: unique("gh") });
        await store.identity.linkGithub(only.id, unique("ghid"));
        const ways = { emailSignsIn: true, passwordSignsIn: true };
        await refused(store.identity.unlinkGithub(only.id, ways), 409, "last_sign_in_method");
        await store.identity.setPasswordHash(only.id, "argon2-hash-stand-in");
        await refused(store.identity.unlinkGithub(only.id, { ...ways, passwordSignsIn: false }), 409, "last_sign_in_method");
        await store.identity.unlinkGithub(only.id, ways);
        expect(await store.identity.signInFacts(only.id)).toEqual({ githubId: null, email: null, password: true });
        await refused(store.identity.unlinkGithub(only.id, ways), 404, "not_found");
        const mailed = await store.users.create({ kind: "human", displayName: "m", handle: unique("m"), email: `${unique("m")}@example.com` });
        await store.identity.linkGithub(mailed.id, unique("ghid"));
        await refused(store.identity.unlinkGithub(mailed.id, { emailSignsIn: false, passwordSignsIn: true }), 409, "last_sign_in_method");
        await store.identity.unlinkGithub(mailed.id, ways);
      });

      test("the log pages newest first and filters by action and actor", async () => {
        const t = await team(["ada", "bob"]);
        for (let i = 0; i < 5; i++) await store.audit.record(auditEntry(t.workspace.id, t.ids[i % 2]!, i % 2 ? "bot.created" : "channel.created", { type: "channel", id: `n${i}` }));
        const first = await store.audit.list(t.workspace.id, { limit: 2 });
        expect(first.entries.map((e) => e.target_id)).toEqual(["n4", "n3"]);
        const second = await store.audit.list(t.workspace.id, { limit: 2, before: first.next_cursor! });
        expect(second.entries.map((e) => e.target_id)).toEqual(["n2", "n1"]);
        const last = await store.audit.list(t.workspace.id, { limit: 2, before: second.next_cursor! });
        expect([last.entries.map((e) => e.target_id), last.next_cursor]).toEqual([["n0"], null]);
        expect((await store.audit.list(t.workspace.id, { limit: 10, action: "bot.created" })).entries.map((e) => e.target_id)).toEqual(["n3", "n1"]);
        expect((await store.audit.list(t.workspace.id, { limit: 10, actorId: t.ids[0]! })).entries.map((e) => e.target_id)).toEqual(["n4", "n2", "n0"]);
        expect((await store.audit.list("wsp_other", { limit: 10 })).entries).toEqual([]);
      });
    });

    describe("races: a rule that counts or looks before it writes holds under concurrency", () => {

      test("one channel name, one handle, one slug, one member set", async () => {
        const t = await team();
        expect(codes(await Promise.allSettled(Array.from({ length: 4 }, () => store.channels.create({ workspaceId: t.workspace.id, name: "race", createdBy: t.ids[0]! })))))
          .toEqual(["channel_exists", "channel_exists", "channel_exists", "ok"]);
        const handle = unique("dup");
        expect(codes(await Promise.allSettled(Array.from({ length: 4 }, () => store.users.create({ kind: "human", displayName: "Dup", handle })))))
          .toEqual(["handle_taken", "handle_taken", "handle_taken", "ok"]);
        const slug = unique("slug");
        expect(codes(await Promise.allSettled(Array.from({ length: 3 }, () => store.workspaces.create({ name: "S", slug, ownerId: t.ids[0]! })))))
          .toEqual(["ok", "slug_taken", "slug_taken"]);
        const opened = await Promise.all(Array.from({ length: 4 }, (_, i) => store.dms.open(t.workspace.id, [t.ids[0]!, t.ids[1]!, t.ids[2]!], t.ids[i % 3]!)));
        expect(new Set(opened.map((o) => o.conversation.id)).size).toBe(1);
        expect(opened.filter((o) => o.created)).toHaveLength(1);
      });

      test("the last public channel survives concurrent deletes", async () => {
        const t = await team();
        const extra = await Promise.all(["a", "b", "c"].map((n) => store.channels.create({ workspaceId: t.workspace.id, name: n, createdBy: t.ids[0]! })));
        const ids = [t.general.id, ...extra.map((e) => e.channel.id)];
        const results = await Promise.allSettled(ids.map((id) => store.channels.remove(id, t.ids[0]!)));
        expect(codes(results)).toEqual(["last_channel", "ok", "ok", "ok"]);
        expect((await store.channels.list(t.workspace.id, t.ids[0]!, { guestOnly: false, includeArchived: true })).filter((c) => c.kind === "public")).toHaveLength(1);
      });

      test("the pin limit holds when pins arrive together", async () => {
        const t = await team(["ada"]);
        const posted = await Promise.all(Array.from({ length: 104 }, (_, i) => t.post(t.ids[0]!, `p${i}`)));
        for (const p of posted.slice(0, 98)) await store.messages.pin(t.general.id, p.message.id, t.ids[0]!);
        const results = await Promise.allSettled(posted.slice(98).map((p) => store.messages.pin(t.general.id, p.message.id, t.ids[0]!)));
        expect(codes(results)).toEqual(["ok", "ok", "pin_limit", "pin_limit", "pin_limit", "pin_limit"]);
        expect(await store.messages.pins(t.general.id, t.ids[0]!)).toHaveLength(100);
      }, 60_000);

      test("concurrent replies in one thread take distinct thread seqs and the state counts them all", async () => {
        const t = await team();
        const root = await t.post(t.ids[0]!, "root");
        const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => t.post(t.ids[i % 3]!, `r${i}`, { parentMessageId: root.message.id })));
        expect(replies.map((r) => r.message.thread_seq).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
        expect((await store.messages.thread(root.message.id, { kind: "oldest", limit: 50 }, t.ids[0]!)).thread_state.reply_count).toBe(12);
      });

      test("posts to several workspaces at once keep each workspace's cursors in commit order", async () => {
        const teams = await Promise.all([team(["a1"]), team(["b1"]), team(["c1"])]);
        const heard = new Map<string, string[]>();
        const stop = store.events.onCommit((batch) => {
          for (const e of batch) heard.set(e.workspace_id, [...(heard.get(e.workspace_id) ?? []), e.cursor]);
        });
        await Promise.all(Array.from({ length: 30 }, (_, i) => teams[i % 3]!.post(teams[i % 3]!.ids[0]!, `m${i}`)));
        stop();
        for (const t of teams) {
          const log = (await allEvents(t.workspace.id)).map((e) => e.cursor).slice(-10);
          expect(heard.get(t.workspace.id)).toEqual(log);
        }
      });
    });

    describe("routes and topics", () => {
      test("route ids and raw ids resolve; a reply opens its thread; deleted things do not resolve", async () => {
        const t = await team();
        expect(await store.routes.workspace(t.workspace.route_id)).toEqual({ id: t.workspace.id, routeId: t.workspace.route_id });
        expect((await store.routes.workspace(t.workspace.id))?.id).toBe(t.workspace.id);
        expect(await store.routes.target(t.general.route_id)).toEqual({ type: "channel", id: t.general.id, routeId: t.general.route_id, workspaceId: t.workspace.id });
        const { conversation } = await store.dms.open(t.workspace.id, [t.ids[1]!], t.ids[0]!);
        expect(await store.routes.target(conversation.route_id)).toMatchObject({ type: "direct", id: conversation.id });
        const root = await t.post(t.ids[0]!, "root");
        const reply = await t.post(t.ids[0]!, "reply", { parentMessageId: root.message.id });
        const thread = { type: "thread" as const, id: root.message.id, routeId: root.message.route_id, workspaceId: t.workspace.id, parent: { type: "channel" as const, id: t.general.id, routeId: t.general.route_id } };
        expect(await store.routes.target(root.message.route_id)).toEqual(thread);
        expect(await store.routes.target(reply.message.id)).toEqual(thread);
        await store.messages.remove(reply.message.id, t.ids[0]!);
        expect(await store.routes.target(reply.message.route_id)).toBeNull();
        expect(await store.routes.target("Cnothing")).toBeNull();
        await store.workspaces.remove(t.workspace.id);
        expect(await store.routes.workspace(t.workspace.route_id)).toBeNull();
      });

      test("topics: unique per place, case-insensitively; a channel of another workspace is not found", async () => {
        const t = await team();
        const other = await team(["zoe"]);
        const a = await store.topics.create({ workspaceId: t.workspace.id, name: "Release", createdBy: t.ids[0]! });
        await refused(store.topics.create({ workspaceId: t.workspace.id, name: "release", createdBy: t.ids[0]! }), 409, "topic_exists");
        const inGeneral = await store.topics.create({ workspaceId: t.workspace.id, channelId: t.general.id, name: "release", createdBy: t.ids[0]! });
        await refused(store.topics.create({ workspaceId: t.workspace.id, channelId: other.general.id, name: "x", createdBy: t.ids[0]! }), 404, "not_found");
        expect((await store.topics.list(t.workspace.id)).map((x) => x.id).sort()).toEqual([a.id, inGeneral.id].sort());
        expect(a).toMatchObject({ workspace_id: t.workspace.id, channel_id: null, name: "Release", created_by: t.ids[0]! });
      });
    });

    describe("channel preferences", () => {
      test("stars and own preferences per channel of one workspace; starring twice is once; the default is not listed", async () => {
        const t = await team();
        const [ada] = t.ids as [string];
        const other = await team(["zed"]);
        const sideRoom = (await store.channels.create({ workspaceId: t.workspace.id, name: unique("side"), createdBy: ada })).channel;
        await store.notifications.setStar(ada, { id: t.general.id, workspaceId: t.workspace.id }, true);
        await store.notifications.setStar(ada, { id: t.general.id, workspaceId: t.workspace.id }, true);
        await store.notifications.updateSetting(ada, sideRoom.id, { preference: "mentions" });
        await store.notifications.updateSetting(ada, DEFAULT_SCOPE, { preference: "mentions" });
        await store.notifications.setStar(other.ids[0]!, { id: other.general.id, workspaceId: other.workspace.id }, true);
        const mine = await store.notifications.channelPreferences(ada, t.workspace.id);
        expect(mine).toEqual(
          [
            { channel_id: t.general.id, starred: true, preference: null },
            { channel_id: sideRoom.id, starred: false, preference: "mentions" as const },
          ].sort((a, b) => (a.channel_id < b.channel_id ? -1 : 1)),
        );
        await store.notifications.setStar(ada, { id: t.general.id, workspaceId: t.workspace.id }, false);
        expect((await store.notifications.channelPreferences(ada, t.workspace.id)).map((p) => p.channel_id)).toEqual([sideRoom.id]);
        expect(await store.notifications.channelPreferences(ada, other.workspace.id)).toEqual([]);
      });
    });

    describe("presence", () => {
      const later = (ms: number) => new Date(Date.now() + ms).toISOString();
      const byUser = (list: { user_id: string; status: string }[]) => Object.fromEntries(list.map((p) => [p.user_id, p.status]));

      test("online while any process holds a socket; away when said so; offline when the last one goes", async () => {
        const t = await team();
        const [ada, bob] = t.ids as [string, string];
        const [p1, p2] = [unique("proc"), unique("proc")];
        const w = t.workspace.id;
        expect(await store.presence.report(p1, [{ workspaceId: w, userId: ada, sockets: 1, opened: true }], later(60_000))).toEqual([{ workspaceId: w, userId: ada, status: "online" }]);
        // Another process (a second device) reports through its own connection: ada was online
        // already, so only bob's status changed.
        expect(await other.presence.report(p2, [{ workspaceId: w, userId: ada, sockets: 2, opened: true }, { workspaceId: w, userId: bob, sockets: 1, opened: true }], later(60_000))).toEqual([{ workspaceId: w, userId: bob, status: "online" }]);
        // More sockets of someone online: nothing changed, nothing to announce.
        expect(await store.presence.report(p1, [{ workspaceId: w, userId: ada, sockets: 4, opened: true }], later(60_000))).toEqual([]);
        expect(byUser(await store.presence.list(w))).toEqual({ [ada]: "online", [bob]: "online" });
        expect(await store.presence.setAway(w, ada, true)).toEqual({ workspaceId: w, userId: ada, status: "away" });
        expect(byUser(await other.presence.list(w))).toEqual({ [ada]: "away", [bob]: "online" });
        // One process lets go: ada still has sockets on the other, so she stays away (no change).
        expect(await store.presence.report(p1, [{ workspaceId: w, userId: ada, sockets: 0, opened: false }], later(60_000))).toEqual([]);
        // A socket opened is a person back at a device.
        expect(await other.presence.report(p2, [{ workspaceId: w, userId: ada, sockets: 3, opened: true }], later(60_000))).toEqual([{ workspaceId: w, userId: ada, status: "online" }]);
        await store.presence.setAway(w, ada, true);
        expect(await other.presence.report(p2, [{ workspaceId: w, userId: ada, sockets: 0, opened: false }], later(60_000))).toEqual([{ workspaceId: w, userId: ada, status: "offline" }]);
        // Offline ends "away": the next connection starts online, and away needs a socket.
        expect(await store.presence.setAway(w, ada, true)).toEqual({ workspaceId: w, userId: ada, status: "offline" });
        expect(byUser(await store.presence.list(w))).toEqual({ [bob]: "online" });
        expect(await store.presence.list(unique("wsp"))).toEqual([]);
      });

      test("connectedAmong answers for many people at once: any process, any workspace, expired rows not counted", async () => {
        const t = await team();
        const [ada, bob, cy] = t.ids as [string, string, string];
        const w = t.workspace.id;
        expect(await store.presence.connectedAmong([])).toEqual(new Set());
        await store.presence.report(unique("proc"), [{ workspaceId: w, userId: ada, sockets: 1, opened: true }], later(60_000));
        await other.presence.report(unique("proc"), [{ workspaceId: w, userId: bob, sockets: 1, opened: true }], later(60_000));
        await other.presence.report(unique("proc"), [{ workspaceId: w, userId: cy, sockets: 1, opened: true }], later(100));
        await Bun.sleep(150);
        expect(await store.presence.connectedAmong([ada, bob, cy, unique("usr")])).toEqual(new Set([ada, bob]));
        expect(await other.presence.connectedAmong([cy])).toEqual(new Set());
      });

      test("a process that stops renewing (kill -9) expires: a sweep elsewhere announces its people offline, once", async () => {
        const t = await team();
        const [ada, bob] = t.ids as [string, string];
        const w = t.workspace.id;
        const [dead, alive] = [unique("proc"), unique("proc")];
        await store.presence.report(dead, [{ workspaceId: w, userId: ada, sockets: 1, opened: true }, { workspaceId: w, userId: bob, sockets: 1, opened: true }], later(150));
        await other.presence.report(alive, [{ workspaceId: w, userId: bob, sockets: 1, opened: true }], later(60_000));
        await Bun.sleep(200);
        // Expired rows no longer count, even before any sweep.
        expect(byUser(await store.presence.list(w))).toEqual({ [bob]: "online" });
        const swept = await other.presence.sweep(alive, later(60_000));
        expect(swept.filter((c) => c.workspaceId === w)).toEqual([{ workspaceId: w, userId: ada, status: "offline" }]);
        expect((await store.presence.sweep(alive, later(60_000))).filter((c) => c.workspaceId === w)).toEqual([]);
        // The sweeping process renewed its own rows.
        await Bun.sleep(10);
        expect(byUser(await store.presence.list(w))).toEqual({ [bob]: "online" });
      });
    });

    describe("worker positions and push candidates", () => {
      test("a worker's position starts empty, keeps what the work returns, and is held by one run at a time", async () => {
        const t = await team();
        const worker = unique("w");
        const seen: (string | null)[] = [];
        expect(await store.workerPositions.advance(worker, t.workspace.id, async (after) => (seen.push(after), "c1"))).toBe(true);
        let release!: () => void;
        const held = store.workerPositions.advance(worker, t.workspace.id, async (after) => {
          seen.push(after);
          await new Promise<void>((r) => (release = r));
          return "c2";
        });
        while (seen.length < 2) await Bun.sleep(5);
        // While one run holds the position, another (in this process or, on Postgres, another) skips.
        expect(await store.workerPositions.advance(worker, t.workspace.id, async () => "never")).toBe(false);
        release();
        expect(await held).toBe(true);
        await store.workerPositions.advance(worker, t.workspace.id, async (after) => (seen.push(after), after));
        expect(seen).toEqual([null, "c1", "c2"]);
        // Positions are per worker and per workspace.
        await store.workerPositions.advance(unique("other"), t.workspace.id, async (after) => (seen.push(after), after));
        expect(seen.at(-1)).toBeNull();
      });

      test("push candidates: readers with a Pushover key, with their preference and whether the message mentions them", async () => {
        const t = await team(["ada", "bob", "cy", "dee"]);
        expect(typeof (await store.notifications.anyPushAddress())).toBe("boolean");
        for (const i of [0, 1, 2]) await store.users.update(t.ids[i]!, { pushoverUserKey: `${i}`.repeat(30) });
        await store.users.update(t.ids[2]!, { pushoverUserKey: null });
        // A profile change is all or nothing: a taken handle leaves the key as it was.
        await expect(store.users.update(t.ids[1]!, { handle: t.users[0]!.handle, pushoverUserKey: null })).rejects.toMatchObject({ code: "handle_taken" });
        await store.notifications.updateSetting(t.ids[1]!, t.general.id, { preference: "mentions" });
        const m = await t.post(t.ids[0]!, `hi @${t.users[1]!.handle}`);
        const device = { endpoint: `https://push.example/${unique("d")}`, p256dh: "pk", auth: "au" };
        await store.notifications.addPushSubscription(t.ids[3]!, device);
        expect(await store.notifications.anyPushAddress()).toBe(true);
        const got = (await store.notifications.pushCandidates(m.message.id)).sort((a, b) => t.ids.indexOf(a.userId) - t.ids.indexOf(b.userId));
        expect(got).toEqual([
          { userId: t.ids[0]!, pushoverKey: "0".repeat(30), subscriptions: [], mentioned: false, preference: "all", dnd_start_minute: null, dnd_end_minute: null },
          { userId: t.ids[1]!, pushoverKey: "1".repeat(30), subscriptions: [], mentioned: true, preference: "mentions", dnd_start_minute: null, dnd_end_minute: null },
          { userId: t.ids[3]!, pushoverKey: null, subscriptions: [device], mentioned: false, preference: "all", dnd_start_minute: null, dnd_end_minute: null },
        ]);
        expect(await store.notifications.removePushSubscription(t.ids[0]!, device.endpoint)).toBe(false);
        expect(await store.notifications.removePushSubscription(t.ids[3]!, device.endpoint)).toBe(true);
        await store.notifications.addPushSubscription(t.ids[3]!, device);
        await store.notifications.dropPushEndpoint(device.endpoint);
        expect((await store.notifications.pushCandidates(m.message.id)).some((c) => c.userId === t.ids[3]!)).toBe(false);
      });

      test("the VAPID key pair is generated once and kept", async () => {
        let made = 0;
        const gen = () => ({ publicKey: `pub${++made}`, privateKey: `priv${made}` });
        const [a, b] = await Promise.all([store.notifications.vapidKeys(gen), store.notifications.vapidKeys(gen)]);
        expect(b).toEqual(a);
        expect(await store.notifications.vapidKeys(gen)).toEqual(a);
      });
    });

    describe("invites", () => {
      const terms = { role: "member" as const, expiresAt: null, maxUses: null };
      const newPerson = (n: string) => ({ newUser: { displayName: n } });

      test("an invite joins people with its role, counts each join, and is listed and revoked", async () => {
        const t = await team(["ada"]);
        const { invite, token } = await store.invites.create({ workspaceId: t.workspace.id, createdBy: t.ids[0]!, ...terms, role: "guest", maxUses: 3 });
        expect(invite).toMatchObject({ role: "guest", uses: 0, uses_left: 3, status: "active", max_uses: 3, expires_at: null });
        expect(token.startsWith("inv_")).toBe(true);
        expect((await store.invites.byToken(token))?.id).toBe(invite.id);
        expect(await store.invites.byToken("inv_nope")).toBeNull();
        const joined = await store.invites.redeem(token, newPerson("Gus"));
        expect([joined.created, joined.joined, joined.role, joined.invite.uses]).toEqual([true, true, "guest", 1]);
        expect((await store.workspaces.membership(t.workspace.id, joined.user.id))?.role).toBe("guest");
        // Someone already in spends nothing; a guest opening a member invite becomes a member.
        const again = await store.invites.redeem(token, { userId: joined.user.id });
        expect([again.joined, again.invite.uses]).toEqual([false, 1]);
        expect((await store.invites.redeem(token, { userId: t.ids[0]! })).role).toBe("owner");
        const up = await store.invites.create({ workspaceId: t.workspace.id, createdBy: t.ids[0]!, ...terms });
        expect((await store.invites.redeem(up.token, { userId: joined.user.id })).role).toBe("member");
        expect((await store.invites.list(t.workspace.id)).map((i) => i.id)).toEqual([up.invite.id, invite.id]);
        const revoked = await store.invites.revoke(invite.id);
        expect(revoked.status).toBe("revoked");
        expect((await store.invites.revoke(invite.id)).revoked_at).toBe(revoked.revoked_at);
        await refused(store.invites.redeem(token, newPerson("Late")), 410, "invite_revoked");
        await refused(store.invites.redeem("inv_unknown", newPerson("Nobody")), 404, "invite_not_found");
      });

      test("an expired invite refuses; a used-up one refuses and makes no account", async () => {
        const t = await team(["ada"]);
        const expired = await store.invites.create({ workspaceId: t.workspace.id, createdBy: t.ids[0]!, ...terms, expiresAt: later(-1000) });
        expect(expired.invite.status).toBe("expired");
        await refused(store.invites.redeem(expired.token, newPerson("Ed")), 410, "invite_expired");
        const once = await store.invites.create({ workspaceId: t.workspace.id, createdBy: t.ids[0]!, ...terms, maxUses: 1 });
        await store.invites.redeem(once.token, newPerson("First"));
        const name = unique("Second");
        await refused(store.invites.redeem(once.token, newPerson(name)), 410, "invite_used_up");
        expect((await store.workspaces.members(t.workspace.id, { limit: 50, q: name })).members).toEqual([]);
        expect((await store.invites.get(once.invite.id))).toMatchObject({ uses: 1, uses_left: 0, status: "used_up" });
      });

      test("races: of many people opening an invite with 3 uses at once, on two processes, exactly 3 join", async () => {
        const t = await team(["ada"]);
        const { invite, token } = await store.invites.create({ workspaceId: t.workspace.id, createdBy: t.ids[0]!, ...terms, maxUses: 3 });
        const people = await Promise.all(Array.from({ length: 12 }, (_, i) => store.users.create({ kind: "human", displayName: `racer${i}`, handle: unique(`racer${i}`) })));
        const results = await Promise.allSettled(people.map((p, i) => (i % 2 ? other : store).invites.redeem(token, { userId: p.id })));
        expect(codes(results)).toEqual([...Array(9).fill("invite_used_up"), "ok", "ok", "ok"]);
        expect((await store.invites.get(invite.id))?.uses).toBe(3);
        const joined = (await store.workspaces.members(t.workspace.id, { limit: 50 })).members.filter((m) => m.user.display_name.startsWith("racer"));
        expect(joined.length).toBe(3);
        // New accounts race the same way, and a refused one is not created.
        const fresh = await store.invites.create({ workspaceId: t.workspace.id, createdBy: t.ids[0]!, ...terms, maxUses: 2 });
        const names = Array.from({ length: 8 }, (_, i) => unique(`newbie${i}`));
        const made = await Promise.allSettled(names.map((n, i) => (i % 2 ? other : store).invites.redeem(fresh.token, newPerson(n))));
        expect(codes(made)).toEqual([...Array(6).fill("invite_used_up"), "ok", "ok"]);
        const inWorkspace = (await store.workspaces.members(t.workspace.id, { limit: 50, q: "newbie" })).members;
        expect(inWorkspace.length).toBe(2);
      });
    });

    describe("mention digest bookkeeping", () => {
      test("pending people are claimed once per interval, only when enabled and with an email; unread mentions after the last mail", async () => {
        const t = await team(["ada", "bob"]);
        const withMail = await store.users.create({ kind: "human", displayName: "Mailable", handle: unique("mail"), email: `${unique("m")}@example.test` });
        await store.workspaces.addMember(t.workspace.id, withMail.id, "member");
        const m = await t.post(t.ids[0]!, `hi @${withMail.handle}`);
        const mine = await store.digests.unreadMentions(withMail.id, null, 10);
        expect(mine.map((x) => [x.messageId, x.reason])).toEqual([[m.message.id, "direct"]]);
        expect(await store.digests.unreadMentions(withMail.id, mine[0]!.createdAt, 10)).toEqual([]);

        const at = new Date().toISOString();
        await store.digests.markPending([withMail.id, t.ids[1]!], at);
        const [a, b] = await Promise.all([store.digests.claimDue(later(1000), at, 100), other.digests.claimDue(later(1000), at, 100)]);
        // bob has no email: never claimed. The mailable person: claimed by exactly one process.
        expect([...a, ...b].filter((d) => d.userId === withMail.id)).toEqual([{ userId: withMail.id, email: expect.stringContaining("@example.test"), previousSentAt: null }]);
        expect([...a, ...b].some((d) => d.userId === t.ids[1]!)).toBe(false);
        await store.digests.markPending([withMail.id], later(0));
        // Sent at `at`: not due again before the interval has passed.
        expect((await store.digests.claimDue(later(-60_000), later(0), 100)).some((d) => d.userId === withMail.id)).toBe(false);
        await store.digests.setEnabled(withMail.id, false);
        expect(await store.digests.enabled(withMail.id)).toBe(false);
        expect((await store.digests.claimDue(later(60_000), later(0), 100)).some((d) => d.userId === withMail.id)).toBe(false);
        await store.digests.setEnabled(withMail.id, true);
        expect((await store.digests.claimDue(later(60_000), later(0), 100)).map((d) => d.userId)).toContain(withMail.id);
      });

      test("a server secret is made once and kept", async () => {
        let made = 0;
        const name = unique("secret");
        const [a, b] = await Promise.all([store.digests.serverSecret(name, () => `s${++made}`), other.digests.serverSecret(name, () => `s${++made}`)]);
        expect(b).toBe(a);
      });
    });
  });
}
