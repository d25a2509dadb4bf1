// The rules of writing messages, as plain functions over what the store read inside its
// transaction. Each rule lives here once, with one error code; stores of every dialect call them
// and routes do not repeat them.
import { conflict, forbidden, invalid, notFound, tooMany } from "./errors.ts";
import { GUEST_POSTS_PER_DAY, LIMITS } from "./rules.ts";
import type { Role } from "./types.ts";

/** A message body as posted or edited: trimmed, not empty, at most `bodyMaxChars`. */
export function messageBody(raw: string): string {
  const body = raw.trim();
  if (body.length === 0) throw invalid("message body is required", "body_required");
  if (body.length > LIMITS.bodyMaxChars) throw invalid(`message body is longer than ${LIMITS.bodyMaxChars} characters`, "body_too_long");
  return body;
}

/** A posting budget: at most `max` messages in any rolling `windowMs`. */
export interface PostBudget {
  max: number;
  windowMs: number;
}

const DAY_MS = 24 * 3600_000;

/** Guests ("waiting room") post from a budget; everyone else posts freely (moderation aside). */
export function budgetFor(role: Role): PostBudget | undefined {
  return role === "guest" ? { max: GUEST_POSTS_PER_DAY, windowMs: DAY_MS } : undefined;
}

/** Where the budget's window starts for a post made `at`. */
export function budgetWindowStart(budget: PostBudget, at = Date.now()): string {
  return new Date(at - budget.windowMs).toISOString();
}

/**
 * Refuses a post over budget (429 guest_post_limit), given the author's posts inside the window,
 * oldest first; Retry-After is when the oldest of them leaves the window.
 */
export function assertWithinBudget(budget: PostBudget, postedAtInWindow: string[], at = Date.now()): void {
  if (postedAtInWindow.length < budget.max) return;
  const retry = (Date.parse(postedAtInWindow[0]!) + budget.windowMs - at) / 1000;
  throw tooMany(`waiting room post limit reached: ${budget.max} messages per 24 hours`, retry, "guest_post_limit");
}

/** What moderators see of a member's budget: posts left today and the limit (null: no budget). */
export function postsRemaining(role: Role, postsToday: number): { posts_remaining: number | null; post_limit: number | null } {
  const budget = budgetFor(role);
  return budget ? { posts_remaining: Math.max(0, budget.max - postsToday), post_limit: budget.max } : { posts_remaining: null, post_limit: null };
}

/** Start of the window `postsRemaining` counts over. */
export function postsTodaySince(at = Date.now()): string {
  return new Date(at - DAY_MS).toISOString();
}

/** What a nonce remembers of a post: the same nonce with another payload is a conflict. */
export function nonceFingerprint(p: {
  scopeId: string;
  body: string;
  parentMessageId?: string | null;
  quotedMessageId?: string | null;
  kind?: string;
  turnId?: string | null;
  topicId?: string | null;
  question?: unknown;
}): string {
  const parts: unknown[] = [p.scopeId, p.body, p.parentMessageId ?? null, p.quotedMessageId ?? null, p.kind ?? "message", p.turnId ?? null, p.topicId ?? null];
  // Only a message with a question says so, so every fingerprint stored before questions holds.
  if (p.question) parts.push(p.question);
  return new Bun.CryptoHasher("sha256").update(JSON.stringify(parts)).digest("base64");
}

/**
 * A nonce seen before: the same payload replays the earlier write (nothing new is written),
 * another payload is 409 nonce_conflict. `what` names the thing in the message.
 */
export function assertNonceReplay(storedFingerprint: string | null, fingerprint: string | null, what: "message" | "upload"): void {
  if (storedFingerprint !== fingerprint) throw conflict(`nonce was already used for a different ${what}`, "nonce_conflict");
}

/** The parts of a stored message the rules look at (a row of either dialect fits). */
export interface MessagePlace {
  workspaceId: string;
  channelId: string | null;
  dmId: string | null;
  parentMessageId: string | null;
  deletedAt: string | null;
}

type ScopeRef = { kind: "channel" | "dm"; id: string; workspaceId: string };

const inScope = (m: MessagePlace, scope: ScopeRef) =>
  m.workspaceId === scope.workspaceId && (scope.kind === "channel" ? m.channelId : m.dmId) === scope.id;

/** A reply goes to a live root message of the same channel or DM: threads are one level deep. */
export function assertReplyTarget<T extends MessagePlace>(root: T | null | undefined, scope: ScopeRef): asserts root is T {
  if (!root || !inScope(root, scope)) throw notFound("parent message");
  if (root.parentMessageId !== null) throw invalid("threads are one level deep: reply to the thread's root message", "nested_thread");
  if (root.deletedAt) throw notFound("parent message");
}

