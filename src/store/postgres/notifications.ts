// Mentions, followed threads and preferences on Postgres: the same rows and rules as
// src/store/sqlite/notifications.ts (the rules themselves are in src/chat/notifications.ts).
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import type { StoredEvent } from "../../chat/types.ts";
import {
  channelPreferences, DEFAULT_SCOPE, effectivePreference, type FollowedThread, followsFromPost, mentionCreated, mentionTargets, type NotificationSetting,
  type NotifyPreference, threadRead,
} from "../../chat/notifications.ts";
import { assertThreadRoot, nextReadPointer } from "../../chat/posting.ts";
import { BROADCAST_HANDLES, mentionedHandles } from "../../chat/rules.ts";
import { now } from "../rows.ts";
import { pushCandidatesFrom } from "../../chat/push.ts";
import type { NotificationStore, Scope, WorkerPositionStore } from "../store.ts";
import type { Db, EventSink, PgGroupCommitWriter } from "./database.ts";
import { appendEvent } from "./events.ts";
import { channels, channelStars, dmMembers, mentions, messages, notificationSettings, pushoverKeys, pushSubscriptions, threadFollows, vapidKeys, workerPositions } from "./schema.ts";
import { first } from "./users.ts";
import { privateReaders } from "./channel-members.ts";

export async function mentionCount(db: Db, userId: string, scopeId: string, threadRootId?: string): Promise<number> {
  const thread = threadRootId ? sql`AND m.thread_root_id = ${threadRootId}` : sql``;
  const rows = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM mentions m JOIN messages g ON g.id = m.message_id
    WHERE m.user_id = ${userId} AND m.scope_id = ${scopeId} AND m.read_at IS NULL AND g.deleted_at IS NULL ${thread}`);
  return rows[0]?.n ?? 0;
}

/** Mentions in root messages up to the channel's (or DM's) new read pointer are read. */
export async function readRootMentions(db: Db, userId: string, scopeId: string, upToSeq: number, at: string): Promise<void> {
  await db.execute(sql`UPDATE mentions SET read_at = ${at} WHERE user_id = ${userId} AND scope_id = ${scopeId} AND thread_root_id IS NULL
    AND seq <= ${upToSeq} AND read_at IS NULL`);
}

async function preferences(db: Db, userIds: string[], scopeId: string): Promise<(userId: string) => NotifyPreference> {
  if (userIds.length === 0) return () => effectivePreference(null, null);
  const rows = await db.select({ u: notificationSettings.userId, s: notificationSettings.scopeId, p: notificationSettings.preference }).from(notificationSettings)
    .where(and(inArray(notificationSettings.userId, userIds), inArray(notificationSettings.scopeId, [scopeId, DEFAULT_SCOPE])));
  const scoped = new Map<string, NotifyPreference>();
  const defaults = new Map<string, NotifyPreference>();
  for (const r of rows) (r.s === DEFAULT_SCOPE ? defaults : scoped).set(r.u, r.p);
  return (id) => effectivePreference(scoped.get(id), defaults.get(id));
}

/** Everyone who reads the scope: a DM's members; a private channel's members; a channel's workspace members (guests: #guest only). */
async function readers(db: Db, scope: Scope): Promise<string[]> {
  if (scope.kind === "dm") return (await db.select({ u: dmMembers.userId }).from(dmMembers).where(eq(dmMembers.dmId, scope.id))).map((r) => r.u);
  if (await privateReaders(db, scope.id)) {
    return (await db.execute<{ user_id: string }>(sql`SELECT user_id FROM members WHERE workspace_id = ${scope.workspaceId} AND blocked_at IS NULL
      AND user_id IN (SELECT user_id FROM channel_members WHERE channel_id = ${scope.id})`)).map((r) => r.user_id);
  }
  const kind = (await first(db.select({ k: channels.kind }).from(channels).where(eq(channels.id, scope.id))))?.k;
  return (await db.execute<{ user_id: string }>(sql`SELECT user_id FROM members WHERE workspace_id = ${scope.workspaceId} AND blocked_at IS NULL
    AND (${kind === "guest" ? 1 : 0} = 1 OR role != 'guest')`)).map((r) => r.user_id);
}

type Posted = { id: string; threadRootId: string; authorId: string; parentMessageId: string | null; channelSeq: number | null; threadSeq: number | null; kind: string };

/**
 * Inside the post's write (after the workspace's cursor lock): follows the thread for whoever
 * the post makes a follower, then writes a mention for each person it reaches and one private
 * event that tells their devices.
 */
export async function recordReach(tx: Db, emit: EventSink, scope: Scope, m: Posted, rootAuthorId: string | null, direct: string[], body: string): Promise<StoredEvent | null> {
  if (m.kind !== "message") return null;
  const at = now();
  const isReply = m.parentMessageId !== null;
  for (const f of followsFromPost({ authorId: m.authorId, rootAuthorId, direct })) {
    const insert = tx.insert(threadFollows).values({
      userId: f.userId, rootMessageId: m.threadRootId, workspaceId: scope.workspaceId, scopeId: scope.id, following: true, reason: f.reason, lastReadSeq: 0, updatedAt: at,
    });
    if (f.reason === "replied") await insert.onConflictDoUpdate({ target: [threadFollows.userId, threadFollows.rootMessageId], set: { following: true, updatedAt: at } });
    else await insert.onConflictDoNothing();
  }
  const broadcast = mentionedHandles(body).some((h) => BROADCAST_HANDLES.has(h));
  // A follower who has since left a private channel hears nothing more from it.
  const inChannel = isReply && scope.kind === "channel" ? await privateReaders(tx, scope.id) : null;
  const followers = (isReply
    ? (await tx.select({ u: threadFollows.userId }).from(threadFollows).where(and(eq(threadFollows.rootMessageId, m.threadRootId), eq(threadFollows.following, true)))).map((r) => r.u)
    : []).filter((u) => !inChannel || inChannel.includes(u));
  if (direct.length === 0 && !broadcast && followers.length <= 1) return null;
  const audience = broadcast ? await readers(tx, scope) : [];
  const targets = mentionTargets({
    authorId: m.authorId, direct, broadcast, audience, followers,
    preferenceOf: await preferences(tx, [...new Set([...direct, ...audience, ...followers])], scope.id),
  });
  if (targets.length === 0) return null;
  const seq = (isReply ? m.threadSeq : m.channelSeq) ?? 0;
  await tx.insert(mentions).values(targets.map((t) => ({
    userId: t.userId, messageId: m.id, workspaceId: scope.workspaceId, scopeId: scope.id, threadRootId: isReply ? m.threadRootId : null,
    seq, reason: t.reason, createdAt: at, readAt: null,
  }))).onConflictDoNothing();
  return appendEvent(tx, emit, mentionCreated(scope, m, targets.map((t) => t.userId)));
}

type FollowRow = typeof threadFollows.$inferSelect;

async function followedView(db: Db, f: FollowRow): Promise<FollowedThread> {
  const [unread] = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM messages WHERE thread_root_id = ${f.rootMessageId}
    AND parent_message_id IS NOT NULL AND thread_seq > ${f.lastReadSeq} AND deleted_at IS NULL AND kind = 'message' AND author_id != ${f.userId}`);
  return {
    root_message_id: f.rootMessageId, scope_id: f.scopeId, workspace_id: f.workspaceId, reason: f.reason, following: f.following,
    last_read_seq: f.lastReadSeq, unread_count: unread?.n ?? 0, mention_count: await mentionCount(db, f.userId, f.scopeId, f.rootMessageId),
  };
}

