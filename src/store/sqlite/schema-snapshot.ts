// What every SQLite migration leaves, in two forms that scripts/embed-migrations.ts writes from
// the migrations: the schema as one script (drizzle/sqlite/snapshot.sql), which an empty database
// runs instead of the migrations one by one (each ALTER of a long history makes SQLite read its
// whole schema again: 10 ms of a start, against 4-5), and a whole new database file with drizzle's
// journal (drizzle/sqlite/fresh.db.gz), which is written in place of a database that does not
// exist yet (1.5-2 ms). The migrations stay the truth: src/store/sqlite/database.test.ts holds
// both to a database drizzle's own migrator made.
import { Database } from "bun:sqlite";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** drizzle's journal of applied migrations, as its migrator creates it. */
export const MIGRATION_JOURNAL_DDL = `CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (\n\t\t\t\tid SERIAL PRIMARY KEY,\n\t\t\t\thash text NOT NULL,\n\t\t\t\tcreated_at numeric\n\t\t\t)`;
export const RECORD_MIGRATION_SQL = `INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)`;
/** The journal's hash of a migration, as drizzle's migrator writes it. */
export const migrationHash = (sql: string) => new Bun.CryptoHasher("sha256").update(sql).digest("hex");
/** A migration's text as one script for `exec` (drizzle-kit marks where its statements part). */
export const migrationScript = (sql: string) => sql.replaceAll("--> statement-breakpoint", "");

/** An in-memory database with these migrations applied in order, and, with `journal`, drizzle's record of them. */
function migratedInMemory(migrations: readonly { sql: string; when?: number }[], journal: boolean): Database {
  const raw = new Database(":memory:");
  if (journal) raw.exec(MIGRATION_JOURNAL_DDL);
  const record = journal ? raw.prepare(RECORD_MIGRATION_SQL) : null;
  for (const m of migrations) {
    raw.exec(migrationScript(m.sql));
    record?.run(migrationHash(m.sql), m.when ?? null);
  }
  return raw;
}

/** The tables FTS5 makes beside each of its own (https://sqlite.org/fts5.html). */
const FTS5_SHADOW_TABLES = ["data", "idx", "content", "docsize", "config"];

type SchemaObject = { type: string; name: string; sql: string };

/**
 * What a database holds that its migrations made: its tables, indexes, views and triggers (tables
 * first, so a trigger or view never comes before what it reads), then the rows migrations
 * inserted. Left out: SQLite's own tables, the tables an FTS5 table makes for itself (made again
 * with it, with their first rows), and drizzle's journal (migrateDatabase keeps that).
 */
export function schemaSnapshot(raw: Database): string {
  const objects = raw.query<SchemaObject, []>("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid").all();
  const virtualTables = objects.filter((o) => o.type === "table" && /^CREATE VIRTUAL TABLE/i.test(o.sql)).map((o) => o.name);
  const shadows = new Set(virtualTables.flatMap((v) => FTS5_SHADOW_TABLES.map((suffix) => `${v}_${suffix}`)));
  const kept = objects.filter((o) => o.name !== "__drizzle_migrations" && !o.name.startsWith("sqlite_") && !shadows.has(o.name));
  const order = ["table", "index", "view", "trigger"];
  const statements = order.flatMap((type) => kept.filter((o) => o.type === type).map((o) => `${o.sql};`));
  for (const table of kept.filter((o) => o.type === "table" && !virtualTables.includes(o.name))) {
    const columns = raw.query<{ name: string }, []>(`SELECT name FROM pragma_table_info('${table.name.replaceAll("'", "''")}')`).all().map((c) => `"${c.name}"`);
    const values = columns.map((c) => `quote(${c})`).join(" || ', ' || ");
    const rows = raw.query<{ row: string }, []>(`SELECT ${values} AS row FROM "${table.name}"`).all();
    for (const { row } of rows) statements.push(`INSERT INTO "${table.name}" (${columns.join(", ")}) VALUES (${row});`);
  }
  return `${statements.join("\n")}\n`;
}

/** The snapshot of a database made by running these migrations in order (what embed-migrations writes). */
export function snapshotOfMigrations(migrations: readonly { sql: string }[]): string {
  const raw = migratedInMemory(migrations, false);
  try {
    return schemaSnapshot(raw);
  } finally {
    raw.close();
  }
}

/**
 * A new database file, gzipped: these migrations run in order, with drizzle's journal of them.
 * VACUUM INTO writes it compactly.
 */
export function freshDatabaseOf(migrations: readonly { sql: string; when: number }[]): Uint8Array {
  const raw = migratedInMemory(migrations, true);
  const dir = mkdtempSync(join(tmpdir(), "clickclack-fresh-"));
  try {
    raw.exec(`VACUUM INTO '${join(dir, "fresh.db").replaceAll("'", "''")}'`);
    // Already in WAL mode, as the store opens it: turning a file to WAL at open took 1 ms.
    const file = new Database(join(dir, "fresh.db"));
    file.exec("PRAGMA journal_mode = WAL");
    file.close();
    return Bun.gzipSync(readFileSync(join(dir, "fresh.db")), { level: 9 });
  } finally {
    raw.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
