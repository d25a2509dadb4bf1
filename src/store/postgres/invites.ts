// Invite links and the mention digest's bookkeeping on Postgres. Several processes may redeem the
// same invite at once: the use is counted by one conditional UPDATE, which waits for a concurrent
// one on the row's lock and re-checks its condition after it commits, so uses never pass max_uses.
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import { assertRedeemable, inviteNotFound, joinOutcome, toInvite, type InviteRow, useRefused } from "../../chat/invites.ts";
import { notFound } from "../../chat/errors.ts";
import { newId } from "../../chat/ids.ts";
import { handleFrom } from "../../chat/rules.ts";
import { hashSecret, newSecret } from "../../chat/secrets.ts";
import { groupMentions } from "../../chat/push.ts";
import { now, toUser } from "../rows.ts";
import type { DigestStore, InviteStore } from "../store.ts";
import type { Db, PgGroupCommitWriter } from "./database.ts";
import { digestStates, invites, members, mentions, messages, serverSecrets, users, workspaces } from "./schema.ts";
import { first, freeHandle } from "./users.ts";

export function pgInvites(db: Db, writer: PgGroupCommitWriter): InviteStore {
  const row = async (q: Db, id: string) => (await first(q.select().from(invites).where(eq(invites.id, id)))) as InviteRow | undefined;
  return {
    create(input) {
      return writer.write(async (tx) => {
        if (!(await first(tx.select({ id: workspaces.id }).from(workspaces).where(and(eq(workspaces.id, input.workspaceId), isNull(workspaces.deletedAt)))))) throw notFound("workspace");
        const token = newSecret("inv");
        const r = { id: newId("inv"), workspaceId: input.workspaceId, tokenHash: hashSecret(token), role: input.role, createdBy: input.createdBy, createdAt: now(), expiresAt: input.expiresAt, maxUses: input.maxUses, uses: 0, revokedAt: null, email: input.email ?? null };
        await tx.insert(invites).values(r);
        return { invite: toInvite(r), token };
      });
    },
    async list(workspaceId) {
      return ((await db.select().from(invites).where(eq(invites.workspaceId, workspaceId)).orderBy(desc(invites.createdAt), desc(invites.id))) as InviteRow[]).map((r) => toInvite(r));
    },
    async get(id) {
      const r = await row(db, id);
      return r ? toInvite(r) : null;
    },
    async byToken(token) {
      const r = (await first(db.select().from(invites).where(eq(invites.tokenHash, hashSecret(token))))) as InviteRow | undefined;
      return r ? toInvite(r) : null;
    },
    revoke(id) {
      return writer.write(async (tx) => {
        await tx.update(invites).set({ revokedAt: now() }).where(and(eq(invites.id, id), isNull(invites.revokedAt)));
        const r = await row(tx, id);
        if (!r) throw notFound("invite");
        return toInvite(r);
      });
    },
    redeem(token, who) {
      return writer.write(async (tx) => {
        const inv = (await first(tx.select().from(invites).where(eq(invites.tokenHash, hashSecret(token))))) as InviteRow | undefined;
        if (!inv) throw inviteNotFound();
        if (!(await first(tx.select({ id: workspaces.id }).from(workspaces).where(and(eq(workspaces.id, inv.workspaceId), isNull(workspaces.deletedAt)))))) throw inviteNotFound();
        let user = "userId" in who ? await first(tx.select().from(users).where(and(eq(users.id, who.userId), isNull(users.deletedAt)))) : undefined;
        if ("userId" in who && !user) throw notFound("user");
        const current = user ? (await first(tx.select({ role: members.role }).from(members).where(and(eq(members.workspaceId, inv.workspaceId), eq(members.userId, user.id)))))?.role ?? null : null;
        const outcome = joinOutcome(current, inv.role);
        if (user && !outcome.join) return { invite: toInvite(inv), user: toUser(user), role: outcome.role, joined: false, created: false };
        assertRedeemable(inv);
        const counted = (await first(tx.update(invites).set({ uses: sql`${invites.uses} + 1` })
          .where(and(eq(invites.id, inv.id), isNull(invites.revokedAt), or(isNull(invites.maxUses), sql`${invites.uses} < ${invites.maxUses}`)))
          .returning())) as InviteRow | undefined;
        if (!counted) throw useRefused((await row(tx, inv.id))!);
        let created = false;
        if (!user) {
          const fresh = (who as { newUser: { displayName: string; email?: string | null } }).newUser;
          const r = {
            id: newId("usr"), kind: "human" as const, ownerUserId: null, displayName: fresh.displayName, handle: await freeHandle(tx, handleFrom(fresh.displayName)),
            email: fresh.email?.toLowerCase() ?? null, avatarUrl: null, githubId: null, passwordHash: null, timeZone: null, createdAt: now(), deletedAt: null, version: 0,
          };
          await tx.insert(users).values(r);
          user = r;
          created = true;
        }
        if (current === null) await tx.insert(members).values({ workspaceId: inv.workspaceId, userId: user.id, role: outcome.role, joinedAt: now(), timeoutUntil: null, blockedAt: null });
        else await tx.update(members).set({ role: outcome.role }).where(and(eq(members.workspaceId, inv.workspaceId), eq(members.userId, user.id)));
        return { invite: toInvite(counted), user: toUser(user), role: outcome.role, joined: true, created };
      });
    },
  };
}

