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

test("a page of shared renderings is written as the usual path writes it, and each rendering's JSON is made once", () => {
  const shared = deepFreeze(message("msg_1"));
  // A reader who reacted gets a copy of their own: written the usual way, beside the shared one.
  const mine = { ...message("msg_2"), reactions: [{ emoji: "👍", count: 1, reacted_by_me: true }] };
  const page = { messages: [shared, mine], oldest_seq: 1, newest_seq: 2, has_older: false, has_newer: false };
  const body = sharedRenderingsBody(MessagePageSchema as unknown as Schema, page);
  expect(body).toBe(usual(MessagePageSchema, page));
  expect(JSON.parse(body!).messages[0]).not.toHaveProperty("edited_at");

  const thread = { root: shared, replies: [deepFreeze(message("msg_3", { parent_message_id: "msg_1", thread_root_id: "msg_1" }))], thread_state: shared.thread_state, oldest_seq: 1, newest_seq: 1, has_older: false, has_newer: false };
  expect(sharedRenderingsBody(ThreadPageSchema as unknown as Schema, thread)).toBe(usual(ThreadPageSchema, thread));

  // Kept: the second page with the same rendering does not read it again.
  let reads = 0;
  const watched = new Proxy(deepFreeze(message("msg_4")), { get: (target, key) => (reads++, Reflect.get(target, key)) });
  const once = { ...page, messages: [watched] };
  const first = sharedRenderingsBody(MessagePageSchema as unknown as Schema, once);
  const readsFirst = reads;
  expect(readsFirst).toBeGreaterThan(0);
  expect(sharedRenderingsBody(MessagePageSchema as unknown as Schema, once)).toBe(first!);
  expect(reads).toBe(readsFirst);
});

test("responses without shared renderings take the usual path", () => {
  const page = { messages: [message("msg_1")], oldest_seq: 1, newest_seq: 1, has_older: false, has_newer: false };
  expect(sharedRenderingsBody(MessagePageSchema as unknown as Schema, page)).toBeNull();
});
