// The durable event log: appended inside the writing transaction, replayed by cursor.
import { stampCorrelation } from "../../chat/correlation.ts";
import { and, asc, eq, gt, lt, sql } from "drizzle-orm";
import { newId, nextCursor } from "../../chat/ids.ts";
import type { NewEvent } from "../../chat/events.ts";
import type { StoredEvent } from "../../chat/types.ts";
import type { EventStore, ReplayResult } from "../store.ts";
import type { Db, EventSink, GroupCommitWriter } from "./database.ts";
import { now } from "../rows.ts";
import { insertRowSql } from "./rows.ts";
import { events, workspaces } from "./schema.ts";


// Statements of the write path are built and compiled once per database: building SQL and
// preparing it on every call cost more than running it (profiled: ~60% of a post).
const prepared = new WeakMap<Db, ReturnType<typeof prepareEventStatements>>();

function prepareEventStatements(db: Db) {
  // Plain statements, not drizzle's prepared queries: these run for every event written, and
  // drizzle fills their placeholders and maps their rows in JavaScript on every run.
  const raw = db.$client;
  return {
    lastCursor: raw.query<{ lastCursor: string | null }, { id: string }>("SELECT last_cursor AS lastCursor FROM workspaces WHERE id = $id"),
    setCursor: raw.query<never, { cursor: string; id: string }>("UPDATE workspaces SET last_cursor = $cursor WHERE id = $id"),
    insert: raw.query<never, typeof events.$inferSelect>(insertRowSql(events)),
  };
}

function statements(db: Db) {
  let s = prepared.get(db);
  if (!s) prepared.set(db, (s = prepareEventStatements(db)));
  return s;
}

/** Appends one event; call only inside a writer job. */
export function appendEvent(db: Db, emit: EventSink, e: NewEvent): StoredEvent {
  const st = statements(db);
  const ws = st.lastCursor.get({ id: e.workspaceId });
  const cursor = nextCursor(ws?.lastCursor ?? null);
  st.setCursor.run({ cursor, id: e.workspaceId });
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
  st.insert.run({
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
  emit(stored);
  return stored;
}


export function rowToEvent(r: typeof events.$inferSelect): StoredEvent {
  const e: StoredEvent = {
    id: r.id,
    cursor: r.cursor,
    type: r.type,
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

export function sqliteEvents(db: Db, writer: GroupCommitWriter): EventStore {
  return {
    async replayAfter(workspaceId, afterCursor, limit): Promise<ReplayResult> {
      if (afterCursor !== null) {
        const known = db
          .select({ id: events.id })
          .from(events)
          .where(and(eq(events.workspaceId, workspaceId), eq(events.cursor, afterCursor)))
          .get();
        if (!known) return { status: "unknown_cursor", events: [], hasMore: false };
      }
      const rows = db
        .select()
        .from(events)
        .where(afterCursor === null ? eq(events.workspaceId, workspaceId) : and(eq(events.workspaceId, workspaceId), gt(events.cursor, afterCursor)))
        .orderBy(asc(events.cursor))
        .limit(limit + 1)
        .all();
      const hasMore = rows.length > limit;
      return { status: "ok", events: rows.slice(0, limit).map(rowToEvent), hasMore };
    },
    async tail(workspaceId) {
      const ws = db.select({ lastCursor: workspaces.lastCursor }).from(workspaces).where(eq(workspaces.id, workspaceId)).get();
      return ws?.lastCursor ?? null;
    },
    prune(workspaceId, { olderThan, keepLatest }) {
      return writer.write(() => {
        const keepFrom = keepLatest > 0
          ? db.select({ cursor: events.cursor }).from(events).where(eq(events.workspaceId, workspaceId))
              .orderBy(sql`${events.cursor} DESC`).limit(1).offset(keepLatest - 1).get()?.cursor
          : undefined;
        const conds = [eq(events.workspaceId, workspaceId), lt(events.createdAt, olderThan)];
        if (keepFrom) conds.push(lt(events.cursor, keepFrom));
        return db.delete(events).where(and(...conds)).returning({ id: events.id }).all().length;
      });
    },
    onCommit(listener) {
      return writer.onCommit(listener);
    },
  };
}
