// TypeBox schemas of the wire objects. They validate requests, shape responses and generate the
// OpenAPI document, so they are the one description of the protocol in this repository.
import { t, type Static, type TSchema } from "elysia";
import { SCHEMA_EXAMPLES as EX } from "./openapi-examples.ts";

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
  created_at: t.String({ format: "date-time" }),
}, { title: "User", examples: [EX.user] });

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
  external_managed: t.Boolean({ description: "An integration keeps this channel in step with an outside place" }),
  external_ref: Omitted(t.String()),
  external_url: Omitted(t.String()),
  sidebar_section: Omitted(t.String()),
  created_at: t.String(),
  archived_at: Omitted(t.String()),
  last_seq: t.Integer(),
  last_read_seq: t.Integer(),
  unread_count: t.Integer(),
  mention_count: t.Integer(),
}, { title: "Channel", examples: [EX.channel] });

export const ThreadStateSchema = t.Object({
  root_message_id: t.String(),
  reply_count: t.Integer(),
  last_reply_at: Omitted(t.String()),
  last_reply_author_ids: t.Array(t.String()),
}, { title: "ThreadState" });

export const ReactionSummarySchema = t.Object({ emoji: t.String(), count: t.Integer(), reacted_by_me: t.Boolean() }, { title: "ReactionSummary" });

export const UploadSchema = t.Object({
  id: t.String(),
  workspace_id: t.String(),
  owner_id: t.String(),
  nonce: Omitted(t.String()),
  filename: t.String(),
  content_type: t.String({ description: "Sniffed from the bytes, not taken from the client" }),
  byte_size: t.Integer(),
  width: Nullable(t.Integer()),
  height: Nullable(t.Integer()),
  duration_ms: Nullable(t.Integer()),
  created_at: t.String(),
  url: t.String({ description: "GET it to download (access-checked)" }),
}, { title: "Upload" });

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
  channel_seq: Omitted(t.Integer()),
  thread_seq: Omitted(t.Integer()),
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
}, { title: "Message", examples: [EX.message] });

export const EventSchema = t.Object({
  id: t.String(),
  cursor: t.Optional(t.String()),
  type: t.String(),
  workspace_id: t.String(),
  channel_id: Omitted(t.String()),
  seq: Omitted(t.Integer()),
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
  last_seq: t.Integer(),
  last_read_seq: t.Integer(),
  unread_count: t.Integer(),
  mention_count: t.Integer(),
}, { title: "DirectConversation" });

export const ReceiptSchema = t.Object({ scope_id: t.String(), user_id: t.String(), last_read_seq: t.Integer(), last_read_at: t.String() }, { title: "Receipt" });

/** The original's pin record: which message, in which channel, pinned by whom and when. */
export const PinRecordSchema = t.Object({
  channel_id: t.String(),
  message_id: t.String(),
  pinned_by: t.String(),
  pinned_at: t.String({ format: "date-time" }),
}, { title: "Pin" });

export const MessagePageSchema = t.Object({
  messages: t.Array(MessageSchema),
  oldest_seq: t.Integer(),
  newest_seq: t.Integer(),
  has_older: t.Boolean(),
  has_newer: t.Boolean(),
}, { title: "MessagePage", examples: [EX.messagePage] });

export const ThreadPageSchema = t.Object({
  root: MessageSchema,
  replies: t.Array(MessageSchema),
  thread_state: ThreadStateSchema,
  oldest_seq: t.Integer(),
  newest_seq: t.Integer(),
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
