// Generic OpenID Connect sign-in (authorization code flow with PKCE S256): the discovery
// document, the authorization URL, the code exchange, the ID token check (signature against the
// provider's JWKS, iss, aud, exp, nonce — by `jose`), the domain/group gate and mapping the person
// onto a ClickClack user and membership, shaped like the GitHub gate (src/access/github.ts).
// A provider failure becomes a 502 `oidc_error`; a token that does not check out is a 401
// `invalid_id_token`; a person the gate refuses is a 403. No secret or raw answer is echoed.
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import { AppError, forbidden } from "../chat/errors.ts";
import { LIMITS as CHAT_LIMITS } from "../chat/rules.ts";
import type { Role, User, Workspace } from "../chat/types.ts";
import type { OidcConfig } from "../config/config.ts";
import type { Store } from "../store/store.ts";
import { ensureMembership } from "./github.ts";

export const OIDC_CALLBACK_PATH = "/api/auth/oidc/callback";
const OIDC_TIMEOUT_MS = 10_000;
/** Discovery documents change rarely; re-read hourly so a key or endpoint move is picked up. */
const DISCOVERY_TTL_MS = 3_600_000;

export const oidcError = (message: string) => new AppError(502, "oidc_error", message);
const invalidIdToken = (why: string) => new AppError(401, "invalid_id_token", `the sign-in could not be verified: ${why}; start again`);

/**
 * The nonce is derived from the PKCE verifier, which is already stored server-side with the
 * state and never leaves the server until the token exchange: the ID token must carry a value
 * only this sign-in attempt could predict, without another column to store it.
 */
export function nonceFor(codeVerifier: string): string {
  return new Bun.CryptoHasher("sha256").update(`oidc-nonce:${codeVerifier}`).digest("base64url");
}

export function oidcRedirectUri(publicUrl: string | null, request: Request): string {
  const base = publicUrl ? publicUrl.replace(/\/+$/, "") : new URL(request.url).origin;
  return `${base}${OIDC_CALLBACK_PATH}`;
}

// --- Discovery ------------------------------------------------------------------------------

export interface Discovery {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  /** Basic is the spec's default; post only when the provider offers nothing else. */
  tokenAuth: "basic" | "post";
}

const discoveries = new Map<string, { at: number; doc: Discovery; jwks: ReturnType<typeof createRemoteJWKSet> }>();

async function oidcFetch(step: string, url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: "error", signal: AbortSignal.timeout(OIDC_TIMEOUT_MS) });
  } catch (err) {
    const why = (err as Error)?.name === "TimeoutError" ? `no answer within ${OIDC_TIMEOUT_MS / 1000} s` : "could not connect";
    throw oidcError(`sign-in failed: ${step}: ${why}`);
  }
}

const url = (v: unknown): string | null => {
  if (typeof v !== "string") return null;
  try {
    return new URL(v).toString();
  } catch {
    return null;
  }
};

async function provider(oidc: OidcConfig): Promise<{ doc: Discovery; jwks: ReturnType<typeof createRemoteJWKSet> }> {
  const cached = discoveries.get(oidc.issuer);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached;
  const step = "reading the discovery document";
  const res = await oidcFetch(step, `${oidc.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`);
  if (!res.ok) throw oidcError(`sign-in failed: ${step}: HTTP ${res.status}`);
  const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  // OpenID Connect Discovery 4.3: the document must name exactly the issuer it was read from.
  if (!body || body.issuer !== oidc.issuer) throw oidcError(`sign-in failed: ${step}: its issuer does not match ${oidc.issuer}`);
  const authorizationEndpoint = url(body.authorization_endpoint);
  const tokenEndpoint = url(body.token_endpoint);
  const jwksUri = url(body.jwks_uri);
  if (!authorizationEndpoint || !tokenEndpoint || !jwksUri) throw oidcError(`sign-in failed: ${step}: endpoints missing`);
  const methods = Array.isArray(body.token_endpoint_auth_methods_supported) ? body.token_endpoint_auth_methods_supported : null;
  const tokenAuth = methods && !methods.includes("client_secret_basic") && methods.includes("client_secret_post") ? "post" : "basic";
  const entry = { at: Date.now(), doc: { issuer: oidc.issuer, authorizationEndpoint, tokenEndpoint, jwksUri, tokenAuth } as Discovery, jwks: createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: OIDC_TIMEOUT_MS }) };
  discoveries.set(oidc.issuer, entry);
  return entry;
}

export async function authorizeUrl(oidc: OidcConfig, p: { redirectUri: string; state: string; codeChallenge: string; nonce: string }): Promise<string> {
  const { doc } = await provider(oidc);
  const u = new URL(doc.authorizationEndpoint);
  u.searchParams.set("response_type", "code");
  u.searchParams.set("client_id", oidc.clientId);
  u.searchParams.set("redirect_uri", p.redirectUri);
  u.searchParams.set("scope", "openid email profile");
  u.searchParams.set("state", p.state);
  u.searchParams.set("nonce", p.nonce);
  u.searchParams.set("code_challenge", p.codeChallenge);
  u.searchParams.set("code_challenge_method", "S256");
  return u.toString();
}

// --- The code exchange and the ID token ------------------------------------------------------