async function settingOf(db: Db, userId: string, scopeId: string): Promise<NotificationSetting> {
  const rows = await db.select().from(notificationSettings)
    .where(and(eq(notificationSettings.userId, userId), inArray(notificationSettings.scopeId, [scopeId, DEFAULT_SCOPE])));
  const scoped = rows.find((r) => r.scopeId === scopeId);
  const defaults = rows.find((r) => r.scopeId === DEFAULT_SCOPE);
  return {
    preference: effectivePreference(scopeId === DEFAULT_SCOPE ? null : scoped?.preference, defaults?.preference),
    dnd_start_minute: defaults?.dndStartMinute ?? null,
    dnd_end_minute: defaults?.dndEndMinute ?? null,
  };
}

export function postgresNotifications(db: Db, writer: PgGroupCommitWriter): NotificationStore {
  const rootOf = async (tx: Db, rootId: string) => {
    const root = await first(tx.select().from(messages).where(eq(messages.id, rootId)));
    if (!root) throw notFound("message");
    assertThreadRoot(root);
    return root;
  };
  const followRow = (tx: Db, rootId: string, userId: string) =>
    first(tx.select().from(threadFollows).where(and(eq(threadFollows.rootMessageId, rootId), eq(threadFollows.userId, userId))));
  const scopeOf = (r: typeof messages.$inferSelect): Scope =>
    r.channelId ? { kind: "channel", id: r.channelId, workspaceId: r.workspaceId } : { kind: "dm", id: r.dmId!, workspaceId: r.workspaceId };
  return {
    setting(userId, scopeId) {
      return settingOf(db, userId, scopeId);
    },
    async channelPreferences(userId, workspaceId) {
      const stars = await db.select({ id: channelStars.channelId }).from(channelStars).where(and(eq(channelStars.userId, userId), eq(channelStars.workspaceId, workspaceId)));
      const own = await db
        .select({ scopeId: notificationSettings.scopeId, preference: notificationSettings.preference })
        .from(notificationSettings)
        .innerJoin(channels, eq(channels.id, notificationSettings.scopeId))
        .where(and(eq(notificationSettings.userId, userId), eq(channels.workspaceId, workspaceId)));
      return channelPreferences(stars.map((s) => s.id), own);
    },
    setStar(userId, channel, starred) {
      return writer.write(async (tx) => {
        if (starred) await tx.insert(channelStars).values({ userId, channelId: channel.id, workspaceId: channel.workspaceId, createdAt: now() }).onConflictDoNothing();
        else await tx.delete(channelStars).where(and(eq(channelStars.userId, userId), eq(channelStars.channelId, channel.id)));
      });
    },
    updateSetting(userId, scopeId, patch) {
      return writer.write(async (tx) => {
        const current = await settingOf(tx, userId, scopeId);
        const stored = await first(tx.select().from(notificationSettings).where(and(eq(notificationSettings.userId, userId), eq(notificationSettings.scopeId, scopeId))));
        const isDefault = scopeId === DEFAULT_SCOPE;
        const next = {
          preference: patch.preference ?? stored?.preference ?? current.preference,
          dndStartMinute: isDefault ? (patch.dnd_start_minute !== undefined ? patch.dnd_start_minute : current.dnd_start_minute) : null,
          dndEndMinute: isDefault ? (patch.dnd_end_minute !== undefined ? patch.dnd_end_minute : current.dnd_end_minute) : null,
          updatedAt: now(),
        };
        await tx.insert(notificationSettings).values({ userId, scopeId, ...next })
          .onConflictDoUpdate({ target: [notificationSettings.userId, notificationSettings.scopeId], set: next });
        return settingOf(tx, userId, scopeId);
      });
    },
    follow(rootId, userId, following) {
      return writer.write(async (tx, emit) => {
        const root = await rootOf(tx, rootId);
        const scope = scopeOf(root);
        await emit.lock(tx, scope.workspaceId);
        const at = now();
        await tx.insert(threadFollows).values({ userId, rootMessageId: rootId, workspaceId: scope.workspaceId, scopeId: scope.id, following, reason: "chose", lastReadSeq: 0, updatedAt: at })
          .onConflictDoUpdate({ target: [threadFollows.userId, threadFollows.rootMessageId], set: { following, updatedAt: at } });
        return followedView(tx, (await followRow(tx, rootId, userId))!);
      });
    },
    readThread(rootId, userId, seq) {
      return writer.write(async (tx, emit) => {
        const root = await rootOf(tx, rootId);
        const scope = scopeOf(root);
        await emit.lock(tx, scope.workspaceId);
        const existing = await first(tx.select().from(threadFollows)
          .where(and(eq(threadFollows.rootMessageId, rootId), eq(threadFollows.userId, userId))).for("update"));
        const target = nextReadPointer(existing?.lastReadSeq ?? 0, seq, root.threadLastSeq);
        const at = now();
        if (target === null && existing) return { thread: await followedView(tx, existing), event: null };
        const pointer = target ?? 0;
        await tx.insert(threadFollows).values({ userId, rootMessageId: rootId, workspaceId: scope.workspaceId, scopeId: scope.id, following: false, reason: "chose", lastReadSeq: pointer, updatedAt: at })
          .onConflictDoUpdate({ target: [threadFollows.userId, threadFollows.rootMessageId], set: { lastReadSeq: pointer, updatedAt: at } });
        await tx.execute(sql`UPDATE mentions SET read_at = ${at} WHERE user_id = ${userId} AND thread_root_id = ${rootId} AND seq <= ${pointer} AND read_at IS NULL`);
        const event = target === null ? null : await appendEvent(tx, emit, threadRead(scope, userId, rootId, pointer, await mentionCount(tx, userId, scope.id), at));
        return { thread: await followedView(tx, (await followRow(tx, rootId, userId))!), event };
      });
    },
    async threads(workspaceId, userId, limit) {
      const rows = await db.select({ f: threadFollows }).from(threadFollows).innerJoin(messages, eq(messages.id, threadFollows.rootMessageId))
        .where(and(eq(threadFollows.userId, userId), eq(threadFollows.workspaceId, workspaceId), eq(threadFollows.following, true), isNull(messages.deletedAt),
          // Threads of a private channel the person has left are theirs no more.
          sql`${threadFollows.scopeId} NOT IN (SELECT id FROM channels WHERE is_private AND id NOT IN (SELECT channel_id FROM channel_members WHERE user_id = ${userId}))`))
        .orderBy(desc(sql`coalesce(${messages.lastReplyAt}, ${messages.createdAt})`)).limit(limit);
      return Promise.all(rows.map((r) => followedView(db, r.f)));
    },
    async pushCandidates(messageId) {
      const m = await first(db.select().from(messages).where(eq(messages.id, messageId)));
      if (!m || m.deletedAt) return [];
      const scope = scopeOf(m);
      const ids = await readers(db, scope);
      if (ids.length === 0) return [];
      const keys = await db.select().from(pushoverKeys).where(inArray(pushoverKeys.userId, ids));
      const subs = await db.select().from(pushSubscriptions).where(inArray(pushSubscriptions.userId, ids));
      const people = [...new Set([...keys, ...subs].map((r) => r.userId))];
      if (people.length === 0) return [];
      return pushCandidatesFrom(scope.id, {
        keys,
        subs,
        mentioned: (await db.select({ u: mentions.userId }).from(mentions).where(eq(mentions.messageId, messageId))).map((r) => r.u),
        settings: await db.select().from(notificationSettings).where(and(inArray(notificationSettings.userId, people), inArray(notificationSettings.scopeId, [scope.id, DEFAULT_SCOPE]))),
      });
    },
    async vapidKeys(generate) {
      const stored = await first(db.select().from(vapidKeys).where(eq(vapidKeys.id, "default")));
      if (stored) return { publicKey: stored.publicKey, privateKey: stored.privateKey };
      await db.insert(vapidKeys).values({ id: "default", ...generate(), createdAt: now() }).onConflictDoNothing();
      const kept = (await first(db.select().from(vapidKeys).where(eq(vapidKeys.id, "default"))))!;
      return { publicKey: kept.publicKey, privateKey: kept.privateKey };
    },
    addPushSubscription(userId, sub) {
      return writer.write(async (tx) => {
        await tx.insert(pushSubscriptions).values({ ...sub, userId, createdAt: now() })
          .onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: { userId, p256dh: sub.p256dh, auth: sub.auth } });
      });
    },
    removePushSubscription(userId, endpoint) {
      return writer.write(async (tx) => (await tx.delete(pushSubscriptions).where(and(eq(pushSubscriptions.userId, userId), eq(pushSubscriptions.endpoint, endpoint))).returning()).length > 0);
    },
    async anyPushAddress() {
      return (await db.execute(sql`SELECT 1 AS x WHERE EXISTS (SELECT 1 FROM pushover_keys) OR EXISTS (SELECT 1 FROM push_subscriptions)`)).length > 0;
    },
    dropPushEndpoint(endpoint) {
      return writer.write(async (tx) => {
        await tx.delete(pushSubscriptions).where(eq(pushSubscriptions.endpoint, endpoint));
      });
    },
  };
}

/**
 * Several processes may run the same worker on one database: the position row is claimed with
 * FOR UPDATE SKIP LOCKED for the length of the work, so one process works a workspace at a time
 * and the others move on.
 */
export function postgresWorkerPositions(db: Db): WorkerPositionStore {
  return {
    async advance(worker, workspaceId, work) {
      await db.insert(workerPositions).values({ worker, workspaceId, cursor: null, updatedAt: now() }).onConflictDoNothing();
      return db.transaction(async (tx) => {
        const rows = await tx.execute<{ cursor: string | null }>(sql`SELECT cursor FROM worker_positions WHERE worker = ${worker} AND workspace_id = ${workspaceId} FOR UPDATE SKIP LOCKED`);
        if (rows.length === 0) return false;
        const before = rows[0]!.cursor;
        const cursor = await work(before);
        if (cursor !== before) await tx.update(workerPositions).set({ cursor, updatedAt: now() }).where(and(eq(workerPositions.worker, worker), eq(workerPositions.workspaceId, workspaceId)));
        return true;
      });
    },
  };
}
