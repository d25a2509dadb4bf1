import { expect, test } from "bun:test";
import { omitAbsent, type Schema } from "./omit-absent.ts";
import { sharedRenderingsBody } from "./render-json.ts";
import { MessagePageSchema, ThreadPageSchema } from "./schemas.ts";

const message = (id: string, over: Record<string, unknown> = {}) => ({
  id, route_id: `M${id}`, workspace_id: "wsp_1", channel_id: "chn_1", direct_conversation_id: null, author_id: "usr_1",
  parent_message_id: null, thread_root_id: id, topic_id: null, channel_seq: 1, thread_seq: null, body: "hi", body_format: "markdown",
  created_at: "2026-01-05T09:30:00.000Z", edited_at: null, deleted_at: null, kind: "message", turn_id: null, quoted_message_id: null,
  quoted_body_snapshot: null, quoted_author_id: null, nonce: null, question: null,
  thread_state: { root_message_id: id, reply_count: 0, last_reply_at: null, last_reply_author_ids: [] },
  author: { id: "usr_1", kind: "human", owner_user_id: null, display_name: "Ada", handle: "ada", avatar_url: "", time_zone: null, created_at: "2026-01-05T09:00:00.000Z" },
  reactions: [{ emoji: "👍", count: 1, reacted_by_me: false }], attachments: [], ...over,
});
const deepFreeze = <T>(v: T): T => {
  if (v && typeof v === "object") {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
};
const usual = (schema: unknown, value: unknown) => JSON.stringify(omitAbsent(schema as Schema, value));
const body = (schema: unknown, value: object) => sharedRenderingsBody(schema as Schema, value)?.text() ?? null;

test("a page of shared renderings is written as the usual path writes it, and each rendering's JSON is made once", async () => {
  const shared = deepFreeze(message("msg_1"));
  // A reader who reacted gets a copy of their own: written the usual way, beside the shared one.
  const mine = { ...message("msg_2"), reactions: [{ emoji: "👍", count: 1, reacted_by_me: true }] };
  const page = { messages: [shared, mine], oldest_seq: 1, newest_seq: 2, has_older: false, has_newer: false };
  const written = await body(MessagePageSchema, page);
  expect(written).toBe(usual(MessagePageSchema, page));
  expect(JSON.parse(written!).messages[0]).not.toHaveProperty("edited_at");

  const thread = { root: shared, replies: [deepFreeze(message("msg_3", { parent_message_id: "msg_1", thread_root_id: "msg_1" }))], thread_state: shared.thread_state, oldest_seq: 1, newest_seq: 1, has_older: false, has_newer: false };
  expect(await body(ThreadPageSchema, thread)).toBe(usual(ThreadPageSchema, thread));

  // Kept: the second page with the same rendering does not read it again.
  let reads = 0;
  const watched = new Proxy(deepFreeze(message("msg_4")), { get: (target, key) => (reads++, Reflect.get(target, key)) });
  const once = { ...page, messages: [watched] };
  const first = await body(MessagePageSchema, once);
  const readsFirst = reads;
  expect(readsFirst).toBeGreaterThan(0);
  expect(await body(MessagePageSchema, { ...once, has_older: true })).toBe(first!.replace('"has_older":false', '"has_older":true'));
  expect(reads).toBe(readsFirst);
});

test("a page made of the same renderings and fields as one written before reuses its bytes; any difference writes anew", async () => {
  const a = deepFreeze(message("msg_10"));
  const b = deepFreeze(message("msg_11"));
  const page = { messages: [a, b], oldest_seq: 1, newest_seq: 2, has_older: false, has_newer: false };
  const first = sharedRenderingsBody(MessagePageSchema as unknown as Schema, page)!;
  // Another request's page object, the same renderings: the very same bytes.
  expect(sharedRenderingsBody(MessagePageSchema as unknown as Schema, { ...page, messages: [a, b] })).toBe(first);
  // A field, a rendering replaced (an edit made a new one), another order, a reader's own copy:
  // each is written anew, and as the usual path writes it.
  const edited = deepFreeze(message("msg_11", { body: "edited" }));
  const mine = { ...message("msg_11"), reactions: [{ emoji: "👍", count: 1, reacted_by_me: true }] };
  for (const other of [
    { ...page, has_newer: true },
    { ...page, messages: [a, edited] },
    { ...page, messages: [b, a] },
    { ...page, messages: [a] },
    { ...page, messages: [a, mine] },
  ]) {
    const written = sharedRenderingsBody(MessagePageSchema as unknown as Schema, other)!;
    expect(written).not.toBe(first);
    expect(await written.text()).toBe(usual(MessagePageSchema, other));
  }
  // A reader's own copy is not frozen, so a change to it shows: it is never stood in for by identity.
  const again = { ...page, messages: [a, mine] };
  const before = await body(MessagePageSchema, again);
  mine.body = "changed since";
  expect(await body(MessagePageSchema, again)).not.toBe(before);
  expect(await body(MessagePageSchema, again)).toBe(usual(MessagePageSchema, again));
});

test("responses without shared renderings take the usual path", async () => {
  const page = { messages: [message("msg_1")], oldest_seq: 1, newest_seq: 1, has_older: false, has_newer: false };
  expect(await body(MessagePageSchema, page)).toBeNull();
});

test("kept bodies are bounded: past two thousand first renderings, the least recently written goes", async () => {
  const pageOf = (m: object) => ({ messages: [m], oldest_seq: 1, newest_seq: 1, has_older: false, has_newer: false });
  const first = pageOf(deepFreeze(message("msg_first")));
  const kept = sharedRenderingsBody(MessagePageSchema as unknown as Schema, first)!;
  expect(sharedRenderingsBody(MessagePageSchema as unknown as Schema, first)).toBe(kept);
  for (let i = 0; i < 2_000; i++) sharedRenderingsBody(MessagePageSchema as unknown as Schema, pageOf(deepFreeze(message(`msg_${i}`))));
  const again = sharedRenderingsBody(MessagePageSchema as unknown as Schema, first)!;
  expect(again).not.toBe(kept);
  expect(await again.text()).toBe(await kept.text());
});
