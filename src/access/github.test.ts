// GitHub sign-in end to end: real ClickClack servers talking to a local fake GitHub over HTTP.
// The browser is played by hand: every redirect is followed with `redirect: "manual"`.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { client, seedTeam, startTestServer, type TestServer } from "../testing/harness.ts";
import { FakeGithub } from "../testing/fake-github.ts";
import { pkceChallenge, safeReturnTo } from "./github.ts";

const github = new FakeGithub();
const servers: TestServer[] = [];

async function serverWith(args: string[]): Promise<TestServer> {
  const s = await startTestServer(args);
  servers.push(s);
  return s;
}

beforeAll(() => {
  github.start();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await github.stop();
});

const get = (url: string) => fetch(url, { redirect: "manual" });

/** GET /start and return GitHub's authorize URL from the Location header. */
async function start(server: TestServer, returnTo?: string): Promise<URL> {
  const q = returnTo === undefined ? "" : `?return_to=${encodeURIComponent(returnTo)}`;
  const r = await get(`${server.url}/api/auth/github/start${q}`);
  expect(r.status).toBe(302);
  return new URL(r.headers.get("location")!);
}

/** The fake GitHub's answer to the authorize URL: the callback URL with code and state. */
async function authorize(authorizeUrl: URL): Promise<URL> {
  const r = await get(authorizeUrl.toString());
  if (r.status !== 302) throw new Error(`fake GitHub refused: ${await r.text()}`);
  return new URL(r.headers.get("location")!);
}

async function callback(callbackUrl: URL) {
  const r = await get(callbackUrl.toString());
  const text = await r.text();
  return { status: r.status, location: r.headers.get("location"), setCookie: r.headers.get("set-cookie"), text, body: text ? JSON.parse(text) : null };
}

/** The whole browser dance, signed in at GitHub as `login`. */
async function signIn(server: TestServer, login: string, returnTo?: string) {
  github.signedIn = login;
  const cb = await authorize(await start(server, returnTo));
  const res = await callback(cb);
  const cookie = res.setCookie?.split(";")[0] ?? null;
  return { ...res, cookie, callbackUrl: cb };
}

async function me(server: TestServer, cookie: string | null) {
  // Without a cookie, dev mode would answer as the first user: fail loudly instead.
  if (!cookie) throw new Error("no session cookie: the sign-in failed");
  return (await client(server.url, { headers: { cookie } }).get("/api/me")).body.user;
}