/** A quote comes from a live message of the same channel or DM. */
export function assertQuotable<T extends MessagePlace>(quote: T | null | undefined, scope: ScopeRef): asserts quote is T {
  if (!quote || quote.deletedAt) throw notFound("quoted message");
  if (!inScope(quote, scope)) throw invalid("a quote must come from the same channel, DM or thread", "quote_out_of_scope");
}

/** What a quote keeps of the quoted body, so it still reads after an edit. */
export function quoteSnapshot(body: string): string {
  return body.slice(0, 1000);
}

/** A topic of the workspace, either workspace-wide or of this very channel. */
export function assertTopicFits(topic: { workspaceId: string; channelId: string | null } | null | undefined, scope: ScopeRef): void {
  if (!topic || topic.workspaceId !== scope.workspaceId || (topic.channelId !== null && topic.channelId !== scope.id)) throw notFound("topic");
}

/**
 * Only the author changes a message's content (edit, attach). Deleting others' messages is a
 * moderation right, decided by access, not here.
 */
export function assertAuthor(m: { authorId: string }, actorId: string, action: "edit" | "attach files to"): void {
  if (m.authorId !== actorId) throw forbidden(`only the author can ${action} a message`, "message_not_writable");
}

/** A deleted message keeps its slot but not its content: it cannot be edited. */
export function assertEditable(m: { deletedAt: string | null }): void {
  if (m.deletedAt) throw conflict("a deleted message cannot be edited", "message_deleted");
}

/** A thread is opened on its root. */
export function assertThreadRoot(m: { parentMessageId: string | null }): void {
  if (m.parentMessageId !== null) throw invalid("that message is a reply; open its root's thread", "not_thread_root");
}

/** What a root keeps of its thread (the `thread_state` columns), as the store read it. */
export interface ThreadCounters {
  replyCount: number;
  lastReplyAt: string | null;
  /** JSON: the most recent distinct reply authors, newest first. */
  lastReplyAuthorIds: string | null;
}

/**
 * The thread's counters after one more reply, from the root's own: counted, dated, and its author
 * first among the recent repliers. The same as counting the thread's live replies again (what a
 * deleted reply still needs), which cost every reply a scan of its whole thread.
 */
export function countersAfterReply(root: ThreadCounters, reply: { authorId: string; createdAt: string }): ThreadCounters {
  const before = root.lastReplyAuthorIds ? (JSON.parse(root.lastReplyAuthorIds) as string[]) : [];
  const authors = [reply.authorId, ...before.filter((id) => id !== reply.authorId)].slice(0, LIMITS.recentReplyAuthors);
  return {
    replyCount: root.replyCount + 1,
    // A clock that stepped back must not move the thread's last reply into the past.
    lastReplyAt: root.lastReplyAt !== null && root.lastReplyAt > reply.createdAt ? root.lastReplyAt : reply.createdAt,
    lastReplyAuthorIds: JSON.stringify(authors),
  };
}

/**
 * Where a read pointer moves when a reader marks `requested`: only forward, never past the last
 * message that exists. Null when it stays where it is.
 */
export function nextReadPointer(previous: number, requested: number, lastSeq: number): number | null {
  const target = Math.min(Math.max(requested, 0), lastSeq);
  return target > previous ? target : null;
}

/** A channel keeps a bounded set of pins, each message at most once. */
export function assertCanPin(alreadyPinned: boolean, pinnedInChannel: number): void {
  if (alreadyPinned) throw conflict("message is already pinned", "already_pinned");
  if (pinnedInChannel >= LIMITS.pinsPerChannel) throw conflict(`a channel holds at most ${LIMITS.pinsPerChannel} pins`, "pin_limit");
}

/** At most this many files on one message. */
export const ATTACHMENTS_PER_MESSAGE = 20;

/**
 * An upload goes on a message of its owner's, in the same workspace, on one message only.
 * False when it already is on this very message (nothing to do).
 */
export function attachable(
  upload: { workspaceId: string; ownerId: string; messageId: string | null } | null | undefined,
  message: { id: string; workspaceId: string; authorId: string },
  filesOnMessage: () => number,
): boolean {
  if (!upload || upload.workspaceId !== message.workspaceId) throw notFound("upload");
  if (upload.ownerId !== message.authorId) throw forbidden("only your own uploads can be attached", "upload_not_owned");
  if (upload.messageId === message.id) return false;
  if (upload.messageId !== null) throw conflict("the upload is attached to another message", "upload_attached");
  if (filesOnMessage() >= ATTACHMENTS_PER_MESSAGE) throw conflict(`a message holds at most ${ATTACHMENTS_PER_MESSAGE} files`, "attachment_limit");
  return true;
}