export function pgDigests(db: Db, writer: PgGroupCommitWriter): DigestStore {
  return {
    markPending(userIds, at) {
      if (userIds.length === 0) return Promise.resolve();
      return writer.write(async (tx) => {
        await tx.insert(digestStates).values([...new Set(userIds)].map((userId) => ({ userId, enabled: true, pendingSince: at, lastSentAt: null })))
          .onConflictDoUpdate({ target: digestStates.userId, set: { pendingSince: sql`coalesce(${digestStates.pendingSince}, excluded.pending_since)` } });
      });
    },
    claimDue(sentBefore, at, limit) {
      return writer.write(async (tx) => {
        // Rows another process is claiming are skipped, not waited for.
        const due = await tx.select({ userId: digestStates.userId, email: users.email, previousSentAt: digestStates.lastSentAt }).from(digestStates)
          .innerJoin(users, eq(users.id, digestStates.userId))
          .where(and(isNotNull(digestStates.pendingSince), eq(digestStates.enabled, true), isNotNull(users.email), isNull(users.deletedAt),
            or(isNull(digestStates.lastSentAt), lte(digestStates.lastSentAt, sentBefore))))
          .orderBy(asc(digestStates.pendingSince)).limit(limit).for("update", { of: digestStates, skipLocked: true });
        for (const d of due) await tx.update(digestStates).set({ pendingSince: null, lastSentAt: at }).where(eq(digestStates.userId, d.userId));
        return due.map((d) => ({ ...d, email: d.email! }));
      });
    },
    async mentionedBy(messageIds) {
      if (messageIds.length === 0) return new Map();
      return groupMentions(await db.select({ m: mentions.messageId, u: mentions.userId }).from(mentions).where(inArray(mentions.messageId, messageIds)));
    },
    async unreadMentions(userId, after, limit) {
      const conds = [eq(mentions.userId, userId), isNull(mentions.readAt), isNull(messages.deletedAt)];
      if (after) conds.push(gt(mentions.createdAt, after));
      return db.select({ messageId: mentions.messageId, reason: mentions.reason, createdAt: mentions.createdAt }).from(mentions)
        .innerJoin(messages, eq(messages.id, mentions.messageId)).where(and(...conds)).orderBy(asc(mentions.createdAt)).limit(limit);
    },
    async enabled(userId) {
      return (await first(db.select({ e: digestStates.enabled }).from(digestStates).where(eq(digestStates.userId, userId))))?.e ?? true;
    },
    setEnabled(userId, enabled) {
      return writer.write(async (tx) => {
        await tx.insert(digestStates).values({ userId, enabled, pendingSince: null, lastSentAt: null }).onConflictDoUpdate({ target: digestStates.userId, set: { enabled } });
      });
    },
    async serverSecret(name: string, generate: (() => string) | null): Promise<any> {
      const stored = await first(db.select().from(serverSecrets).where(eq(serverSecrets.name, name)));
      if (stored) return stored.value;
      if (!generate) return null;
      await db.insert(serverSecrets).values({ name, value: generate(), createdAt: now() }).onConflictDoNothing();
      return (await first(db.select().from(serverSecrets).where(eq(serverSecrets.name, name))))!.value;
    },
  };
}
