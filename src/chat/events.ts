// The durable events of the chat domain, built once: every store appends what these return
// inside the transaction that made the change, so SQLite and Postgres say the same thing on the
// wire. Builders are pure; the store supplies what only it can look up (DM members, counts).
import type { MessageQuestion } from "./questions.ts";
import type { ChatEvent, EventType, Role, StoredEvent, ThreadState } from "./types.ts";

/** An event as clients see it: who it is for (recipients, the DM gate) stays on the server. */
export function publicEvent(e: StoredEvent): ChatEvent {
  const { recipients: _r, direct_conversation_id: _d, channel_id, seq, ...rest } = e;
  // Absent optional keys are left out, as the Go server does (omitempty): bots test `!== undefined`.
  return { ...rest, ...(channel_id != null ? { channel_id } : {}), ...(seq != null ? { seq } : {}) } as ChatEvent;
}

/** An event about to be appended: the store gives it an id, a cursor and a time. */
export interface NewEvent {
  workspaceId: string;
  type: EventType;
  channelId?: string | null;
  dmId?: string | null;
  seq?: number | null;
  payload: Record<string, unknown>;
  recipients?: string[] | null;
  mentionedUserIds?: string[];
}

/**
 * Who hears an event about a message: everyone who can read the channel, or exactly the members
 * of the DM or of the private channel (`recipients`), which the store looks up in the same
 * transaction.
 */
export interface Audience {
  channelId: string | null;
  dmId: string | null;
  recipients: string[] | null;
}

/** `members`: a private channel's members; null for a public channel. */
export function channelAudience(channelId: string, members: string[] | null = null): Audience {
  return { channelId, dmId: null, recipients: members };
}

export function dmAudience(dmId: string, memberIds: string[]): Audience {
  return { channelId: null, dmId, recipients: memberIds };
}

/** The fields of a stored message that events speak of (a row of either dialect fits). */
export interface MessageFacts {
  id: string;
  workspaceId: string;
  dmId: string | null;
  authorId: string;
  threadRootId: string;
  channelSeq: number | null;
  threadSeq: number | null;
  kind: string;
  turnId: string | null;
  nonce: string | null;
  topicId: string | null;
}

type Touched = Pick<MessageFacts, "id" | "workspaceId" | "dmId" | "authorId" | "threadRootId" | "channelSeq" | "threadSeq">;

const dmPart = (dmId: string | null) => (dmId ? { direct_conversation_id: dmId } : {});

// Agent activity says what it is; plain messages keep the Go server's payload shape.
const activityPart = (m: Pick<MessageFacts, "kind" | "turnId">) => ({
  ...(m.kind !== "message" ? { kind: m.kind } : {}),
  ...(m.turnId ? { turn_id: m.turnId } : {}),
});

function about(m: Touched, audience: Audience, type: EventType, payload: Record<string, unknown>, mentioned?: string[]): NewEvent {
  return {
    workspaceId: m.workspaceId,
    type,
    channelId: audience.channelId,
    dmId: audience.dmId,
    recipients: audience.recipients,
    seq: m.channelSeq ?? m.threadSeq,
    payload,
    ...(mentioned ? { mentionedUserIds: mentioned } : {}),
  };
}

/** A root message in a channel or DM. */
export function messageCreated(m: MessageFacts, audience: Audience, mentionedUserIds: string[]): NewEvent {
  return about(m, audience, "message.created", {
    message_id: m.id,
    author_id: m.authorId,
    ...dmPart(m.dmId),
    ...(m.nonce ? { nonce: m.nonce } : {}),
    ...(m.topicId ? { topic_id: m.topicId } : {}),
    ...activityPart(m),
  }, mentionedUserIds);
}

/**
 * A reply is announced as thread.reply_created, not message.created (as the Go server does):
 * channel views that list roots only need not filter replies out. It carries no seq.
 */
export function threadReplyCreated(m: MessageFacts, audience: Audience, mentionedUserIds: string[]): NewEvent {
  return {
    ...about(m, audience, "thread.reply_created", {
      message_id: m.id,
      root_message_id: m.threadRootId,
      author_id: m.authorId,
      thread_seq: m.threadSeq,
      ...dmPart(m.dmId),
      ...(m.nonce ? { nonce: m.nonce } : {}),
      ...activityPart(m),
    }, mentionedUserIds),
    seq: null,
  };
}

export function threadStateUpdated(root: Pick<MessageFacts, "workspaceId" | "dmId">, audience: Audience, state: ThreadState): NewEvent {
  return {
    workspaceId: root.workspaceId,
    type: "thread.state_updated",
    channelId: audience.channelId,
    dmId: audience.dmId,
    recipients: audience.recipients,
    payload: { root_message_id: state.root_message_id, thread_state: state, ...dmPart(root.dmId) },
  };
}

/**
 * An edit (`edited_at`, with the mentions of the new body), an attached file (`upload_id`), or a
 * question that moved (`question_status`, `question_version`: every client redraws the card).
 */
export function messageUpdated(
  m: Touched,
  audience: Audience,
  change: { editedAt: string; mentionedUserIds: string[] } | { uploadId: string } | { question: Pick<MessageQuestion, "status" | "version"> },
): NewEvent {
  const base = { message_id: m.id, root_message_id: m.threadRootId, author_id: m.authorId };
  if ("question" in change) {
    return about(m, audience, "message.updated", { ...base, question_status: change.question.status, question_version: change.question.version, ...dmPart(m.dmId) });
  }
  return "uploadId" in change
    ? about(m, audience, "message.updated", { ...base, upload_id: change.uploadId, ...dmPart(m.dmId) })
    : about(m, audience, "message.updated", { ...base, edited_at: change.editedAt, ...dmPart(m.dmId) }, change.mentionedUserIds);
}

