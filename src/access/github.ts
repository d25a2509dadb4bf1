// GitHub OAuth sign-in: the authorization URL (state + PKCE S256), the code exchange, the profile
// and org look-ups, and mapping a GitHub account onto a ClickClack user and workspace membership.
// Every GitHub failure becomes a 502 `github_error` whose message names the step that failed but
// never carries the access token, the client secret or GitHub's raw response body.
import { AppError, forbidden } from "../chat/errors.ts";
import { avatarPath, avatarUploadId, AVATAR_TYPES } from "../chat/avatars.ts";
import { cleanedDisplayName } from "../chat/names.ts";
import type { Role, User, Workspace } from "../chat/types.ts";
import type { Config } from "../config/config.ts";
import type { Store } from "../store/store.ts";

export type GithubConfig = NonNullable<Config["github"]>;

export const OAUTH_STATE_TTL_MS = 10 * 60_000;
export const GITHUB_SCOPES = "read:user user:email read:org";
export const CALLBACK_PATH = "/api/auth/github/callback";
export const DEFAULT_RETURN_TO = "/app";
/** A hung GitHub must not hold a sign-in request (and its socket) forever. */
const GITHUB_TIMEOUT_MS = 10_000;
/** /user/orgs pages of 100; ten pages is more orgs than anyone sensibly belongs to. */
const ORG_PAGES_MAX = 10;

export const githubError = (message: string) => new AppError(502, "github_error", message);

// --- The authorization request -------------------------------------------------------------

const randomToken = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");

/** RFC 7636 S256: base64url(SHA-256(verifier)), unpadded. */
export function pkceChallenge(verifier: string): string {
  return new Bun.CryptoHasher("sha256").update(verifier).digest("base64url");
}

/** A fresh state and code verifier (43 base64url characters each: 256 bits). */
export function newAuthorization(): { state: string; codeVerifier: string; codeChallenge: string } {
  const codeVerifier = randomToken();
  return { state: randomToken(), codeVerifier, codeChallenge: pkceChallenge(codeVerifier) };
}

/**
 * Only a same-site path may be a post-sign-in destination: `//host` and `/\host` are
 * protocol-relative in browsers, so they would turn the sign-in into an open redirect.
 */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value || value.length > 2000) return DEFAULT_RETURN_TO;
  if (!value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return DEFAULT_RETURN_TO;
  if (/[\u0000-\u001f\u007f]/.test(value)) return DEFAULT_RETURN_TO;
  return value;
}

/** The callback URL GitHub sends the browser back to; must be identical at both ends of the flow. */
export function redirectUri(publicUrl: string | null, request: Request): string {
  const base = publicUrl ? publicUrl.replace(/\/+$/, "") : new URL(request.url).origin;
  return `${base}${CALLBACK_PATH}`;
}

export function authorizeUrl(gh: GithubConfig, p: { redirectUri: string; state: string; codeChallenge: string }): string {
  const url = new URL(`${gh.webUrl}/login/oauth/authorize`);
  url.searchParams.set("client_id", gh.clientId);
  url.searchParams.set("redirect_uri", p.redirectUri);
  url.searchParams.set("scope", GITHUB_SCOPES);
  url.searchParams.set("state", p.state);
  url.searchParams.set("code_challenge", p.codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("allow_signup", "true");
  return url.toString();
}

// --- Talking to GitHub ---------------------------------------------------------------------

/** fetch with a deadline; a network failure is GitHub's failure (502), not ours (500). */
async function githubFetch(step: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: "error", signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS) });
  } catch (err) {
    const why = (err as Error)?.name === "TimeoutError" ? `no answer within ${GITHUB_TIMEOUT_MS / 1000} s` : "could not connect";
    throw githubError(`GitHub sign-in failed: ${step}: ${why}`);
  }
}

async function jsonBody(step: string, res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    throw githubError(`GitHub sign-in failed: ${step}: the answer was not JSON (HTTP ${res.status})`);
  }
}

/** GitHub error codes are short identifiers; anything else is dropped rather than echoed. */
const errorCode = (v: unknown) => (typeof v === "string" && /^[a-z0-9_]{1,64}$/.test(v) ? v : "unknown_error");

/** Trades the authorization code (plus the PKCE verifier) for an access token. */
export async function exchangeCode(gh: GithubConfig, p: { code: string; redirectUri: string; codeVerifier: string }): Promise<string> {
  const step = "exchanging the code for a token";
  const res = await githubFetch(step, `${gh.webUrl}/login/oauth/access_token`, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "ClickClack" },
    body: new URLSearchParams({
      client_id: gh.clientId,
      client_secret: gh.clientSecret,
      code: p.code,
      redirect_uri: p.redirectUri,
      code_verifier: p.codeVerifier,
    }),
  });
  if (!res.ok) throw githubError(`GitHub sign-in failed: ${step}: HTTP ${res.status}`);
  const body = (await jsonBody(step, res)) as Record<string, unknown> | null;
  // GitHub reports a bad code, verifier or secret as 200 with an `error` field.
  if (body && typeof body === "object" && "error" in body) {
    throw githubError(`GitHub sign-in failed: ${step}: GitHub said ${errorCode(body.error)}; start the sign-in again`);
  }
  const token = body && typeof body === "object" ? body.access_token : undefined;
  if (typeof token !== "string" || token === "") throw githubError(`GitHub sign-in failed: ${step}: no access token in the answer`);
  return token;
}

