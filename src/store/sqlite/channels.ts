import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { assertChannelDeletable, channelDeletePreview } from "../../chat/administration.ts";
import { assertChannelNameFree, type ChannelPresentation, presentationColumns } from "../../chat/channels.ts";
import { notFound } from "../../chat/errors.ts";
import { channelCreated, channelDeleted, channelUpdated } from "../../chat/events.ts";
import { newId, newRouteId } from "../../chat/ids.ts";
import type { Channel } from "../../chat/types.ts";
import { type ChannelCountsRow, channelCountsQuery, channelUploadsQuery, counted, CHANNEL_COUNTS } from "../administration-sql.ts";
import type { ChannelStore } from "../store.ts";
import type { Db, EventSink, GroupCommitWriter } from "./database.ts";
import { appendEvent } from "./events.ts";
import { mentionCount } from "./notifications.ts";
import { firstRow, now, toChannel } from "./rows.ts";
import { channels, pins, readStates, uploadCleanup, uploads } from "./schema.ts";

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
  input: { workspaceId: string; name: string; kind: string; createdBy: string } & ChannelPresentation,
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
    createdBy: input.createdBy,
    createdAt: now(),
    archivedAt: null,
    deletedAt: null,
    lastSeq: 0,
  };
  db.insert(channels).values(row).run();
  const channel = toChannel(row, 0, 0);
  const event = appendEvent(db, emit, channelCreated(row, input.createdBy));
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
      return r ? { id: r.id, workspaceId: r.workspaceId, name: r.name, kind: r.kind, archivedAt: r.archivedAt } : null;
    },
    async get(id, viewerId) {
      const r = live(id);
      return r ? channelView(db, r, viewerId) : null;
    },
    async list(workspaceId, viewerId, opts) {
      const conds = [eq(channels.workspaceId, workspaceId), isNull(channels.deletedAt)];
      if (opts.guestOnly) conds.push(eq(channels.kind, "guest"));
      if (!opts.includeArchived) conds.push(isNull(channels.archivedAt));
      const rows = db.select().from(channels).where(and(...conds)).orderBy(asc(channels.name)).all();
      return rows.map((r) => channelView(db, r, viewerId));
    },
    update(id, patch, actorId) {
      return writer.write((emit) => {
        const current = live(id);
        if (!current) throw notFound("channel");
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
        const event = appendEvent(db, emit, channelUpdated(row, actorId));
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
        const remaining = firstRow<{ n: number }>(db, sql`SELECT count(*) AS n FROM channels WHERE workspace_id = ${current.workspaceId} AND deleted_at IS NULL AND kind = 'public'`)?.n ?? 0;
        assertChannelDeletable(current, remaining);
        db.update(channels).set({ deletedAt: now() }).where(eq(channels.id, id)).run();
        // The files posted in it go with it: their objects are queued for removal in this transaction.
        for (const u of db.all<{ id: string; storage_key: string }>(channelUploadsQuery(id))) {
          db.insert(uploadCleanup).values({ storageKey: u.storage_key, reason: "channel_deleted", enqueuedAt: now() }).run();
          db.delete(uploads).where(eq(uploads.id, u.id)).run();
        }
        db.delete(pins).where(eq(pins.channelId, id)).run();
        const event = appendEvent(db, emit, channelDeleted(current, actorId));
        return { event };
      });
    },
  };
}
