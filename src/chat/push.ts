// Who a new message is pushed to outside the app (Pushover, Web Push), decided once for both stores and
// the worker: people with a Pushover key or a push subscription who read the scope, never the author, by preference,
// and not during their do-not-disturb hours.
import { invalid } from "./errors.ts";
import { DEFAULT_SCOPE, effectivePreference, inDoNotDisturb, type NotificationSetting, type NotifyPreference } from "./notifications.ts";

/** The original's rule for a Pushover user key ("" clears it). */
export const PUSHOVER_USER_KEY = /^$|^[A-Za-z0-9]{30}$/;

/** A browser's Web Push subscription (its push service endpoint and keys). */
export interface WebPushSubscription {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface PushCandidate extends NotificationSetting {
  userId: string;
  /** The person's Pushover user key, if they set one. */
  pushoverKey: string | null;
  /** Their devices subscribed to Web Push. */
  subscriptions: WebPushSubscription[];
  /** Whether the message mentions them (a row in `mentions`). */
  mentioned: boolean;
}

/** One of a conversation's new messages, as the notification worker folds a page of the log. */
export interface PagedMessage {
  authorId: string;
  reply: boolean;
  /** Who the message's mention rows name (direct, @channel by preference, thread followers). */
  mentioned: ReadonlySet<string>;
}

/** The messages of a page one person is pushed: how many, the first and last (page indices), and all of them. */
export interface Wanted {
  count: number;
  first: number;
  last: number;
  indices(): number[];
}

/**
 * Which of a conversation's page of new messages each candidate is pushed, like the original:
 * whoever wants everything gets every root message but their own and the replies that mention
 * them (a thread's followers have a mention row too); whoever wants mentions gets the messages
 * that mention them; muted people and people in their do-not-disturb hours get nothing. Built
 * once per page so that asking for a candidate costs their own mentions, not a pass over the page:
 * a busy channel's page holds hundreds of messages for a thousand people.
 */
export function pageWants(page: PagedMessage[]): (c: PushCandidate, at: Date) => Wanted | null {
  const roots: number[] = [];
  const rootsBy = new Map<string, number>();
  const mentionsOf = new Map<string, number[]>();
  page.forEach((m, i) => {
    if (!m.reply) {
      roots.push(i);
      rootsBy.set(m.authorId, (rootsBy.get(m.authorId) ?? 0) + 1);
    }
    for (const u of m.mentioned) {
      if (u === m.authorId) continue;
      const own = mentionsOf.get(u);
      if (own) own.push(i);
      else mentionsOf.set(u, [i]);
    }
  });
  const wanted = (indices: () => number[], count: number, first: number, last: number): Wanted | null =>
    count === 0 ? null : { count, first, last, indices };
  return (c, at) => {
    if (c.preference === "muted" || inDoNotDisturb(c, at)) return null;
    const mentions = mentionsOf.get(c.userId) ?? [];
    if (c.preference === "mentions") return wanted(() => mentions, mentions.length, mentions[0]!, mentions.at(-1)!);
    const replies = mentions.filter((i) => page[i]!.reply);
    const theirs = (i: number) => page[i]!.authorId === c.userId;
    const rootCount = roots.length - (rootsBy.get(c.userId) ?? 0);
    const firstRoot = rootCount ? roots.find((i) => !theirs(i))! : Infinity;
    const lastRoot = rootCount ? roots.findLast((i) => !theirs(i))! : -1;
    return wanted(
      () => [...roots.filter((i) => !theirs(i)), ...replies].sort((a, b) => a - b),
      rootCount + replies.length,
      Math.min(firstRoot, replies[0] ?? Infinity),
      Math.max(lastRoot, replies.at(-1) ?? -1),
    );
  };
}

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
const decodedLength = (s: string) => (BASE64URL.test(s) ? Buffer.from(s, "base64url").length : -1);

/**
 * A subscription as a browser's PushSubscription.toJSON() gives it: the push service's endpoint
 * (https; plain http only for a development server's local stand-ins) and the keys RFC 8291
 * encrypts for (an uncompressed P-256 point, a 16-byte secret).
 */
export function assertWebPushSubscription(s: WebPushSubscription, allowHttp: boolean): WebPushSubscription {
  let url: URL | null = null;
  try {
    url = new URL(s.endpoint);
  } catch {}
  if (!url || !(url.protocol === "https:" || (allowHttp && url.protocol === "http:")) || url.username || url.password) {
    throw invalid("endpoint must be the push service's https URL", "invalid_push_subscription");
  }
  if (decodedLength(s.p256dh) !== 65 || Buffer.from(s.p256dh, "base64url")[0] !== 4) throw invalid("keys.p256dh must be a P-256 public key (base64url)", "invalid_push_subscription");
  if (decodedLength(s.auth) !== 16) throw invalid("keys.auth must be 16 bytes (base64url)", "invalid_push_subscription");
  return { endpoint: s.endpoint, p256dh: s.p256dh, auth: s.auth };
}

/** A notification_settings row as both stores read it. */
export interface NotificationSettingRow {
  userId: string;
  scopeId: string;
  preference: NotifyPreference;
  dndStartMinute: number | null;
  dndEndMinute: number | null;
}

/**
 * A message's push candidates from a handful of set-wise reads (keys, devices, mentions and the
 * settings of everyone who has a key or a device), so a workspace of a thousand costs the same few
 * queries as one of three: the notification worker runs this for every new message.
 */
export function pushCandidatesFrom(scopeId: string, rows: {
  keys: { userId: string; userKey: string }[];
  subs: ({ userId: string } & WebPushSubscription)[];
  mentioned: string[];
  settings: NotificationSettingRow[];
}): PushCandidate[] {
  const people = new Map<string, PushCandidate>();
  const person = (userId: string): PushCandidate => {
    let c = people.get(userId);
    if (!c) people.set(userId, c = { userId, pushoverKey: null, subscriptions: [], mentioned: false, preference: effectivePreference(null, null), dnd_start_minute: null, dnd_end_minute: null });
    return c;
  };
  for (const k of rows.keys) person(k.userId).pushoverKey = k.userKey;
  for (const { userId, endpoint, p256dh, auth } of rows.subs) person(userId).subscriptions.push({ endpoint, p256dh, auth });
  const scoped = new Map<string, NotifyPreference>();
  for (const r of rows.settings) {
    const c = people.get(r.userId);
    if (!c) continue;
    if (r.scopeId === DEFAULT_SCOPE) {
      c.dnd_start_minute = r.dndStartMinute;
      c.dnd_end_minute = r.dndEndMinute;
    } else if (r.scopeId === scopeId) scoped.set(r.userId, r.preference);
  }
  const defaults = new Map(rows.settings.filter((r) => r.scopeId === DEFAULT_SCOPE).map((r) => [r.userId, r.preference]));
  for (const c of people.values()) c.preference = effectivePreference(scopeId === DEFAULT_SCOPE ? null : scoped.get(c.userId), defaults.get(c.userId));
  for (const id of rows.mentioned) if (people.has(id)) people.get(id)!.mentioned = true;
  return [...people.values()];
}

/** Mention rows (message, person) as who each message mentions, for both stores' `digests.mentionedBy`. */
export function groupMentions(rows: { m: string; u: string }[]): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const { m, u } of rows) {
    const people = by.get(m);
    if (people) people.push(u);
    else by.set(m, [u]);
  }
  return by;
}
