import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { assertChannelDeletable, channelDeletePreview } from "../../chat/administration.ts";
import { assertChannelNameFree, type ChannelPresentation, presentationColumns } from "../../chat/channels.ts";
import { notFound } from "../../chat/errors.ts";
import { channelCreated, channelDeleted, channelUpdated } from "../../chat/events.ts";
import { assertPrivacyUnchanged, assertPrivateChannel, assertWorkspaceMember, channelMemberAdded, channelMemberRemoved } from "../../chat/private-channels.ts";
import { newId, newRouteId } from "../../chat/ids.ts";
import type { Channel } from "../../chat/types.ts";
import { channelMemberIds, privateReaders } from "./channel-members.ts";
import { type ChannelCountsRow, channelCountsQuery, channelUploadsQuery, counted, CHANNEL_COUNTS } from "../administration-sql.ts";
import type { ChannelStore } from "../store.ts";
import type { Db, EventSink, GroupCommitWriter } from "./database.ts";
import { appendEvent } from "./events.ts";
import { mentionCount } from "./notifications.ts";
import { now, toChannel, toUser } from "../rows.ts";
import { firstRow } from "./rows.ts";
import { channelMembers, channels, members, pins, readStates, uploadCleanup, uploads, users } from "./schema.ts";

/**
 * Unread: root messages after the read pointer, not deleted, not the viewer's own, and not agent
 * activity (commentary and tool messages are progress, not conversation).
 */
export function unreadCount(db: Db, scope: { channelId?: string; dmId?: string }, viewerId: string, afterSeq: number): number {
  const where = scope.channelId ? sql`channel_id = ${scope.channelId}` : sql`dm_id = ${scope.dmId}`;
  const row = firstRow<{ n: number }>(db, sql`SELECT count(*) AS n FROM messages WHERE ${where} AND channel_seq > ${afterSeq}
    AND parent_message_id IS NULL AND deleted_at IS NULL AND kind = 'message' AND author_id != ${viewerId}`);
  return row?.n ?? 0;
}

export function lastReadSeq(db: Db, scopeId: string, userId: string): number {
  return db.select({ s: readStates.lastReadSeq }).from(readStates).where(and(eq(readStates.scopeId, scopeId), eq(readStates.userId, userId))).get()?.s ?? 0;
}

export function channelView(db: Db, row: typeof channels.$inferSelect, viewerId: string): Channel {
  const read = lastReadSeq(db, row.id, viewerId);
  return toChannel(row, read, row.lastSeq > read ? unreadCount(db, { channelId: row.id }, viewerId, read) : 0, mentionCount(db, viewerId, row.id));
}

export function createChannelRow(
  db: Db,
  emit: EventSink,
  input: { workspaceId: string; name: string; kind: string; createdBy: string; private?: boolean } & ChannelPresentation,
) {
  const taken = db.select({ id: channels.id }).from(channels)
    .where(and(eq(channels.workspaceId, input.workspaceId), eq(channels.name, input.name), isNull(channels.deletedAt))).get();
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
  db.insert(channels).values(row).run();
  // Whoever makes a private channel is its first member (and so far its only reader).
  if (row.isPrivate) db.insert(channelMembers).values({ channelId: row.id, userId: input.createdBy, addedBy: input.createdBy, addedAt: row.createdAt }).run();
  const channel = toChannel(row, 0, 0);
  const event = appendEvent(db, emit, channelCreated(row, input.createdBy, row.isPrivate ? [input.createdBy] : null));
  return { channel, event };
}

