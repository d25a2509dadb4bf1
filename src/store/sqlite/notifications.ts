// Mentions, followed threads and preferences on SQLite. Who is mentioned is decided in
// src/chat/notifications.ts; this file gathers the facts inside the write and keeps the rows.
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import type { Audience } from "../../chat/events.ts";
import type { StoredEvent } from "../../chat/types.ts";
import {
  channelPreferences, DEFAULT_SCOPE, effectivePreference, type FollowedThread, followsFromPost, mentionCreated, mentionTargets, type NotificationSetting,
  type NotifyPreference, threadRead,
} from "../../chat/notifications.ts";
import { assertThreadRoot, nextReadPointer } from "../../chat/posting.ts";
import { BROADCAST_HANDLES, mentionedHandles } from "../../chat/rules.ts";
import { pushCandidatesFrom } from "../../chat/push.ts";
import type { NotificationStore, Scope, WorkerPositionStore } from "../store.ts";
import type { Db, EventSink, GroupCommitWriter } from "./database.ts";
import { appendEvent } from "./events.ts";
import { now } from "../rows.ts";
import { firstRow } from "./rows.ts";
import { privateReaders } from "./channel-members.ts";
import { channels, channelStars, dmMembers, mentions, messages, notificationSettings, pushoverKeys, pushSubscriptions, threadFollows, vapidKeys, workerPositions } from "./schema.ts";

export function mentionCount(db: Db, userId: string, scopeId: string, threadRootId?: string): number {
  const thread = threadRootId ? sql`AND m.thread_root_id = ${threadRootId}` : sql``;
  return firstRow<{ n: number }>(db, sql`SELECT count(*) AS n FROM mentions m JOIN messages g ON g.id = m.message_id
    WHERE m.user_id = ${userId} AND m.scope_id = ${scopeId} AND m.read_at IS NULL AND g.deleted_at IS NULL ${thread}`)?.n ?? 0;
}

/** Mentions in root messages up to the channel's (or DM's) new read pointer are read. */
export function readRootMentions(db: Db, userId: string, scopeId: string, upToSeq: number, at: string): void {
  db.run(sql`UPDATE mentions SET read_at = ${at} WHERE user_id = ${userId} AND scope_id = ${scopeId} AND thread_root_id IS NULL
    AND seq <= ${upToSeq} AND read_at IS NULL`);
}

function preferences(db: Db, userIds: string[], scopeId: string): (userId: string) => NotifyPreference {
  if (userIds.length === 0) return () => effectivePreference(null, null);
  const rows = statements(db).preferences.all({ ids: JSON.stringify(userIds), scope: scopeId });
  const scoped = new Map<string, NotifyPreference>();
  const defaults = new Map<string, NotifyPreference>();
  for (const r of rows) (r.s === DEFAULT_SCOPE ? defaults : scoped).set(r.u, r.p);
  return (id) => effectivePreference(scoped.get(id), defaults.get(id));
}

