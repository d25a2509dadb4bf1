import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { conflict, notFound } from "../../chat/errors.ts";
import { newId } from "../../chat/ids.ts";
import { handleFrom } from "../../chat/rules.ts";
import { hashSecret, newSecret, sameHash } from "../../chat/secrets.ts";
import type { BotStore, BotToken } from "../store.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { TOUCH_INTERVAL_MS } from "./identity.ts";
import { now, toUser } from "./rows.ts";
import { botTokens, members, users, workspaces } from "./schema.ts";
import { freeHandle } from "./users.ts";

function toToken(r: typeof botTokens.$inferSelect): BotToken {
  return { id: r.id, bot_user_id: r.botUserId, workspace_id: r.workspaceId, name: r.name, scopes: JSON.parse(r.scopes), created_at: r.createdAt, last_used_at: r.lastUsedAt, revoked_at: r.revokedAt };
}

/** A bot user and its membership, inside the caller's write (a webhook makes its bot so). */
export function insertBot(db: Db, input: Parameters<BotStore["create"]>[0]) {
  if (!db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, input.workspaceId)).get()) throw notFound("workspace");
  let handle: string;
  if (input.handle) {
    if (db.select({ id: users.id }).from(users).where(eq(users.handle, input.handle)).get()) throw conflict(`@${input.handle} is taken`, "handle_taken");
    handle = input.handle;
  } else {
    handle = freeHandle(db, handleFrom(input.displayName));
  }
  const at = now();
  const row = { id: newId("usr"), kind: "bot" as const, ownerUserId: input.ownerUserId ?? null, displayName: input.displayName, handle, email: null, avatarUrl: input.avatarUrl ?? null, githubId: null, passwordHash: null, timeZone: null, createdAt: at, deletedAt: null };
  db.insert(users).values(row).run();
  db.insert(members).values({ workspaceId: input.workspaceId, userId: row.id, role: "bot", joinedAt: at }).run();
  return toUser(row);
}

/** Deletes a bot inside the caller's write: tokens revoked, memberships removed, user tombstoned. */
export function removeBot(db: Db, botUserId: string) {
  const u = db.select().from(users).where(and(eq(users.id, botUserId), eq(users.kind, "bot"), isNull(users.deletedAt))).get();
  if (!u) throw notFound("bot");
  const at = now();
  db.update(botTokens).set({ revokedAt: at }).where(and(eq(botTokens.botUserId, botUserId), isNull(botTokens.revokedAt))).run();
  db.delete(members).where(eq(members.userId, botUserId)).run();
  db.update(users).set({ deletedAt: at }).where(eq(users.id, botUserId)).run();
  return toUser({ ...u, deletedAt: at });
}

export function sqliteBots(db: Db, writer: GroupCommitWriter): BotStore {
  // Every bot request looks its token up: compiled once.
  const tokenByHash = db.select({ t: botTokens, u: users }).from(botTokens).innerJoin(users, eq(users.id, botTokens.botUserId)).where(eq(botTokens.tokenHash, sql.placeholder("hash"))).prepare();
  const botIn = (botUserId: string, workspaceId: string) =>
    db.select({ u: users }).from(users).innerJoin(members, and(eq(members.userId, users.id), eq(members.workspaceId, workspaceId)))
      .where(and(eq(users.id, botUserId), eq(users.kind, "bot"), isNull(users.deletedAt))).get();
  return {
    create(input) {
      return writer.write(() => insertBot(db, input));
    },
    async list(workspaceId) {
      const bots = db.select({ u: users }).from(members).innerJoin(users, eq(users.id, members.userId))
        .where(and(eq(members.workspaceId, workspaceId), eq(users.kind, "bot"), isNull(users.deletedAt))).orderBy(asc(users.createdAt)).all();
      return bots.map(({ u }) => ({
        bot: toUser(u),
        tokens: db.select().from(botTokens).where(and(eq(botTokens.botUserId, u.id), eq(botTokens.workspaceId, workspaceId))).orderBy(asc(botTokens.createdAt)).all().map(toToken),
      }));
    },
    mintToken({ botUserId, workspaceId, name, scopes }) {
      return writer.write(() => {
        if (!botIn(botUserId, workspaceId)) throw notFound("bot");
        const token = newSecret("ccb");
        const row = { id: newId("tok"), botUserId, workspaceId, name, scopes: JSON.stringify(scopes), tokenHash: hashSecret(token), createdAt: now(), lastUsedAt: null, revokedAt: null };
        db.insert(botTokens).values(row).run();
        return { ...toToken(row), token };
      });
    },
    async tokens(botUserId, workspaceId) {
      const conds = [eq(botTokens.botUserId, botUserId)];
      if (workspaceId) conds.push(eq(botTokens.workspaceId, workspaceId));
      return db.select().from(botTokens).where(and(...conds)).orderBy(asc(botTokens.createdAt)).all().map(toToken);
    },
    async token(id) {
      const r = db.select().from(botTokens).where(eq(botTokens.id, id)).get();
      return r ? toToken(r) : null;
    },
    revokeToken(id) {
      return writer.write(() => {
        const r = db.select().from(botTokens).where(eq(botTokens.id, id)).get();
        if (!r) throw notFound("bot token");
        if (!r.revokedAt) {
          r.revokedAt = now();
          db.update(botTokens).set({ revokedAt: r.revokedAt }).where(eq(botTokens.id, id)).run();
        }
        return toToken(r);
      });
    },
    async byToken(raw) {
      const hash = hashSecret(raw);
      const r = tokenByHash.get({ hash });
      if (!r || !sameHash(r.t.tokenHash, hash) || r.t.revokedAt || r.u.deletedAt) return null;
      if (!r.t.lastUsedAt || Date.parse(r.t.lastUsedAt) < Date.now() - TOUCH_INTERVAL_MS) {
        const at = now();
        r.t.lastUsedAt = at;
        void writer.write(() => db.update(botTokens).set({ lastUsedAt: at }).where(eq(botTokens.id, r.t.id)).run()).catch(() => {});
      }
      return { token: toToken(r.t), user: toUser(r.u) };
    },
    remove(botUserId) {
      return writer.write(() => removeBot(db, botUserId));
    },

    removeMembership(workspaceId, botUserId) {
      return writer.write(() => {
        if (!botIn(botUserId, workspaceId)) throw notFound("bot");
        db.update(botTokens).set({ revokedAt: now() }).where(and(eq(botTokens.botUserId, botUserId), eq(botTokens.workspaceId, workspaceId), isNull(botTokens.revokedAt))).run();
        db.delete(members).where(and(eq(members.workspaceId, workspaceId), eq(members.userId, botUserId))).run();
      });
    },
  };
}
