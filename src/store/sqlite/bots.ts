import { and, asc, eq, isNull, lt, sql } from "drizzle-orm";
import {
  assertNonceReplay, claimable, claimDefaults, hashSetupCode, newSetupCode, nonceFingerprint, normalizeSetupCode, retiredHandle, SETUP_CODE_TTL_MS,
} from "../../chat/bots.ts";
import { conflict, notFound } from "../../chat/errors.ts";
import { newId } from "../../chat/ids.ts";
import { handleFrom } from "../../chat/rules.ts";
import { hashSecret, newSecret, sameHash } from "../../chat/secrets.ts";
import { byCommand, toCommand, toSetupCode, toToken } from "../bot-rows.ts";
import type { BotStore, MintedToken, NewBot, SetupNonce } from "../store.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { TOUCH_INTERVAL_MS } from "../store.ts";
import { now, toUser, toWorkspace } from "../rows.ts";
import { appInstallations, botCommands, botSetupCodes, botTokens, botTombstones, channels, members, setupNonces, slashCommands, users, workspaces } from "./schema.ts";
import { freeHandle } from "./users.ts";

export function insertBot(db: Db, input: NewBot) {
  if (!db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, input.workspaceId)).get()) throw notFound("workspace");
  let handle: string;
  if (input.handle) {
    if (db.select({ id: users.id }).from(users).where(eq(users.handle, input.handle)).get()) throw conflict(`@${input.handle} is taken`, "handle_taken");
    handle = input.handle;
  } else {
    handle = freeHandle(db, handleFrom(input.displayName));
  }
  const at = now();
  const row = { id: newId("usr"), kind: "bot" as const, ownerUserId: input.ownerUserId ?? null, displayName: input.displayName, handle, email: null, avatarUrl: input.avatarUrl ?? null, githubId: null, passwordHash: null, timeZone: null, createdAt: at, deletedAt: null, version: 0 };
  db.insert(users).values(row).run();
  db.insert(members).values({ workspaceId: input.workspaceId, userId: row.id, role: "bot", joinedAt: at }).run();
  return toUser(row);
}

/**
 * Retires a bot everywhere, inside the caller's write: credentials, setup codes, slash commands,
 * apps and menus go, its handle is freed (a tombstone keeps the former one), its posts stay.
 */
export function removeBot(db: Db, botUserId: string, actorId: string | null = null) {
  const u = db.select().from(users).where(and(eq(users.id, botUserId), eq(users.kind, "bot"), isNull(users.deletedAt))).get();
  if (!u) throw notFound("bot");
  const at = now();
  const workspaceIds = db.select({ id: members.workspaceId }).from(members).where(eq(members.userId, botUserId)).all().map((r) => r.id);
  db.update(botTokens).set({ revokedAt: at }).where(and(eq(botTokens.botUserId, botUserId), isNull(botTokens.revokedAt))).run();
  db.delete(botSetupCodes).where(and(eq(botSetupCodes.botUserId, botUserId), isNull(botSetupCodes.claimedAt))).run();
  db.update(slashCommands).set({ revokedAt: at }).where(and(eq(slashCommands.botUserId, botUserId), isNull(slashCommands.revokedAt))).run();
  db.update(appInstallations).set({ revokedAt: at }).where(and(eq(appInstallations.botUserId, botUserId), isNull(appInstallations.revokedAt))).run();
  db.delete(botCommands).where(eq(botCommands.botUserId, botUserId)).run();
  db.delete(members).where(eq(members.userId, botUserId)).run();
  db.insert(botTombstones).values({ botUserId, formerHandle: u.handle, deletedAt: at, deletedBy: actorId }).run();
  db.update(users).set({ deletedAt: at, handle: retiredHandle(botUserId) }).where(eq(users.id, botUserId)).run();
  return { id: u.id, display_name: u.displayName, former_handle: u.handle, deleted_at: at, workspace_ids: workspaceIds };
}

