// Moving between stores as an operator does it: export from SQLite, import into an empty
// Postgres, export again, and back; backup on Postgres is pg_dump's.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import postgres from "postgres";
import { seedTeam, startTestServer, type TestServer } from "../testing/harness.ts";
import { createTestDatabase, type TestDatabase } from "../testing/postgres.ts";

const MAIN = join(import.meta.dir, "..", "main.ts");
const run = async (args: string[], env: Record<string, string> = {}) => {
  const p = Bun.spawn([process.execPath, MAIN, ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code, out, err };
};

let server: TestServer;
let pg: TestDatabase;
let pg2: TestDatabase;
const scratch = mkdtempSync(join(tmpdir(), "clickclack-pgops-"));

beforeAll(async () => {
  [pg, pg2] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  server = await startTestServer();
  const team = await seedTeam(server);
  const [ada, bob] = team.clients;
  // A bit of everything: threads, quotes, reactions, pins, DMs, read pointers, bots, moderation,
  // uploads and their cleanup queue, and text that sorts differently under a locale.
  const root = await ada!.post(`/api/channels/${team.general.id}/messages`, { body: "Ärger über Übermut — 日本語 🙂" });
  await bob!.post(`/api/channels/${team.general.id}/messages`, { body: "reply", parent_message_id: root.body.message.id });
  await bob!.post(`/api/channels/${team.general.id}/messages`, { body: "quote", quoted_message_id: root.body.message.id });
  await bob!.post(`/api/messages/${root.body.message.id}/reactions`, { emoji: "👍" });
  await ada!.post(`/api/channels/${team.general.id}/pins`, { message_id: root.body.message.id });
  for (let i = 0; i < 30; i++) await ada!.post(`/api/channels/${team.general.id}/messages`, { body: `${i % 2 ? "a" : "B"} message ${i}`, nonce: `n-${i}` });
  const dm = await ada!.post("/api/dms", { workspace_id: team.workspace.id, member_ids: [team.users[1]!.id] });
  await ada!.post(`/api/dms/${dm.body.conversation.id}/messages`, { body: "secret plans" });
  const bot = await server.store.bots.create({ workspaceId: team.workspace.id, displayName: "Exported" });
  await server.store.bots.mintToken({ botUserId: bot.id, workspaceId: team.workspace.id, name: "t", scopes: ["messages:read"] });
  await server.store.identity.createSession(team.users[0]!.id, 60_000);
  await server.store.moderation.update(team.workspace.id, team.users[2]!.id, { note: "watch", timeoutUntil: "2030-01-01T00:00:00.000Z" }, team.users[0]!.id);
  await server.store.uploads.queueCleanup("objects/a", "test");
  await server.store.uploads.queueCleanup("objects/b", "test");
}, 60_000);

afterAll(async () => {
  await server?.close();
  await Promise.all([pg?.drop(), pg2?.drop()]);
});

describe("moving between SQLite and Postgres", () => {
  test("SQLite → export → import into Postgres → export gives the same document, and back again", async () => {
    const fromSqlite = join(scratch, "sqlite.json");
    expect((await run(["export", "--out", fromSqlite, "--db", server.dbPath])).code).toBe(0);
    const text = readFileSync(fromSqlite, "utf8");
    expect(text).toContain("[redacted]");

    const imported = await run(["import", "--in", fromSqlite, "--db", pg.url, "--json"]);
    expect(imported.err).toBe("");
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.out).rows).toBeGreaterThan(50);
    const fromPostgres = join(scratch, "postgres.json");
    const exported = await run(["export", "--out", fromPostgres, "--db", pg.url]);
    expect(exported.err).toBe("");
    expect(readFileSync(fromPostgres, "utf8")).toBe(text);

    // The imported database works: the identity sequence continues after the imported ids.
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql`INSERT INTO upload_cleanup (storage_key, reason, enqueued_at) VALUES ('objects/c', 'test', '2030-01-01') RETURNING id`;
      expect(row!.id).toBe(3);
      await sql`DELETE FROM upload_cleanup WHERE id = 3`;
    } finally {
      await sql.end();
    }

    // And back: Postgres → SQLite gives the same document once more.
    const back = join(mkdtempSync(join(tmpdir(), "clickclack-back-")), "back.db");
    expect((await run(["import", "--in", fromPostgres, "--db", back])).code).toBe(0);
    const again = join(dirname(back), "again.json");
    expect((await run(["export", "--out", again, "--db", back])).code).toBe(0);
    expect(readFileSync(again, "utf8")).toBe(text);

    // Import refuses a Postgres database that already holds data, and writes nothing.
    const refused = await run(["import", "--in", fromSqlite, "--db", pg.url]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("not empty");
  }, 120_000);

  test("backup on Postgres runs pg_dump; without pg_dump it exits 2 and says pg_dump is the tool", async () => {
    const out = join(scratch, "pg.dump");
    const r = await run(["backup", "--out", out, "--db", pg.url, "--json"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).messages).toBeGreaterThan(30);
    expect(readFileSync(out).subarray(0, 5).toString()).toBe("PGDMP");
    const missing = await run(["backup", "--out", join(scratch, "none.dump"), "--db", pg2.url], { PATH: "/nonexistent" });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("pg_dump");
  }, 60_000);
});
