// Moving between stores: a SQLite server's export imports into an empty Postgres database, whose
// export is the same document (secrets redacted alike), and back into SQLite again. Run as the
// CLI runs, in subprocesses.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseQuery } from "../search/query.ts";
import { openPostgresStore } from "../store/postgres/index.ts";
import { seedTeam, startTestServer, type TestServer } from "../testing/harness.ts";
import { createTestDatabase, type TestDatabase } from "../testing/postgres.ts";

const MAIN = join(import.meta.dir, "..", "main.ts");
const run = async (args: string[]) => {
  const p = Bun.spawn(["bun", MAIN, ...args], { stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code, out, err };
};

let server: TestServer;
let pg: TestDatabase;
const scratch = mkdtempSync(join(tmpdir(), "clickclack-transfer-"));

beforeAll(async () => {
  server = await startTestServer([], { store: "sqlite" });
  pg = await createTestDatabase();
  const team = await seedTeam(server);
  const [ada, bob] = team.clients;
  const general = `/api/channels/${team.general.id}/messages`;
  const root = await ada!.post(general, { body: "deployment on friday? 東京 café" });
  await bob!.post(general, { body: "yes", parent_message_id: root.body.message.id });
  await bob!.post(`/api/messages/${root.body.message.id}/reactions`, { emoji: "👍" });
  await ada!.post(`/api/channels/${team.general.id}/pins`, { message_id: root.body.message.id });
  const form = new FormData();
  form.append("file", new Blob(["report"]), "report.txt");
  const up = await ada!.post(`/api/uploads?workspace_id=${team.workspace.id}`, form);
  await ada!.post(general, { body: "attached", upload_id: up.body.upload.id });
  const dm = await ada!.post("/api/dms", { workspace_id: team.workspace.id, member_ids: [team.users[1]!.id] });
  expect((await ada!.post(`/api/dms/${dm.body.conversation.id}/messages`, { body: "psst" })).status).toBe(201);
  const bot = await server.store.bots.create({ workspaceId: team.workspace.id, displayName: "Mover" });
  await server.store.bots.mintToken({ botUserId: bot.id, workspaceId: team.workspace.id, name: "t", scopes: ["messages:read"] });
  await server.store.uploads.queueCleanup("gone/object", "test");
  // A private channel: its membership travels with it, so it stays private after an import.
  const vault = await ada!.post(`/api/workspaces/${team.workspace.id}/channels`, { name: "vault", private: true });
  await ada!.post(`/api/channels/${vault.body.channel.id}/members`, { user_id: team.users[1]!.id });
  await ada!.post(`/api/channels/${vault.body.channel.id}/messages`, { body: "quartz combination" });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await pg?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

test("SQLite → export → import into Postgres → export is the same document, and back into SQLite", async () => {
  const fromSqlite = join(scratch, "sqlite.json");
  expect((await run(["export", "--out", fromSqlite, "--db", server.dbPath])).code).toBe(0);
  const text = readFileSync(fromSqlite, "utf8");
  const doc = JSON.parse(text);
  expect(doc.tables.bot_tokens[0].token_hash).toBe("[redacted]");
  for (const t of ["dm_members", "channel_members", "reactions", "pins", "uploads", "upload_cleanup", "events"]) expect([t, doc.tables[t].length > 0]).toEqual([t, true]);

  const imp = await run(["import", "--in", fromSqlite, "--db", pg.url]);
  expect([imp.code, imp.err]).toEqual([0, ""]);
  const fromPostgres = join(scratch, "postgres.json");
  const exp = await run(["export", "--out", fromPostgres, "--db", pg.url]);
  expect([exp.code, exp.err]).toEqual([0, ""]);
  expect(readFileSync(fromPostgres, "utf8")).toBe(text);

  // The imported data is searchable (the trigger rebuilt the index), and the store writes on
  // top of it (identities continue after the restored ids).
  const store = await openPostgresStore(pg.url, { pool: 2 });
  try {
    const ws = (await store.workspaces.listAll())[0]!;
    const owner = doc.tables.members.find((m: { role: string }) => m.role === "owner").user_id;
    const hits = await store.search.search({ workspaceId: ws.id, viewerId: owner, guestOnly: false, includeDms: true, query: parseQuery("東京"), sort: "relevance", limit: 5, after: null });
    expect(hits.hits.map((h) => h.message.body)).toEqual(["deployment on friday? 東京 café"]);
    const vault = doc.tables.channels.find((c: { name: string }) => c.name === "vault");
    const outsider = doc.tables.members.find((m: { user_id: string }) => !doc.tables.channel_members.some((cm: { user_id: string }) => cm.user_id === m.user_id)).user_id;
    expect((await store.channels.record(vault.id))!.memberIds).toHaveLength(2);
    const search = (viewerId: string) => store.search.search({ workspaceId: ws.id, viewerId, guestOnly: false, includeDms: true, query: parseQuery("quartz"), sort: "recent", limit: 5, after: null });
    expect((await search(owner)).hits).toHaveLength(1);
    expect((await search(outsider)).hits).toHaveLength(0);
    await store.uploads.queueCleanup("another/object", "test");
    expect((await store.uploads.cleanupBatch(10)).length).toBe(2);
  } finally {
    await store.close();
  }
  const again = await run(["import", "--in", fromSqlite, "--db", pg.url]);
  expect(again.code).toBe(2);
  expect(again.err).toContain("not empty");

  const back = join(scratch, "back.db");
  expect((await run(["import", "--in", fromPostgres, "--db", back])).code).toBe(0);
  const fromBack = join(scratch, "back.json");
  expect((await run(["export", "--out", fromBack, "--db", back])).code).toBe(0);
  expect(readFileSync(fromBack, "utf8")).toBe(text);
}, 120_000);

test("backup on Postgres is pg_dump's: run when installed, explained (exit 2) when not", async () => {
  const out = join(scratch, "pg.dump");
  const r = await run(["backup", "--out", out, "--db", pg.url]);
  expect([r.code, r.err]).toEqual([0, ""]);
  expect(r.out).toContain("pg_dump");
  // pg_dump's custom format starts with "PGDMP".
  expect(readFileSync(out).subarray(0, 5).toString()).toBe("PGDMP");

  const p = Bun.spawn([process.execPath, MAIN, "backup", "--out", join(scratch, "none.dump"), "--db", pg.url], { stdout: "pipe", stderr: "pipe", env: { ...process.env, PATH: "/nonexistent" } });
  const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
  expect(code).toBe(2);
  expect(err).toContain("back up with pg_dump");
}, 60_000);
