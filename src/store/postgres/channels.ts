import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { assertChannelDeletable, channelDeletePreview } from "../../chat/administration.ts";
import { assertChannelNameFree, type ChannelPresentation, presentationColumns } from "../../chat/channels.ts";
import { notFound } from "../../chat/errors.ts";
import { channelCreated, channelDeleted, channelUpdated } from "../../chat/events.ts";
import { assertPrivacyUnchanged, assertPrivateChannel, assertWorkspaceMember, channelMemberAdded, channelMemberRemoved } from "../../chat/private-channels.ts";
import { newId, newRouteId } from "../../chat/ids.ts";
import type { Channel } from "../../chat/types.ts";
import { type ChannelCountsRow, channelCountsQuery, channelUploadsQuery, counted, CHANNEL_COUNTS } from "../administration-sql.ts";
import type { ChannelStore } from "../store.ts";
import { now, toChannel, toUser } from "../rows.ts";
import { privateReaders } from "./channel-members.ts";
import type { Db, EventSink, PgGroupCommitWriter } from "./database.ts";
import { appendEvent } from "./events.ts";
import { mentionCount } from "./notifications.ts";
import { channelMembers, channels, members, pins, readStates, uploadCleanup, uploads, users } from "./schema.ts";
import { first } from "./users.ts";

/** `count(*)` as a number (Postgres counts in bigint, which the driver hands over as a string). */
export const countAll = sql<number>`count(*)::int`;

/**
 * Unread: root messages after the read pointer, not deleted, not the viewer's own, and not agent
 * activity (commentary and tool messages are progress, not conversation).
 */