export function sqliteBots(db: Db, writer: GroupCommitWriter): BotStore {
  // Every bot request looks its token up: compiled once.
  const tokenByHash = db.select({ t: botTokens, u: users }).from(botTokens).innerJoin(users, eq(users.id, botTokens.botUserId)).where(eq(botTokens.tokenHash, sql.placeholder("hash"))).prepare();
  const botIn = (botUserId: string, workspaceId: string) =>
    db.select({ u: users }).from(users).innerJoin(members, and(eq(members.userId, users.id), eq(members.workspaceId, workspaceId)))
      .where(and(eq(users.id, botUserId), eq(users.kind, "bot"), isNull(users.deletedAt))).get();

  // The pieces below run inside a writer transaction.
  function insertToken(botUserId: string, workspaceId: string, name: string, scopes: string[]): MintedToken {
    const token = newSecret("ccb");
    const row = { id: newId("tok"), botUserId, workspaceId, name, scopes: JSON.stringify(scopes), tokenHash: hashSecret(token), createdAt: now(), lastUsedAt: null, revokedAt: null };
    db.insert(botTokens).values(row).run();
    return { ...toToken(row), token };
  }
  /** A replayed setup: the same token row with a new secret (only the old one's hash was kept). */
  function rotate(tokenId: string): MintedToken {
    const r = db.select().from(botTokens).where(eq(botTokens.id, tokenId)).get();
    if (!r || r.revokedAt) throw conflict("the token this setup_nonce made was revoked; use a new nonce", "setup_nonce_conflict");
    const token = newSecret("ccb");
    db.update(botTokens).set({ tokenHash: hashSecret(token), lastUsedAt: null }).where(eq(botTokens.id, tokenId)).run();
    return { ...toToken({ ...r, lastUsedAt: null }), token };
  }
  const seenNonce = (n: SetupNonce) => db.select().from(setupNonces).where(and(eq(setupNonces.createdBy, n.createdBy), eq(setupNonces.nonce, n.nonce))).get();
  const rememberNonce = (n: SetupNonce, fingerprint: string, botUserId: string, tokenId: string | null) =>
    db.insert(setupNonces).values({ createdBy: n.createdBy, nonce: n.nonce, fingerprint, botUserId, tokenId, createdAt: now() }).run();

  return {
    create(input) {
      return writer.write(() => insertBot(db, input));
    },
    setUp(input) {
      return writer.write(() => {
        const n = input.setupNonce;
        const fingerprint = n ? nonceFingerprint("bot", { workspaceId: input.workspaceId, displayName: input.displayName, handle: input.handle ?? null, ownerUserId: input.ownerUserId ?? null, firstToken: input.firstToken }) : "";
        if (n) {
          const seen = seenNonce(n);
          if (seen) {
            assertNonceReplay(seen.fingerprint, fingerprint);
            const bot = botIn(seen.botUserId, input.workspaceId);
            if (!bot) throw conflict("the bot this setup_nonce made is gone; use a new nonce", "setup_nonce_conflict");
            return { bot: toUser(bot.u), token: seen.tokenId ? rotate(seen.tokenId) : null, replayed: true };
          }
        }
        const bot = insertBot(db, input);
        const token = input.firstToken ? insertToken(bot.id, input.workspaceId, input.firstToken.name, input.firstToken.scopes) : null;
        if (n) rememberNonce(n, fingerprint, bot.id, token?.id ?? null);
        return { bot, token, replayed: false };
      });
    },
    async list(workspaceId) {
      const bots = db.select({ u: users }).from(members).innerJoin(users, eq(users.id, members.userId))
        .where(and(eq(members.workspaceId, workspaceId), eq(users.kind, "bot"), isNull(users.deletedAt))).orderBy(asc(users.createdAt)).all();
      return bots.map(({ u }) => ({
        bot: toUser(u),
        tokens: db.select().from(botTokens).where(and(eq(botTokens.botUserId, u.id), eq(botTokens.workspaceId, workspaceId))).orderBy(asc(botTokens.createdAt)).all().map(toToken),
      }));
    },
    mintToken({ botUserId, workspaceId, name, scopes, setupNonce: n }) {
      return writer.write(() => {
        if (!botIn(botUserId, workspaceId)) throw notFound("bot");
        const fingerprint = n ? nonceFingerprint("token", { botUserId, workspaceId, name, scopes }) : "";
        if (n) {
          const seen = seenNonce(n);
          if (seen) {
            assertNonceReplay(seen.fingerprint, fingerprint);
            return { ...rotate(seen.tokenId!), replayed: true };
          }
        }
        const minted = insertToken(botUserId, workspaceId, name, scopes);
        if (n) rememberNonce(n, fingerprint, botUserId, minted.id);
        return minted;
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
    remove(botUserId, actorId = null) {
      return writer.write(() => removeBot(db, botUserId, actorId));
    },
    removeMembership(workspaceId, botUserId) {
      return writer.write(() => {
        if (!botIn(botUserId, workspaceId)) throw notFound("bot");
        db.update(botTokens).set({ revokedAt: now() }).where(and(eq(botTokens.botUserId, botUserId), eq(botTokens.workspaceId, workspaceId), isNull(botTokens.revokedAt))).run();
        db.delete(botSetupCodes).where(and(eq(botSetupCodes.botUserId, botUserId), eq(botSetupCodes.workspaceId, workspaceId), isNull(botSetupCodes.claimedAt))).run();
        db.delete(botCommands).where(and(eq(botCommands.botUserId, botUserId), eq(botCommands.workspaceId, workspaceId))).run();
        db.delete(members).where(and(eq(members.workspaceId, workspaceId), eq(members.userId, botUserId))).run();
      });
    },
    createSetupCode(input) {
      return writer.write(() => {
        if (!botIn(input.botUserId, input.workspaceId)) throw notFound("bot");
        const at = now();
        // Spent and expired codes are of no use to anyone; a pending one for this grant is replaced.
        db.delete(botSetupCodes).where(lt(botSetupCodes.expiresAt, at)).run();
        db.delete(botSetupCodes).where(and(eq(botSetupCodes.workspaceId, input.workspaceId), eq(botSetupCodes.botUserId, input.botUserId), eq(botSetupCodes.tokenName, input.tokenName), isNull(botSetupCodes.claimedAt))).run();
        const code = newSetupCode();
        const row = {
          id: newId("bsc"), codeHash: hashSetupCode(normalizeSetupCode(code)!), workspaceId: input.workspaceId, botUserId: input.botUserId, tokenName: input.tokenName,
          scopes: JSON.stringify(input.scopes), defaults: JSON.stringify(input.defaults), createdBy: input.createdBy, createdAt: at,
          expiresAt: new Date(Date.now() + SETUP_CODE_TTL_MS).toISOString(), claimedAt: null, claimedTokenId: null,
        };
        db.insert(botSetupCodes).values(row).run();
        return { ...toSetupCode(row), code };
      });
    },
    claimSetupCode(raw) {
      const normalized = normalizeSetupCode(raw);
      if (!normalized) return Promise.resolve(null);
      const hash = hashSetupCode(normalized);
      return writer.write(() => {
        const row = db.select().from(botSetupCodes).where(eq(botSetupCodes.codeHash, hash)).get();
        if (!row || !claimable(row)) return null;
        const bot = botIn(row.botUserId, row.workspaceId);
        const ws = db.select().from(workspaces).where(and(eq(workspaces.id, row.workspaceId), isNull(workspaces.deletedAt))).get();
        if (!bot || !ws) return null;
        const token = insertToken(row.botUserId, row.workspaceId, row.tokenName, JSON.parse(row.scopes));
        db.update(botSetupCodes).set({ claimedAt: token.created_at, claimedTokenId: token.id }).where(eq(botSetupCodes.id, row.id)).run();
        return { token, bot: toUser(bot.u), workspace: toWorkspace(ws), defaults: claimDefaults(JSON.parse(row.defaults), firstChannel(row.workspaceId)) };
      });
    },
    setCommands(workspaceId, botUserId, commands) {
      return writer.write(() => {
        if (!botIn(botUserId, workspaceId)) throw notFound("bot");
        db.delete(botCommands).where(and(eq(botCommands.workspaceId, workspaceId), eq(botCommands.botUserId, botUserId))).run();
        const at = now();
        const rows = commands.map((c) => ({ id: newId("bcm"), workspaceId, botUserId, command: c.command, description: c.description, argsHint: c.args_hint, createdAt: at, updatedAt: at }));
        if (rows.length > 0) db.insert(botCommands).values(rows).run();
        return rows.map(toCommand).sort(byCommand);
      });
    },
    async commands(workspaceId) {
      return db.select({ c: botCommands, u: users }).from(botCommands)
        .innerJoin(users, eq(users.id, botCommands.botUserId))
        .innerJoin(members, and(eq(members.userId, botCommands.botUserId), eq(members.workspaceId, workspaceId)))
        .where(and(eq(botCommands.workspaceId, workspaceId), isNull(users.deletedAt))).all()
        .map(({ c, u }) => {
          const bot = toUser(u);
          return { id: c.id, command: c.command, description: c.description, args_hint: c.argsHint, bot: { id: bot.id, handle: bot.handle, display_name: bot.display_name, avatar_url: bot.avatar_url }, created_at: c.createdAt, updated_at: c.updatedAt };
        });
    },
  };

  /** Where a claimed bot posts by default: #general, else the oldest open public channel. */
  function firstChannel(workspaceId: string): string | null {
    const open = db.select({ name: channels.name }).from(channels)
      .where(and(eq(channels.workspaceId, workspaceId), eq(channels.kind, "public"), isNull(channels.archivedAt), isNull(channels.deletedAt))).orderBy(asc(channels.createdAt)).all();
    return (open.find((c) => c.name === "general") ?? open[0])?.name ?? null;
  }
}
