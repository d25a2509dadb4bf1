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
import { TOUCH_INTERVAL_MS } from "../store.ts";
import { now, toUser, toWorkspace } from "../rows.ts";
import type { Db, PgGroupCommitWriter } from "./database.ts";
import { appInstallations, botCommands, botSetupCodes, botTokens, botTombstones, channels, members, setupNonces, slashCommands, users, workspaces } from "./schema.ts";
import { first, freeHandle } from "./users.ts";

export async function insertBot(tx: Db, input: NewBot) {
  if (!(await first(tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, input.workspaceId))))) throw notFound("workspace");
  let handle: string;
  if (input.handle) {
    if (await first(tx.select({ id: users.id }).from(users).where(eq(users.handle, input.handle)))) throw conflict(`@${input.handle} is taken`, "handle_taken");
    handle = input.handle;
  } else {
    handle = await freeHandle(tx, handleFrom(input.displayName));
  }
  const at = now();
  const row = { id: newId("usr"), kind: "bot" as const, ownerUserId: input.ownerUserId ?? null, displayName: input.displayName, handle, email: null, avatarUrl: input.avatarUrl ?? null, githubId: null, passwordHash: null, timeZone: null, createdAt: at, deletedAt: null, version: 0 };
  await tx.insert(users).values(row);
  await tx.insert(members).values({ workspaceId: input.workspaceId, userId: row.id, role: "bot", joinedAt: at });
  return toUser(row);
}
/**
 * Retires a bot everywhere, inside the caller's transaction: credentials, setup codes, slash
 * commands, apps and menus go, its handle is freed (a tombstone keeps the former one), its posts stay.
 */
export async function removeBot(tx: Db, botUserId: string, actorId: string | null = null) {
  // Locking the user row orders a retirement against a concurrent claim or replay of this bot.
  const u = await first(tx.select().from(users).where(and(eq(users.id, botUserId), eq(users.kind, "bot"), isNull(users.deletedAt))).for("update"));
  if (!u) throw notFound("bot");
  const at = now();
  const workspaceIds = (await tx.select({ id: members.workspaceId }).from(members).where(eq(members.userId, botUserId))).map((r) => r.id);
  await tx.update(botTokens).set({ revokedAt: at }).where(and(eq(botTokens.botUserId, botUserId), isNull(botTokens.revokedAt)));
  await tx.delete(botSetupCodes).where(and(eq(botSetupCodes.botUserId, botUserId), isNull(botSetupCodes.claimedAt)));
  await tx.update(slashCommands).set({ revokedAt: at }).where(and(eq(slashCommands.botUserId, botUserId), isNull(slashCommands.revokedAt)));
  await tx.update(appInstallations).set({ revokedAt: at }).where(and(eq(appInstallations.botUserId, botUserId), isNull(appInstallations.revokedAt)));
  await tx.delete(botCommands).where(eq(botCommands.botUserId, botUserId));
  await tx.delete(members).where(eq(members.userId, botUserId));
  await tx.insert(botTombstones).values({ botUserId, formerHandle: u.handle, deletedAt: at, deletedBy: actorId });
  await tx.update(users).set({ deletedAt: at, handle: retiredHandle(botUserId) }).where(eq(users.id, botUserId));
  return { id: u.id, display_name: u.displayName, former_handle: u.handle, deleted_at: at, workspace_ids: workspaceIds };
}

