import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashSecret } from "../chat/secrets.ts";
import { walSize } from "../store/sqlite/maintenance.ts";
import { seedTeam, startTestServer, Subscription, type TestServer } from "../testing/harness.ts";

const MAIN = join(import.meta.dir, "..", "main.ts");
const run = async (args: string[]) => {
  const p = Bun.spawn(["bun", MAIN, ...args], { stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code, out, err };
};

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;
const scratch = mkdtempSync(join(tmpdir(), "clickclack-ops-"));

beforeAll(async () => {
  process.env.CLICKCLACK_CHECKPOINT_MS = "100";
  process.env.CLICKCLACK_WAL_LIMIT_BYTES = String(256 * 1024);
  // These are operations on a SQLite file (VACUUM INTO, the WAL); their Postgres counterparts
  // are in transfer.test.ts.
  server = await startTestServer([], { store: "sqlite" });
  team = await seedTeam(server);
});
afterAll(async () => {
  delete process.env.CLICKCLACK_CHECKPOINT_MS;
  delete process.env.CLICKCLACK_WAL_LIMIT_BYTES;
  await server.close();
});

describe("operations", () => {
  test("a backup taken during a write burst is consistent and holds every message acknowledged before it began", async () => {
    const acked: string[] = [];
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const r = await team.clients[w % 3]!.post(`/api/channels/${team.general.id}/messages`, { body: `burst ${w}/${i}` });
        if (r.status === 201) acked.push(r.body.message.id);
      }
    });
    while (acked.length < 200) await Bun.sleep(5);
    const before = [...acked];
    const out = join(scratch, "backup.db");
    const r = await run(["backup", "--out", out, "--db", server.dbPath]);
    stop = true;
    await Promise.all(writers);
    expect(r.code).toBe(0);
    expect(r.out).toContain("integrity ok");
    const db = new Database(out, { readonly: true });
    expect(db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get()!.integrity_check).toBe("ok");
    const present = new Set(db.query<{ id: string }, []>("SELECT id FROM messages").all().map((m) => m.id));
    db.close();
    expect(before.filter((id) => !present.has(id))).toEqual([]);
    expect(acked.length).toBeGreaterThan(before.length);
  }, 60_000);

  test("export → import → export yields the same document, with secrets redacted", async () => {
    const bot = await server.store.bots.create({ workspaceId: team.workspace.id, displayName: "Exported" });
    const { token } = await server.store.bots.mintToken({ botUserId: bot.id, workspaceId: team.workspace.id, name: "t", scopes: ["messages:read"] });
    const session = await server.store.identity.createSession(team.users[0]!.id, 60_000);
    await server.store.identity.setPasswordHash(team.users[0]!.id, await Bun.password.hash("exported password"));
    const hook = await server.store.integrations.createSubscription({ workspaceId: team.workspace.id, callbackUrl: "https://example.com/hook", eventTypes: ["*"], createdBy: team.users[0]!.id });
    const slash = await server.store.integrations.createSlashCommand({ workspaceId: team.workspace.id, command: "/exported", description: "", callbackUrl: "https://example.com/slash", botUserId: bot.id, createdBy: team.users[0]!.id });
    const incoming = await server.store.integrations.createIncomingWebhook({ workspaceId: team.workspace.id, channelId: team.general.id, name: "Exported hook", createdBy: team.users[0]!.id });
    const pushoverKey = "u".repeat(29) + "9";
    await server.store.users.update(team.users[1]!.id, { pushoverUserKey: pushoverKey });
    const first = join(scratch, "export1.json");
    expect((await run(["export", "--out", first, "--db", server.dbPath])).code).toBe(0);
    const text = readFileSync(first, "utf8");
    expect(text).not.toContain(token);
    expect(text).not.toContain(session.token);
    expect(text).not.toContain("$argon2id$");
    expect(text).not.toContain(hook.signing_secret);
    expect(text).not.toContain(slash.signing_secret);
    expect(text).not.toContain(pushoverKey);
    const doc = JSON.parse(text);
    expect(doc.tables.bot_tokens[0].token_hash).toBe("[redacted]");
    expect(text).not.toContain(hashSecret(incoming.secret));
    expect(doc.tables.incoming_webhooks[0].secret_hash).toBe("[redacted]");
    expect(doc.tables.sessions).toBeUndefined();
    expect(doc.tables.messages.length).toBeGreaterThan(200);

    const restored = join(scratch, "restored.db");
    const imp = await run(["import", "--in", first, "--db", restored]);
    expect(imp.code).toBe(0);
    const second = join(scratch, "export2.json");
    expect((await run(["export", "--out", second, "--db", restored])).code).toBe(0);
    expect(readFileSync(second, "utf8")).toBe(text);
    // Import refuses a database that already holds data.
    const again = await run(["import", "--in", first, "--db", restored]);
    expect(again.code).toBe(2);
    expect(again.err).toContain("not empty");
  }, 60_000);

  test("backup, export and import show a progress bar on a terminal, and nothing in a pipe or with --json; import streams and refuses a truncated file", async () => {
    const file = join(scratch, "progress.json");
    // `script` gives the command a pseudo-terminal, as an operator's shell would.
    const onTty = async (args: string[]) => {
      const p = Bun.spawn(["script", "-qfec", ["bun", MAIN, ...args].map((a) => `'${a}'`).join(" "), "/dev/null"], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
      const [code, out] = await Promise.all([p.exited, new Response(p.stdout).text()]);
      return { code, out };
    };
    const backedUp = await onTty(["backup", "--out", join(scratch, "progress-backup.db"), "--db", server.dbPath]);
    expect(backedUp.code).toBe(0);
    expect(backedUp.out).toMatch(/backing up \[#{24}\] 100% [\d.]+ MB\/[\d.]+ MB/);
    expect(backedUp.out).toContain("integrity ok");
    const exported = await onTty(["export", "--out", file, "--db", server.dbPath]);
    expect(exported.code).toBe(0);
    expect(exported.out).toMatch(/exporting \[#+-*\] \d+% [\d,]+\/[\d,]+ [\d,]+\/s/);
    const restored = join(scratch, "progress-restored.db");
    const imported = await onTty(["import", "--in", file, "--db", restored]);
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(/importing \[#{24}\] 100% [\d.]+ MB\/[\d.]+ MB/);
    const piped = await run(["export", "--out", join(scratch, "piped.json"), "--db", server.dbPath]);
    expect(piped.out + piped.err).not.toContain("exporting");
    const quiet = await onTty(["export", "--out", join(scratch, "quiet.json"), "--db", server.dbPath, "--json"]);
    expect(quiet.out).not.toContain("exporting");
    expect(JSON.parse(quiet.out.trim()).rows).toBeGreaterThan(0);
    // A truncated export is refused whole: nothing is left behind in the database.
    const text = readFileSync(file, "utf8");
    const cut = join(scratch, "cut.json");
    await Bun.write(cut, text.slice(0, Math.floor(text.length * 0.6)));
    const partial = join(scratch, "partial.db");
    const r = await run(["import", "--in", cut, "--db", partial]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("ends too soon");
    const db = new Database(partial, { readonly: true });
    expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM users").get()!.n).toBe(0);
    db.close();
  }, 60_000);

  test("pruned events: a client holding a pruned cursor gets 4001 on the socket and 410 on pull", async () => {
    const old = (await team.clients[0]!.get(`/api/realtime/events?workspace_id=${team.workspace.id}&limit=1`)).body.events[0].cursor;
    const r = await run(["admin", "events", "prune", "--workspace", team.workspace.id, "--older-than-days", "0", "--keep-latest", "10", "--db", server.dbPath, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).pruned).toBeGreaterThan(100);
    const sub = new Subscription(server.url, { workspaceId: team.workspace.id, userId: team.users[0]!.id, afterCursor: old });
    await sub.closed;
    expect(sub.closeCode).toBe(4001);
    const pulled = await team.clients[0]!.get(`/api/realtime/events?workspace_id=${team.workspace.id}&after_cursor=${old}`);
    expect(pulled.status).toBe(410);
    expect(pulled.body.code).toBe("resync_required");
    // Resuming from the tail it offers works.
    const resumed = await team.clients[0]!.get(`/api/realtime/events?workspace_id=${team.workspace.id}&after_cursor=${pulled.body.tail_cursor}`);
    expect(resumed.status).toBe(200);
  }, 30_000);

  test("the WAL stays bounded under steady writes", async () => {
    let max = 0;
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: `steady ${i} ${"x".repeat(500)}` })));
      max = Math.max(max, walSize(server.dbPath));
    }
    await Bun.sleep(300);
    expect(max).toBeLessThan(16 * 1024 * 1024);
    expect(walSize(server.dbPath)).toBeLessThanOrEqual(4 * 1024 * 1024);
  }, 30_000);
});
