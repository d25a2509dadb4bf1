// Who a new message reaches, decided once for both stores: direct @handles, @channel/@here by
// preference, and replies in threads people follow. Stores gather the facts inside the write
// (members, preferences, followers) and persist what these functions return.
import { invalid } from "./errors.ts";
import type { NewEvent } from "./events.ts";

export type NotifyPreference = "all" | "mentions" | "muted";
export const NOTIFY_PREFERENCES: readonly NotifyPreference[] = ["all", "mentions", "muted"];
export type MentionReason = "direct" | "broadcast" | "thread";
export type FollowReason = "started" | "replied" | "mentioned" | "chose";

/** The scope id under which a person's defaults are kept. */
export const DEFAULT_SCOPE = "";
/** Without a setting, everything in a channel reaches you (and so does @channel). */
export const DEFAULT_PREFERENCE: NotifyPreference = "all";

export interface NotificationSetting {
  preference: NotifyPreference;
  /** Do-not-disturb hours as minutes after midnight UTC; null when unset. */
  dnd_start_minute: number | null;
  dnd_end_minute: number | null;
}

export function effectivePreference(scoped: NotifyPreference | null | undefined, fallback: NotifyPreference | null | undefined): NotifyPreference {
  return scoped ?? fallback ?? DEFAULT_PREFERENCE;
}

export function assertPreference(p: string): NotifyPreference {
  if (!(NOTIFY_PREFERENCES as readonly string[]).includes(p)) throw invalid("preference must be all, mentions or muted", "invalid_preference");
  return p as NotifyPreference;
}

/** Both ends set or both cleared; each a minute of the day. */
export function assertDndHours(start: number | null, end: number | null): void {
  if ((start === null) !== (end === null)) throw invalid("set both do-not-disturb ends, or clear both", "invalid_dnd_hours");
  for (const m of [start, end]) if (m !== null && (!Number.isInteger(m) || m < 0 || m >= 24 * 60)) throw invalid("do-not-disturb ends are minutes of the day (0-1439)", "invalid_dnd_hours");
}

/** Whether `at` falls in the quiet hours (which may wrap past midnight). */
export function inDoNotDisturb(s: Pick<NotificationSetting, "dnd_start_minute" | "dnd_end_minute">, at = new Date()): boolean {
  if (s.dnd_start_minute === null || s.dnd_end_minute === null || s.dnd_start_minute === s.dnd_end_minute) return false;
  const m = at.getUTCHours() * 60 + at.getUTCMinutes();
  return s.dnd_start_minute < s.dnd_end_minute ? m >= s.dnd_start_minute && m < s.dnd_end_minute : m >= s.dnd_start_minute || m < s.dnd_end_minute;
}

export interface MentionFacts {
  authorId: string;
  /** People named by @handle who can read the scope. */
  direct: string[];
  /** Whether the body says @channel, @here or @everyone. */
  broadcast: boolean;
  /** Everyone who can read the scope (only needed when `broadcast`). */
  audience: string[];
  /** People following the thread a reply goes to (empty for a root message). */
  followers: string[];
  /** Each person's preference for this scope, after defaults. */
  preferenceOf: (userId: string) => NotifyPreference;
}

/**
 * Each person a message mentions, once, with the strongest reason. Muted scopes mention nobody;
 * @channel reaches only those who want everything; the author is never mentioned by their own
 * message.
 */
export function mentionTargets(f: MentionFacts): { userId: string; reason: MentionReason }[] {
  const out = new Map<string, MentionReason>();
  const add = (ids: string[], reason: MentionReason, wants: (p: NotifyPreference) => boolean) => {
    for (const id of ids) {
      if (id === f.authorId || out.has(id) || !wants(f.preferenceOf(id))) continue;
      out.set(id, reason);
    }
  };
  add(f.direct, "direct", (p) => p !== "muted");
  if (f.broadcast) add(f.audience, "broadcast", (p) => p === "all");
  add(f.followers, "thread", (p) => p !== "muted");
  return [...out].map(([userId, reason]) => ({ userId, reason }));
}

/**
 * Who starts following a thread because of a post: on a reply, the root's author and the
 * replier; on any post, the people it names. (`replied` re-follows; the rest keep a choice made.)
 */
export function followsFromPost(p: { authorId: string; rootAuthorId: string | null; direct: string[] }): { userId: string; reason: FollowReason }[] {
  const out: { userId: string; reason: FollowReason }[] = [];
  if (p.rootAuthorId !== null) {
    out.push({ userId: p.authorId, reason: "replied" });
    if (p.rootAuthorId !== p.authorId) out.push({ userId: p.rootAuthorId, reason: "started" });
  }
  for (const id of p.direct) if (id !== p.authorId && id !== p.rootAuthorId) out.push({ userId: id, reason: "mentioned" });
  return out;
}

type ScopeRef = { kind: "channel" | "dm"; id: string; workspaceId: string };
const scopePart = (s: ScopeRef) => (s.kind === "channel" ? { channel_id: s.id } : { direct_conversation_id: s.id });

/** A message mentioned these people: each of their devices hears it, nobody else does. */
export function mentionCreated(scope: ScopeRef, m: { id: string; threadRootId: string; authorId: string }, recipients: string[]): NewEvent {
  return {
    workspaceId: scope.workspaceId,
    type: "mention.created",
    channelId: scope.kind === "channel" ? scope.id : null,
    dmId: scope.kind === "dm" ? scope.id : null,
    recipients,
    payload: { message_id: m.id, root_message_id: m.threadRootId, author_id: m.authorId, scope_id: scope.id, ...scopePart(scope) },
  };
}

/** A thread's read pointer moved: the reader's devices hear it, with what is left to read. */
export function threadRead(scope: ScopeRef, userId: string, rootId: string, seq: number, mentionCount: number, at: string): NewEvent {
  return {
    workspaceId: scope.workspaceId,
    type: "thread.read",
    channelId: scope.kind === "channel" ? scope.id : null,
    dmId: scope.kind === "dm" ? scope.id : null,
    recipients: [userId],
    payload: { user_id: userId, root_message_id: rootId, scope_id: scope.id, ...scopePart(scope), last_read_seq: seq, last_read_at: at, mention_count: mentionCount },
  };
}

/** A followed thread as its follower sees it. */
export interface FollowedThread {
  root_message_id: string;
  scope_id: string;
  workspace_id: string;
  reason: FollowReason;
  following: boolean;
  last_read_seq: number;
  /** Replies after the read pointer, not the follower's own. */
  unread_count: number;
  mention_count: number;
}

/** A person's own choices for one channel: starred, and a preference other than their default. */
export interface ChannelPreference {
  channel_id: string;
  starred: boolean;
  /** null: the person's default applies. */
  preference: NotifyPreference | null;
}

/** One entry per channel with a star or a preference of its own, in channel id order. */
export function channelPreferences(starred: string[], preferences: { scopeId: string; preference: NotifyPreference }[]): ChannelPreference[] {
  const out = new Map<string, ChannelPreference>();
  for (const id of starred) out.set(id, { channel_id: id, starred: true, preference: null });
  for (const p of preferences) out.set(p.scopeId, { channel_id: p.scopeId, starred: out.get(p.scopeId)?.starred ?? false, preference: p.preference });
  return [...out.values()].sort((a, b) => (a.channel_id < b.channel_id ? -1 : 1));
}