// The post path's statements, compiled once per database (building and preparing SQL per call
// cost more than running it: profiled at ~0.4 ms per statement, 3x a post without mentions).
const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();
const p = sql.placeholder;
function prepare(db: Db) {
  const follow = db.insert(threadFollows).values({
    userId: p("user"), rootMessageId: p("root"), workspaceId: p("workspace"), scopeId: p("scope"), following: true, reason: p("reason"), lastReadSeq: 0, updatedAt: p("at"),
  } as never);
  return {
    followKeep: follow.onConflictDoNothing().prepare(),
    followAgain: db.insert(threadFollows).values({
      userId: p("user"), rootMessageId: p("root"), workspaceId: p("workspace"), scopeId: p("scope"), following: true, reason: p("reason"), lastReadSeq: 0, updatedAt: p("at"),
    } as never).onConflictDoUpdate({ target: [threadFollows.userId, threadFollows.rootMessageId], set: { following: true, updatedAt: sql`excluded.updated_at` } }).prepare(),
    followers: db.select({ u: threadFollows.userId }).from(threadFollows).where(and(eq(threadFollows.rootMessageId, p("root")), eq(threadFollows.following, true))).prepare(),
    preferences: db.select({ u: notificationSettings.userId, s: notificationSettings.scopeId, p: notificationSettings.preference }).from(notificationSettings)
      .where(sql`${notificationSettings.userId} IN (SELECT value FROM json_each(${p("ids")})) AND ${notificationSettings.scopeId} IN (${p("scope")}, '')`).prepare(),
    // The notification worker's audience reads: the ids as one JSON parameter, so a thousand
    // readers cost one compiled statement each, not SQL with a thousand placeholders built per call.
    keysOf: db.select().from(pushoverKeys).where(sql`${pushoverKeys.userId} IN (SELECT value FROM json_each(${p("ids")}))`).prepare(),
    subscriptionsOf: db.select().from(pushSubscriptions).where(sql`${pushSubscriptions.userId} IN (SELECT value FROM json_each(${p("ids")}))`).prepare(),
    settingsOf: db.select().from(notificationSettings)
      .where(sql`${notificationSettings.userId} IN (SELECT value FROM json_each(${p("ids")})) AND ${notificationSettings.scopeId} IN (${p("scope")}, '')`).prepare(),
    mentionedIn: db.select({ u: mentions.userId }).from(mentions).where(eq(mentions.messageId, p("message"))).prepare(),
    mention: db.insert(mentions).values({
      userId: p("user"), messageId: p("message"), workspaceId: p("workspace"), scopeId: p("scope"), threadRootId: p("thread"), seq: p("seq"), reason: p("reason"), createdAt: p("at"), readAt: null,
    } as never).onConflictDoNothing().prepare(),
  };
}
function statements(db: Db) {
  let st = prepared.get(db);
  if (!st) prepared.set(db, (st = prepare(db)));
  return st;
}

/** Everyone who reads the scope: a DM's members; a private channel's members; a channel's workspace members (guests: #guest only). */
function readers(db: Db, scope: Scope): string[] {
  if (scope.kind === "dm") return db.select({ u: dmMembers.userId }).from(dmMembers).where(eq(dmMembers.dmId, scope.id)).all().map((r) => r.u);
  const inChannel = privateReaders(db, scope.id);
  if (inChannel) {
    return db.all<{ user_id: string }>(sql`SELECT user_id FROM members WHERE workspace_id = ${scope.workspaceId} AND blocked_at IS NULL
      AND user_id IN (SELECT user_id FROM channel_members WHERE channel_id = ${scope.id})`).map((r) => r.user_id);
  }
  const kind = db.select({ k: channels.kind }).from(channels).where(eq(channels.id, scope.id)).get()?.k;
  return db.all<{ user_id: string }>(sql`SELECT user_id FROM members WHERE workspace_id = ${scope.workspaceId} AND blocked_at IS NULL
    AND (${kind === "guest" ? 1 : 0} = 1 OR role != 'guest')`).map((r) => r.user_id);
}

type Posted = { id: string; threadRootId: string; authorId: string; parentMessageId: string | null; channelSeq: number | null; threadSeq: number | null; kind: string };

/**
 * Inside the post's write: follows the thread for whoever the post makes a follower, then writes
 * a mention for each person it reaches and one private event that tells their devices. `heard`:
 * who may hear of the post (the post has read it; a private channel's members, if it is one).
 */
