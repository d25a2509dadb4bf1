// Presence on Postgres: each serve process keeps rows for its own sockets and renews them; a
// process that dies stops renewing and its rows expire (another process's sweep drops them).
// See src/chat/presence.ts. No events: presence travels as ephemeral events between processes.
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import { type PresenceChange, type PresenceStatus, presenceStatus } from "../../chat/presence.ts";
import { now } from "../rows.ts";
import type { PresenceStore } from "../store.ts";
import type { Db } from "./database.ts";
import { presenceAway, presenceSockets } from "./schema.ts";
import { first } from "./users.ts";

export function postgresPresence(db: Db): PresenceStore {
  /** The team-wide status of a person; offline also ends "away". Inside a transaction. */
  /** The team-wide status of a person as the rows say now. */
  async function statusOf(tx: Db, workspaceId: string, userId: string, at: string): Promise<PresenceStatus> {
    const person = and(eq(presenceSockets.workspaceId, workspaceId), eq(presenceSockets.userId, userId));
    const live = Boolean(await first(tx.select({ u: presenceSockets.userId }).from(presenceSockets).where(and(person, sql`${presenceSockets.expiresAt} > ${at}`)).limit(1)));
    const away = live && Boolean(await first(tx.select({ u: presenceAway.userId }).from(presenceAway).where(and(eq(presenceAway.workspaceId, workspaceId), eq(presenceAway.userId, userId)))));
    return presenceStatus(live, away);
  }

  /** The team-wide status of a person; offline also ends "away". Inside a write. */
  async function settle(tx: Db, workspaceId: string, userId: string, at: string): Promise<PresenceChange> {
    const status = await statusOf(tx, workspaceId, userId, at);
    if (status === "offline") await tx.delete(presenceAway).where(and(eq(presenceAway.workspaceId, workspaceId), eq(presenceAway.userId, userId)));
    return { workspaceId, userId, status };
  }

  return {
    report(processId, rows, expiresAt) {
      return db.transaction(async (tx) => {
        const at = now();
        const out: PresenceChange[] = [];
        for (const r of rows) {
          const before = await statusOf(tx, r.workspaceId, r.userId, at);
          if (r.sockets > 0) {
            await tx
              .insert(presenceSockets)
              .values({ processId, workspaceId: r.workspaceId, userId: r.userId, sockets: r.sockets, expiresAt })
              .onConflictDoUpdate({ target: [presenceSockets.processId, presenceSockets.workspaceId, presenceSockets.userId], set: { sockets: r.sockets, expiresAt } });
          } else {
            await tx.delete(presenceSockets).where(and(eq(presenceSockets.processId, processId), eq(presenceSockets.workspaceId, r.workspaceId), eq(presenceSockets.userId, r.userId)));
          }
          if (r.opened) await tx.delete(presenceAway).where(and(eq(presenceAway.workspaceId, r.workspaceId), eq(presenceAway.userId, r.userId)));
          const after = await settle(tx, r.workspaceId, r.userId, at);
          if (after.status !== before) out.push(after);
        }
        return out;
      });
    },
    setAway(workspaceId, userId, away) {
      return db.transaction(async (tx) => {
        const at = now();
        if (away) await tx.insert(presenceAway).values({ workspaceId, userId, since: at }).onConflictDoNothing();
        else await tx.delete(presenceAway).where(and(eq(presenceAway.workspaceId, workspaceId), eq(presenceAway.userId, userId)));
        return settle(tx, workspaceId, userId, at);
      });
    },
    sweep(processId, expiresAt) {
      return db.transaction(async (tx) => {
        const at = now();
        await tx.update(presenceSockets).set({ expiresAt }).where(eq(presenceSockets.processId, processId));
        const gone = await tx.delete(presenceSockets).where(lte(presenceSockets.expiresAt, at)).returning({ workspaceId: presenceSockets.workspaceId, userId: presenceSockets.userId });
        const people = new Map(gone.map((g) => [`${g.workspaceId}\0${g.userId}`, g]));
        const out: PresenceChange[] = [];
        for (const p of people.values()) {
          const change = await settle(tx, p.workspaceId, p.userId, at);
          if (change.status === "offline") out.push(change);
        }
        return out;
      });
    },
    async isConnected(userId) {
      return Boolean(await first(db.select({ u: presenceSockets.userId }).from(presenceSockets).where(and(eq(presenceSockets.userId, userId), sql`${presenceSockets.expiresAt} > ${now()}`)).limit(1)));
    },
    async connectedAmong(userIds) {
      if (userIds.length === 0) return new Set();
      const rows = await db.selectDistinct({ u: presenceSockets.userId }).from(presenceSockets).where(and(inArray(presenceSockets.userId, userIds), sql`${presenceSockets.expiresAt} > ${now()}`));
      return new Set(rows.map((r) => r.u));
    },
    async list(workspaceId) {
      const at = now();
      const live = (
        await db
          .selectDistinct({ userId: presenceSockets.userId })
          .from(presenceSockets)
          .where(and(eq(presenceSockets.workspaceId, workspaceId), sql`${presenceSockets.expiresAt} > ${at}`))
      ).map((r) => r.userId);
      if (live.length === 0) return [];
      const away = new Set(
        (await db.select({ userId: presenceAway.userId }).from(presenceAway).where(and(eq(presenceAway.workspaceId, workspaceId), inArray(presenceAway.userId, live)))).map((r) => r.userId),
      );
      return live.map((id) => ({ user_id: id, status: away.has(id) ? ("away" as const) : ("online" as const) }));
    },
  };
}