describe("GitHub sign-in (open: no org settings)", () => {
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;
  beforeAll(async () => {
    server = await serverWith(github.flags());
    team = await seedTeam(server);
    github.addUser({ id: 101, login: "Octo-Cat", name: "Octo Cat", avatar_url: github.avatarUrl(101), emails: [{ email: "octo@example.com", primary: true, verified: true }] });
    github.addUser({ id: 102, login: "ada", name: null });
  });

  test("start redirects to GitHub with client id, callback, scopes, state and an S256 challenge", async () => {
    const url = await start(server, "/app/T1/C1");
    expect(`${url.origin}${url.pathname}`).toBe(`${github.url}/login/oauth/authorize`);
    const q = url.searchParams;
    expect(q.get("client_id")).toBe(github.clientId);
    expect(q.get("redirect_uri")).toBe(`${server.url}/api/auth/github/callback`);
    expect(q.get("scope")).toBe("read:user user:email read:org");
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("state")!.length).toBeGreaterThanOrEqual(43);
    expect(url.toString()).not.toContain(github.clientSecret);
  });

  test("full sign-in creates a user and a session; /api/me with the cookie returns them", async () => {
    const r = await signIn(server, "Octo-Cat", "/app/T1/C1?x=1");
    expect(r.status).toBe(302);
    expect(r.location).toBe("/app/T1/C1?x=1");
    expect(r.setCookie).toContain("cc_session=sst_");
    expect(r.setCookie).toContain("HttpOnly");
    expect(`${r.text}${r.location}${r.setCookie}`).not.toContain(github.issuedTokens.at(-1)!);
    const user = await me(server, r.cookie);
    expect(user).toMatchObject({ kind: "human", display_name: "Octo Cat", handle: "octo-cat" });
    // The GitHub picture is copied into our storage and served by us, never linked.
    expect(user.avatar_url).toMatch(new RegExp(`^/api/users/${user.id}/avatar\\?v=upl_`));
    const picture = await client(server.url, { headers: { cookie: r.cookie! } }).get(user.avatar_url!);
    expect(picture.status).toBe(200);
    expect(picture.headers.get("content-type")).toBe("image/png");
    // No moderator org: a plain member of the (only) workspace.
    expect((await server.store.workspaces.membership(team.workspace.id, user.id))?.role).toBe("member");
    expect((await server.store.users.byEmail("octo@example.com"))?.id).toBe(user.id);
  });

  test("a second sign-in matches the GitHub id: same user, even after a login rename", async () => {
    const first = await me(server, (await signIn(server, "Octo-Cat")).cookie);
    const renamed = github.users.get("Octo-Cat")!;
    github.users.delete("Octo-Cat");
    github.addUser({ ...renamed, login: "octo-renamed" });
    const r = await signIn(server, "octo-renamed");
    expect(r.location).toBe("/app");
    expect((await me(server, r.cookie)).id).toBe(first.id);
  });

  test("a new user's handle follows the store's rules (ada is taken → ada2); name falls back to login", async () => {
    const user = await me(server, (await signIn(server, "ada")).cookie);
    expect(user.id).not.toBe(team.users[0]!.id);
    expect(user).toMatchObject({ handle: "ada2", display_name: "ada" });
  });

  test("a verified email links an existing account; an unverified one does not", async () => {
    const existing = await server.store.users.create({ kind: "human", displayName: "Linda", email: "linda@example.com" });
    github.addUser({ id: 103, login: "linda-gh", email: null, emails: [{ email: "Linda@example.com", primary: true, verified: true }] });
    expect((await me(server, (await signIn(server, "linda-gh")).cookie)).id).toBe(existing.id);

    const victim = await server.store.users.create({ kind: "human", displayName: "Vic", email: "vic@example.com" });
    github.addUser({ id: 104, login: "mallory", email: "vic@example.com", emails: [{ email: "vic@example.com", primary: true, verified: false }] });
    const r = await signIn(server, "mallory");
    expect(r.status).toBe(302);
    expect((await me(server, r.cookie)).id).not.toBe(victim.id);
  });

  test("return_to must be a same-site path; anything else falls back to /app", async () => {
    for (const bad of ["//evil.example/x", "https://evil.example/", "/\\evil.example", "app"]) {
      expect((await signIn(server, "ada", bad)).location).toBe("/app");
    }
    expect(safeReturnTo("/app/T1?q=1")).toBe("/app/T1?q=1");
  });

  test("a replayed state is refused", async () => {
    const r = await signIn(server, "ada");
    expect(r.status).toBe(302);
    const again = await callback(r.callbackUrl);
    expect(again.status).toBe(400);
    expect(again.body.code).toBe("invalid_oauth_state");
    expect(again.setCookie).toBeNull();
  });

  test("an expired or unknown state is refused", async () => {
    await server.store.identity.saveOAuthState({ state: "expired-state", codeVerifier: "v".repeat(43), returnTo: null, ttlMs: 1 });
    await Bun.sleep(10);
    const expired = await callback(new URL(`${server.url}/api/auth/github/callback?code=x&state=expired-state`));
    expect(expired.status).toBe(400);
    expect(expired.body.code).toBe("invalid_oauth_state");
    const missing = await callback(new URL(`${server.url}/api/auth/github/callback?code=x`));
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe("invalid_oauth_state");
  });

  test("PKCE: a code redeemed with the wrong verifier is refused by GitHub (502, no session)", async () => {
    github.signedIn = "ada";
    const authorizeUrl = await start(server);
    // A state of our own whose verifier does not match the challenge GitHub saw.
    await server.store.identity.saveOAuthState({ state: "forged-state", codeVerifier: "w".repeat(43), returnTo: null, ttlMs: 60_000 });
    expect(pkceChallenge("w".repeat(43))).not.toBe(authorizeUrl.searchParams.get("code_challenge"));
    authorizeUrl.searchParams.set("state", "forged-state");
    const r = await callback(await authorize(authorizeUrl));
    expect(r.status).toBe(502);
    expect(r.body.code).toBe("github_error");
    expect(github.lastTokenRefusal).toBe("pkce");
    expect(r.setCookie).toBeNull();
  });

  test("GitHub token endpoint errors become 502 github_error, never 500, and leak nothing", async () => {
    for (const failure of [{ status: 500, body: "upstream exploded" }, { status: 200, body: "not json" }, { status: 200, body: JSON.stringify({ error: "bad_verification_code", error_description: "gone" }) }]) {
      github.tokenFailure = failure;
      const r = await signIn(server, "ada");
      expect(r.status).toBe(502);
      expect(r.body.code).toBe("github_error");
      expect(r.body.error).toContain("GitHub");
      expect(r.text).not.toContain(github.clientSecret);
      expect(r.text).not.toContain("upstream exploded");
    }
  });

  test("a user who cancels at GitHub gets a clear refusal", async () => {
    const cb = await authorize(await start(server));
    cb.searchParams.delete("code");
    cb.searchParams.set("error", "access_denied");
    const r = await callback(cb);
    expect(r.status).toBe(403);
    expect(r.body.code).toBe("github_denied");
  });
});

