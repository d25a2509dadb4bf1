// Credential resolvers: Bearer tokens (bot `ccb_`, session `sst_`) and the `cc_session` cookie,
// with the CSRF rule for cookie-authenticated writes.
import { AppError, unauthenticated } from "../chat/errors.ts";
import { clientAddress } from "../http/client-info.ts";
import type { User } from "../chat/types.ts";
import type { BotToken, Store } from "../store/store.ts";
import type { Actor, CredentialResolver, Scope } from "./actor.ts";
import { LIMITS, type RateLimiter } from "./rate-limit.ts";
import { assertCsrfSafe, assertOwnOrigin } from "./origin.ts";
import { scopeCeiling } from "./scopes.ts";

export const SESSION_COOKIE = "cc_session";
/**
 * The name when the public URL is https: a `__Host-` cookie is only accepted Secure, host-only and
 * for Path=/, so a sibling subdomain cannot plant one. The plain name is still read.
 */
export const HOST_SESSION_COOKIE = "__Host-cc_session";

/** What decides the session cookie: the public URL (Secure, `__Host-`) and the operator's namespace. */
export type CookieSite = { publicUrl: string | null; cookieNamespace: string | null };

/**
 * The cookie names of a site. Cookies are per host, not per port: two instances on one host (a
 * staging and a production server, say) would sign each other's browsers out; a namespace keeps
 * their sessions apart.
 */
export function sessionCookieNames(site: CookieSite): { plain: string; host: string } {
  const plain = site.cookieNamespace ? `${site.cookieNamespace}_${SESSION_COOKIE}` : SESSION_COOKIE;
  return { plain, host: `__Host-${plain}` };
}

/** Every value of a cookie, so a duplicate (a classic fixation trick) can be refused. */
export function cookieValues(header: string | null, name: string): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      out.push(decodeURIComponent(raw));
    } catch {
      // Malformed percent-encoding: not a token we issued, so it signs nobody in (401).
      out.push("");
    }
  }
  return out;
}

/** The session cookie's values: the `__Host-` one when present, else the plain one. */
function sessionCookieValues(request: Request, site: CookieSite): string[] {
  const header = request.headers.get("cookie");
  const names = sessionCookieNames(site);
  const host = cookieValues(header, names.host);
  return host.length > 0 ? host : cookieValues(header, names.plain);
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

export function tokenResolvers(store: Store, limiter: RateLimiter, site: CookieSite): CredentialResolver {
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
    const cookies = sessionCookieValues(request, site);
    if (cookies.length > 1) throw new AppError(401, "ambiguous_session", `more than one ${sessionCookieNames(site).plain} cookie: sign in again`);
    if (cookies.length === 1) {
      const actor = await fromToken(cookies[0]!, "cookie");
      if (!actor || actor.via !== "cookie") throw new AppError(401, "session_expired", "your session has expired: sign in again");
      assertCsrfSafe(request, site.publicUrl);
      return actor;
    }
    return null;
  };
}

/**
 * Sign-out clears the session cookie even when the browser did not send it (a cross-site form
 * carries no SameSite=Lax cookie, but its response's Set-Cookie still applies): so it obeys the
 * CSRF rule when a cookie is sent, and the same-origin rule when none is. Bearer clients pass.
 */
export function assertSignOutAllowed(request: Request, site: CookieSite): void {
  if (request.headers.has("authorization")) return;
  if (sessionCookieValues(request, site).length > 0) assertCsrfSafe(request, site.publicUrl);
  else assertOwnOrigin(request, site.publicUrl);
}

/** Whether session cookies are Secure: when the public URL is https, else unless plain-HTTP loopback. */
function secureCookies(request: Request, publicUrl: string | null): boolean {
  if (publicUrl) return new URL(publicUrl).protocol === "https:";
  const url = new URL(request.url);
  return !(url.protocol === "http:" && /^(localhost|127\.|\[::1\])/.test(url.host));
}

/**
 * The Set-Cookie value for a session. Behind an HTTPS proxy the request itself may look like
 * plain HTTP to 127.0.0.1; `--public-url` says what the browser sees.
 */
export function sessionCookie(token: string, maxAgeSeconds: number, request: Request, site: CookieSite): string {
  const secure = secureCookies(request, site.publicUrl);
  const names = sessionCookieNames(site);
  const name = secure && site.publicUrl ? names.host : names.plain;
  return `${name}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? "; Secure" : ""}`;
}

/** Clears the session cookie under both names (a __Host- cookie is only cleared Secure). */
export function clearedSessionCookies(request: Request, site: CookieSite): string[] {
  const names = sessionCookieNames(site);
  const secure = secureCookies(request, site.publicUrl);
  const cleared = [`${names.plain}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? "; Secure" : ""}`];
  if (secure) cleared.push(`${names.host}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure`);
  return cleared;
}
