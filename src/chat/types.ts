import type { Upload } from "../uploads/types.ts";
import type { MessageQuestion } from "./questions.ts";

// Domain objects as they appear on the wire (snake_case keys are the contract's, not ours to
// rename: bots written for the Go server read them by name).

export type Role = "owner" | "moderator" | "member" | "guest" | "bot";
export type UserKind = "human" | "bot";
export type MessageKind = "message" | "agent_commentary" | "agent_tool" | "system";

export interface User {
  id: string;
  kind: UserKind;
  owner_user_id: string | null;
  display_name: string;
  handle: string;
  /** "" when unset: the original always sends it. */
  avatar_url: string;
  /** IANA time zone, for the local time on a profile; omitted when the person set none. */
  time_zone: string | null;
  created_at: string;
}

export interface Workspace {
  id: string;
  route_id: string;
  name: string;
  slug: string;
  /** "" when unset. */
  icon_url: string;
  created_at: string;
  role?: Role;
}

export interface Member {
  user: User;
  role: Role;
  joined_at: string;
  timeout_until: string | null;
  blocked_at: string | null;
}

export interface Channel {
  id: string;
  route_id: string;
  workspace_id: string;
  name: string;
  display_title: string | null;
  /** "public", "guest", or any kind an integration gives it. */
  kind: string;
  /** Only its members read it (omitted when false). */
  private?: true;
  external_managed: boolean;
  external_ref: string | null;
  external_url: string | null;
  sidebar_section: string | null;
  created_at: string;
  archived_at: string | null;
  last_seq: number;
  last_read_seq: number;
  unread_count: number;
  /** Unread mentions of the viewer here (direct, @channel by preference, followed threads). */
  mention_count: number;
}

export interface ThreadState {
  root_message_id: string;
  reply_count: number;
  last_reply_at: string | null;
  last_reply_author_ids: string[];
}

export interface ReactionSummary {
  emoji: string;
  count: number;
  reacted_by_me: boolean;
}

export interface Message {
  id: string;
  route_id: string;
  workspace_id: string;
  channel_id: string | null;
  direct_conversation_id: string | null;
  author_id: string;
  parent_message_id: string | null;
  thread_root_id: string;
  topic_id: string | null;
  channel_seq: number | null;
  thread_seq: number | null;
  body: string;
  body_format: "markdown";
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  kind: MessageKind;
  turn_id: string | null;
  author?: User;
  attachments?: Upload[];
  quoted_message_id: string | null;
  quoted_body_snapshot: string | null;
  quoted_author_id: string | null;
  thread_state?: ThreadState;
  nonce: string | null;
  reactions?: ReactionSummary[];
  /** Posted through an incoming webhook: the app shows a "webhook" badge. Absent otherwise. */
  posted_by_webhook?: { id: string; name: string };
  /** A bot's ask-user card, with its state (status, version, the answer once given). */
  question: MessageQuestion | null;
}

export interface DirectConversation {
  id: string;
  route_id: string;
  workspace_id: string;
  created_at: string;
  members: User[];
  can_send: boolean;
  last_seq: number;
  last_read_seq: number;
  unread_count: number;
  /** Unread mentions of the viewer here (direct, @channel by preference, followed threads). */
  mention_count: number;
}

export interface ReadReceipt {
  scope_id: string;
  user_id: string;
  last_read_seq: number;
  last_read_at: string;
}

export interface ChatEvent {
  id: string;
  cursor: string;
  type: string;
  workspace_id: string;
  channel_id: string | null;
  seq: number | null;
  created_at: string;
  payload: Record<string, unknown>;
  mentioned_user_ids?: string[];
}

/**
 * An event as the log keeps it. `recipients` makes an event private: it is delivered and
 * replayed only to those users. `direct_conversation_id` lets the hub gate DM events by live
 * membership without parsing payloads.
 */
export interface StoredEvent extends ChatEvent {
  recipients: string[] | null;
  direct_conversation_id: string | null;
}

export interface MessagePage {
  messages: Message[];
  oldest_seq: number;
  newest_seq: number;
  has_older: boolean;
  has_newer: boolean;
}

export interface ThreadPage {
  root: Message;
  replies: Message[];
  thread_state: ThreadState;
  oldest_seq: number;
  newest_seq: number;
  has_older: boolean;
  has_newer: boolean;
}

/** A window over a sequence: exactly one anchor (or none, meaning latest). */
export type PageWindow =
  | { kind: "latest"; limit: number }
  | { kind: "oldest"; limit: number }
  | { kind: "after"; seq: number; limit: number }
  | { kind: "before"; seq: number; limit: number }
  | { kind: "around"; seq: number; limit: number };

export type EventType =
  | "channel.created" | "channel.updated" | "channel.read" | "dm.read" | "member.moderation_updated"
  | "message.created" | "message.updated" | "message.deleted" | "pin.added" | "pin.removed"
  | "reaction.added" | "reaction.removed" | "thread.reply_created" | "thread.state_updated"
  | "workspace.updated" | "workspace.ownership_transferred" | "channel.deleted" | "mention.created" | "thread.read"
  | "question.submitted"
  | "channel.member_added" | "channel.member_removed";

export const DURABLE_EVENT_TYPES: readonly EventType[] = [
  "channel.created", "channel.updated", "channel.read", "dm.read", "member.moderation_updated",
  "message.created", "message.updated", "message.deleted", "pin.added", "pin.removed",
  "reaction.added", "reaction.removed", "thread.reply_created", "thread.state_updated",
  "workspace.updated", "workspace.ownership_transferred", "channel.deleted", "mention.created", "thread.read",
  "question.submitted",
  "channel.member_added", "channel.member_removed",
];

/** Ephemeral types clients publish (POST /api/realtime/ephemeral). */
export const EPHEMERAL_EVENT_TYPES = ["typing.started", "typing.stopped", "presence.changed", "agent.progress"] as const;
export type EphemeralEventType = (typeof EPHEMERAL_EVENT_TYPES)[number];
/** Every ephemeral type a socket may hear: what clients publish, and what the server says itself (a slash command's reply to its caller). */
export const HEARD_EPHEMERAL_EVENT_TYPES: readonly string[] = [...EPHEMERAL_EVENT_TYPES, "command.response", "bot_command.updated"];