describe("GitHub sign-in with an allowed org", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await serverWith(github.flags({ allowedOrg: "Acme" }));
    await seedTeam(server);
    github.addUser({ id: 201, login: "insider", orgs: ["other", "acme"] });
    github.addUser({ id: 202, login: "outsider", orgs: ["other"] });
  });

  test("members of the org get in (org names compare case-insensitively)", async () => {
    const r = await signIn(server, "insider");
    expect(r.status).toBe(302);
    expect((await me(server, r.cookie)).handle).toBe("insider");
  });

  test("outsiders are refused with 403 org_not_allowed and no account is created", async () => {
    const r = await signIn(server, "outsider");
    expect(r.status).toBe(403);
    expect(r.body.code).toBe("org_not_allowed");
    expect(r.setCookie).toBeNull();
    expect(await server.store.users.byHandle("outsider")).toBeNull();
  });

  test("start is rate-limited per client address", async () => {
    let status = 0;
    for (let i = 0; i < 25 && status !== 429; i++) status = (await get(`${server.url}/api/auth/github/start`)).status;
    expect(status).toBe(429);
  });
});

describe("GitHub sign-in with a moderator org", () => {
  let server: TestServer;
  let communityId: string;
  beforeAll(async () => {
    server = await serverWith(github.flags({ moderatorOrg: "acme-mods", workspace: "community" }));
    // One owner: the store finds workspaces through its first human (see targetWorkspace).
    const owner = await server.store.users.create({ kind: "human", displayName: "Owner" });
    await server.store.workspaces.create({ name: "Team", ownerId: owner.id });
    communityId = (await server.store.workspaces.create({ name: "Community", ownerId: owner.id })).workspace.id;
    github.addUser({ id: 301, login: "mod", orgs: ["acme-mods"] });
    github.addUser({ id: 302, login: "visitor", orgs: [] });
  });

  const roleOf = async (cookie: string | null) => (await server.store.workspaces.membership(communityId, (await me(server, cookie)).id))?.role;

  test("members of the moderator org join the configured workspace as moderators", async () => {
    expect(await roleOf((await signIn(server, "mod")).cookie)).toBe("moderator");
  });

  test("everyone else joins as a guest (the waiting room), and is not downgraded later", async () => {
    const cookie = (await signIn(server, "visitor")).cookie;
    expect(await roleOf(cookie)).toBe("guest");
    // Promoted to member by a moderator: a later sign-in does not put them back in #guest.
    await server.store.workspaces.addMember(communityId, (await me(server, cookie)).id, "member");
    expect(await roleOf((await signIn(server, "visitor")).cookie)).toBe("member");
  });

  test("joining the moderator org later promotes on the next sign-in", async () => {
    github.users.get("visitor")!.orgs = ["acme-mods"];
    expect(await roleOf((await signIn(server, "visitor")).cookie)).toBe("moderator");
  });
});

test("a configured workspace slug that does not exist refuses sign-in (503) instead of joining another", async () => {
  const server = await serverWith(github.flags({ workspace: "nope" }));
  await seedTeam(server);
  const r = await signIn(server, "ada");
  expect(r.status).toBe(503);
  expect(r.body.code).toBe("github_workspace_missing");
});

describe("GitHub sign-in not configured", () => {
  test("both routes answer 404 github_disabled", async () => {
    const server = await serverWith([]);
    for (const path of ["/api/auth/github/start?return_to=/app", "/api/auth/github/callback?code=x&state=y"]) {
      const r = await get(server.url + path);
      expect(r.status).toBe(404);
      expect((await r.json()).code).toBe("github_disabled");
    }
    expect((await client(server.url).get("/api/auth/providers")).body.github).toBe(false);
  });
});