export function sqliteChannels(db: Db, writer: GroupCommitWriter): ChannelStore {
  const liveQuery = db.select().from(channels).where(and(eq(channels.id, sql.placeholder("id")), isNull(channels.deletedAt))).prepare();
  const live = (id: string) => liveQuery.get({ id });
  return {
    create(input) {
      return writer.write((emit) => createChannelRow(db, emit, { ...input, kind: input.kind ?? "public" }));
    },
    async record(id) {
      const r = live(id);
      return r ? { id: r.id, workspaceId: r.workspaceId, name: r.name, kind: r.kind, archivedAt: r.archivedAt, memberIds: r.isPrivate ? channelMemberIds(db, r.id) : null } : null;
    },
    async get(id, viewerId) {
      const r = live(id);
      return r ? channelView(db, r, viewerId) : null;
    },
    async list(workspaceId, viewerId, opts) {
      const conds = [eq(channels.workspaceId, workspaceId), isNull(channels.deletedAt)];
      // A private channel is listed to its members only (managers included: see README).
      const inIt = sql`${channels.id} IN (SELECT channel_id FROM channel_members WHERE user_id = ${viewerId})`;
      conds.push(opts.guestOnly ? sql`((${channels.kind} = 'guest' AND ${channels.isPrivate} = 0) OR (${channels.isPrivate} = 1 AND ${inIt}))` : sql`(${channels.isPrivate} = 0 OR ${inIt})`);
      if (!opts.includeArchived) conds.push(isNull(channels.archivedAt));
      const rows = db.select().from(channels).where(and(...conds)).orderBy(asc(channels.name)).all();
      return rows.map((r) => channelView(db, r, viewerId));
    },
    update(id, patch, actorId) {
      return writer.write((emit) => {
        const current = live(id);
        if (!current) throw notFound("channel");
        assertPrivacyUnchanged(patch.private, current.isPrivate);
        if (patch.name !== undefined && patch.name !== current.name) {
          const taken = db.select({ id: channels.id }).from(channels)
            .where(and(eq(channels.workspaceId, current.workspaceId), eq(channels.name, patch.name), isNull(channels.deletedAt))).get();
          assertChannelNameFree(patch.name, Boolean(taken));
        }
        const next = {
          name: patch.name ?? current.name,
          ...presentationColumns(patch, current),
          archivedAt: patch.archived === undefined ? current.archivedAt : patch.archived ? (current.archivedAt ?? now()) : null,
        };
        db.update(channels).set(next).where(eq(channels.id, id)).run();
        const row = { ...current, ...next };
        const event = appendEvent(db, emit, channelUpdated(row, actorId, privateReaders(db, id)));
        return { channel: channelView(db, row, actorId), event };
      });
    },
    async deletePreview(id) {
      const current = live(id);
      if (!current) throw notFound("channel");
      const c = counted(firstRow<ChannelCountsRow>(db, channelCountsQuery(id, current.workspaceId)), CHANNEL_COUNTS);
      return channelDeletePreview(current, { ...c, uploadBytes: c.upload_bytes }, c.public_channels);
    },
    remove(id, actorId) {
      return writer.write((emit) => {
        const current = live(id);
        if (!current) throw notFound("channel");
        const remaining = firstRow<{ n: number }>(db, sql`SELECT count(*) AS n FROM channels WHERE workspace_id = ${current.workspaceId} AND deleted_at IS NULL AND kind = 'public' AND is_private = 0`)?.n ?? 0;
        assertChannelDeletable(current, remaining);
        db.update(channels).set({ deletedAt: now() }).where(eq(channels.id, id)).run();
        // The files posted in it go with it: their objects are queued for removal in this transaction.
        for (const u of db.all<{ id: string; storage_key: string }>(channelUploadsQuery(id))) {
          db.insert(uploadCleanup).values({ storageKey: u.storage_key, reason: "channel_deleted", enqueuedAt: now() }).run();
          db.delete(uploads).where(eq(uploads.id, u.id)).run();
        }
        db.delete(pins).where(eq(pins.channelId, id)).run();
        const event = appendEvent(db, emit, channelDeleted(current, actorId, privateReaders(db, id)));
        return { event };
      });
    },
    async members(id) {
      return db.select().from(users).innerJoin(channelMembers, eq(channelMembers.userId, users.id))
        .where(eq(channelMembers.channelId, id)).orderBy(asc(users.handle)).all().map((r) => toUser(r.users));
    },
    addMember(id, userId, actorId) {
      return writer.write((emit) => {
        const current = live(id);
        if (!current) throw notFound("channel");
        assertPrivateChannel(current.isPrivate);
        const inWorkspace = db.select({ u: members.userId }).from(members).innerJoin(users, eq(users.id, members.userId))
          .where(and(eq(members.workspaceId, current.workspaceId), eq(members.userId, userId), isNull(users.deletedAt))).get();
        assertWorkspaceMember(Boolean(inWorkspace));
        if (channelMemberIds(db, id).includes(userId)) return { event: null };
        db.insert(channelMembers).values({ channelId: id, userId, addedBy: actorId, addedAt: now() }).run();
        return { event: appendEvent(db, emit, channelMemberAdded(current, userId, actorId, channelMemberIds(db, id))) };
      });
    },
    removeMember(id, userId, actorId) {
      return writer.write((emit) => {
        const current = live(id);
        if (!current) throw notFound("channel");
        assertPrivateChannel(current.isPrivate);
        const before = channelMemberIds(db, id);
        if (!before.includes(userId)) return { event: null };
        db.delete(channelMembers).where(and(eq(channelMembers.channelId, id), eq(channelMembers.userId, userId))).run();
        return { event: appendEvent(db, emit, channelMemberRemoved(current, userId, actorId, before)) };
      });
    },
  };
}
