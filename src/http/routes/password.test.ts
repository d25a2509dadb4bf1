// Opt-in password sign-in through a real server on each store: the operator sets a password with
// the admin CLI, the person signs in, changes it, and guessers are slowed down.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { setPassword } from "../../access/passwords.ts";
import { client, startTestServer, type TestServer } from "../../testing/harness.ts";
import { forEachStore } from "../../testing/stores.ts";

// argon2id is slow on purpose, and this machine is shared.
setDefaultTimeout(30_000);

const MAIN = join(import.meta.dir, "..", "..", "main.ts");
const anon = (s: TestServer) => client(s.url);

forEachStore((kind) => {
  describe("password sign-in (--password-auth)", () => {
    let server: TestServer;
    let ada: { id: string; handle: string };
    beforeAll(async () => {
      // Behind a "proxy" (this machine), so tests can speak from several client addresses.
      server = await startTestServer(["--password-auth", "--trusted-proxy", "127.0.0.1/32"], { store: kind, dev: false });
      ada = await server.store.users.create({ kind: "human", displayName: "Ada", handle: "ada", email: "ada@example.com" });
    });
    afterAll(() => server.close());

    test("admin user set-password reads the password from stdin; login by email or handle sets a session", async () => {
      const p = Bun.spawn(["bun", MAIN, "admin", "user", "set-password", "--email", "ADA@example.com", ...server.dbArgs], { stdin: new Blob(["correct horse battery\n"]), stdout: "pipe", stderr: "pipe" });
      const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
      expect({ code, err }).toEqual({ code: 0, err: "" });
      expect(out).toContain("password set for @ada");
      expect(await server.store.identity.passwordHash(ada.id)).toStartWith("$argon2id$");

      const byEmail = await anon(server).post("/api/auth/password/login", { email: "ada@example.com", password: "correct horse battery" });
      expect(byEmail.status).toBe(200);
      expect(byEmail.headers.get("set-cookie")).toStartWith("cc_session=");
      expect((await client(server.url, { token: byEmail.body.token }).get("/api/me")).body.user.id).toBe(ada.id);
      const byHandle = await anon(server).post("/api/auth/password/login", { handle: "@ada", password: "correct horse battery" });
      expect(byHandle.status).toBe(200);
    });

    test("a wrong password or an unknown account is 401 invalid_credentials, without a cookie", async () => {
      for (const body of [{ email: "ada@example.com", password: "wrong password!" }, { email: "nobody@example.com", password: "correct horse battery" }]) {
        const r = await anon(server).post("/api/auth/password/login", body);
        expect(r.status).toBe(401);
        expect(r.body.code).toBe("invalid_credentials");
        expect(r.headers.get("set-cookie")).toBeNull();
      }
      // Either email or handle, not both, not neither.
      expect((await anon(server).post("/api/auth/password/login", { password: "x" })).status).toBe(400);
    });

    test("change needs the current password and a long enough new one; the old one stops working", async () => {
      const token = (await anon(server).post("/api/auth/password/login", { email: "ada@example.com", password: "correct horse battery" })).body.token;
      const me = client(server.url, { token });
      expect((await me.post("/api/auth/password/change", { current: "not it at all", new: "a brand new secret" })).body.code).toBe("invalid_credentials");
      expect((await me.post("/api/auth/password/change", { current: "correct horse battery", new: "short" })).body.code).toBe("password_too_short");
      expect((await me.post("/api/auth/password/change", { current: "correct horse battery", new: "a brand new secret" })).status).toBe(200);
      expect((await anon(server).post("/api/auth/password/login", { email: "ada@example.com", password: "correct horse battery" })).status).toBe(401);
      expect((await anon(server).post("/api/auth/password/login", { email: "ada@example.com", password: "a brand new secret" })).status).toBe(200);
      // Nobody signed in: no change.
      expect((await anon(server).post("/api/auth/password/change", { current: "a brand new secret", new: "another new secret" })).status).toBe(401);
    });

    const from = (address: string) => client(server.url, { headers: { "x-forwarded-for": address } });

    test("failures for one account from many addresses are refused with 429 and Retry-After, even with the right password then", async () => {
      const grace = await server.store.users.create({ kind: "human", displayName: "Grace", handle: "grace", email: "grace@example.com" });
      await setPassword(server.store, grace.id, "grace's own password");
      let r: Awaited<ReturnType<ReturnType<typeof anon>["post"]>> | undefined;
      for (let i = 0; i < 15 && r?.status !== 429; i++) r = await from(`203.0.113.${i + 1}`).post("/api/auth/password/login", { email: "grace@example.com", password: `guess number ${i}` });
      expect(r!.status).toBe(429);
      expect(Number(r!.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await from("203.0.113.99").post("/api/auth/password/login", { email: "grace@example.com", password: "grace's own password" })).status).toBe(429);
    });

    test("failures from one address across many accounts are refused with 429 for that address only", async () => {
      let r: Awaited<ReturnType<ReturnType<typeof anon>["post"]>> | undefined;
      for (let i = 0; i < 15 && r?.status !== 429; i++) r = await from("198.51.100.7").post("/api/auth/password/login", { email: `someone${i}@example.com`, password: "a guess at it" });
      expect(r!.status).toBe(429);
      expect(Number(r!.headers.get("retry-after"))).toBeGreaterThan(0);
      const lin = await server.store.users.create({ kind: "human", displayName: "Lin", handle: "lin", email: "lin@example.com" });
      await setPassword(server.store, lin.id, "lin's own password");
      expect((await from("198.51.100.7").post("/api/auth/password/login", { email: "lin@example.com", password: "lin's own password" })).status).toBe(429);
      expect((await from("198.51.100.8").post("/api/auth/password/login", { email: "lin@example.com", password: "lin's own password" })).status).toBe(200);
    });
  });
});

describe("password sign-in switched off (the default)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer([], { dev: false });
  });
  afterAll(() => server.close());

  test("login and change answer 404 password_auth_disabled; providers says false", async () => {
    const u = await server.store.users.create({ kind: "human", displayName: "Lin", handle: "lin", email: "lin@example.com" });
    await setPassword(server.store, u.id, "a password set before");
    const login = await anon(server).post("/api/auth/password/login", { email: "lin@example.com", password: "a password set before" });
    expect(login.status).toBe(404);
    expect(login.body.code).toBe("password_auth_disabled");
    const token = (await server.store.identity.createSession(u.id, 60_000)).token;
    const change = await client(server.url, { token }).post("/api/auth/password/change", { current: "a password set before", new: "something else entirely" });
    expect(change.body.code).toBe("password_auth_disabled");
    expect((await anon(server).get("/api/auth/providers")).body.password).toBe(false);
  });
});