async function apiGet(gh: GithubConfig, token: string, path: string): Promise<{ status: number; body: unknown }> {
  const step = `reading ${path}`;
  const res = await githubFetch(step, `${gh.apiUrl}${path}`, {
    headers: {
      Accept: "application/vnd.github+json",
      Authorization: `Bearer ${token}`,
      "User-Agent": "ClickClack",
      "X-GitHub-Api-Version": "2022-11-28",
    },
  });
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    return { status: res.status, body: null };
  }
  return { status: res.status, body: await jsonBody(step, res) };
}

async function apiGetOk(gh: GithubConfig, token: string, path: string): Promise<unknown> {
  const r = await apiGet(gh, token, path);
  if (r.status >= 300) throw githubError(`GitHub sign-in failed: reading ${path}: HTTP ${r.status}`);
  return r.body;
}

export interface GithubProfile {
  /** GitHub's numeric user id, as a string: logins can be renamed, ids cannot. */
  id: string;
  login: string;
  name: string | null;
  avatarUrl: string | null;
  /** A verified address only, or null: an unverified one must never link or claim an account. */
  email: string | null;
}

const str = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);

/**
 * The verified email to use: the profile's public email when GitHub confirms it is verified,
 * else the primary verified one. `/user/emails` is always asked, because the public email
 * alone does not say whether it is verified. The list is optional: no list, no email.
 */
async function verifiedEmail(gh: GithubConfig, token: string, publicEmail: string | null): Promise<string | null> {
  const r = await apiGet(gh, token, "/user/emails");
  if (!Array.isArray(r.body)) return null;
  const verified = r.body.filter((e): e is { email: string; primary?: boolean } => e && typeof e.email === "string" && e.verified === true);
  const pick = verified.find((e) => publicEmail && e.email.toLowerCase() === publicEmail.toLowerCase()) ?? verified.find((e) => e.primary === true);
  return pick ? pick.email.toLowerCase() : null;
}

export async function fetchProfile(gh: GithubConfig, token: string): Promise<GithubProfile> {
  const user = (await apiGetOk(gh, token, "/user")) as Record<string, unknown> | null;
  const id = user?.id;
  const login = str(user?.login);
  if (typeof id !== "number" || !Number.isSafeInteger(id) || !login) throw githubError("GitHub sign-in failed: reading /user: no id or login in the answer");
  const avatar = str(user?.avatar_url);
  return {
    id: String(id),
    login,
    name: str(user?.name),
    avatarUrl: avatar && /^https?:\/\//.test(avatar) ? avatar : null,
    email: await verifiedEmail(gh, token, str(user?.email)),
  };
}

/** Lower-cased logins of the user's orgs (org logins compare case-insensitively on GitHub). */
export async function fetchOrgs(gh: GithubConfig, token: string): Promise<Set<string>> {
  const orgs = new Set<string>();
  for (let page = 1; page <= ORG_PAGES_MAX; page++) {
    const body = await apiGetOk(gh, token, `/user/orgs?per_page=100&page=${page}`);
    if (!Array.isArray(body)) throw githubError("GitHub sign-in failed: reading /user/orgs: not a list");
    for (const o of body) if (o && typeof o.login === "string") orgs.add(o.login.toLowerCase());
    if (body.length < 100) break;
  }
  return orgs;
}

// --- Mapping a GitHub account onto ClickClack ----------------------------------------------

const inOrg = (orgs: Set<string> | null, org: string | null) => org !== null && orgs !== null && orgs.has(org.toLowerCase());

/** Refuses outsiders when an allowed org is configured (before anything is written). */
export function checkAllowedOrg(gh: GithubConfig, orgs: Set<string> | null): void {
  if (gh.allowedOrg && !inOrg(orgs, gh.allowedOrg)) {
    throw forbidden(`only members of the GitHub organization ${gh.allowedOrg} may sign in here`, "org_not_allowed");
  }
}

/**
 * The account for this GitHub identity: matched by GitHub id; else an existing user with the same
 * verified email, now linked; else a new human user.
 */
export async function findOrCreateUser(store: Store, profile: GithubProfile): Promise<{ user: User; created: boolean }> {
  const linked = await store.identity.userByGithubId(profile.id);
  if (linked) return { user: linked, created: false };
  const byEmail = profile.email ? await store.users.byEmail(profile.email) : null;
  if (byEmail && byEmail.kind === "human") {
    await store.identity.linkGithub(byEmail.id, profile.id);
    return { user: byEmail, created: false };
  }
  // One write creates and links: a concurrent first sign-in of the same account loses the race
  // with a conflict and finds the winner instead of failing.
  try {
    const user = await store.users.create({
      kind: "human",
      displayName: cleanedDisplayName(profile.name ?? profile.login, profile.login),
      handleBase: profile.login,
      email: profile.email,
      // Never the remote URL: importGithubAvatar copies the picture once the person has a workspace.
      avatarUrl: null,
      githubId: profile.id,
    });
    return { user, created: true };
  } catch (err) {
    const winner = err instanceof AppError && err.code === "github_taken" ? await store.identity.userByGithubId(profile.id) : null;
    if (winner) return { user: winner, created: false };
    throw err;
  }
}