export function recordReach(db: Db, emit: EventSink, scope: Scope, heard: Audience, m: Posted, rootAuthorId: string | null, direct: string[], body: string): StoredEvent | null {
  if (m.kind !== "message") return null;
  const at = now();
  const isReply = m.parentMessageId !== null;
  const st = statements(db);
  for (const f of followsFromPost({ authorId: m.authorId, rootAuthorId, direct })) {
    (f.reason === "replied" ? st.followAgain : st.followKeep).run({ user: f.userId, root: m.threadRootId, workspace: scope.workspaceId, scope: scope.id, reason: f.reason, at });
  }
  const broadcast = mentionedHandles(body).some((h) => BROADCAST_HANDLES.has(h));
  // A follower who has since left a private channel hears nothing more from it.
  const inChannel = scope.kind === "channel" ? heard.recipients : null;
  const followers = (isReply ? st.followers.all({ root: m.threadRootId }).map((r) => r.u) : []).filter((u) => !inChannel || inChannel.includes(u));
  if (direct.length === 0 && !broadcast && followers.length <= 1) return null;
  const audience = broadcast ? readers(db, scope) : [];
  const targets = mentionTargets({
    authorId: m.authorId, direct, broadcast, audience, followers,
    preferenceOf: preferences(db, [...new Set([...direct, ...audience, ...followers])], scope.id),
  });
  if (targets.length === 0) return null;
  const seq = (isReply ? m.threadSeq : m.channelSeq) ?? 0;
  for (const t of targets) {
    st.mention.run({ user: t.userId, message: m.id, workspace: scope.workspaceId, scope: scope.id, thread: isReply ? m.threadRootId : null, seq, reason: t.reason, at });
  }
  return appendEvent(db, emit, mentionCreated(scope, m, targets.map((t) => t.userId)));
}

type FollowRow = typeof threadFollows.$inferSelect;

function followedView(db: Db, f: FollowRow): FollowedThread {
  const unread = firstRow<{ n: number }>(db, sql`SELECT count(*) AS n FROM messages WHERE thread_root_id = ${f.rootMessageId}
    AND parent_message_id IS NOT NULL AND thread_seq > ${f.lastReadSeq} AND deleted_at IS NULL AND kind = 'message' AND author_id != ${f.userId}`)?.n ?? 0;
  return {
    root_message_id: f.rootMessageId, scope_id: f.scopeId, workspace_id: f.workspaceId, reason: f.reason, following: f.following,
    last_read_seq: f.lastReadSeq, unread_count: unread, mention_count: mentionCount(db, f.userId, f.scopeId, f.rootMessageId),
  };
}

function settingOf(db: Db, userId: string, scopeId: string): NotificationSetting {
  const rows = db.select().from(notificationSettings)
    .where(and(eq(notificationSettings.userId, userId), inArray(notificationSettings.scopeId, [scopeId, DEFAULT_SCOPE]))).all();
  const scoped = rows.find((r) => r.scopeId === scopeId);
  const defaults = rows.find((r) => r.scopeId === DEFAULT_SCOPE);
  return {
    preference: effectivePreference(scopeId === DEFAULT_SCOPE ? null : scoped?.preference, defaults?.preference),
    dnd_start_minute: defaults?.dndStartMinute ?? null,
    dnd_end_minute: defaults?.dndEndMinute ?? null,
  };
}

