import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import { moderationUpdated } from "../../chat/events.ts";
import { postsRemaining, postsTodaySince } from "../../chat/posting.ts";
import type { ModerationEntry, ModerationStore } from "../store.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { appendEvent } from "./events.ts";
import { now, toUser } from "../rows.ts";
import { firstRow } from "./rows.ts";
import { members, moderationNotes, users } from "./schema.ts";

/** What a person spent of the guest budget since an instant: posts and slash invocations alike. */
export function postsSince(db: Db, workspaceId: string, userId: string, since: string): number {
  return firstRow<{ n: number }>(db, sql`SELECT (SELECT count(*) FROM messages WHERE workspace_id = ${workspaceId} AND author_id = ${userId} AND created_at > ${since})
    + (SELECT count(*) FROM slash_invocations WHERE workspace_id = ${workspaceId} AND user_id = ${userId} AND created_at > ${since}) AS n`)?.n ?? 0;
}

export function sqliteModeration(db: Db, writer: GroupCommitWriter): ModerationStore {
  function entries(workspaceId: string, userId?: string): ModerationEntry[] {
    const conds = [eq(members.workspaceId, workspaceId), isNull(users.deletedAt)];
    if (userId) conds.push(eq(members.userId, userId));
    const rows = db.select({ m: members, u: users, n: moderationNotes }).from(members).innerJoin(users, eq(users.id, members.userId))
      .leftJoin(moderationNotes, and(eq(moderationNotes.workspaceId, members.workspaceId), eq(moderationNotes.userId, members.userId)))
      .where(and(...conds)).orderBy(users.displayName).all();
    const since = postsTodaySince();
    return rows.map(({ m, u, n }) => ({
      workspace_id: workspaceId,
      user: toUser(u),
      role: m.role,
      timeout_until: m.timeoutUntil,
      blocked_at: m.blockedAt,
      moderation_note: n?.note ?? null,
      moderation_by: n?.updatedBy ?? null,
      moderation_at: n?.updatedAt ?? null,
      ...postsRemaining(m.role, m.role === "guest" ? postsSince(db, workspaceId, u.id, since) : 0),
    }));
  }

  return {
    async list(workspaceId) {
      return entries(workspaceId);
    },
    async entry(workspaceId, userId) {
      return entries(workspaceId, userId)[0] ?? null;
    },
    update(workspaceId, userId, patch, actorId) {
      return writer.write((emit) => {
        const current = db.select().from(members).where(and(eq(members.workspaceId, workspaceId), eq(members.userId, userId))).get();
        if (!current) throw notFound("member");
        const at = now();
        const next = {
          role: patch.role ?? current.role,
          timeoutUntil: patch.timeoutUntil !== undefined ? patch.timeoutUntil : current.timeoutUntil,
          blockedAt: patch.blocked === undefined ? current.blockedAt : patch.blocked ? (current.blockedAt ?? at) : null,
        };
        db.update(members).set(next).where(and(eq(members.workspaceId, workspaceId), eq(members.userId, userId))).run();
        if (patch.note !== undefined || patch.timeoutUntil !== undefined || patch.blocked !== undefined || patch.role !== undefined) {
          const note = patch.note !== undefined ? patch.note : (db.select({ n: moderationNotes.note }).from(moderationNotes).where(and(eq(moderationNotes.workspaceId, workspaceId), eq(moderationNotes.userId, userId))).get()?.n ?? null);
          db.insert(moderationNotes).values({ workspaceId, userId, note, updatedBy: actorId, updatedAt: at })
            .onConflictDoUpdate({ target: [moderationNotes.workspaceId, moderationNotes.userId], set: { note, updatedBy: actorId, updatedAt: at } }).run();
        }
        const managers = db.select({ u: members.userId }).from(members)
          .where(and(eq(members.workspaceId, workspaceId), inArray(members.role, ["owner", "moderator"]), isNull(members.blockedAt))).all().map((r) => r.u);
        const event = appendEvent(db, emit, moderationUpdated(workspaceId, { userId, ...next }, managers, actorId));
        return { member: entries(workspaceId, userId)[0]!, event };
      });
    },
    async postsSince(workspaceId, userId, since) {
      return postsSince(db, workspaceId, userId, since);
    },
  };
}
