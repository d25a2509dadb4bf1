// Row → wire object mappers, shared by both stores (their rows have the same shape: drizzle's
// SQLite and Postgres schemas name the columns alike).
import { shownAvatarUrl, shownIconUrl } from "../chat/avatars.ts";
import { parseStoredQuestion } from "../chat/questions.ts";
import type { Channel, Message, ThreadState, User, Workspace } from "../chat/types.ts";
import type { PinRecord } from "./store.ts";
import type { Upload } from "../uploads/types.ts";
import type * as s from "./sqlite/schema.ts";

type UserRow = typeof s.users.$inferSelect;
type WorkspaceRow = typeof s.workspaces.$inferSelect;
type ChannelRow = typeof s.channels.$inferSelect;
type MessageRow = typeof s.messages.$inferSelect;
type UploadRow = typeof s.uploads.$inferSelect;

export const now = () => new Date().toISOString();

export function toUser(r: UserRow): User {
  return {
    id: r.id,
    kind: r.kind,
    owner_user_id: r.ownerUserId,
    display_name: r.displayName,
    handle: r.handle,
    avatar_url: shownAvatarUrl(r.avatarUrl, r.id) ?? "",
    time_zone: r.timeZone,
    created_at: r.createdAt,
  };
}

export function toWorkspace(r: WorkspaceRow, role?: Workspace["role"]): Workspace {
  const w: Workspace = { id: r.id, route_id: r.routeId, name: r.name, slug: r.slug, icon_url: shownIconUrl(r.iconUrl) ?? "", created_at: r.createdAt };
  if (role) w.role = role;
  return w;
}

export function toChannel(r: ChannelRow, lastReadSeq: number, unreadCount: number, mentionCount = 0): Channel {
  return {
    id: r.id,
    route_id: r.routeId,
    workspace_id: r.workspaceId,
    name: r.name,
    display_title: r.displayTitle,
    kind: r.kind,
    ...(r.isPrivate ? { private: true as const } : {}),
    external_managed: r.externalManaged,
    external_ref: r.externalRef,
    external_url: r.externalUrl,
    sidebar_section: r.sidebarSection,
    created_at: r.createdAt,
    archived_at: r.archivedAt,
    last_seq: r.lastSeq,
    last_read_seq: lastReadSeq,
    unread_count: unreadCount,
    mention_count: mentionCount,
  };
}

export function toThreadState(r: MessageRow): ThreadState {
  return {
    root_message_id: r.id,
    reply_count: r.replyCount,
    last_reply_at: r.lastReplyAt,
    last_reply_author_ids: r.lastReplyAuthorIds ? (JSON.parse(r.lastReplyAuthorIds) as string[]) : [],
  };
}

/** A deleted message keeps its slot and metadata; its words are gone. */
export function toMessage(r: MessageRow): Message {
  const deleted = r.deletedAt !== null;
  const m: Message = {
    id: r.id,
    route_id: r.routeId,
    workspace_id: r.workspaceId,
    channel_id: r.channelId,
    direct_conversation_id: r.dmId,
    author_id: r.authorId,
    parent_message_id: r.parentMessageId,
    thread_root_id: r.threadRootId,
    topic_id: r.topicId,
    channel_seq: r.channelSeq,
    thread_seq: r.threadSeq,
    body: deleted ? "" : r.body,
    body_format: "markdown",
    created_at: r.createdAt,
    edited_at: r.editedAt,
    deleted_at: r.deletedAt,
    kind: r.kind,
    turn_id: r.turnId,
    quoted_message_id: r.quotedMessageId,
    quoted_body_snapshot: deleted ? null : r.quotedBodySnapshot,
    quoted_author_id: r.quotedAuthorId,
    nonce: r.nonce,
    question: deleted ? null : parseStoredQuestion(r.question),
  };
  if (r.webhook) m.posted_by_webhook = JSON.parse(r.webhook);
  if (r.parentMessageId === null) m.thread_state = toThreadState(r);
  return m;
}

/**
 * The first row of a raw query as an object. (drizzle's bun-sqlite `db.get` returns raw column
 * values for `sql` queries while `db.all` returns objects; this keeps call sites uniform.)
 */

/** A pins row (either dialect) as the original's pin record. */
export function toPinRecord(p: { channelId: string; messageId: string; pinnedBy: string; pinnedAt: string }): PinRecord {
  return { channel_id: p.channelId, message_id: p.messageId, pinned_by: p.pinnedBy, pinned_at: p.pinnedAt };
}

export function toUpload(r: UploadRow): Upload {
  return {
    id: r.id,
    workspace_id: r.workspaceId,
    owner_id: r.ownerId,
    nonce: r.nonce,
    filename: r.filename,
    content_type: r.contentType,
    byte_size: r.byteSize,
    width: r.width,
    height: r.height,
    duration_ms: r.durationMs,
    created_at: r.createdAt,
    url: `/api/uploads/${r.id}`,
  };
}