export function sqliteNotifications(db: Db, writer: GroupCommitWriter): NotificationStore {
  const rootOf = (rootId: string) => {
    const root = db.select().from(messages).where(eq(messages.id, rootId)).get();
    if (!root) throw notFound("message");
    assertThreadRoot(root);
    return root;
  };
  const followRow = (rootId: string, userId: string) =>
    db.select().from(threadFollows).where(and(eq(threadFollows.rootMessageId, rootId), eq(threadFollows.userId, userId))).get();
  const scopeOf = (r: typeof messages.$inferSelect): Scope =>
    r.channelId ? { kind: "channel", id: r.channelId, workspaceId: r.workspaceId } : { kind: "dm", id: r.dmId!, workspaceId: r.workspaceId };
  return {
    async channelPreferences(userId, workspaceId) {
      const stars = db.select({ id: channelStars.channelId }).from(channelStars).where(and(eq(channelStars.userId, userId), eq(channelStars.workspaceId, workspaceId))).all();
      const own = db
        .select({ scopeId: notificationSettings.scopeId, preference: notificationSettings.preference })
        .from(notificationSettings)
        .innerJoin(channels, eq(channels.id, notificationSettings.scopeId))
        .where(and(eq(notificationSettings.userId, userId), eq(channels.workspaceId, workspaceId)))
        .all();
      return channelPreferences(stars.map((s) => s.id), own);
    },
    setStar(userId, channel, starred) {
      return writer.write(() => {
        if (starred) db.insert(channelStars).values({ userId, channelId: channel.id, workspaceId: channel.workspaceId, createdAt: now() }).onConflictDoNothing().run();
        else db.delete(channelStars).where(and(eq(channelStars.userId, userId), eq(channelStars.channelId, channel.id))).run();
      });
    },
    async setting(userId, scopeId) {
      return settingOf(db, userId, scopeId);
    },
    updateSetting(userId, scopeId, patch) {
      return writer.write(() => {
        const current = settingOf(db, userId, scopeId);
        const stored = db.select().from(notificationSettings).where(and(eq(notificationSettings.userId, userId), eq(notificationSettings.scopeId, scopeId))).get();
        const isDefault = scopeId === DEFAULT_SCOPE;
        const next = {
          preference: patch.preference ?? stored?.preference ?? current.preference,
          dndStartMinute: isDefault ? (patch.dnd_start_minute !== undefined ? patch.dnd_start_minute : current.dnd_start_minute) : null,
          dndEndMinute: isDefault ? (patch.dnd_end_minute !== undefined ? patch.dnd_end_minute : current.dnd_end_minute) : null,
          updatedAt: now(),
        };
        db.insert(notificationSettings).values({ userId, scopeId, ...next })
          .onConflictDoUpdate({ target: [notificationSettings.userId, notificationSettings.scopeId], set: next }).run();
        return settingOf(db, userId, scopeId);
      });
    },
    follow(rootId, userId, following) {
      return writer.write(() => {
        const root = rootOf(rootId);
        const scope = scopeOf(root);
        const at = now();
        db.insert(threadFollows).values({ userId, rootMessageId: rootId, workspaceId: scope.workspaceId, scopeId: scope.id, following, reason: "chose", lastReadSeq: 0, updatedAt: at })
          .onConflictDoUpdate({ target: [threadFollows.userId, threadFollows.rootMessageId], set: { following, updatedAt: at } }).run();
        return followedView(db, followRow(rootId, userId)!);
      });
    },
    readThread(rootId, userId, seq) {
      return writer.write((emit) => {
        const root = rootOf(rootId);
        const scope = scopeOf(root);
        const existing = followRow(rootId, userId);
        const target = nextReadPointer(existing?.lastReadSeq ?? 0, seq, root.threadLastSeq);
        const at = now();
        if (target === null && existing) return { thread: followedView(db, existing), event: null };
        const pointer = target ?? 0;
        db.insert(threadFollows).values({ userId, rootMessageId: rootId, workspaceId: scope.workspaceId, scopeId: scope.id, following: false, reason: "chose", lastReadSeq: pointer, updatedAt: at })
          .onConflictDoUpdate({ target: [threadFollows.userId, threadFollows.rootMessageId], set: { lastReadSeq: pointer, updatedAt: at } }).run();
        db.run(sql`UPDATE mentions SET read_at = ${at} WHERE user_id = ${userId} AND thread_root_id = ${rootId} AND seq <= ${pointer} AND read_at IS NULL`);
        const event = target === null ? null : appendEvent(db, emit, threadRead(scope, userId, rootId, pointer, mentionCount(db, userId, scope.id), at));
        return { thread: followedView(db, followRow(rootId, userId)!), event };
      });
    },
    async threads(workspaceId, userId, limit) {
      const rows = db.select({ f: threadFollows }).from(threadFollows).innerJoin(messages, eq(messages.id, threadFollows.rootMessageId))
        .where(and(eq(threadFollows.userId, userId), eq(threadFollows.workspaceId, workspaceId), eq(threadFollows.following, true), isNull(messages.deletedAt),
          // Threads of a private channel the person has left are theirs no more.
          sql`${threadFollows.scopeId} NOT IN (SELECT id FROM channels WHERE is_private = 1 AND id NOT IN (SELECT channel_id FROM channel_members WHERE user_id = ${userId}))`))
        .orderBy(desc(sql`coalesce(${messages.lastReplyAt}, ${messages.createdAt})`)).limit(limit).all();
      return rows.map((r) => followedView(db, r.f));
    },
    async pushCandidates(messageId) {
      const m = db.select().from(messages).where(eq(messages.id, messageId)).get();
      if (!m || m.deletedAt) return [];
      const scope = scopeOf(m);
      const ids = readers(db, scope);
      if (ids.length === 0) return [];
      const st = statements(db);
      const keys = st.keysOf.all({ ids: JSON.stringify(ids) });
      const subs = st.subscriptionsOf.all({ ids: JSON.stringify(ids) });
      const people = [...new Set([...keys, ...subs].map((r) => r.userId))];
      if (people.length === 0) return [];
      return pushCandidatesFrom(scope.id, {
        keys,
        subs,
        mentioned: st.mentionedIn.all({ message: messageId }).map((r) => r.u),
        settings: st.settingsOf.all({ ids: JSON.stringify(people), scope: scope.id }),
      });
    },
    async vapidKeys(generate) {
      const stored = db.select().from(vapidKeys).where(eq(vapidKeys.id, "default")).get();
      if (stored) return { publicKey: stored.publicKey, privateKey: stored.privateKey };
      const fresh = generate();
      await writer.write(() => db.insert(vapidKeys).values({ id: "default", ...fresh, createdAt: now() }).onConflictDoNothing().run());
      const kept = db.select().from(vapidKeys).where(eq(vapidKeys.id, "default")).get()!;
      return { publicKey: kept.publicKey, privateKey: kept.privateKey };
    },
    addPushSubscription(userId, sub) {
      return writer.write(() => {
        db.insert(pushSubscriptions).values({ ...sub, userId, createdAt: now() })
          .onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: { userId, p256dh: sub.p256dh, auth: sub.auth } }).run();
      });
    },
    removePushSubscription(userId, endpoint) {
      return writer.write(() => db.delete(pushSubscriptions).where(and(eq(pushSubscriptions.userId, userId), eq(pushSubscriptions.endpoint, endpoint))).returning().all().length > 0);
    },
    async anyPushAddress() {
      return !!firstRow(db, sql`SELECT 1 AS x WHERE EXISTS (SELECT 1 FROM pushover_keys) OR EXISTS (SELECT 1 FROM push_subscriptions)`);
    },
    dropPushEndpoint(endpoint) {
      return writer.write(() => {
        db.delete(pushSubscriptions).where(eq(pushSubscriptions.endpoint, endpoint)).run();
      });
    },
  };
}

/** SQLite has one writer process: the position is read, worked from and written back in turn. */
export function sqliteWorkerPositions(db: Db, writer: GroupCommitWriter): WorkerPositionStore {
  const running = new Set<string>();
  return {
    async advance(worker, workspaceId, work) {
      const key = `${worker}\0${workspaceId}`;
      if (running.has(key)) return false;
      running.add(key);
      try {
        const row = db.select().from(workerPositions).where(and(eq(workerPositions.worker, worker), eq(workerPositions.workspaceId, workspaceId))).get();
        const cursor = await work(row?.cursor ?? null);
        if (cursor !== (row?.cursor ?? null)) {
          await writer.write(() => {
            db.insert(workerPositions).values({ worker, workspaceId, cursor, updatedAt: now() })
              .onConflictDoUpdate({ target: [workerPositions.worker, workerPositions.workspaceId], set: { cursor, updatedAt: now() } }).run();
          });
        }
        return true;
      } finally {
        running.delete(key);
      }
    },
  };
}
