import { and, asc, eq, isNull } from "drizzle-orm";
import { conflict, notFound } from "../../chat/errors.ts";
import { newId } from "../../chat/ids.ts";
import { handleFrom } from "../../chat/rules.ts";
import { hashSecret, newSecret, sameHash } from "../../chat/secrets.ts";
import type { BotStore, BotToken } from "../store.ts";
import { TOUCH_INTERVAL_MS } from "../sqlite/identity.ts";
import { now, toUser } from "../sqlite/rows.ts";
import type { Db, PgGroupCommitWriter } from "./database.ts";
import { botTokens, members, users, workspaces } from "./schema.ts";
import { first, freeHandle } from "./users.ts";

function toToken(r: typeof botTokens.$inferSelect): BotToken {
  return { id: r.id, bot_user_id: r.botUserId, workspace_id: r.workspaceId, name: r.name, scopes: JSON.parse(r.scopes), created_at: r.createdAt, last_used_at: r.lastUsedAt, revoked_at: r.revokedAt };
}

/** A bot user and its membership, inside the caller's transaction (a webhook makes its bot so). */
export async function insertBot(tx: Db, input: Parameters<BotStore["create"]>[0]) {
  if (!(await first(tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, input.workspaceId))))) throw notFound("workspace");
  let handle: string;
  if (input.handle) {
    if (await first(tx.select({ id: users.id }).from(users).where(eq(users.handle, input.handle)))) throw conflict(`@${input.handle} is taken`, "handle_taken");
    handle = input.handle;
  } else {
    handle = await freeHandle(tx, handleFrom(input.displayName));
  }
  const at = now();
  const row = { id: newId("usr"), kind: "bot" as const, ownerUserId: input.ownerUserId ?? null, displayName: input.displayName, handle, email: null, avatarUrl: input.avatarUrl ?? null, githubId: null, passwordHash: null, timeZone: null, createdAt: at, deletedAt: null };
  await tx.insert(users).values(row);
  await tx.insert(members).values({ workspaceId: input.workspaceId, userId: row.id, role: "bot", joinedAt: at });
  return toUser(row);
}

/** Deletes a bot inside the caller's transaction: tokens revoked, memberships removed, user tombstoned. */
export async function removeBot(tx: Db, botUserId: string) {
  const u = await first(tx.select().from(users).where(and(eq(users.id, botUserId), eq(users.kind, "bot"), isNull(users.deletedAt))));
  if (!u) throw notFound("bot");
  const at = now();
  await tx.update(botTokens).set({ revokedAt: at }).where(and(eq(botTokens.botUserId, botUserId), isNull(botTokens.revokedAt)));
  await tx.delete(members).where(eq(members.userId, botUserId));
  await tx.update(users).set({ deletedAt: at }).where(eq(users.id, botUserId));
  return toUser({ ...u, deletedAt: at });
}

export function pgBots(db: Db, writer: PgGroupCommitWriter): BotStore {
  const botIn = (q: Db, botUserId: string, workspaceId: string) =>
    first(q.select({ u: users }).from(users).innerJoin(members, and(eq(members.userId, users.id), eq(members.workspaceId, workspaceId)))
      .where(and(eq(users.id, botUserId), eq(users.kind, "bot"), isNull(users.deletedAt))));
  return {
    create(input) {
      return writer.write((tx) => insertBot(tx, input));
    },
    async list(workspaceId) {
      const bots = await db.select({ u: users }).from(members).innerJoin(users, eq(users.id, members.userId))
        .where(and(eq(members.workspaceId, workspaceId), eq(users.kind, "bot"), isNull(users.deletedAt))).orderBy(asc(users.createdAt));
      return Promise.all(bots.map(async ({ u }) => ({
        bot: toUser(u),
        tokens: (await db.select().from(botTokens).where(and(eq(botTokens.botUserId, u.id), eq(botTokens.workspaceId, workspaceId))).orderBy(asc(botTokens.createdAt))).map(toToken),
      })));
    },
    mintToken({ botUserId, workspaceId, name, scopes }) {
      return writer.write(async (tx) => {
        if (!(await botIn(tx, botUserId, workspaceId))) throw notFound("bot");
        const token = newSecret("ccb");
        const row = { id: newId("tok"), botUserId, workspaceId, name, scopes: JSON.stringify(scopes), tokenHash: hashSecret(token), createdAt: now(), lastUsedAt: null, revokedAt: null };
        await tx.insert(botTokens).values(row);
        return { ...toToken(row), token };
      });
    },
    async tokens(botUserId, workspaceId) {
      const conds = [eq(botTokens.botUserId, botUserId)];
      if (workspaceId) conds.push(eq(botTokens.workspaceId, workspaceId));
      return (await db.select().from(botTokens).where(and(...conds)).orderBy(asc(botTokens.createdAt))).map(toToken);
    },
    async token(id) {
      const r = await first(db.select().from(botTokens).where(eq(botTokens.id, id)));
      return r ? toToken(r) : null;
    },
    revokeToken(id) {
      return writer.write(async (tx) => {
        const r = await first(tx.select().from(botTokens).where(eq(botTokens.id, id)));
        if (!r) throw notFound("bot token");
        if (!r.revokedAt) {
          r.revokedAt = now();
          await tx.update(botTokens).set({ revokedAt: r.revokedAt }).where(eq(botTokens.id, id));
        }
        return toToken(r);
      });
    },
    async byToken(raw) {
      const hash = hashSecret(raw);
      const r = await first(db.select({ t: botTokens, u: users }).from(botTokens).innerJoin(users, eq(users.id, botTokens.botUserId)).where(eq(botTokens.tokenHash, hash)));
      if (!r || !sameHash(r.t.tokenHash, hash) || r.t.revokedAt || r.u.deletedAt) return null;
      if (!r.t.lastUsedAt || Date.parse(r.t.lastUsedAt) < Date.now() - TOUCH_INTERVAL_MS) {
        const at = now();
        r.t.lastUsedAt = at;
        void writer.write(async (tx) => { await tx.update(botTokens).set({ lastUsedAt: at }).where(eq(botTokens.id, r.t.id)); }).catch(() => {});
      }
      return { token: toToken(r.t), user: toUser(r.u) };
    },
    remove(botUserId) {
      return writer.write((tx) => removeBot(tx, botUserId));
    },

    removeMembership(workspaceId, botUserId) {
      return writer.write(async (tx) => {
        if (!(await botIn(tx, botUserId, workspaceId))) throw notFound("bot");
        await tx.update(botTokens).set({ revokedAt: now() }).where(and(eq(botTokens.botUserId, botUserId), eq(botTokens.workspaceId, workspaceId), isNull(botTokens.revokedAt)));
        await tx.delete(members).where(and(eq(members.workspaceId, workspaceId), eq(members.userId, botUserId)));
      });
    },
  };
}