export async function unreadCount(db: Db, scope: { channelId?: string; dmId?: string }, viewerId: string, afterSeq: number): Promise<number> {
  const where = scope.channelId ? sql`channel_id = ${scope.channelId}` : sql`dm_id = ${scope.dmId}`;
  const rows = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM messages WHERE ${where} AND channel_seq > ${afterSeq}
    AND parent_message_id IS NULL AND deleted_at IS NULL AND kind = 'message' AND author_id != ${viewerId}`);
  return rows[0]?.n ?? 0;
}

export async function lastReadSeq(db: Db, scopeId: string, userId: string): Promise<number> {
  return (await first(db.select({ s: readStates.lastReadSeq }).from(readStates).where(and(eq(readStates.scopeId, scopeId), eq(readStates.userId, userId)))))?.s ?? 0;
}

export async function channelView(db: Db, row: typeof channels.$inferSelect, viewerId: string): Promise<Channel> {
  const read = await lastReadSeq(db, row.id, viewerId);
  return toChannel(row, read, row.lastSeq > read ? await unreadCount(db, { channelId: row.id }, viewerId, read) : 0, await mentionCount(db, viewerId, row.id));
}

export async function createChannelRow(
  tx: Db,
  emit: EventSink,
  input: { workspaceId: string; name: string; kind: string; createdBy: string; private?: boolean } & ChannelPresentation,
) {
  await emit.lock(tx, input.workspaceId);
  const taken = await first(tx.select({ id: channels.id }).from(channels)
    .where(and(eq(channels.workspaceId, input.workspaceId), eq(channels.name, input.name), isNull(channels.deletedAt))));
  assertChannelNameFree(input.name, Boolean(taken));
  const row = {
    id: newId("chn"),
    routeId: newRouteId("C"),
    workspaceId: input.workspaceId,
    name: input.name,
    ...presentationColumns(input),
    kind: input.kind,
    isPrivate: input.private ?? false,
    createdBy: input.createdBy,
    createdAt: now(),
    archivedAt: null,
    deletedAt: null,
    lastSeq: 0,
  };
  await tx.insert(channels).values(row);
  // Whoever makes a private channel is its first member (and so far its only reader).
  if (row.isPrivate) await tx.insert(channelMembers).values({ channelId: row.id, userId: input.createdBy, addedBy: input.createdBy, addedAt: row.createdAt });
  const channel = toChannel(row, 0, 0);
  const event = await appendEvent(tx, emit, channelCreated(row, input.createdBy, row.isPrivate ? [input.createdBy] : null));
  return { channel, event };
}

export function pgChannels(db: Db, writer: PgGroupCommitWriter): ChannelStore {
  const live = (q: Db, id: string) => first(q.select().from(channels).where(and(eq(channels.id, id), isNull(channels.deletedAt))));
  return {
    create(input) {
      return writer.write((tx, emit) => createChannelRow(tx, emit, { ...input, kind: input.kind ?? "public" }));
    },
    async record(id) {
      const r = await live(db, id);
      return r ? { id: r.id, workspaceId: r.workspaceId, name: r.name, kind: r.kind, archivedAt: r.archivedAt, memberIds: r.isPrivate ? ((await privateReaders(db, r.id)) ?? []) : null } : null;
    },
    async get(id, viewerId) {
      const r = await live(db, id);
      return r ? channelView(db, r, viewerId) : null;
    },
    async list(workspaceId, viewerId, opts) {
      const conds = [eq(channels.workspaceId, workspaceId), isNull(channels.deletedAt)];
      // A private channel is listed to its members only (managers included: see README).
      const inIt = sql`${channels.id} IN (SELECT channel_id FROM channel_members WHERE user_id = ${viewerId})`;
      conds.push(opts.guestOnly ? sql`((${channels.kind} = 'guest' AND NOT ${channels.isPrivate}) OR (${channels.isPrivate} AND ${inIt}))` : sql`(NOT ${channels.isPrivate} OR ${inIt})`);
      if (!opts.includeArchived) conds.push(isNull(channels.archivedAt));
      const rows = await db.select().from(channels).where(and(...conds)).orderBy(asc(channels.name));
      return Promise.all(rows.map((r) => channelView(db, r, viewerId)));
    },
    update(id, patch, actorId) {
      return writer.write(async (tx, emit) => {
        const current = await live(tx, id);
        if (!current) throw notFound("channel");
        assertPrivacyUnchanged(patch.private, current.isPrivate);
        await emit.lock(tx, current.workspaceId);
        if (patch.name !== undefined && patch.name !== current.name) {
          const taken = await first(tx.select({ id: channels.id }).from(channels)
            .where(and(eq(channels.workspaceId, current.workspaceId), eq(channels.name, patch.name), isNull(channels.deletedAt))));
          assertChannelNameFree(patch.name, Boolean(taken));
        }
        const next = {
          name: patch.name ?? current.name,
          ...presentationColumns(patch, current),
          archivedAt: patch.archived === undefined ? current.archivedAt : patch.archived ? (current.archivedAt ?? now()) : null,
        };
        await tx.update(channels).set(next).where(eq(channels.id, id));
        const row = { ...current, ...next };
        const event = await appendEvent(tx, emit, channelUpdated(row, actorId, await privateReaders(tx, id)));
        return { channel: await channelView(tx, row, actorId), event };
      });
    },
    async deletePreview(id) {
      const current = await live(db, id);
      if (!current) throw notFound("channel");
      const [row] = await db.execute<ChannelCountsRow>(channelCountsQuery(id, current.workspaceId));
      const c = counted(row, CHANNEL_COUNTS);
      return channelDeletePreview(current, { ...c, uploadBytes: c.upload_bytes }, c.public_channels);
    },
    remove(id, actorId) {
      return writer.write(async (tx, emit) => {
        const current = await live(tx, id);
        if (!current) throw notFound("channel");
        await emit.lock(tx, current.workspaceId);
        const remaining = (await first(tx.select({ n: countAll }).from(channels)
          .where(and(eq(channels.workspaceId, current.workspaceId), isNull(channels.deletedAt), eq(channels.kind, "public"), eq(channels.isPrivate, false)))))?.n ?? 0;
        assertChannelDeletable(current, remaining);
        await tx.update(channels).set({ deletedAt: now() }).where(eq(channels.id, id));
        // The files posted in it go with it: their objects are queued for removal in this transaction.
        const gone = [...(await tx.execute<{ id: string; storage_key: string }>(channelUploadsQuery(id)))];
        if (gone.length > 0) {
          await tx.insert(uploadCleanup).values(gone.map((u) => ({ storageKey: u.storage_key, reason: "channel_deleted", enqueuedAt: now() })));
          await tx.delete(uploads).where(inArray(uploads.id, gone.map((u) => u.id)));
        }
        await tx.delete(pins).where(eq(pins.channelId, id));
        const event = await appendEvent(tx, emit, channelDeleted(current, actorId, await privateReaders(tx, id)));
        return { event };
      });
    },
    async members(id) {
      const rows = await db.select().from(users).innerJoin(channelMembers, eq(channelMembers.userId, users.id))
        .where(eq(channelMembers.channelId, id)).orderBy(asc(users.handle));
      return rows.map((r) => toUser(r.users));
    },
    addMember(id, userId, actorId) {
      return writer.write(async (tx, emit) => {
        const current = await live(tx, id);
        if (!current) throw notFound("channel");
        assertPrivateChannel(current.isPrivate);
        // The workspace's cursor lock also orders concurrent membership changes of the channel.
        await emit.lock(tx, current.workspaceId);
        const inWorkspace = await first(tx.select({ u: members.userId }).from(members).innerJoin(users, eq(users.id, members.userId))
          .where(and(eq(members.workspaceId, current.workspaceId), eq(members.userId, userId), isNull(users.deletedAt))));
        assertWorkspaceMember(Boolean(inWorkspace));
        const before = (await privateReaders(tx, id)) ?? [];
        if (before.includes(userId)) return { event: null };
        await tx.insert(channelMembers).values({ channelId: id, userId, addedBy: actorId, addedAt: now() });
        return { event: await appendEvent(tx, emit, channelMemberAdded(current, userId, actorId, [...before, userId].sort())) };
      });
    },
    removeMember(id, userId, actorId) {
      return writer.write(async (tx, emit) => {
        const current = await live(tx, id);
        if (!current) throw notFound("channel");
        assertPrivateChannel(current.isPrivate);
        await emit.lock(tx, current.workspaceId);
        const before = (await privateReaders(tx, id)) ?? [];
        if (!before.includes(userId)) return { event: null };
        await tx.delete(channelMembers).where(and(eq(channelMembers.channelId, id), eq(channelMembers.userId, userId)));
        return { event: await appendEvent(tx, emit, channelMemberRemoved(current, userId, actorId, before)) };
      });
    },
  };
}