async function exchangeCode(oidc: OidcConfig, doc: Discovery, p: { code: string; redirectUri: string; codeVerifier: string }): Promise<string> {
  const step = "exchanging the code for a token";
  const form = new URLSearchParams({ grant_type: "authorization_code", code: p.code, redirect_uri: p.redirectUri, code_verifier: p.codeVerifier });
  const headers: Record<string, string> = { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" };
  if (doc.tokenAuth === "basic") {
    // RFC 6749 2.3.1: both halves form-urlencoded before Basic encoding.
    headers.Authorization = `Basic ${btoa(`${encodeURIComponent(oidc.clientId)}:${encodeURIComponent(oidc.clientSecret)}`)}`;
  } else {
    form.set("client_id", oidc.clientId);
    form.set("client_secret", oidc.clientSecret);
  }
  const res = await oidcFetch(step, doc.tokenEndpoint, { method: "POST", headers, body: form });
  const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (!res.ok) {
    const code = typeof body?.error === "string" && /^[a-z0-9_]{1,64}$/.test(body.error) ? body.error : `HTTP ${res.status}`;
    throw oidcError(`sign-in failed: ${step}: the provider said ${code}`);
  }
  if (typeof body?.id_token !== "string") throw oidcError(`sign-in failed: ${step}: no ID token in the answer`);
  return body.id_token;
}

/** Signature (JWKS), iss, aud, exp by jose; then the nonce of this very attempt. */
export async function verifyIdToken(oidc: OidcConfig, idToken: string, nonce: string): Promise<JWTPayload> {
  const { doc, jwks } = await provider(oidc);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, jwks, { issuer: doc.issuer, audience: oidc.clientId, clockTolerance: 30, requiredClaims: ["sub", "exp", "iat"] }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw invalidIdToken("the ID token has expired");
    if (err instanceof joseErrors.JWTClaimValidationFailed) throw invalidIdToken(`the ID token's ${err.claim} claim is wrong`);
    if (err instanceof joseErrors.JOSEError) throw invalidIdToken(`the ID token is not valid (${err.code})`);
    throw oidcError("sign-in failed: reading the provider's keys");
  }
  if (payload.nonce !== nonce) throw invalidIdToken("the ID token's nonce does not match this sign-in");
  return payload;
}

// --- The gate and the account ----------------------------------------------------------------

export interface OidcPerson {
  subject: string;
  email: string;
  name: string | null;
  groups: Set<string>;
}

export function personFrom(oidc: OidcConfig, claims: JWTPayload): OidcPerson {
  const email = typeof claims.email === "string" ? claims.email.trim().toLowerCase() : "";
  if (!/^[^\s@]{1,64}@[^\s@]{1,255}$/.test(email)) throw forbidden("the provider did not share an email address", "email_required");
  // Accounts are matched by email, so an address the provider says is unverified must not count.
  // Some providers (Azure AD) omit the claim: the gate then trusts the configured domain.
  if (claims.email_verified === false) throw forbidden("the provider says this email address is not verified", "email_not_verified");
  const raw = claims[oidc.groupsClaim];
  const groups = new Set(Array.isArray(raw) ? raw.filter((g): g is string => typeof g === "string") : typeof raw === "string" ? [raw] : []);
  const name = typeof claims.name === "string" && claims.name.trim() ? claims.name.trim() : null;
  return { subject: String(claims.sub), email, name, groups };
}

/** Refuses people outside the allowed domains or without the required group, before any write. */
export function checkGate(oidc: OidcConfig, person: OidcPerson): void {
  const domain = person.email.slice(person.email.lastIndexOf("@") + 1);
  if (oidc.allowedDomains.length > 0 && !oidc.allowedDomains.includes(domain)) {
    throw forbidden(`only addresses at ${oidc.allowedDomains.join(", ")} may sign in here`, "domain_not_allowed");
  }
  if (oidc.requiredGroup && !person.groups.has(oidc.requiredGroup)) {
    throw forbidden(`only members of the group ${oidc.requiredGroup} may sign in here`, "group_required");
  }
}

/** With a moderator group, its members moderate and everyone else waits in #guest. */
export function roleFor(oidc: OidcConfig, person: OidcPerson): Role {
  if (!oidc.moderatorGroup) return "member";
  return person.groups.has(oidc.moderatorGroup) ? "moderator" : "guest";
}

/** The person with this (verified, gated) address, or a new human user. */
async function findOrCreateUser(store: Store, person: OidcPerson): Promise<User> {
  const existing = await store.users.byEmail(person.email);
  if (existing) {
    if (existing.kind !== "human") throw forbidden("this address belongs to a bot", "forbidden");
    return existing;
  }
  const local = person.email.slice(0, person.email.indexOf("@"));
  try {
    return await store.users.create({ kind: "human", displayName: (person.name ?? local).slice(0, CHAT_LIMITS.displayNameMax), handleBase: local, email: person.email });
  } catch (err) {
    // Two first sign-ins at once: the loser finds the winner.
    const winner = await store.users.byEmail(person.email);
    if (winner) return winner;
    throw err;
  }
}

async function targetWorkspace(store: Store, oidc: OidcConfig): Promise<Workspace | null> {
  if (!oidc.workspace) return store.workspaces.first();
  const found = await store.workspaces.bySlug(oidc.workspace);
  if (!found) throw new AppError(503, "oidc_workspace_missing", `OIDC sign-in is misconfigured: no workspace with slug "${oidc.workspace}"`);
  return found;
}

/** Everything after the state check: token, ID token check, gate, user, membership. */
export async function completeSignIn(store: Store, oidc: OidcConfig, p: { code: string; redirectUri: string; codeVerifier: string }): Promise<User> {
  const { doc } = await provider(oidc);
  const idToken = await exchangeCode(oidc, doc, p);
  const person = personFrom(oidc, await verifyIdToken(oidc, idToken, nonceFor(p.codeVerifier)));
  checkGate(oidc, person);
  const workspace = await targetWorkspace(store, oidc);
  const user = await findOrCreateUser(store, person);
  if (workspace) await ensureMembership(store, workspace.id, user.id, roleFor(oidc, person));
  return user;
}
