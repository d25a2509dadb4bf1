// OpenID Connect sign-in end to end: a real ClickClack server talking to a local OIDC provider
// (src/testing/fake-oidc.ts) over HTTP; the browser's redirects are followed by hand.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { client, seedTeam, startTestServer, type TestServer } from "../testing/harness.ts";
import { FakeOidc, type FakeOidcPerson } from "../testing/fake-oidc.ts";
import { forEachStore } from "../testing/stores.ts";

const provider = new FakeOidc();
beforeAll(() => provider.start());
afterAll(() => provider.stop());
afterEach(() => {
  provider.spoil = {};
});

const get = (url: string) => fetch(url, { redirect: "manual" });

async function signIn(server: TestServer, person: FakeOidcPerson, returnTo?: string) {
  provider.signedIn = person;
  const q = returnTo === undefined ? "" : `?return_to=${encodeURIComponent(returnTo)}`;
  const start = await get(`${server.url}/api/auth/oidc/start${q}`);
  expect(start.status).toBe(302);
  const authorizeUrl = new URL(start.headers.get("location")!);
  const back = await get(authorizeUrl.toString());
  expect(back.status).toBe(302);
  const callbackUrl = new URL(back.headers.get("location")!);
  const r = await get(callbackUrl.toString());
  const text = await r.text();
  return { status: r.status, location: r.headers.get("location"), cookie: r.headers.get("set-cookie")?.split(";")[0] ?? null, body: text ? JSON.parse(text) : null, authorizeUrl, callbackUrl };
}

const me = async (server: TestServer, cookie: string) => (await client(server.url, { headers: { cookie } }).get("/api/me")).body.user;

forEachStore((kind) => {
  describe("OpenID Connect sign-in", () => {
    let server: TestServer;
    let team: Awaited<ReturnType<typeof seedTeam>>;
    beforeAll(async () => {
      server = await startTestServer([...provider.flags({ allowedDomains: "example.com", moderatorGroup: "chat-mods" })], { store: kind });
      team = await seedTeam(server);
    });
    afterAll(() => server.close());

    test("the round trip signs a new person in with a session cookie and joins them to the workspace", async () => {
      const res = await signIn(server, { sub: "u-1", email: "Grace@Example.com", name: "Grace Hopper", email_verified: true, groups: ["chat-mods"] }, "/app/c/x");
      expect(res.status).toBe(302);
      expect(res.location).toBe("/app/c/x");
      const q = res.authorizeUrl.searchParams;
      expect(q.get("code_challenge_method")).toBe("S256");
      expect(q.get("nonce")).toBeTruthy();
      expect(q.get("redirect_uri")).toBe(`${server.url}/api/auth/oidc/callback`);
      expect(res.cookie).toStartWith("cc_session=");
      const user = await me(server, res.cookie!);
      expect(user.display_name).toBe("Grace Hopper");
      expect((await server.store.users.byEmail("grace@example.com"))?.id).toBe(user.id);
      const membership = await server.store.workspaces.membership(team.workspace.id, user.id);
      expect(membership?.role).toBe("moderator");
      // A second sign-in finds the same person.
      const again = await signIn(server, { sub: "u-1", email: "grace@example.com", groups: [] });
      expect((await me(server, again.cookie!)).id).toBe(user.id);
    });

    test("the state is single use: replaying the callback is refused", async () => {
      const res = await signIn(server, { sub: "u-2", email: "lin@example.com" });
      expect(res.status).toBe(302);
      const replay = await get(res.callbackUrl.toString());
      expect(replay.status).toBe(400);
      expect((await replay.json()).code).toBe("invalid_oauth_state");
      expect(replay.headers.get("set-cookie")).toBeNull();
    });

    const refusals: [string, () => void, FakeOidcPerson, number, string][] = [
      ["a wrong nonce", () => (provider.spoil = { wrongNonce: true }), { sub: "u-3", email: "n@example.com" }, 401, "invalid_id_token"],
      ["an expired ID token", () => (provider.spoil = { expired: true }), { sub: "u-4", email: "e@example.com" }, 401, "invalid_id_token"],
      ["a token for another client", () => (provider.spoil = { wrongAudience: true }), { sub: "u-5", email: "a@example.com" }, 401, "invalid_id_token"],
      ["a token signed with a key not in the JWKS", () => (provider.spoil = { foreignKey: true }), { sub: "u-6", email: "k@example.com" }, 401, "invalid_id_token"],
      ["an address at another domain", () => {}, { sub: "u-7", email: "mallory@evil.example" }, 403, "domain_not_allowed"],
      ["an unverified address", () => {}, { sub: "u-8", email: "v@example.com", email_verified: false }, 403, "email_not_verified"],
    ];
    for (const [what, spoil, person, status, code] of refusals) {
      test(`${what} is refused with ${status} ${code} and no session, nobody created`, async () => {
        spoil();
        const res = await signIn(server, person);
        expect(res.status).toBe(status);
        expect(res.body.code).toBe(code);
        expect(res.cookie).toBeNull();
        expect(await server.store.users.byEmail(person.email)).toBeNull();
      });
    }
  });
});

describe("OpenID Connect gates and switches", () => {
  const servers: TestServer[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));
  const serverWith = async (args: string[]) => {
    const s = await startTestServer(args);
    servers.push(s);
    await seedTeam(s);
    return s;
  };

  test("a required group refuses people without it and admits those with it", async () => {
    const server = await serverWith(provider.flags({ requiredGroup: "staff" }));
    const out = await signIn(server, { sub: "g-1", email: "out@anywhere.example", groups: ["other"] });
    expect(out.status).toBe(403);
    expect(out.body.code).toBe("group_required");
    const inside = await signIn(server, { sub: "g-2", email: "in@anywhere.example", groups: ["staff"] });
    expect(inside.status).toBe(302);
    expect(inside.cookie).toStartWith("cc_session=");
  });

  test("without configuration the routes answer 404 oidc_disabled and providers says null", async () => {
    const server = await serverWith([]);
    const r = await get(`${server.url}/api/auth/oidc/start`);
    expect(r.status).toBe(404);
    expect((await r.json()).code).toBe("oidc_disabled");
    expect((await client(server.url).get("/api/auth/providers")).body.oidc).toBeNull();
  });

  test("providers names the configured provider for the sign-in button", async () => {
    const server = await serverWith(provider.flags({ allowedDomains: "example.com" }));
    expect((await client(server.url).get("/api/auth/providers")).body.oidc).toEqual({ name: "Fake SSO" });
  });
});
