// TypeBox schemas of the wire objects. They validate requests, shape responses and generate the
// OpenAPI document, so they are the one description of the protocol in this repository.
import { FormatRegistry, type IntegerOptions, Type } from "@sinclair/typebox";
import { t, type Static, type TSchema } from "elysia";
import { SCHEMA_EXAMPLES as EX } from "./openapi-examples.ts";

/**
 * RFC 3339 date-time, the one shape this protocol writes and reads, checked by one anchored
 * pattern. Elysia's own check (a dozen date shapes, then a Date parse) ran on every timestamp of
 * every response: a tenth of a channel page's time.
 */
const RFC3339 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
FormatRegistry.Set("date-time", (value) => RFC3339.test(value));

/**
 * An integer the server sends. Elysia's t.Integer also takes a numeric string, a transform that
 * made every response holding one walk TypeBox's generic Encode (a quarter of a channel page's
 * time): request bodies and queries keep t.Integer, response objects use this plain one.
 */
export const Int = (options?: IntegerOptions) => Type.Integer(options);

export const Nullable = <T extends TSchema>(s: T) => t.Union([s, t.Null()]);

/**
 * An optional key that is left out when absent (never sent as null, as the Go server's
 * omitempty). The stores say null for absent; app.ts drops those nulls from every response by
 * its schema, so the static type admits null while the documented schema does not.
 */
export const Omitted = <T extends TSchema>(s: T) => t.Optional(t.Unsafe<Static<T> | null>(s));

export const RoleSchema = t.Union([t.Literal("owner"), t.Literal("moderator"), t.Literal("member"), t.Literal("guest"), t.Literal("bot")]);

export const UserSchema = t.Object({
  id: t.String(),
  kind: t.Union([t.Literal("human"), t.Literal("bot")]),
  owner_user_id: Omitted(t.String()),
  display_name: t.String(),
  handle: t.String(),
  avatar_url: t.String({ description: "\"\" when unset" }),
  time_zone: Omitted(t.String({ description: "IANA time zone (e.g. Europe/Berlin), for the person's local time" })),
  created_at: t.String({ format: "date-time" }),
}, { title: "User", examples: [EX.user] });

/** A retired bot: its tombstone. */
export const DeletedBotSchema = t.Object({
  id: t.String(),
  display_name: t.String(),
  former_handle: t.String({ description: "the handle it had; free again for anyone to take" }),
  deleted_at: t.String({ format: "date-time" }),
}, { title: "DeletedBot" });

export const WorkspaceSchema = t.Object({
  id: t.String(),
  route_id: t.String(),
  name: t.String(),
  slug: t.String(),
  icon_url: t.String({ description: "\"\" when unset" }),
  created_at: t.String(),
  role: t.Optional(RoleSchema),
}, { title: "Workspace", examples: [EX.workspace] });

export const MemberSchema = t.Object({
  user: UserSchema,
  role: RoleSchema,
  joined_at: t.String(),
  timeout_until: Omitted(t.String()),
  blocked_at: Omitted(t.String()),
}, { title: "Member" });

export const ChannelSchema = t.Object({
  id: t.String(),
  route_id: t.String(),
  workspace_id: t.String(),
  name: t.String(),
  display_title: Omitted(t.String()),
  kind: t.String({ description: "public, guest, or any kind an integration gives it" }),
  private: t.Optional(t.Literal(true, { description: "Only its members read it (GET /api/channels/{id}/members); left out for a public channel" })),
  external_managed: t.Boolean({ description: "An integration keeps this channel in step with an outside place" }),
  external_ref: Omitted(t.String()),
  external_url: Omitted(t.String()),
  sidebar_section: Omitted(t.String()),
  created_at: t.String(),
  archived_at: Omitted(t.String()),
  last_seq: Int(),
  last_read_seq: Int(),
  unread_count: Int(),
  mention_count: Int(),
}, { title: "Channel", examples: [EX.channel] });

export const ThreadStateSchema = t.Object({
  root_message_id: t.String(),
  reply_count: Int(),
  last_reply_at: Omitted(t.String()),
  last_reply_author_ids: t.Array(t.String()),
}, { title: "ThreadState" });

export const ReactionSummarySchema = t.Object({ emoji: t.String(), count: Int(), reacted_by_me: t.Boolean() }, { title: "ReactionSummary" });

