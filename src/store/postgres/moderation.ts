import { and, eq, gt, inArray, isNull } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import { moderationUpdated } from "../../chat/events.ts";
import { postsRemaining, postsTodaySince } from "../../chat/posting.ts";
import type { ModerationEntry, ModerationStore } from "../store.ts";
import { now, toUser } from "../rows.ts";
import { countAll } from "./channels.ts";
import type { Db, PgGroupCommitWriter } from "./database.ts";
import { appendEvent } from "./events.ts";
import { members, messages, moderationNotes, slashInvocations, users } from "./schema.ts";
import { first } from "./users.ts";

/** What a person spent of the guest budget since an instant: posts and slash invocations alike. */
export async function postsSince(db: Db, workspaceId: string, userId: string, since: string): Promise<number> {
  const [posts, calls] = await Promise.all([
    first(db.select({ n: countAll }).from(messages).where(and(eq(messages.workspaceId, workspaceId), eq(messages.authorId, userId), gt(messages.createdAt, since)))),
    first(db.select({ n: countAll }).from(slashInvocations).where(and(eq(slashInvocations.workspaceId, workspaceId), eq(slashInvocations.userId, userId), gt(slashInvocations.createdAt, since)))),
  ]);
  return (posts?.n ?? 0) + (calls?.n ?? 0);
}

export function pgModeration(db: Db, writer: PgGroupCommitWriter): ModerationStore {
  async function entries(q: Db, workspaceId: string, userId?: string): Promise<ModerationEntry[]> {
    const conds = [eq(members.workspaceId, workspaceId), isNull(users.deletedAt)];
    if (userId) conds.push(eq(members.userId, userId));
    const rows = await q.select({ m: members, u: users, n: moderationNotes }).from(members).innerJoin(users, eq(users.id, members.userId))
      .leftJoin(moderationNotes, and(eq(moderationNotes.workspaceId, members.workspaceId), eq(moderationNotes.userId, members.userId)))
      .where(and(...conds)).orderBy(users.displayName);
    const since = postsTodaySince();
    return Promise.all(rows.map(async ({ m, u, n }) => ({
      workspace_id: workspaceId,
      user: toUser(u),
      role: m.role,
      timeout_until: m.timeoutUntil,
      blocked_at: m.blockedAt,
      moderation_note: n?.note ?? null,
      moderation_by: n?.updatedBy ?? null,
      moderation_at: n?.updatedAt ?? null,
      ...postsRemaining(m.role, m.role === "guest" ? await postsSince(q, workspaceId, u.id, since) : 0),
    })));
  }

  return {
    async list(workspaceId) {
      return entries(db, workspaceId);
    },
    async entry(workspaceId, userId) {
      return (await entries(db, workspaceId, userId))[0] ?? null;
    },
    update(workspaceId, userId, patch, actorId) {
      return writer.write(async (tx, emit) => {
        await emit.lock(tx, workspaceId);
        const current = await first(tx.select().from(members).where(and(eq(members.workspaceId, workspaceId), eq(members.userId, userId))));
        if (!current) throw notFound("member");
        const at = now();
        const next = {
          role: patch.role ?? current.role,
          timeoutUntil: patch.timeoutUntil !== undefined ? patch.timeoutUntil : current.timeoutUntil,
          blockedAt: patch.blocked === undefined ? current.blockedAt : patch.blocked ? (current.blockedAt ?? at) : null,
        };
        await tx.update(members).set(next).where(and(eq(members.workspaceId, workspaceId), eq(members.userId, userId)));
        if (patch.note !== undefined || patch.timeoutUntil !== undefined || patch.blocked !== undefined || patch.role !== undefined) {
          const note = patch.note !== undefined
            ? patch.note
            : ((await first(tx.select({ n: moderationNotes.note }).from(moderationNotes).where(and(eq(moderationNotes.workspaceId, workspaceId), eq(moderationNotes.userId, userId)))))?.n ?? null);
          await tx.insert(moderationNotes).values({ workspaceId, userId, note, updatedBy: actorId, updatedAt: at })
            .onConflictDoUpdate({ target: [moderationNotes.workspaceId, moderationNotes.userId], set: { note, updatedBy: actorId, updatedAt: at } });
        }
        // The target and every active manager hear of it; nobody else does.
        const managers = (await tx.select({ u: members.userId }).from(members)
          .where(and(eq(members.workspaceId, workspaceId), inArray(members.role, ["owner", "moderator"]), isNull(members.blockedAt)))).map((r) => r.u);
        const event = await appendEvent(tx, emit, moderationUpdated(workspaceId, { userId, ...next }, managers, actorId));
        return { member: (await entries(tx, workspaceId, userId))[0]!, event };
      });
    },
    async postsSince(workspaceId, userId, since) {
      return postsSince(db, workspaceId, userId, since);
    },
  };
}
