import { assertAnotherWayIn } from "../../chat/connected-accounts.ts";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import { newId } from "../../chat/ids.ts";
import { hashSecret, newSecret, sameHash } from "../../chat/secrets.ts";
import { handleFrom } from "../../chat/rules.ts";
import { type IdentityStore, type Session, TOUCH_INTERVAL_MS } from "../store.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { now, toUser } from "../rows.ts";
import { magicLinks, oauthStates, sessions, users } from "./schema.ts";
import { freeHandle } from "./users.ts";

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

function toSession(r: typeof sessions.$inferSelect): Session {
  return { id: r.id, user_id: r.userId, created_at: r.createdAt, expires_at: r.expiresAt, last_used_at: r.lastUsedAt, revoked_at: r.revokedAt };
}


export function sqliteIdentity(db: Db, writer: GroupCommitWriter): IdentityStore {
  // Every authenticated request looks its session up: compiled once.
  const sessionByHash = db.select({ s: sessions, u: users }).from(sessions).innerJoin(users, eq(users.id, sessions.userId)).where(eq(sessions.tokenHash, sql.placeholder("hash"))).prepare();
  return {
    createSession(userId, ttlMs) {
      return writer.write(() => {
        const token = newSecret("sst");
        const row = { id: newId("ses"), userId, tokenHash: hashSecret(token), createdAt: now(), expiresAt: inMs(ttlMs), lastUsedAt: null, revokedAt: null };
        db.insert(sessions).values(row).run();
        return { session: toSession(row), token };
      });
    },
    async sessionByToken(token) {
      const hash = hashSecret(token);
      const r = sessionByHash.get({ hash });
      if (!r || !sameHash(r.s.tokenHash, hash) || r.s.revokedAt || r.s.expiresAt <= now() || r.u.deletedAt) return null;
      if (!r.s.lastUsedAt || Date.parse(r.s.lastUsedAt) < Date.now() - TOUCH_INTERVAL_MS) {
        const at = now();
        r.s.lastUsedAt = at;
        void writer.write(() => db.update(sessions).set({ lastUsedAt: at }).where(eq(sessions.id, r.s.id)).run()).catch(() => {});
      }
      return { session: toSession(r.s), user: toUser(r.u) };
    },
    async session(id) {
      const r = db.select().from(sessions).where(eq(sessions.id, id)).get();
      return r ? toSession(r) : null;
    },
    revokeSession(id) {
      return writer.write(() => {
        const r = db.select().from(sessions).where(eq(sessions.id, id)).get();
        if (!r) return null;
        if (!r.revokedAt) {
          r.revokedAt = now();
          db.update(sessions).set({ revokedAt: r.revokedAt }).where(eq(sessions.id, id)).run();
        }
        return toSession(r);
      });
    },
    revokeUserSessions(userId) {
      return writer.write(() => {
        const live = db.select({ id: sessions.id }).from(sessions).where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt))).all();
        if (live.length) db.update(sessions).set({ revokedAt: now() }).where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt))).run();
        return live.length;
      });
    },
    createMagicLink({ email, displayName, ttlMs }) {
      return writer.write(() => {
        const token = newSecret("mgt");
        const row = { id: newId("mlk"), email: email.toLowerCase(), displayName: displayName ?? null, tokenHash: hashSecret(token), createdAt: now(), expiresAt: inMs(ttlMs), consumedAt: null };
        db.insert(magicLinks).values(row).run();
        return { id: row.id, token, expires_at: row.expiresAt };
      });
    },
    consumeMagicLink(token) {
      return writer.write(() => {
        const hash = hashSecret(token);
        const link = db.select().from(magicLinks).where(eq(magicLinks.tokenHash, hash)).get();
        if (!link || !sameHash(link.tokenHash, hash) || link.consumedAt || link.expiresAt <= now()) return null;
        // Marked used in the same transaction that signs in: two consumes cannot both win.
        db.update(magicLinks).set({ consumedAt: now() }).where(eq(magicLinks.id, link.id)).run();
        const existing = db.select().from(users).where(and(eq(users.email, link.email), isNull(users.deletedAt))).get();
        if (existing) return { user: toUser(existing), created: false };
        const name = link.displayName?.trim() || link.email.split("@")[0]!;
        const row = {
          id: newId("usr"), kind: "human" as const, ownerUserId: null, displayName: name.slice(0, 80), handle: freeHandle(db, handleFrom(name)),
          email: link.email, avatarUrl: null, githubId: null, passwordHash: null, timeZone: null, createdAt: now(), deletedAt: null, version: 0,
        };
        db.insert(users).values(row).run();
        return { user: toUser(row), created: true };
      });
    },
    saveOAuthState({ state, codeVerifier, returnTo, ttlMs }) {
      return writer.write(() => {
        db.insert(oauthStates).values({ stateHash: hashSecret(state), codeVerifier, returnTo, createdAt: now(), expiresAt: inMs(ttlMs) }).run();
      });
    },
    takeOAuthState(state) {
      return writer.write(() => {
        const hash = hashSecret(state);
        const row = db.delete(oauthStates).where(and(eq(oauthStates.stateHash, hash), gt(oauthStates.expiresAt, now()))).returning().get();
        return row ? { codeVerifier: row.codeVerifier, returnTo: row.returnTo } : null;
      });
    },
    async userByGithubId(githubId) {
      const r = db.select().from(users).where(and(eq(users.githubId, githubId), isNull(users.deletedAt))).get();
      return r ? toUser(r) : null;
    },
    linkGithub(userId, githubId) {
      return writer.write(() => {
        db.update(users).set({ githubId }).where(eq(users.id, userId)).run();
      });
    },
    unlinkGithub(userId, opts) {
      return writer.write(() => {
        const u = db.select().from(users).where(and(eq(users.id, userId), isNull(users.deletedAt))).get();
        if (!u?.githubId) throw notFound("GitHub link");
        assertAnotherWayIn({ email: opts.emailSignsIn && Boolean(u.email), password: opts.passwordSignsIn && Boolean(u.passwordHash) });
        db.update(users).set({ githubId: null }).where(eq(users.id, userId)).run();
      });
    },
    async signInFacts(userId) {
      const u = db.select().from(users).where(and(eq(users.id, userId), isNull(users.deletedAt))).get();
      return u ? { githubId: u.githubId, email: u.email, password: Boolean(u.passwordHash) } : null;
    },
    async passwordHash(userId) {
      return db.select({ hash: users.passwordHash }).from(users).where(and(eq(users.id, userId), isNull(users.deletedAt))).get()?.hash ?? null;
    },
    setPasswordHash(userId, hash) {
      return writer.write(() => {
        const r = db.update(users).set({ passwordHash: hash }).where(and(eq(users.id, userId), isNull(users.deletedAt))).returning({ id: users.id }).get();
        if (!r) throw notFound("user");
      });
    },
  };
}
