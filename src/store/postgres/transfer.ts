// What `clickclack export` and `import` need of a Postgres database: its data tables in the
// SQLite export's order, rows in primary-key order from one snapshot, and a restore into an empty
// database in dependency order. The document is the same as a SQLite server's (src/cli/ops.ts).
import type { Sql } from "postgres";
import { migrateDatabase, openClient } from "./database.ts";

type Row = Record<string, unknown>;

/** Part of the search index, not data: an import rebuilds it through the messages trigger. */
const INDEX_TABLES = new Set(["message_search_docs"]);

export async function dataTables(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`;
  // Byte order, as SQLite sorts its table names.
  return rows.map((r) => r.name).filter((n) => !INDEX_TABLES.has(n) && !n.startsWith("__drizzle")).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export async function columns(sql: Sql, table: string): Promise<string[]> {
  return (await sql<{ c: string }[]>`SELECT column_name AS c FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table} ORDER BY ordinal_position`).map((r) => r.c);
}

/**
 * The export is written in SQLite's terms (src/store/export-format.ts), where a boolean is 0 or 1:
 * Postgres booleans leave as integers and come back as booleans, so both stores give the same
 * document.
 */
async function booleanColumns(sql: Sql, table: string): Promise<Set<string>> {
  return new Set((await sql<{ c: string }[]>`SELECT column_name AS c FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table} AND data_type = 'boolean'`).map((r) => r.c));
}

async function* asSqliteValues(rows: AsyncIterable<Row[]>): AsyncIterable<Row[]> {
  for await (const chunk of rows) {
    yield chunk.map((row) => {
      for (const [k, v] of Object.entries(row)) if (typeof v === "boolean") row[k] = v ? 1 : 0;
      return row;
    });
  }
}

async function primaryKey(sql: Sql, table: string): Promise<string[]> {
  return (await sql<{ c: string }[]>`SELECT a.attname AS c FROM pg_index i
    JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indrelid = ${table}::regclass AND i.indisprimary ORDER BY k.n`).map((r) => r.c);
}

/**
 * Every data table's rows, from one REPEATABLE READ snapshot: first the layout (tables and their
 * columns), then each table's rows in primary-key order.
 */
export async function readTables(
  url: string,
  skip: Set<string>,
  each: (table: string, rows: AsyncIterable<Row[]>) => Promise<void>,
  layout: (tables: { name: string; columns: string[] }[]) => Promise<void>,
): Promise<void> {
  const sql = openClient(url, 1);
  try {
    await sql.begin("ISOLATION LEVEL REPEATABLE READ READ ONLY", async (tx) => {
      const tables = (await dataTables(tx as unknown as Sql)).filter((t) => !skip.has(t));
      await layout(await Promise.all(tables.map(async (name) => ({ name, columns: await columns(tx as unknown as Sql, name) }))));
      for (const table of tables) {
        const order = (await primaryKey(tx as unknown as Sql, table)).map((c) => `"${c}"`).join(", ");
        const cursor = tx.unsafe(`SELECT * FROM "${table}" ORDER BY ${order}`).cursor(500) as unknown as AsyncIterable<Row[]>;
        await each(table, asSqliteValues(cursor));
      }
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Tables in an order where every foreign key points at a table already filled. */
async function dependencyOrder(sql: Sql, tables: string[]): Promise<string[]> {
  const refs = await sql<{ child: string; parent: string }[]>`SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
    FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`;
  const out: string[] = [];
  const visit = (t: string, path: Set<string>) => {
    if (out.includes(t) || path.has(t)) return;
    path.add(t);
    for (const r of refs) if (r.child === t && r.parent !== t) visit(r.parent, path);
    out.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return out.filter((t) => tables.includes(t));
}

/**
 * Restores tables into an empty, migrated database in one transaction; `prepare` maps a row
 * before insert (secrets). Throws `notEmpty` when the database already holds users.
 */
export async function writeTables(
  url: string,
  tables: Record<string, Row[]>,
  opts: { prepare: (row: Row) => Row; notEmpty: () => Error; unknownTable: (t: string) => Error },
): Promise<number> {
  await migrateDatabase(url);
  const sql = openClient(url, 1);
  try {
    const [users] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM users`;
    if ((users?.n ?? 0) > 0) throw opts.notEmpty();
    const known = await dataTables(sql);
    for (const t of Object.keys(tables)) if (!known.includes(t)) throw opts.unknownTable(t);
    let rows = 0;
    await sql.begin(async (tx) => {
      for (const table of await dependencyOrder(tx as unknown as Sql, Object.keys(tables))) {
        const list = tables[table]!;
        const booleans = await booleanColumns(tx as unknown as Sql, table);
        const asPostgres = (row: Row): Row => {
          for (const c of booleans) if (typeof row[c] === "number") row[c] = row[c] !== 0;
          return row;
        };
        for (let i = 0; i < list.length; i += 500) {
          const chunk = list.slice(i, i + 500).map(opts.prepare).map(asPostgres);
          const cols = [...new Set(chunk.flatMap((r) => Object.keys(r)))];
          await tx`INSERT INTO ${tx(table)} ${tx(chunk as Record<string, never>[], ...cols)}`;
          rows += chunk.length;
        }
      }
      // Identity columns continue after the ids the import restored.
      await tx`SELECT setval(pg_get_serial_sequence('upload_cleanup', 'id'), coalesce((SELECT max(id) FROM upload_cleanup), 0) + 1, false)`;
    });
    return rows;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
