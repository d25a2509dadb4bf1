import { assertAnotherWayIn } from "../../chat/connected-accounts.ts";
import { and, eq, gt, isNull } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import { newId } from "../../chat/ids.ts";
import { hashSecret, newSecret, sameHash } from "../../chat/secrets.ts";
import { handleFrom } from "../../chat/rules.ts";
import type { IdentityStore, Session } from "../store.ts";
import { TOUCH_INTERVAL_MS } from "../store.ts";
import { now, toUser } from "../rows.ts";
import type { Db, PgGroupCommitWriter } from "./database.ts";
import { magicLinks, oauthStates, sessions, users } from "./schema.ts";
import { first, freeHandle } from "./users.ts";

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

function toSession(r: typeof sessions.$inferSelect): Session {
  return { id: r.id, user_id: r.userId, created_at: r.createdAt, expires_at: r.expiresAt, last_used_at: r.lastUsedAt, revoked_at: r.revokedAt };
}

export function pgIdentity(db: Db, writer: PgGroupCommitWriter): IdentityStore {
  return {
    createSession(userId, ttlMs) {
      return writer.write(async (tx) => {
        const token = newSecret("sst");
        const row = { id: newId("ses"), userId, tokenHash: hashSecret(token), createdAt: now(), expiresAt: inMs(ttlMs), lastUsedAt: null, revokedAt: null };
        await tx.insert(sessions).values(row);
        return { session: toSession(row), token };
      });
    },
    async sessionByToken(token) {
      const hash = hashSecret(token);
      const r = await first(db.select({ s: sessions, u: users }).from(sessions).innerJoin(users, eq(users.id, sessions.userId)).where(eq(sessions.tokenHash, hash)));
      if (!r || !sameHash(r.s.tokenHash, hash) || r.s.revokedAt || r.s.expiresAt <= now() || r.u.deletedAt) return null;
      if (!r.s.lastUsedAt || Date.parse(r.s.lastUsedAt) < Date.now() - TOUCH_INTERVAL_MS) {
        const at = now();
        r.s.lastUsedAt = at;
        void writer.write(async (tx) => { await tx.update(sessions).set({ lastUsedAt: at }).where(eq(sessions.id, r.s.id)); }).catch(() => {});
      }
      return { session: toSession(r.s), user: toUser(r.u) };
    },
    async session(id) {
      const r = await first(db.select().from(sessions).where(eq(sessions.id, id)));
      return r ? toSession(r) : null;
    },
    revokeSession(id) {
      return writer.write(async (tx) => {
        const r = await first(tx.select().from(sessions).where(eq(sessions.id, id)));
        if (!r) return null;
        if (!r.revokedAt) {
          r.revokedAt = now();
          await tx.update(sessions).set({ revokedAt: r.revokedAt }).where(eq(sessions.id, id));
        }
        return toSession(r);
      });
    },
    revokeUserSessions(userId) {
      return writer.write(async (tx) => {
        const live = await tx.update(sessions).set({ revokedAt: now() }).where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt))).returning({ id: sessions.id });
        return live.length;
      });
    },
    createMagicLink({ email, displayName, ttlMs }) {
      return writer.write(async (tx) => {
        const token = newSecret("mgt");
        const row = { id: newId("mlk"), email: email.toLowerCase(), displayName: displayName ?? null, tokenHash: hashSecret(token), createdAt: now(), expiresAt: inMs(ttlMs), consumedAt: null };
        await tx.insert(magicLinks).values(row);
        return { id: row.id, token, expires_at: row.expiresAt };
      });
    },
    consumeMagicLink(token) {
      return writer.write(async (tx) => {
        const hash = hashSecret(token);
        // Locked: of two processes consuming the same link at once, the second sees it used.
        const link = await first(tx.select().from(magicLinks).where(eq(magicLinks.tokenHash, hash)).for("update"));
        if (!link || !sameHash(link.tokenHash, hash) || link.consumedAt || link.expiresAt <= now()) return null;
        await tx.update(magicLinks).set({ consumedAt: now() }).where(eq(magicLinks.id, link.id));
        const existing = await first(tx.select().from(users).where(and(eq(users.email, link.email), isNull(users.deletedAt))));
        if (existing) return { user: toUser(existing), created: false };
        const name = link.displayName?.trim() || link.email.split("@")[0]!;
        const row = {
          id: newId("usr"), kind: "human" as const, ownerUserId: null, displayName: name.slice(0, 80), handle: await freeHandle(tx, handleFrom(name)),
          email: link.email, avatarUrl: null, githubId: null, passwordHash: null, timeZone: null, createdAt: now(), deletedAt: null, version: 0,
        };
        await tx.insert(users).values(row);
        return { user: toUser(row), created: true };
      });
    },
    saveOAuthState({ state, codeVerifier, returnTo, ttlMs }) {
      return writer.write(async (tx) => {
        await tx.insert(oauthStates).values({ stateHash: hashSecret(state), codeVerifier, returnTo, createdAt: now(), expiresAt: inMs(ttlMs) });
      });
    },
    takeOAuthState(state) {
      return writer.write(async (tx) => {
        const hash = hashSecret(state);
        const row = await first(tx.delete(oauthStates).where(and(eq(oauthStates.stateHash, hash), gt(oauthStates.expiresAt, now()))).returning());
        return row ? { codeVerifier: row.codeVerifier, returnTo: row.returnTo } : null;
      });
    },
    async userByGithubId(githubId) {
      const r = await first(db.select().from(users).where(and(eq(users.githubId, githubId), isNull(users.deletedAt))));
      return r ? toUser(r) : null;
    },
    linkGithub(userId, githubId) {
      return writer.write(async (tx) => {
        await tx.update(users).set({ githubId }).where(eq(users.id, userId));
      });
    },
    unlinkGithub(userId, opts) {
      return writer.write(async (tx) => {
        // The row lock: a password cleared at the same moment cannot leave the person with no way in.
        const u = await first(tx.select().from(users).where(and(eq(users.id, userId), isNull(users.deletedAt))).for("update"));
        if (!u?.githubId) throw notFound("GitHub link");
        assertAnotherWayIn({ email: opts.emailSignsIn && Boolean(u.email), password: opts.passwordSignsIn && Boolean(u.passwordHash) });
        await tx.update(users).set({ githubId: null }).where(eq(users.id, userId));
      });
    },
    async signInFacts(userId) {
      const u = await first(db.select().from(users).where(and(eq(users.id, userId), isNull(users.deletedAt))));
      return u ? { githubId: u.githubId, email: u.email, password: Boolean(u.passwordHash) } : null;
    },
    async passwordHash(userId) {
      return (await first(db.select({ hash: users.passwordHash }).from(users).where(and(eq(users.id, userId), isNull(users.deletedAt)))))?.hash ?? null;
    },
    setPasswordHash(userId, hash) {
      return writer.write(async (tx) => {
        const r = await first(tx.update(users).set({ passwordHash: hash }).where(and(eq(users.id, userId), isNull(users.deletedAt))).returning({ id: users.id }));
        if (!r) throw notFound("user");
      });
    },
  };
}
