// Invite links and the mention digest's bookkeeping on SQLite. The writer serialises writes, so
// the conditional use count below cannot be overtaken inside this process; another process (the
// admin CLI) waits for the database's write lock.
import { and, asc, desc, eq, gt, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import { assertRedeemable, inviteNotFound, joinOutcome, toInvite, type InviteRow, useRefused } from "../../chat/invites.ts";
import { notFound } from "../../chat/errors.ts";
import { newId } from "../../chat/ids.ts";
import { handleFrom } from "../../chat/rules.ts";
import { hashSecret, newSecret } from "../../chat/secrets.ts";
import { groupMentions } from "../../chat/push.ts";
import type { DigestStore, InviteStore } from "../store.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { now, toUser } from "../rows.ts";
import { digestStates, members, mentions, messages, serverSecrets, invites, users, workspaces } from "./schema.ts";
import { freeHandle } from "./users.ts";

export function sqliteInvites(db: Db, writer: GroupCommitWriter): InviteStore {
  const row = (id: string) => db.select().from(invites).where(eq(invites.id, id)).get() as InviteRow | undefined;
  return {
    create(input) {
      return writer.write(() => {
        if (!db.select({ id: workspaces.id }).from(workspaces).where(and(eq(workspaces.id, input.workspaceId), isNull(workspaces.deletedAt))).get()) throw notFound("workspace");
        const token = newSecret("inv");
        const r = { id: newId("inv"), workspaceId: input.workspaceId, tokenHash: hashSecret(token), role: input.role, createdBy: input.createdBy, createdAt: now(), expiresAt: input.expiresAt, maxUses: input.maxUses, uses: 0, revokedAt: null, email: input.email ?? null };
        db.insert(invites).values(r).run();
        return { invite: toInvite(r), token };
      });
    },
    async list(workspaceId) {
      return (db.select().from(invites).where(eq(invites.workspaceId, workspaceId)).orderBy(desc(invites.createdAt), desc(invites.id)).all() as InviteRow[]).map((r) => toInvite(r));
    },
    async get(id) {
      const r = row(id);
      return r ? toInvite(r) : null;
    },
    async byToken(token) {
      const r = db.select().from(invites).where(eq(invites.tokenHash, hashSecret(token))).get() as InviteRow | undefined;
      return r ? toInvite(r) : null;
    },
    revoke(id) {
      return writer.write(() => {
        db.update(invites).set({ revokedAt: now() }).where(and(eq(invites.id, id), isNull(invites.revokedAt))).run();
        const r = row(id);
        if (!r) throw notFound("invite");
        return toInvite(r);
      });
    },
    redeem(token, who) {
      return writer.write(() => {
        const inv = db.select().from(invites).where(eq(invites.tokenHash, hashSecret(token))).get() as InviteRow | undefined;
        if (!inv) throw inviteNotFound();
        if (!db.select({ id: workspaces.id }).from(workspaces).where(and(eq(workspaces.id, inv.workspaceId), isNull(workspaces.deletedAt))).get()) throw inviteNotFound();
        let user = "userId" in who ? db.select().from(users).where(and(eq(users.id, who.userId), isNull(users.deletedAt))).get() : undefined;
        if ("userId" in who && !user) throw notFound("user");
        const current = user ? db.select({ role: members.role }).from(members).where(and(eq(members.workspaceId, inv.workspaceId), eq(members.userId, user.id))).get()?.role ?? null : null;
        const outcome = joinOutcome(current, inv.role);
        if (user && !outcome.join) return { invite: toInvite(inv), user: toUser(user), role: outcome.role, joined: false, created: false };
        assertRedeemable(inv);
        // The count and its limit in one statement: the use is spent only if one is left.
        const counted = db.update(invites).set({ uses: sql`${invites.uses} + 1` })
          .where(and(eq(invites.id, inv.id), isNull(invites.revokedAt), or(isNull(invites.maxUses), sql`${invites.uses} < ${invites.maxUses}`)))
          .returning().get() as InviteRow | undefined;
        if (!counted) throw useRefused(row(inv.id)!);
        let created = false;
        if (!user) {
          const fresh = (who as { newUser: { displayName: string; email?: string | null } }).newUser;
          const r = {
            id: newId("usr"), kind: "human" as const, ownerUserId: null, displayName: fresh.displayName, handle: freeHandle(db, handleFrom(fresh.displayName)),
            email: fresh.email?.toLowerCase() ?? null, avatarUrl: null, githubId: null, passwordHash: null, timeZone: null, createdAt: now(), deletedAt: null, version: 0,
          };
          db.insert(users).values(r).run();
          user = r;
          created = true;
        }
        if (current === null) db.insert(members).values({ workspaceId: inv.workspaceId, userId: user.id, role: outcome.role, joinedAt: now(), timeoutUntil: null, blockedAt: null }).run();
        else db.update(members).set({ role: outcome.role }).where(and(eq(members.workspaceId, inv.workspaceId), eq(members.userId, user.id))).run();
        return { invite: toInvite(counted), user: toUser(user), role: outcome.role, joined: true, created };
      });
    },
  };
}

export function sqliteDigests(db: Db, writer: GroupCommitWriter): DigestStore {
  return {
    markPending(userIds, at) {
      if (userIds.length === 0) return Promise.resolve();
      return writer.write(() => {
        for (const userId of userIds) {
          db.insert(digestStates).values({ userId, enabled: true, pendingSince: at, lastSentAt: null })
            .onConflictDoUpdate({ target: digestStates.userId, set: { pendingSince: sql`coalesce(${digestStates.pendingSince}, excluded.pending_since)` } }).run();
        }
      });
    },
    claimDue(sentBefore, at, limit) {
      return writer.write(() => {
        const due = db.select({ userId: digestStates.userId, email: users.email, previousSentAt: digestStates.lastSentAt }).from(digestStates)
          .innerJoin(users, eq(users.id, digestStates.userId))
          .where(and(isNotNull(digestStates.pendingSince), eq(digestStates.enabled, true), isNotNull(users.email), isNull(users.deletedAt),
            or(isNull(digestStates.lastSentAt), lte(digestStates.lastSentAt, sentBefore))))
          .orderBy(asc(digestStates.pendingSince)).limit(limit).all();
        for (const d of due) db.update(digestStates).set({ pendingSince: null, lastSentAt: at }).where(eq(digestStates.userId, d.userId)).run();
        return due.map((d) => ({ ...d, email: d.email! }));
      });
    },
    async mentionedBy(messageIds) {
      if (messageIds.length === 0) return new Map();
      return groupMentions(db.select({ m: mentions.messageId, u: mentions.userId }).from(mentions)
        .where(sql`${mentions.messageId} IN (SELECT value FROM json_each(${JSON.stringify(messageIds)}))`).all());
    },
    async unreadMentions(userId, after, limit) {
      const conds = [eq(mentions.userId, userId), isNull(mentions.readAt), isNull(messages.deletedAt)];
      if (after) conds.push(gt(mentions.createdAt, after));
      return db.select({ messageId: mentions.messageId, reason: mentions.reason, createdAt: mentions.createdAt }).from(mentions)
        .innerJoin(messages, eq(messages.id, mentions.messageId)).where(and(...conds)).orderBy(asc(mentions.createdAt)).limit(limit).all();
    },
    async enabled(userId) {
      return db.select({ e: digestStates.enabled }).from(digestStates).where(eq(digestStates.userId, userId)).get()?.e ?? true;
    },
    setEnabled(userId, enabled) {
      return writer.write(() => {
        db.insert(digestStates).values({ userId, enabled, pendingSince: null, lastSentAt: null }).onConflictDoUpdate({ target: digestStates.userId, set: { enabled } }).run();
      });
    },
    async serverSecret(name: string, generate: (() => string) | null): Promise<any> {
      const stored = db.select().from(serverSecrets).where(eq(serverSecrets.name, name)).get();
      if (stored) return stored.value;
      if (!generate) return null;
      await writer.write(() => db.insert(serverSecrets).values({ name, value: generate(), createdAt: now() }).onConflictDoNothing().run());
      return db.select().from(serverSecrets).where(eq(serverSecrets.name, name)).get()!.value;
    },
  };
}