export function pgBots(db: Db, writer: PgGroupCommitWriter): BotStore {
  const botIn = (q: Db, botUserId: string, workspaceId: string) =>
    first(q.select({ u: users }).from(users).innerJoin(members, and(eq(members.userId, users.id), eq(members.workspaceId, workspaceId)))
      .where(and(eq(users.id, botUserId), eq(users.kind, "bot"), isNull(users.deletedAt))));

  // The pieces below run inside a writer transaction (a racing twin that trips a unique index is
  // rolled back to its savepoint and run again by the writer, and then sees the winner's rows).
  async function insertToken(tx: Db, botUserId: string, workspaceId: string, name: string, scopes: string[]): Promise<MintedToken> {
    const token = newSecret("ccb");
    const row = { id: newId("tok"), botUserId, workspaceId, name, scopes: JSON.stringify(scopes), tokenHash: hashSecret(token), createdAt: now(), lastUsedAt: null, revokedAt: null };
    await tx.insert(botTokens).values(row);
    return { ...toToken(row), token };
  }
  /** A replayed setup: the same token row with a new secret (only the old one's hash was kept). */
  async function rotate(tx: Db, tokenId: string): Promise<MintedToken> {
    const r = await first(tx.select().from(botTokens).where(eq(botTokens.id, tokenId)).for("update"));
    if (!r || r.revokedAt) throw conflict("the token this setup_nonce made was revoked; use a new nonce", "setup_nonce_conflict");
    const token = newSecret("ccb");
    await tx.update(botTokens).set({ tokenHash: hashSecret(token), lastUsedAt: null }).where(eq(botTokens.id, tokenId));
    return { ...toToken({ ...r, lastUsedAt: null }), token };
  }
  /**
   * Attempts with one nonce take turns (other processes' included): the later one waits for the
   * first to commit, then finds its row and replays it.
   */
  async function seenNonce(tx: Db, n: SetupNonce) {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`setup-nonce:${n.createdBy}:${n.nonce}`}, 0))`);
    return first(tx.select().from(setupNonces).where(and(eq(setupNonces.createdBy, n.createdBy), eq(setupNonces.nonce, n.nonce))));
  }
  const rememberNonce = (tx: Db, n: SetupNonce, fingerprint: string, botUserId: string, tokenId: string | null) =>
    tx.insert(setupNonces).values({ createdBy: n.createdBy, nonce: n.nonce, fingerprint, botUserId, tokenId, createdAt: now() });

  /** Where a claimed bot posts by default: #general, else the oldest open public channel. */
  async function firstChannel(tx: Db, workspaceId: string): Promise<string | null> {
    const open = await tx.select({ name: channels.name }).from(channels)
      .where(and(eq(channels.workspaceId, workspaceId), eq(channels.kind, "public"), isNull(channels.archivedAt), isNull(channels.deletedAt))).orderBy(asc(channels.createdAt));
    return (open.find((c) => c.name === "general") ?? open[0])?.name ?? null;
  }

  return {
    create(input) {
      return writer.write((tx) => insertBot(tx, input));
    },
    setUp(input) {
      return writer.write(async (tx) => {
        const n = input.setupNonce;
        const fingerprint = n ? nonceFingerprint("bot", { workspaceId: input.workspaceId, displayName: input.displayName, handle: input.handle ?? null, ownerUserId: input.ownerUserId ?? null, firstToken: input.firstToken }) : "";
        if (n) {
          const seen = await seenNonce(tx, n);
          if (seen) {
            assertNonceReplay(seen.fingerprint, fingerprint);
            const bot = await botIn(tx, seen.botUserId, input.workspaceId);
            if (!bot) throw conflict("the bot this setup_nonce made is gone; use a new nonce", "setup_nonce_conflict");
            return { bot: toUser(bot.u), token: seen.tokenId ? await rotate(tx, seen.tokenId) : null, replayed: true };
          }
        }
        const bot = await insertBot(tx, input);
        const token = input.firstToken ? await insertToken(tx, bot.id, input.workspaceId, input.firstToken.name, input.firstToken.scopes) : null;
        if (n) await rememberNonce(tx, n, fingerprint, bot.id, token?.id ?? null);
        return { bot, token, replayed: false };
      });
    },
    async list(workspaceId) {
      const bots = await db.select({ u: users }).from(members).innerJoin(users, eq(users.id, members.userId))
        .where(and(eq(members.workspaceId, workspaceId), eq(users.kind, "bot"), isNull(users.deletedAt))).orderBy(asc(users.createdAt));
      return Promise.all(bots.map(async ({ u }) => ({
        bot: toUser(u),
        tokens: (await db.select().from(botTokens).where(and(eq(botTokens.botUserId, u.id), eq(botTokens.workspaceId, workspaceId))).orderBy(asc(botTokens.createdAt))).map(toToken),
      })));
    },
    mintToken({ botUserId, workspaceId, name, scopes, setupNonce: n }) {
      return writer.write(async (tx) => {
        if (!(await botIn(tx, botUserId, workspaceId))) throw notFound("bot");
        const fingerprint = n ? nonceFingerprint("token", { botUserId, workspaceId, name, scopes }) : "";
        if (n) {
          const seen = await seenNonce(tx, n);
          if (seen) {
            assertNonceReplay(seen.fingerprint, fingerprint);
            return { ...(await rotate(tx, seen.tokenId!)), replayed: true };
          }
        }
        const minted = await insertToken(tx, botUserId, workspaceId, name, scopes);
        if (n) await rememberNonce(tx, n, fingerprint, botUserId, minted.id);
        return minted;
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
    remove(botUserId, actorId = null) {
      return writer.write((tx) => removeBot(tx, botUserId, actorId));
    },
    removeMembership(workspaceId, botUserId) {
      return writer.write(async (tx) => {
        if (!(await botIn(tx, botUserId, workspaceId))) throw notFound("bot");
        await tx.update(botTokens).set({ revokedAt: now() }).where(and(eq(botTokens.botUserId, botUserId), eq(botTokens.workspaceId, workspaceId), isNull(botTokens.revokedAt)));
        await tx.delete(botSetupCodes).where(and(eq(botSetupCodes.botUserId, botUserId), eq(botSetupCodes.workspaceId, workspaceId), isNull(botSetupCodes.claimedAt)));
        await tx.delete(botCommands).where(and(eq(botCommands.botUserId, botUserId), eq(botCommands.workspaceId, workspaceId)));
        await tx.delete(members).where(and(eq(members.workspaceId, workspaceId), eq(members.userId, botUserId)));
      });
    },
    createSetupCode(input) {
      return writer.write(async (tx) => {
        if (!(await botIn(tx, input.botUserId, input.workspaceId))) throw notFound("bot");
        const at = now();
        // Spent and expired codes are of no use to anyone; a pending one for this grant is replaced.
        await tx.delete(botSetupCodes).where(lt(botSetupCodes.expiresAt, at));
        await tx.delete(botSetupCodes).where(and(eq(botSetupCodes.workspaceId, input.workspaceId), eq(botSetupCodes.botUserId, input.botUserId), eq(botSetupCodes.tokenName, input.tokenName), isNull(botSetupCodes.claimedAt)));
        const code = newSetupCode();
        const row = {
          id: newId("bsc"), codeHash: hashSetupCode(normalizeSetupCode(code)!), workspaceId: input.workspaceId, botUserId: input.botUserId, tokenName: input.tokenName,
          scopes: JSON.stringify(input.scopes), defaults: JSON.stringify(input.defaults), createdBy: input.createdBy, createdAt: at,
          expiresAt: new Date(Date.now() + SETUP_CODE_TTL_MS).toISOString(), claimedAt: null, claimedTokenId: null,
        };
        await tx.insert(botSetupCodes).values(row);
        return { ...toSetupCode(row), code };
      });
    },
    claimSetupCode(raw) {
      const normalized = normalizeSetupCode(raw);
      if (!normalized) return Promise.resolve(null);
      const hash = hashSetupCode(normalized);
      return writer.write(async (tx) => {
        // The row lock makes a concurrent claim wait, then see the code spent.
        const row = await first(tx.select().from(botSetupCodes).where(eq(botSetupCodes.codeHash, hash)).for("update"));
        if (!row || !claimable(row)) return null;
        const bot = await botIn(tx, row.botUserId, row.workspaceId);
        const ws = await first(tx.select().from(workspaces).where(and(eq(workspaces.id, row.workspaceId), isNull(workspaces.deletedAt))));
        if (!bot || !ws) return null;
        const token = await insertToken(tx, row.botUserId, row.workspaceId, row.tokenName, JSON.parse(row.scopes));
        await tx.update(botSetupCodes).set({ claimedAt: token.created_at, claimedTokenId: token.id }).where(eq(botSetupCodes.id, row.id));
        return { token, bot: toUser(bot.u), workspace: toWorkspace(ws), defaults: claimDefaults(JSON.parse(row.defaults), await firstChannel(tx, row.workspaceId)) };
      });
    },
    setCommands(workspaceId, botUserId, commands) {
      return writer.write(async (tx) => {
        if (!(await botIn(tx, botUserId, workspaceId))) throw notFound("bot");
        await tx.delete(botCommands).where(and(eq(botCommands.workspaceId, workspaceId), eq(botCommands.botUserId, botUserId)));
        const at = now();
        const rows = commands.map((c) => ({ id: newId("bcm"), workspaceId, botUserId, command: c.command, description: c.description, argsHint: c.args_hint, createdAt: at, updatedAt: at }));
        if (rows.length > 0) await tx.insert(botCommands).values(rows);
        return rows.map(toCommand).sort(byCommand);
      });
    },
    async commands(workspaceId) {
      const rows = await db.select({ c: botCommands, u: users }).from(botCommands)
        .innerJoin(users, eq(users.id, botCommands.botUserId))
        .innerJoin(members, and(eq(members.userId, botCommands.botUserId), eq(members.workspaceId, workspaceId)))
        .where(and(eq(botCommands.workspaceId, workspaceId), isNull(users.deletedAt)));
      return rows.map(({ c, u }) => {
        const bot = toUser(u);
        return { id: c.id, command: c.command, description: c.description, args_hint: c.argsHint, bot: { id: bot.id, handle: bot.handle, display_name: bot.display_name, avatar_url: bot.avatar_url }, created_at: c.createdAt, updated_at: c.updatedAt };
      });
    },
  };
}
