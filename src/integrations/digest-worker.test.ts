// The mention digest through the real server and a local SMTP server: people away get one mail
// per interval listing what they missed, with links; people in the app get none; the signed
// unsubscribe link turns it off without signing in.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeSmtp } from "../testing/fake-smtp.ts";
import { client, startTestServer, Subscription, type TestServer } from "../testing/harness.ts";
import { DIGEST_WORKER } from "./digest-worker.ts";

const INTERVAL_MS = 1_500;
let smtp: Awaited<ReturnType<typeof startFakeSmtp>>;
let server: TestServer;

beforeAll(async () => {
  smtp = await startFakeSmtp();
  server = await startTestServer(["--smtp-url", smtp.url, "--public-url", "http://chat.example.test", "--digest-minutes", String(INTERVAL_MS / 60_000)], { dev: false });
});
afterAll(async () => {
  await server.close();
  await smtp.close();
});

async function crew() {
  const s = server.store;
  const tag = Math.random().toString(36).slice(2, 7);
  const mk = (n: string) => s.users.create({ kind: "human", displayName: `${n} ${tag}`, handle: `${n}${tag}`, email: `${n}${tag}@example.test` });
  const [ada, bob, cy] = [await mk("ada"), await mk("bob"), await mk("cy")];
  const { workspace, channels } = await s.workspaces.create({ name: `Digest ${tag}`, ownerId: ada.id });
  for (const u of [bob, cy]) await s.workspaces.addMember(workspace.id, u.id, "member");
  const general = channels.find((c) => c.name === "general")!;
  const api = client(server.url, { token: (await s.identity.createSession(ada.id, 3_600_000)).token });
  return { ada, bob, cy, workspace, general, api, mailOf: (u: { handle: string }) => `${u.handle}@example.test` };
}

const mailsTo = (address: string) => smtp.inbox.filter((m) => m.to.includes(address));

test("someone away gets one mail listing their mentions, with links; a person in the app gets none; at most one per interval", async () => {
  const t = await crew();
  // cy has the app open.
  const cySocket = new Subscription(server.url, { workspaceId: t.workspace.id, token: (await server.store.identity.createSession(t.cy.id, 3_600_000)).token });
  await cySocket.opened;
  const first = await t.api.post(`/api/channels/${t.general.id}/messages`, { body: `@${t.bob.handle} @${t.cy.handle} the build is red` });
  expect(first.status).toBe(201);
  const mail = await smtp.mailTo(t.mailOf(t.bob), 10_000);
  expect(mail.subject).toBe(`${t.ada.display_name} mentioned you on ClickClack`);
  expect(mail.text).toContain("the build is red");
  expect(mail.text).toContain(`http://chat.example.test/app/c/${t.general.id}/m/${first.body.message.id}`);
  expect(mail.html).toContain(`href="http://chat.example.test/app/c/${t.general.id}/m/${first.body.message.id}"`);
  const header = (name: string) => (mail.parsed.headerLines.find((h) => h.key === name)?.line ?? "").replace(/\r\n\s+/g, " ");
  expect(header("list-unsubscribe")).toMatch(/^List-Unsubscribe: <http:\/\/chat\.example\.test\/api\/digest\/unsubscribe\?token=[\w.-]+>$/);
  expect(header("list-unsubscribe-post")).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");

  // Two more mentions right away: they wait for the interval (claimDue, pinned in the Store
  // contract), then come together in one mail.
  await t.api.post(`/api/channels/${t.general.id}/messages`, { body: `@${t.bob.handle} still red` });
  await t.api.post(`/api/channels/${t.general.id}/messages`, { body: `@${t.bob.handle} green now` });
  for (let i = 0; mailsTo(t.mailOf(t.bob)).length < 2; i++) {
    if (i > 100) throw new Error("no second digest");
    await Bun.sleep(100);
  }
  const second = mailsTo(t.mailOf(t.bob))[1]!;
  expect(second.subject).toBe("2 mentions while you were away on ClickClack");
  expect(second.text).toContain("still red");
  expect(second.text).toContain("green now");
  expect(second.text).not.toContain("the build is red");
  expect(mailsTo(t.mailOf(t.cy))).toEqual([]);
  cySocket.close();
});

