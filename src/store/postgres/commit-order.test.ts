// Cursors become visible in cursor order even when two processes write one workspace: a reader
// never sees cursor N+1 committed while N is not (the replay → live switch depends on it). Two
// stores on one database stand for two server processes (each its own pool and group-commit
// writer); a third connection keeps reading the log while they write.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestDatabase, type TestDatabase } from "../../testing/postgres.ts";
import type { Scope } from "../store.ts";
import { openPostgresStore, type PostgresStore } from "./index.ts";

let db: TestDatabase;
let a: PostgresStore;
let b: PostgresStore;
let reader: PostgresStore;

beforeAll(async () => {
  db = await createTestDatabase();
  [a, b] = await Promise.all([openPostgresStore(db.url, { pool: 3 }), openPostgresStore(db.url, { pool: 3 })]);
  reader = await openPostgresStore(db.url, { pool: 2, migrate: false });
}, 30_000);

afterAll(async () => {
  await Promise.all([a?.close(), b?.close(), reader?.close()]);
  await db?.drop();
});

test("two writers on one workspace: every read of the log is a prefix of the final log", async () => {
  const owner = await a.users.create({ kind: "human", displayName: "Owner" });
  const { workspace, channels } = await a.workspaces.create({ name: "Order", ownerId: owner.id });
  const other = await b.channels.create({ workspaceId: workspace.id, name: "other", createdBy: owner.id });
  const general: Scope = { kind: "channel", id: channels[0]!.id, workspaceId: workspace.id };
  const second: Scope = { kind: "channel", id: other.channel.id, workspaceId: workspace.id };

  const observed: string[][] = [];
  let writing = true;
  const reading = (async () => {
    while (writing) {
      const r = await reader.events.replayAfter(workspace.id, null, 100_000);
      observed.push(r.events.map((e) => e.cursor));
    }
  })();
  // Bursts from both "processes" at once, each into its own channel: nothing but the workspace's
  // lock orders their commits.
  for (let round = 0; round < 25; round++) {
    await Promise.all([
      ...Array.from({ length: 15 }, (_, i) => a.messages.post({ scope: general, authorId: owner.id, body: `a ${round}/${i}` })),
      ...Array.from({ length: 15 }, (_, i) => b.messages.post({ scope: second, authorId: owner.id, body: `b ${round}/${i}` })),
    ]);
  }
  writing = false;
  await reading;

  const final = (await reader.events.replayAfter(workspace.id, null, 100_000)).events.map((e) => e.cursor);
  expect(final.length).toBe(3 + 750);
  expect([...final].sort()).toEqual(final);
  expect(new Set(final).size).toBe(final.length);
  expect(observed.length).toBeGreaterThan(1);
  for (const seen of observed) expect(seen).toEqual(final.slice(0, seen.length));
}, 120_000);