export const UploadSchema = t.Object({
  id: t.String(),
  workspace_id: t.String(),
  owner_id: t.String(),
  nonce: Omitted(t.String()),
  filename: t.String(),
  content_type: t.String({ description: "Sniffed from the bytes, not taken from the client" }),
  byte_size: Int(),
  width: Nullable(Int()),
  height: Nullable(Int()),
  duration_ms: Nullable(Int()),
  created_at: t.String(),
  url: t.String({ description: "GET it to download (access-checked)" }),
}, { title: "Upload" });

// Questions (ask-user cards). Requests are bounded loosely here and checked exactly by
// src/chat/questions.ts, which answers each broken rule with its own code.
export const QuestionOptionSchema = t.Object({
  label: t.String({ maxLength: 400 }),
  description: t.Optional(t.String({ maxLength: 1000 })),
}, { title: "QuestionOption" });

export const QuestionItemSchema = t.Object({
  id: t.String({ maxLength: 64, description: "^[a-z][a-z0-9_]{0,63}$, unique in the question" }),
  header: t.String({ maxLength: 200, description: "1–24 characters" }),
  prompt: t.String({ maxLength: 4000, description: "1–1000 characters" }),
  options: t.Optional(t.Array(QuestionOptionSchema, { maxItems: 50, description: "At most 10; none makes a free-text item" })),
  multi_select: t.Optional(t.Boolean({ description: "Needs at least 2 options" })),
  allow_other: t.Optional(t.Boolean({ description: "Also accept one typed answer" })),
  other_placeholder: t.Optional(t.String({ maxLength: 400 })),
  url: t.Optional(t.String({ maxLength: 4096 })),
}, { title: "QuestionItem" });

export const QuestionAnswersSchema = t.Record(t.String(), t.Array(t.String({ maxLength: 8000 }), { maxItems: 20 }), { description: "Item id → chosen option labels (and at most one typed answer)", examples: [{ deploy: ["Ship it"] }] });

export const QuestionInputSchema = t.Object({
  items: t.Array(QuestionItemSchema, { maxItems: 20, description: "1–5 items" }),
  expires_at: t.Optional(t.String({ maxLength: 64, description: "RFC 3339, 10 seconds to 7 days ahead (default: a day)" })),
  title: t.Optional(t.String({ maxLength: 1200, description: "At most 300 characters" })),
  external_id: t.Optional(t.String({ maxLength: 512, description: "At most 128 characters: your own reference" })),
  responder_user_ids: t.Optional(t.Array(t.String({ maxLength: 64 }), { maxItems: 200, description: "Who may answer (at most 50 people of the workspace); none: anyone who can read it" })),
}, { title: "QuestionInput", examples: [{ title: "Deploy?", items: [{ id: "deploy", header: "Deploy", prompt: "Ship build 42 to production?", options: [{ label: "Ship it" }, { label: "Wait" }] }], expires_at: "2026-01-02T00:00:00.000Z" }] });

export const QuestionStatusSchema = t.Union([t.Literal("open"), t.Literal("submitted"), t.Literal("answered"), t.Literal("cancelled"), t.Literal("expired"), t.Literal("failed")]);

export const MessageQuestionSchema = t.Object({
  message_id: t.String(),
  status: QuestionStatusSchema,
  version: Int({ description: "Goes up with every change; answer with expected_version to be sure what you answer" }),
  title: t.Optional(t.String()),
  external_id: t.Optional(t.String()),
  items: t.Array(QuestionItemSchema),
  responder_user_ids: t.Optional(t.Array(t.String())),
  expires_at: t.String(),
  created_at: t.String(),
  updated_at: t.String(),
  response: t.Optional(t.Object({
    answers: QuestionAnswersSchema,
    answered_by: t.Optional(t.String()),
    answered_at: t.String(),
    source: t.Union([t.Literal("web"), t.Literal("external")]),
    nonce: t.Optional(t.String()),
  })),
  resolution_note: t.Optional(t.String()),
  resolved_at: t.Optional(t.String()),
}, { title: "MessageQuestion" });

export const MessageKindSchema = t.Union([t.Literal("message"), t.Literal("agent_commentary"), t.Literal("agent_tool"), t.Literal("system")]);