test("a mention read before the mail goes out is not mailed", async () => {
  const t = await crew();
  // bob got a digest a moment ago (the interval is running), then reads what came after.
  await server.store.digests.markPending([t.bob.id], new Date().toISOString());
  await server.store.digests.claimDue(new Date().toISOString(), new Date().toISOString(), 100);
  const m = await t.api.post(`/api/channels/${t.general.id}/messages`, { body: `@${t.bob.handle} read me` });
  const bobApi = client(server.url, { token: (await server.store.identity.createSession(t.bob.id, 3_600_000)).token });
  expect((await bobApi.post(`/api/channels/${t.general.id}/read`, { seq: m.body.message.channel_seq })).status).toBe(200);
  await Bun.sleep(INTERVAL_MS * 2);
  expect(mailsTo(t.mailOf(t.bob))).toEqual([]);
});

test("the unsubscribe link asks, then turns the digest off without signing in; the setting shows it", async () => {
  const t = await crew();
  await t.api.post(`/api/channels/${t.general.id}/messages`, { body: `@${t.bob.handle} hello` });
  const mail = await smtp.mailTo(t.mailOf(t.bob), 10_000);
  const pageUrl = /http:\/\/chat\.example\.test(\/digest\/unsubscribe\?token=[\w.%-]+)/.exec(mail.text)![1]!;
  const page = await fetch(server.url + pageUrl);
  expect(page.headers.get("content-type")).toContain("text/html");
  const html = await page.text();
  expect(html).toContain("Stop mention emails");
  // Only the page was opened: nothing changed yet.
  expect(await server.store.digests.enabled(t.bob.id)).toBe(true);
  const action = /action="([^"]+)"/.exec(html)![1]!.replace(/&#38;/g, "&");
  const done = await fetch(server.url + action, { method: "POST", headers: { "sec-fetch-mode": "navigate", "content-type": "application/x-www-form-urlencoded" }, body: "", redirect: "manual" });
  expect([done.status, done.headers.get("location")]).toEqual([303, "/digest/unsubscribe?done=1"]);
  expect(await server.store.digests.enabled(t.bob.id)).toBe(false);
  const bobApi = client(server.url, { token: (await server.store.identity.createSession(t.bob.id, 3_600_000)).token });
  expect((await bobApi.get("/api/me/notification-settings")).body.settings.email_digest).toBe(false);
  expect((await bobApi.patch("/api/me/notification-settings", { email_digest: true })).body.settings.email_digest).toBe(true);
  // A forged or altered token is refused.
  const forged = await client(server.url).post(`/api/digest/unsubscribe?token=${encodeURIComponent(Buffer.from(t.cy.id).toString("base64url") + ".AAAA")}`);
  expect([forged.status, forged.body.code]).toEqual([400, "invalid_unsubscribe_token"]);
  expect(await server.store.digests.enabled(t.cy.id)).toBe(true);
});

test("the worker keeps its place in each workspace's log in worker_positions", async () => {
  const t = await crew();
  const m = await t.api.post(`/api/channels/${t.general.id}/messages`, { body: "no mention here" });
  for (let i = 0; ; i++) {
    const { queryRows } = await import("../testing/db-inspect.ts");
    const rows = await queryRows(server.store, `SELECT cursor FROM worker_positions WHERE worker = '${DIGEST_WORKER}' AND workspace_id = '${t.workspace.id}'`);
    if ((rows[0] as { cursor?: string } | undefined)?.cursor === m.body.event.cursor) break;
    if (i > 100) throw new Error(`position never reached ${m.body.event.cursor}: ${JSON.stringify(rows)}`);
    await Bun.sleep(100);
  }
});

test("after a restart the worker picks up a mention committed while no server ran (last: it stops the shared server)", async () => {
  const t = await crew();
  const { loadConfig } = await import("../config/config.ts");
  const { openStore } = await import("../store/open.ts");
  const { startServer } = await import("../server/serve.ts");
  await server.stop();
  // The admin CLI or another tool commits a mention while no server runs.
  const offline = await openStore(loadConfig([...server.dbArgs], {}).config);
  await offline.messages.post({ scope: { kind: "channel", id: t.general.id, workspaceId: t.workspace.id }, authorId: t.ada.id, body: `@${t.bob.handle} while the server was down` });
  await offline.close();
  const again = await startServer(loadConfig([...server.dbArgs, "--addr", "127.0.0.1:0", "--smtp-url", smtp.url, "--public-url", "http://chat.example.test", "--digest-minutes", String(INTERVAL_MS / 60_000)], {}).config, { quiet: true });
  try {
    const mail = await smtp.mailTo(t.mailOf(t.bob), 10_000);
    expect(mail.text).toContain("while the server was down");
  } finally {
    await again.stop();
  }
});
