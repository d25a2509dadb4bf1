// The browser-facing credential rules through the real server (issue 12, items 8, 9, 10, 17, 20):
// the session cookie behind an HTTPS proxy, client addresses behind a trusted proxy, sign-in
// failures, malformed percent-encoding, sign-out and dev mode under the same-origin rule.
import { afterAll, describe, expect, test } from "bun:test";
import { client, seedTeam, startTestServer, type TestServer } from "../testing/harness.ts";

const servers: TestServer[] = [];
async function serverWith(args: string[], dev = false) {
  const s = await startTestServer(args, { dev });
  servers.push(s);
  return s;
}
afterAll(() => Promise.all(servers.map((s) => s.close())));

const EVIL = "http://evil.example";

async function magic(server: TestServer, email: string) {
  return (await server.store.identity.createMagicLink({ email, ttlMs: 60_000 })).token;
}

function consume(server: TestServer, token: string, headers: Record<string, string> = {}) {
  return client(server.url, { headers }).post("/api/auth/magic/consume", { token });
}

describe("item 8: the session cookie behind an HTTPS proxy", () => {
  test("with an https --public-url the cookie is Secure and __Host- even when the request looks like plain loopback", async () => {
    const server = await serverWith(["--public-url", "https://chat.example.com"]);
    const r = await consume(server, await magic(server, "ada@example.com"));
    expect(r.status).toBe(200);
    const setCookie = r.headers.get("set-cookie")!;
    expect(setCookie).toStartWith("__Host-cc_session=sst_");
    expect(setCookie).toContain("; Secure");
    expect(setCookie).toContain("Path=/");
    expect(setCookie).not.toContain("Domain=");
    // The new name signs in; the old name is still read (sessions from before keep working).
    expect((await client(server.url, { cookie: `__Host-cc_session=${r.body.token}` }).get("/api/me")).status).toBe(200);
    expect((await client(server.url, { cookie: `cc_session=${r.body.token}` }).get("/api/me")).status).toBe(200);
    // The __Host- cookie wins over a plain one planted beside it.
    expect((await client(server.url, { cookie: `cc_session=sst_planted; __Host-cc_session=${r.body.token}` }).get("/api/me")).status).toBe(200);
    // Sign-out clears both names.
    const out = await client(server.url, { cookie: `__Host-cc_session=${r.body.token}`, headers: { "x-clickclack-csrf": "1" } }).post("/api/auth/logout");
    expect(out.status).toBe(200);
    const cleared = out.headers.getSetCookie();
    expect(cleared.some((c) => c.startsWith("__Host-cc_session=;") && c.includes("Secure"))).toBe(true);
    expect(cleared.some((c) => c.startsWith("cc_session=;"))).toBe(true);
  });

  test("without --public-url, plain-HTTP loopback keeps the plain cookie (local use)", async () => {
    const server = await serverWith([]);
    const setCookie = (await consume(server, await magic(server, "bob@example.com"))).headers.get("set-cookie")!;
    expect(setCookie).toStartWith("cc_session=sst_");
    expect(setCookie).not.toContain("Secure");
  });
});

describe("--cookie-namespace: two instances on one host keep their sessions apart", () => {
  test("the namespaced cookie signs in; the other instance's plain cookie is not read; sign-out clears the namespaced name", async () => {
    const server = await serverWith(["--cookie-namespace", "staging"]);
    const r = await consume(server, await magic(server, "nina@example.com"));
    expect(r.status).toBe(200);
    expect(r.headers.get("set-cookie")!).toStartWith("staging_cc_session=sst_");
    expect((await client(server.url, { cookie: `staging_cc_session=${r.body.token}` }).get("/api/me")).status).toBe(200);
    // A cookie set by another instance on the same host (plain name) is not this instance's.
    const other = await client(server.url, { cookie: `cc_session=${r.body.token}` }).get("/api/me");
    expect(other.status).toBe(401);
    expect(other.body.code).toBe("unauthenticated");
    const out = await client(server.url, { cookie: `staging_cc_session=${r.body.token}`, headers: { "x-clickclack-csrf": "1" } }).post("/api/auth/logout");
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().some((c) => c.startsWith("staging_cc_session=;"))).toBe(true);
  });
});

describe("item 9: client addresses behind a trusted proxy; sign-in failures", () => {
  test("from a trusted proxy, X-Forwarded-For names the client: one guesser does not lock out the rest", async () => {
    const server = await serverWith(["--trusted-proxy", "127.0.0.1/32,::1"]);
    let last;
    for (let i = 0; i < 11; i++) last = await consume(server, `mgt_guess${i}`, { "x-forwarded-for": "203.0.113.5, 127.0.0.1" });
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another person behind the same proxy signs in.
    expect((await consume(server, await magic(server, "cy@example.com"), { "x-forwarded-for": "203.0.113.6" })).status).toBe(200);
    expect((await consume(server, await magic(server, "dee@example.com"), { forwarded: 'for="203.0.113.7:4711";proto=https' })).status).toBe(200);
    // The guesser stays locked out.
    expect((await consume(server, await magic(server, "eve@example.com"), { "x-forwarded-for": "203.0.113.5" })).status).toBe(429);
  });

  test("from an untrusted peer, X-Forwarded-For is ignored (anyone could forge it)", async () => {
    const server = await serverWith(["--trusted-proxy", "10.0.0.0/8"]);
    for (let i = 0; i < 11; i++) await consume(server, `mgt_guess${i}`, { "x-forwarded-for": `198.51.100.${i}` });
    expect((await consume(server, await magic(server, "fay@example.com"), { "x-forwarded-for": "198.51.100.200" })).status).toBe(429);
  });

  test("successful sign-ins are not counted as failures", async () => {
    const server = await serverWith([]);
    for (let i = 0; i < 12; i++) expect((await consume(server, await magic(server, `p${i}@example.com`))).status).toBe(200);
  });

  test("sign-in links are limited per account too, whatever address asks", async () => {
    const server = await serverWith(["--trusted-proxy", "127.0.0.1/32,::1"], true);
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await client(server.url, { headers: { "x-forwarded-for": `192.0.2.${i}` } }).post("/api/auth/magic/request", { email: "target@example.com" })).status);
    // Forwarded clients are not loopback, so no link is handed out (501); the sixth is refused.
    expect(statuses.slice(0, 5)).toEqual([501, 501, 501, 501, 501]);
    expect(statuses[5]).toBe(429);
  });

  test("a bad --trusted-proxy stops the server with a message", async () => {
    await expect(startTestServer(["--trusted-proxy", "10.0.0.0/33"])).rejects.toThrow(/trustedProxy/);
  });
});