/**
 * A person answered a bot's question: told to the asking bot only (its answers are the bot's
 * business; everyone else sees the card resolve through message.updated).
 */
export function questionSubmitted(m: Touched, audience: Audience, q: MessageQuestion): NewEvent {
  return {
    ...about(m, { ...audience, recipients: [m.authorId] }, "question.submitted", {
      message_id: m.id,
      root_message_id: m.threadRootId,
      bot_user_id: m.authorId,
      ...(audience.channelId ? { channel_id: audience.channelId } : {}),
      ...dmPart(m.dmId),
      ...(q.external_id ? { external_id: q.external_id } : {}),
      version: q.version,
      status: q.status,
      answers: q.response?.answers ?? {},
      ...(q.response?.answered_by ? { answered_by: q.response.answered_by } : {}),
      answered_at: q.response?.answered_at,
      question: q,
    }),
  };
}

export function messageDeleted(m: Touched, audience: Audience, deletedBy: string): NewEvent {
  return about(m, audience, "message.deleted", { message_id: m.id, root_message_id: m.threadRootId, deleted_by: deletedBy, ...dmPart(m.dmId) });
}

/** `count` is how many people now react with this emoji (after the change). */
export function reactionChanged(m: Touched, audience: Audience, r: { emoji: string; userId: string; added: boolean; count: number }): NewEvent {
  return about(m, audience, r.added ? "reaction.added" : "reaction.removed", {
    message_id: m.id, emoji: r.emoji, user_id: r.userId, root_message_id: m.threadRootId, count: r.count, ...dmPart(m.dmId),
  });
}

/** `members`: a private channel's members; null for a public channel. */
export function pinChanged(m: Touched, channelId: string, members: string[] | null, actorId: string, pinned: boolean): NewEvent {
  return {
    workspaceId: m.workspaceId,
    type: pinned ? "pin.added" : "pin.removed",
    channelId,
    recipients: members,
    seq: m.channelSeq ?? m.threadSeq,
    payload: { channel_id: channelId, message_id: m.id, pinned_by: actorId },
  };
}

/**
 * A read pointer moved: only the reader hears it (their other devices), with the mentions left
 * unread there, so every device shows the same badge.
 */
export function readMoved(scope: { kind: "channel" | "dm"; id: string; workspaceId: string }, userId: string, seq: number, at: string, mentionCount: number): NewEvent {
  const channel = scope.kind === "channel";
  return {
    workspaceId: scope.workspaceId,
    type: channel ? "channel.read" : "dm.read",
    channelId: channel ? scope.id : null,
    dmId: channel ? null : scope.id,
    recipients: [userId],
    seq,
    payload: { user_id: userId, scope_id: scope.id, ...(channel ? { channel_id: scope.id } : { direct_conversation_id: scope.id }), last_read_seq: seq, last_read_at: at, mention_count: mentionCount },
  };
}

/** `members`: who is in a private channel (they alone hear of it); null for a public channel. */
export function channelCreated(c: { id: string; workspaceId: string; name: string; kind: string }, createdBy: string, members: string[] | null = null): NewEvent {
  return {
    workspaceId: c.workspaceId, type: "channel.created", channelId: c.id, recipients: members,
    payload: { channel_id: c.id, name: c.name, kind: c.kind, ...(members ? { private: true } : {}), created_by: createdBy },
  };
}

export function channelUpdated(c: { id: string; workspaceId: string; name: string; displayTitle: string | null; archivedAt: string | null }, updatedBy: string, members: string[] | null = null): NewEvent {
  return {
    workspaceId: c.workspaceId,
    type: "channel.updated",
    channelId: c.id,
    recipients: members,
    payload: { channel_id: c.id, name: c.name, display_title: c.displayTitle, archived: c.archivedAt !== null, archived_at: c.archivedAt, updated_by: updatedBy },
  };
}

export function channelDeleted(c: { id: string; workspaceId: string }, deletedBy: string, members: string[] | null = null): NewEvent {
  return { workspaceId: c.workspaceId, type: "channel.deleted", channelId: c.id, recipients: members, payload: { channel_id: c.id, deleted_by: deletedBy } };
}

export function workspaceUpdated(w: { id: string; name: string; slug: string; iconUrl: string | null }, updatedBy: string): NewEvent {
  return { workspaceId: w.id, type: "workspace.updated", payload: { workspace_id: w.id, name: w.name, slug: w.slug, icon_url: w.iconUrl ?? "", updated_by: updatedBy } };
}

/** The target and every active manager hear of a moderation change; nobody else does. */
export function moderationUpdated(
  workspaceId: string,
  member: { userId: string; role: Role; timeoutUntil: string | null; blockedAt: string | null },
  managerIds: string[],
  updatedBy: string,
): NewEvent {
  return {
    workspaceId,
    type: "member.moderation_updated",
    recipients: [...new Set([member.userId, ...managerIds])],
    payload: { user_id: member.userId, role: member.role, timeout_until: member.timeoutUntil, blocked: member.blockedAt !== null, updated_by: updatedBy },
  };
}

/**
 * The workspace changed hands: everyone in it hears who owns it now. The two role changes are
 * announced besides as member.moderation_updated (moderationUpdated), so everything that follows
 * a role change (socket re-checks, manager views) follows this one too.
 */
export function ownershipTransferred(workspaceId: string, previousOwnerId: string, newOwnerId: string, transferredBy: string): NewEvent {
  return {
    workspaceId,
    type: "workspace.ownership_transferred",
    payload: { workspace_id: workspaceId, previous_owner_id: previousOwnerId, new_owner_id: newOwnerId, owner_user_id: newOwnerId, transferred_by: transferredBy },
  };
}
