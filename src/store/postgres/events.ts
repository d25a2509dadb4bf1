// The durable event log on Postgres: appended inside the writing transaction, replayed by cursor.
import { stampCorrelation } from "../../chat/correlation.ts";
import { and, asc, eq, gt, lt, sql } from "drizzle-orm";
import { newId } from "../../chat/ids.ts";
import type { NewEvent } from "../../chat/events.ts";
import type { EventType, StoredEvent } from "../../chat/types.ts";
import type { EventStore, ReplayResult } from "../store.ts";
import { now } from "../rows.ts";
import type { Db, EventSink, PgGroupCommitWriter } from "./database.ts";
import { events, workspaces } from "./schema.ts";


/**
 * Appends one event; call only inside a writer job. The cursor comes from the batch (see
 * EventSink in database.ts): the workspace row is locked until COMMIT, so cursors become visible
 * in the order they were handed out, whichever process writes.
 */
export async function appendEvent(tx: Db, emit: EventSink, e: NewEvent): Promise<StoredEvent> {
  const cursor = await emit.nextCursor(tx, e.workspaceId);
  const stored: StoredEvent = {
    id: newId("evt"),
    cursor,
    type: e.type,
    workspace_id: e.workspaceId,
    channel_id: e.channelId ?? null,
    seq: e.seq ?? null,
    created_at: now(),
    payload: stampCorrelation(e.payload),
    recipients: e.recipients ?? null,
    direct_conversation_id: e.dmId ?? null,
  };
  if (e.mentionedUserIds && e.mentionedUserIds.length > 0) stored.mentioned_user_ids = e.mentionedUserIds;
  emit.append(stored, {
    id: stored.id,
    workspaceId: stored.workspace_id,
    cursor,
    type: stored.type,
    channelId: stored.channel_id,
    dmId: stored.direct_conversation_id,
    seq: stored.seq,
    payload: JSON.stringify(stored.payload),
    recipients: stored.recipients ? JSON.stringify(stored.recipients) : null,
    mentionedUserIds: stored.mentioned_user_ids ? JSON.stringify(stored.mentioned_user_ids) : null,
    createdAt: stored.created_at,
  });
  return stored;
}

export function rowToEvent(r: typeof events.$inferSelect): StoredEvent {
  const e: StoredEvent = {
    id: r.id,
    cursor: r.cursor,
    type: r.type as EventType,
    workspace_id: r.workspaceId,
    channel_id: r.channelId,
    seq: r.seq,
    created_at: r.createdAt,
    payload: JSON.parse(r.payload),
    recipients: r.recipients ? JSON.parse(r.recipients) : null,
    direct_conversation_id: r.dmId,
  };
  if (r.mentionedUserIds) e.mentioned_user_ids = JSON.parse(r.mentionedUserIds);
  return e;
}

export function pgEvents(db: Db, writer: PgGroupCommitWriter): EventStore {
  return {
    async replayAfter(workspaceId, afterCursor, limit): Promise<ReplayResult> {
      if (afterCursor !== null) {
        const [known] = await db.select({ id: events.id }).from(events).where(and(eq(events.workspaceId, workspaceId), eq(events.cursor, afterCursor)));
        if (!known) return { status: "unknown_cursor", events: [], hasMore: false };
      }
      const rows = await db
        .select()
        .from(events)
        .where(afterCursor === null ? eq(events.workspaceId, workspaceId) : and(eq(events.workspaceId, workspaceId), gt(events.cursor, afterCursor)))
        .orderBy(asc(events.cursor))
        .limit(limit + 1);
      const hasMore = rows.length > limit;
      return { status: "ok", events: rows.slice(0, limit).map(rowToEvent), hasMore };
    },
    async tail(workspaceId) {
      const [ws] = await db.select({ lastCursor: workspaces.lastCursor }).from(workspaces).where(eq(workspaces.id, workspaceId));
      return ws?.lastCursor ?? null;
    },
    prune(workspaceId, { olderThan, keepLatest }) {
      return writer.write(async (tx) => {
        const keepFrom = keepLatest > 0
          ? (await tx.select({ cursor: events.cursor }).from(events).where(eq(events.workspaceId, workspaceId))
              .orderBy(sql`${events.cursor} DESC`).limit(1).offset(keepLatest - 1))[0]?.cursor
          : undefined;
        const conds = [eq(events.workspaceId, workspaceId), lt(events.createdAt, olderThan)];
        if (keepFrom) conds.push(lt(events.cursor, keepFrom));
        return (await tx.delete(events).where(and(...conds)).returning({ id: events.id })).length;
      });
    },
    onCommit(listener) {
      return writer.onCommit(listener);
    },
  };
}
