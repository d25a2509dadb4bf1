import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrations, snapshot } from "../../../drizzle/sqlite/index.ts";
import { snapshotOfMigrations } from "./schema-snapshot.ts";
import { migrateDatabase, openDatabase, placeFreshDatabase, reading, type Db } from "./database.ts";
import { openSqliteStore } from "./index.ts";

test("reads share the turn's read transaction; a write in the same turn ends it first, and the next read sees the write", async () => {
  const store = openSqliteStore(":memory:");
  try {
    const raw = store.raw;
    raw.exec("CREATE TABLE turn_probe (x INTEGER)");
    const count = () => reading(raw, () => (raw.query("SELECT count(*) AS n FROM turn_probe").get() as { n: number }).n);
    expect(count()).toBe(0);
    // The read transaction stays open for the rest of the turn, for the next reads.
    expect(raw.inTransaction).toBe(true);
    const written = store.writer.write(() => raw.query("INSERT INTO turn_probe VALUES (1)").run());
    // Flushed in this same turn: the writer must end the read transaction before it begins.
    store.writer.flush();
    await written;
    expect(count()).toBe(1);
    // The turn ends: nothing is left open on the connection.
    await new Promise((resolve) => setImmediate(resolve));
    expect(raw.inTransaction).toBe(false);
  } finally {
    await store.close();
  }
});

test("a write waiting for another connection's lock waits on the event loop's clock, not inside SQLite's busy handler", async () => {
  const dir = mkdtempSync(join(tmpdir(), "clickclack-lock-"));
  const store = openSqliteStore(join(dir, "lock.db"));
  const other = new Database(join(dir, "lock.db"));
  try {
    store.raw.exec("CREATE TABLE lock_probe (x INTEGER)");
    // Another connection (an admin command, an import) holds the write lock for 50 ms.
    other.exec("BEGIN IMMEDIATE");
    other.exec("INSERT INTO lock_probe VALUES (1)");
    const released = Bun.sleep(50).then(() => other.exec("COMMIT"));
    let ticks = 0;
    const clock = setInterval(() => ticks++, 2);
    const started = performance.now();
    // Blocked in SQLite's busy handler, the event loop would never run the COMMIT above: the
    // write would fail with SQLITE_BUSY after the 5 s timeout, having stalled everything else.
    const n = await store.writer.write(() => {
      store.raw.exec("INSERT INTO lock_probe VALUES (2)");
      return (store.raw.query("SELECT count(*) AS n FROM lock_probe").get() as { n: number }).n;
    });
    clearInterval(clock);
    await released;
    expect(n).toBe(2);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(ticks).toBeGreaterThan(5);
    // The connection waits for locks as before once the writer holds none (reads, other statements).
    expect((store.raw.query("PRAGMA busy_timeout").get() as { timeout: number }).timeout).toBe(5000);
  } finally {
    other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// migrateDatabase keeps drizzle's bookkeeping while running each migration in one exec, and makes an
// empty database from the migrations' snapshot; placeFreshDatabase writes a new one whole from the
// file the binary carries. Each must be the database drizzle's own migrator makes, fresh or
// upgraded, so any can take over from another (and a stale snapshot or file fails here: rerun
// `bun scripts/embed-migrations.ts`).
test("migrations leave the schema and the migration journal drizzle's migrator leaves, fresh, placed whole or upgraded", () => {
  const dir = mkdtempSync(join(tmpdir(), "clickclack-migrate-"));
  const drizzleMigrate = (db: Db, list: typeof migrations) =>
    (db as unknown as { dialect: { migrate: (m: unknown, s: unknown, c: unknown) => void }; session: unknown }).dialect.migrate(
      list.map((m) => ({ sql: m.sql.split("--> statement-breakpoint"), bps: m.breakpoints, folderMillis: m.when, hash: new Bun.CryptoHasher("sha256").update(m.sql).digest("hex") })),
      (db as unknown as { session: unknown }).session,
      {},
    );
  const migrated = (name: string, steps: ((db: Db) => void)[]) => {
    for (const step of steps) {
      const { raw, db } = openDatabase(join(dir, name));
      step(db);
      raw.close();
    }
    const { raw } = openDatabase(join(dir, name));
    const tables = raw.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((t) => t.name);
    const shape = {
      schema: raw.query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").all(),
      journal: raw.query("SELECT hash, created_at FROM __drizzle_migrations ORDER BY created_at").all(),
      // What migrations inserted (and what FTS5 keeps beside its tables), apart from drizzle's journal.
      rows: Object.fromEntries(tables.filter((t) => t !== "__drizzle_migrations").map((t) => [t, raw.query(`SELECT * FROM "${t}"`).all().map((r) => JSON.stringify(r)).sort()])),
    };
    raw.close();
    return shape;
  };
  try {
    const reference = migrated("drizzle.db", [(db) => drizzleMigrate(db, migrations)]);
    expect(reference.journal).toHaveLength(migrations.length);
    expect(migrated("fresh.db", [migrateDatabase])).toEqual(reference);
    placeFreshDatabase(join(dir, "placed", "placed.db"));
    expect(migrated("placed/placed.db", [])).toEqual(reference);
    expect(migrated("upgraded.db", [(db) => drizzleMigrate(db, migrations.slice(0, 10)), migrateDatabase, migrateDatabase])).toEqual(reference);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the schema snapshot is the one the migrations make (else run `bun scripts/embed-migrations.ts`)", () => {
  expect(snapshot).toBe(snapshotOfMigrations(migrations));
});

test("a database that exists is never replaced by the new one, nor is one left half written", () => {
  const dir = mkdtempSync(join(tmpdir(), "clickclack-place-"));
  try {
    const path = join(dir, "clickclack.db");
    writeFileSync(path, "someone else's file");
    placeFreshDatabase(path);
    expect(readFileSync(path, "utf8")).toBe("someone else's file");
    expect(readdirSync(dir)).toEqual(["clickclack.db"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
