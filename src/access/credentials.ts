// Credential resolvers: Bearer tokens (bot `ccb_`, session `sst_`) and the `cc_session` cookie,
// with the CSRF rule for cookie-authenticated writes.
import { AppError, forbidden, unauthenticated } from "../chat/errors.ts";
import { clientAddress } from "../http/client-info.ts";
import type { User } from "../chat/types.ts";
import type { BotToken, Store } from "../store/store.ts";
import type { Actor, CredentialResolver, Scope } from "./actor.ts";
import { LIMITS, type RateLimiter } from "./rate-limit.ts";
import { scopeCeiling } from "./scopes.ts";

export const SESSION_COOKIE = "cc_session";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Every value of a cookie, so a duplicate (a classic fixation trick) can be refused. */
export function cookieValues(header: string | null, name: string): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) out.push(decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return out;
}

/** An unsafe cookie request must say so explicitly and come from our own origin. */
function checkCsrf(request: Request, publicUrl: string | null): void {
  if (SAFE_METHODS.has(request.method)) return;
  if (request.headers.get("x-clickclack-csrf") !== "1") throw forbidden("cross-site session requests are not allowed: send X-ClickClack-CSRF: 1", "csrf");
  const origin = request.headers.get("origin");
  if (origin) {
    const own = new Set([new URL(request.url).origin]);
    if (publicUrl) own.add(new URL(publicUrl).origin);
    if (!own.has(origin)) throw forbidden("cross-site session requests are not allowed", "csrf");
  }
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") throw forbidden("cross-site session requests are not allowed", "csrf");
}

/**
 * A bot token's actor. A user-owned bot acts with no more than its owner may: the token's scopes
 * are bounded by the owner's role as it is now (roles change after a token is minted).
 */
export async function botActor(store: Store, user: User, token: BotToken): Promise<Actor> {
  const tokenScopes = new Set(token.scopes as Scope[]);
  const actor: Actor = { user, via: "bot_token", scopes: tokenScopes, tokenScopes, tokenWorkspaceId: token.workspace_id, credentialId: token.id };
  if (user.owner_user_id) {
    const owner = await store.workspaces.membership(token.workspace_id, user.owner_user_id);
    const ceiling = scopeCeiling(owner?.role ?? null);
    actor.ownerRole = owner?.role ?? null;
    actor.scopes = new Set([...tokenScopes].filter((s) => ceiling.has(s)));
  }
  return actor;
}

/**
 * The actor behind a credential an open socket was opened with, as it stands now: null once the
 * session is revoked or expired, the token revoked, or the user gone. Sockets are re-checked with
 * this, so a change made anywhere (the API, the admin CLI in another process) reaches them.
 */
export async function currentActor(store: Store, opened: { userId: string; via: Actor["via"]; credentialId?: string }): Promise<Actor | null> {
  const user = await store.users.get(opened.userId);
  if (!user) return null;
  if (opened.via === "dev" || !opened.credentialId) return { user, via: opened.via };
  if (opened.via === "bot_token") {
    const token = await store.bots.token(opened.credentialId);
    return token && !token.revoked_at ? botActor(store, user, token) : null;
  }
  const session = await store.identity.session(opened.credentialId);
  if (!session || session.revoked_at || session.expires_at <= new Date().toISOString()) return null;
  return { user, via: opened.via, credentialId: session.id, expiresAt: session.expires_at };
}

export function tokenResolvers(store: Store, limiter: RateLimiter, publicUrl: string | null): CredentialResolver {
  async function fromToken(token: string, via: Actor["via"]): Promise<Actor | null> {
    if (token.startsWith("ccb_")) {
      const found = await store.bots.byToken(token);
      if (!found) return null;
      return botActor(store, found.user, found.token);
    }
    if (token.startsWith("sst_")) {
      const found = await store.identity.sessionByToken(token);
      if (!found) return null;
      return { user: found.user, via, credentialId: found.session.id, expiresAt: found.session.expires_at };
    }
    return null;
  }

  return async (request) => {
    const ip = clientAddress(request) ?? "unknown";
    const authorization = request.headers.get("authorization");
    if (authorization) {
      const m = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!m) throw unauthenticated("Authorization must be: Bearer <token>");
      const actor = await fromToken(m[1]!, "session");
      if (!actor) {
        // Only failures are counted and only failures are slowed: a valid token is never
        // locked out because someone else behind the same address keeps guessing.
        limiter.hit(`token-fail:${ip}`, LIMITS.tokenFailures);
        throw new AppError(401, "invalid_token", "the token is invalid, expired or revoked");
      }
      return actor;
    }
    const cookies = cookieValues(request.headers.get("cookie"), SESSION_COOKIE);
    if (cookies.length > 1) throw new AppError(401, "ambiguous_session", "more than one cc_session cookie: sign in again");
    if (cookies.length === 1) {
      const actor = await fromToken(cookies[0]!, "cookie");
      if (!actor || actor.via !== "cookie") throw new AppError(401, "session_expired", "your session has expired: sign in again");
      checkCsrf(request, publicUrl);
      return actor;
    }
    return null;
  };
}

/** The Set-Cookie value for a session; Secure everywhere but plain-HTTP loopback. */
export function sessionCookie(token: string, maxAgeSeconds: number, request: Request): string {
  const url = new URL(request.url);
  const loopback = url.protocol === "http:" && /^(localhost|127\.|\[::1\])/.test(url.host);
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${loopback ? "" : "; Secure"}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}