export const MessageSchema = t.Object({
  id: t.String(),
  route_id: t.String(),
  workspace_id: t.String(),
  channel_id: Omitted(t.String()),
  direct_conversation_id: Omitted(t.String()),
  author_id: t.String(),
  parent_message_id: Omitted(t.String()),
  thread_root_id: t.String(),
  topic_id: Omitted(t.String()),
  channel_seq: Omitted(Int()),
  thread_seq: Omitted(Int()),
  body: t.String(),
  body_format: t.Literal("markdown"),
  created_at: t.String(),
  edited_at: Omitted(t.String()),
  deleted_at: Omitted(t.String()),
  kind: MessageKindSchema,
  turn_id: Omitted(t.String()),
  author: t.Optional(UserSchema),
  attachments: t.Optional(t.Array(UploadSchema)),
  quoted_message_id: Omitted(t.String()),
  quoted_body_snapshot: Omitted(t.String()),
  quoted_author_id: Omitted(t.String()),
  thread_state: t.Optional(ThreadStateSchema),
  nonce: Omitted(t.String()),
  reactions: t.Optional(t.Array(ReactionSummarySchema)),
  posted_by_webhook: t.Optional(t.Object({ id: t.String(), name: t.String() }, { description: "Present when an incoming webhook posted the message (show a badge); absent otherwise." })),
  question: Omitted(MessageQuestionSchema),
}, { title: "Message", examples: [EX.message] });

export const EventSchema = t.Object({
  id: t.String(),
  cursor: t.Optional(t.String()),
  type: t.String(),
  workspace_id: t.String(),
  channel_id: Omitted(t.String()),
  seq: Omitted(Int()),
  created_at: t.String(),
  payload: t.Record(t.String(), t.Unknown()),
  mentioned_user_ids: t.Optional(t.Array(t.String())),
}, { title: "Event", examples: [EX.event] });

export const DirectConversationSchema = t.Object({
  id: t.String(),
  route_id: t.String(),
  workspace_id: t.String(),
  created_at: t.String(),
  members: t.Array(UserSchema),
  can_send: t.Boolean(),
  last_seq: Int(),
  last_read_seq: Int(),
  unread_count: Int(),
  mention_count: Int(),
}, { title: "DirectConversation" });

export const ReceiptSchema = t.Object({ scope_id: t.String(), user_id: t.String(), last_read_seq: Int(), last_read_at: t.String() }, { title: "Receipt" });

/** The original's pin record: which message, in which channel, pinned by whom and when. */
export const PinRecordSchema = t.Object({
  channel_id: t.String(),
  message_id: t.String(),
  pinned_by: t.String(),
  pinned_at: t.String({ format: "date-time" }),
}, { title: "Pin" });

export const MessagePageSchema = t.Object({
  messages: t.Array(MessageSchema),
  oldest_seq: Int(),
  newest_seq: Int(),
  has_older: t.Boolean(),
  has_newer: t.Boolean(),
}, { title: "MessagePage", examples: [EX.messagePage] });

export const ThreadPageSchema = t.Object({
  root: MessageSchema,
  replies: t.Array(MessageSchema),
  thread_state: ThreadStateSchema,
  oldest_seq: Int(),
  newest_seq: Int(),
  has_older: t.Boolean(),
  has_newer: t.Boolean(),
}, { title: "ThreadPage" });

/** The one error shape of the API: a sentence for people and a stable code for programs. */
export const ErrorSchema = t.Object(
  {
    error: t.String({ description: "What went wrong, for people" }),
    code: t.String({ description: "A stable machine code, e.g. not_found, missing_scope, rate_limited" }),
  },
  { title: "Error", additionalProperties: true, description: "Every 4xx/5xx body. Some codes add fields (resync_required adds tail_cursor).", examples: [{ error: "channel not found", code: "not_found" }] },
);

/** Query parameters of a MessagePage/ThreadPage window. Numbers arrive as strings. */
export const WindowQuery = t.Object({
  after_seq: t.Optional(t.Numeric({ minimum: 0 })),
  before_seq: t.Optional(t.Numeric({ minimum: 0 })),
  around_seq: t.Optional(t.Numeric({ minimum: 0 })),
  mode: t.Optional(t.Literal("latest")),
  latest: t.Optional(t.Union([t.Boolean(), t.Literal("true"), t.Literal("false"), t.Literal("1"), t.Literal("0")])),
  topic_id: Omitted(t.String()),
  // Clamped to 1–200 rather than refused: bots written for the Go server send larger limits.
  limit: t.Optional(t.Numeric()),
});

/** Standard error responses, so every route documents them. */
export const errors = {
  400: ErrorSchema,
  401: ErrorSchema,
  403: ErrorSchema,
  404: ErrorSchema,
  409: ErrorSchema,
  413: ErrorSchema,
  429: ErrorSchema,
} as const;
