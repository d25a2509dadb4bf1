// Sign-in by email through a real SMTP exchange: the link arrives at a local SMTP server, is
// parsed like a mail client would, and signs the person in.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeSmtp } from "../../testing/fake-smtp.ts";
import { client, startTestServer, type TestServer } from "../../testing/harness.ts";

let smtp: Awaited<ReturnType<typeof startFakeSmtp>>;
let server: TestServer;
let userId: string;

beforeAll(async () => {
  smtp = await startFakeSmtp();
  server = await startTestServer(["--smtp-url", smtp.url, "--mail-from", "ClickClack <chat@example.test>", "--public-url", "http://chat.example.test"], { dev: false });
  userId = (await server.store.users.create({ kind: "human", displayName: "Mia", handle: "mia", email: "mia@example.test" })).id;
});
afterAll(async () => {
  await server.close();
  await smtp.close();
});

test("a requested link arrives by mail (text and HTML) and signs the person in; unknown addresses get the same answer and no mail", async () => {
  const anon = client(server.url);
  const known = await anon.post("/api/auth/magic/request", { email: "Mia@Example.test" });
  const unknown = await anon.post("/api/auth/magic/request", { email: "nobody@example.test" });
  expect([known.status, known.body]).toEqual([202, { ok: true }]);
  expect([unknown.status, unknown.body]).toEqual([202, { ok: true }]);

  const mail = await smtp.mailTo("mia@example.test");
  expect(mail.from).toBe("chat@example.test");
  expect(mail.subject).toContain("sign-in link");
  const link = /http:\/\/chat\.example\.test\/app\/login#token=([\w%-]+)/.exec(mail.text);
  expect(link).not.toBeNull();
  expect(mail.html).toContain(`href="${link![0]}"`);

  const signedIn = await anon.post("/api/auth/magic/consume", { token: decodeURIComponent(link![1]!) });
  expect(signedIn.status).toBe(200);
  expect(signedIn.body.user.id).toBe(userId);
  expect((await client(server.url, { token: signedIn.body.token }).get("/api/me")).body.user.id).toBe(userId);

  await Bun.sleep(300);
  expect(smtp.inbox.filter((m) => m.to.includes("nobody@example.test"))).toEqual([]);
  expect(await server.store.users.byEmail("nobody@example.test")).toBeNull();
});

test("requests are rate limited (per client address, and per requested address)", async () => {
  const anon = client(server.url);
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await anon.post("/api/auth/magic/request", { email: "limit@example.test" })).status);
  expect(statuses.slice(0, 5).every((s) => s === 202 || s === 429)).toBe(true);
  expect(statuses.at(-1)).toBe(429);
});