describe("item 10: malformed percent-encoding is a 4xx, never a 500", () => {
  test("a reaction emoji that is not valid percent-encoding is 400; a malformed cookie is 401", async () => {
    const server = await serverWith([]);
    const team = await seedTeam(server);
    const token = (await server.store.identity.createSession(team.users[0]!.id, 60_000)).token;
    const api = client(server.url, { token });
    const msg = (await api.post(`/api/channels/${team.general.id}/messages`, { body: "react to me" })).body.message;
    for (const bad of ["%E0%A4%A", "%", "%zz"]) {
      const r = await api.delete(`/api/messages/${msg.id}/reactions/${bad}`);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe("malformed_path");
    }
    for (const cookie of ["cc_session=%", "cc_session=%E0%A4%A", "__Host-cc_session=%"]) {
      const r = await client(server.url, { cookie }).get("/api/me");
      expect(r.status).toBe(401);
    }
  });
});

describe("item 17: sign-out obeys the CSRF rule", () => {
  test("a cross-site form cannot sign anyone out; the app can", async () => {
    const server = await serverWith([]);
    const r = await consume(server, await magic(server, "gus@example.com"));
    const cookie = `cc_session=${r.body.token}`;
    const signedIn = client(server.url, { cookie });
    // A form post from another site: no CSRF header, a foreign Origin (with or without the cookie).
    const crossSite: Record<string, string>[] = [{ origin: EVIL, "content-type": "application/x-www-form-urlencoded" }, { "sec-fetch-site": "cross-site" }];
    for (const headers of crossSite) {
      for (const who of [signedIn, client(server.url)]) {
        const out = await who.post("/api/auth/logout", "", headers);
        expect(out.status).toBe(403);
        expect(out.body.code).toBe("csrf");
        expect(out.headers.get("set-cookie")).toBeNull();
      }
    }
    expect((await signedIn.get("/api/me")).status).toBe(200);
    // Without the CSRF header, even from our own origin, a cookie sign-out is refused.
    expect((await signedIn.post("/api/auth/logout", undefined, { origin: server.url })).status).toBe(403);
    const out = await signedIn.post("/api/auth/logout", undefined, { origin: server.url, "x-clickclack-csrf": "1" });
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    expect((await signedIn.get("/api/me")).status).toBe(401);
    // Bearer sign-out (SDK, CLI) needs no header: a cross-site page cannot send one.
    const token = (await consume(server, await magic(server, "gus@example.com"))).body.token;
    expect((await client(server.url, { token }).post("/api/auth/logout")).status).toBe(200);
    expect((await client(server.url, { token }).get("/api/me")).status).toBe(401);
  });
});

describe("item 20: dev mode still refuses other origins", () => {
  test("unsafe requests without a credential need our own Origin / Sec-Fetch-Site", async () => {
    const server = await serverWith([], true);
    const team = await seedTeam(server);
    const anon = client(server.url);
    const path = `/api/channels/${team.general.id}/messages`;
    const foreign = await anon.post(path, JSON.stringify({ body: "from a web page" }), { origin: EVIL, "content-type": "text/plain" });
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe("csrf");
    expect((await anon.post(path, { body: "x" }, { "sec-fetch-site": "same-site" })).status).toBe(403);
    expect((await anon.post(path, { body: "x" }, { "sec-fetch-site": "cross-site", "x-clickclack-user": team.users[1]!.id })).status).toBe(403);
    // Our own pages, and scripts (no browser headers), still work in dev.
    expect((await anon.post(path, { body: "from the app" }, { origin: server.url, "sec-fetch-site": "same-origin" })).status).toBe(201);
    expect((await anon.post(path, { body: "from a script" })).status).toBe(201);
    // Reads stay open in dev.
    expect((await anon.get(path, { origin: EVIL })).status).toBe(200);
  });

  test("a WebSocket upgrade from another origin is refused in dev mode", async () => {
    const server = await serverWith([], true);
    const team = await seedTeam(server);
    const url = `${server.url.replace(/^http/, "ws")}/api/realtime/ws?workspace_id=${team.workspace.id}`;
    const outcome = (origin: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(url, { headers: { origin } } as any);
        ws.onopen = () => {
          ws.close();
          resolve("open");
        };
        ws.onerror = () => resolve("refused");
      });
    expect(await outcome(EVIL)).toBe("refused");
    expect(await outcome(server.url)).toBe("open");
  });
});
