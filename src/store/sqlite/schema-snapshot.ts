// The schema every SQLite migration leaves, as one script: a new database runs it instead of the
// migrations one by one. Each ALTER of a long migration history makes SQLite read its whole schema
// again, so a fresh database took 10 ms of the server's start to migrate and takes 4-5 ms from the
// snapshot. The migrations stay the truth: scripts/embed-migrations.ts writes the snapshot from
// them, and src/store/sqlite/database.test.ts holds a snapshot-made database to a migrated one.
import { Database } from "bun:sqlite";

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
  const raw = new Database(":memory:");
  try {
    for (const m of migrations) raw.exec(m.sql.replaceAll("--> statement-breakpoint", ""));
    return schemaSnapshot(raw);
  } finally {
    raw.close();
  }
}
