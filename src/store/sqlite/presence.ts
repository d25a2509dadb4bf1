// Presence on SQLite: rows per process (one process owns a SQLite file, but the admin CLI or a
// restart after kill -9 leaves rows behind; they expire). See src/chat/presence.ts.
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import { type PresenceChange, type PresenceStatus, presenceStatus } from "../../chat/presence.ts";
import type { PresenceStore } from "../store.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { now } from "../rows.ts";
import { presenceAway, presenceSockets } from "./schema.ts";

export function sqlitePresence(db: Db, writer: GroupCommitWriter): PresenceStore {
  /** The team-wide status of a person as the rows say now. */
  function statusOf(workspaceId: string, userId: string, at: string): PresenceStatus {
    const live = db
      .select({ n: sql<number>`count(*)` })
      .from(presenceSockets)
      .where(and(eq(presenceSockets.workspaceId, workspaceId), eq(presenceSockets.userId, userId), sql`${presenceSockets.expiresAt} > ${at}`))
      .get()!.n > 0;
    const away = live && Boolean(db.select({ u: presenceAway.userId }).from(presenceAway).where(and(eq(presenceAway.workspaceId, workspaceId), eq(presenceAway.userId, userId))).get());
    return presenceStatus(live, away);
  }

  /** The team-wide status of a person; offline also ends "away". Inside a write. */
  function settle(workspaceId: string, userId: string, at: string): PresenceChange {
    const status = statusOf(workspaceId, userId, at);
    if (status === "offline") db.delete(presenceAway).where(and(eq(presenceAway.workspaceId, workspaceId), eq(presenceAway.userId, userId))).run();
    return { workspaceId, userId, status };
  }

  return {
    report(processId, rows, expiresAt) {
      return writer.write(() => {
        const at = now();
        return rows.flatMap((r) => {
          const before = statusOf(r.workspaceId, r.userId, at);
          const key = and(eq(presenceSockets.processId, processId), eq(presenceSockets.workspaceId, r.workspaceId), eq(presenceSockets.userId, r.userId));
          if (r.sockets > 0) {
            db.insert(presenceSockets)
              .values({ processId, workspaceId: r.workspaceId, userId: r.userId, sockets: r.sockets, expiresAt })
              .onConflictDoUpdate({ target: [presenceSockets.processId, presenceSockets.workspaceId, presenceSockets.userId], set: { sockets: r.sockets, expiresAt } })
              .run();
          } else db.delete(presenceSockets).where(key).run();
          if (r.opened) db.delete(presenceAway).where(and(eq(presenceAway.workspaceId, r.workspaceId), eq(presenceAway.userId, r.userId))).run();
          const after = settle(r.workspaceId, r.userId, at);
          return after.status === before ? [] : [after];
        });
      });
    },
    setAway(workspaceId, userId, away) {
      return writer.write(() => {
        const at = now();
        if (away) db.insert(presenceAway).values({ workspaceId, userId, since: at }).onConflictDoNothing().run();
        else db.delete(presenceAway).where(and(eq(presenceAway.workspaceId, workspaceId), eq(presenceAway.userId, userId))).run();
        return settle(workspaceId, userId, at);
      });
    },
    sweep(processId, expiresAt) {
      return writer.write(() => {
        const at = now();
        db.update(presenceSockets).set({ expiresAt }).where(eq(presenceSockets.processId, processId)).run();
        const gone = db.delete(presenceSockets).where(lte(presenceSockets.expiresAt, at)).returning({ workspaceId: presenceSockets.workspaceId, userId: presenceSockets.userId }).all();
        const people = new Map(gone.map((g) => [`${g.workspaceId}\0${g.userId}`, g]));
        return [...people.values()].map((p) => settle(p.workspaceId, p.userId, at)).filter((c) => c.status === "offline");
      });
    },
    async isConnected(userId) {
      return Boolean(db.select({ u: presenceSockets.userId }).from(presenceSockets).where(and(eq(presenceSockets.userId, userId), sql`${presenceSockets.expiresAt} > ${now()}`)).limit(1).get());
    },
    async connectedAmong(userIds) {
      if (userIds.length === 0) return new Set();
      const at = now();
      // The ids as one JSON parameter: the notification worker asks about a thousand people at a time.
      const rows = db.selectDistinct({ u: presenceSockets.userId }).from(presenceSockets)
        .where(sql`${presenceSockets.userId} IN (SELECT value FROM json_each(${JSON.stringify(userIds)})) AND ${presenceSockets.expiresAt} > ${at}`).all();
      return new Set(rows.map((r) => r.u));
    },
    async list(workspaceId) {
      const at = now();
      const live = db
        .selectDistinct({ userId: presenceSockets.userId })
        .from(presenceSockets)
        .where(and(eq(presenceSockets.workspaceId, workspaceId), sql`${presenceSockets.expiresAt} > ${at}`))
        .all()
        .map((r) => r.userId);
      if (live.length === 0) return [];
      const away = new Set(db.select({ userId: presenceAway.userId }).from(presenceAway).where(and(eq(presenceAway.workspaceId, workspaceId), inArray(presenceAway.userId, live))).all().map((r) => r.userId));
      return live.map((id) => ({ user_id: id, status: away.has(id) ? ("away" as const) : ("online" as const) }));
    },
  };
}