/**
 * The workspace GitHub sign-ins join: the configured slug, else the first by creation.
 */
export async function targetWorkspace(store: Store, gh: GithubConfig): Promise<Workspace | null> {
  if (!gh.workspace) return store.workspaces.first();
  const found = await store.workspaces.bySlug(gh.workspace);
  // Joining some other workspace than the one configured would be worse than refusing.
  if (!found) throw new AppError(503, "github_workspace_missing", `GitHub sign-in is misconfigured: no workspace with slug "${gh.workspace}"`);
  return found;
}

/** With a moderator org, its members moderate and everyone else waits in #guest. */
export function roleFor(gh: GithubConfig, orgs: Set<string> | null): Role {
  if (!gh.moderatorOrg) return "member";
  return inOrg(orgs, gh.moderatorOrg) ? "moderator" : "guest";
}

/**
 * Adds a newcomer with `role`. An existing membership is never downgraded; a guest or member who
 * has since joined the moderator org is promoted, since that org is where moderators are managed.
 */
export async function ensureMembership(store: Store, workspaceId: string, userId: string, role: Role): Promise<Role> {
  const current = await store.workspaces.membership(workspaceId, userId);
  if (!current) return (await store.workspaces.addMember(workspaceId, userId, role)).role;
  if (role === "moderator" && (current.role === "guest" || current.role === "member")) {
    return (await store.workspaces.addMember(workspaceId, userId, "moderator")).role;
  }
  return current.role;
}

/** Stores image bytes as an upload of the person's in a workspace; returns the upload id. */
export type AvatarSaver = (input: { workspaceId: string; ownerId: string; bytes: Blob; nonce: string }) => Promise<{ id: string; content_type: string }>;

const AVATAR_MAX_BYTES = 1024 * 1024;
const AVATAR_FETCH_MS = 5_000;

/** GitHub's avatar host, and the configured GitHub's own hosts (Enterprise serves avatars itself). */
function isGithubAvatarUrl(gh: GithubConfig, url: string): boolean {
  try {
    const u = new URL(url);
    const hosts = new Set(["avatars.githubusercontent.com", new URL(gh.webUrl).host, new URL(gh.apiUrl).host]);
    return (u.protocol === "https:" || u.protocol === "http:") && hosts.has(u.host);
  } catch {
    return false;
  }
}

/**
 * Copies the GitHub avatar into our own storage, so viewers never fetch from a third party.
 * Best effort: a sign-in never fails because a picture could not be copied.
 */
export async function importGithubAvatar(store: Store, gh: GithubConfig, save: AvatarSaver, user: User, workspaceId: string, url: string | null): Promise<User> {
  if (!url || avatarUploadId(user.avatar_url, user.id) || !isGithubAvatarUrl(gh, url)) return user;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(AVATAR_FETCH_MS), redirect: "follow" });
    if (!res.ok || !res.body) return user;
    if (Number(res.headers.get("content-length") ?? 0) > AVATAR_MAX_BYTES) return user;
    const bytes = await res.blob();
    if (bytes.size === 0 || bytes.size > AVATAR_MAX_BYTES) return user;
    const digest = new Bun.CryptoHasher("sha256").update(await bytes.arrayBuffer()).digest("hex").slice(0, 32);
    const upload = await save({ workspaceId, ownerId: user.id, bytes, nonce: `github-avatar:${digest}` });
    if (!AVATAR_TYPES.has(upload.content_type)) return user;
    return await store.users.update(user.id, { avatarUrl: avatarPath(user.id, upload.id) });
  } catch (err) {
    console.warn(`GitHub sign-in: the avatar of @${user.handle} was not copied: ${(err as Error)?.message ?? err}`);
    return user;
  }
}

/** Everything after the state check: token, profile, org gate, user, membership, avatar. */
export async function completeSignIn(store: Store, gh: GithubConfig, p: { code: string; redirectUri: string; codeVerifier: string }, saveAvatar?: AvatarSaver): Promise<User> {
  const token = await exchangeCode(gh, p);
  const profile = await fetchProfile(gh, token);
  const orgs = gh.allowedOrg || gh.moderatorOrg ? await fetchOrgs(gh, token) : null;
  checkAllowedOrg(gh, orgs);
  const workspace = await targetWorkspace(store, gh);
  const { user } = await findOrCreateUser(store, profile);
  if (!workspace) return user;
  await ensureMembership(store, workspace.id, user.id, roleFor(gh, orgs));
  return saveAvatar ? importGithubAvatar(store, gh, saveAvatar, user, workspace.id, profile.avatarUrl) : user;
}
