// backup, export and import on a Postgres database. Export and import speak the same document
// as SQLite's (export-format.ts): the tables and columns of the reference shape, read from one
// snapshot, written in dependency order in one transaction. Backup is pg_dump's job.
import { renameSync, rmSync } from "node:fs";
import postgres from "postgres";
import { migrateDatabase, redactUrl } from "../store/postgres/database.ts";
import { ExportWriter, readExport, referenceShape, restoredValue, type TableShape, UsageError } from "./export-format.ts";

const connect = (url: string) => postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const ROWS_PER_FETCH = 1000;
const ROWS_PER_INSERT = 500;

export async function exportPostgres(url: string, out: string): Promise<{ tables: number; rows: number }> {
  await migrateDatabase(url);
  const { tables, migrations } = referenceShape();
  const sql = connect(url);
  const writer = new ExportWriter(out);
  try {
    await sql.begin("isolation level repeatable read read only", async (tx) => {
      writer.begin(migrations);
      for (const t of tables) {
        writer.table(t.name);
        const cols = t.columns.map((c) => ident(c.name)).join(", ");
        const order = t.primaryKey.map(ident).join(", ");
        const cursor = tx.unsafe(`SELECT ${cols} FROM ${ident(t.name)} ORDER BY ${order}`).cursor(ROWS_PER_FETCH);
        for await (const rows of cursor) for (const row of rows) writer.row(asDocumentRow(t, row));
      }
    });
    return await writer.end();
  } catch (err) {
    writer.abort();
    throw err;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** As SQLite hands the row out: the reference column order, integers as numbers (int8 arrives as text). */
function asDocumentRow(t: TableShape, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of t.columns) {
    const v = row[c.name];
    out[c.name] = c.integer && v !== null && v !== undefined ? Number(v) : (v ?? null);
  }
  return out;
}

export async function importPostgres(url: string, input: string): Promise<{ rows: number }> {
  const doc = await readExport(input);
  await migrateDatabase(url);
  const { tables } = referenceShape();
  const known = new Map(tables.map((t) => [t.name, t]));
  for (const name of Object.keys(doc.tables)) if (!known.has(name)) throw new UsageError(`unknown table "${name}" in the export (newer version?)`);
  const sql = connect(url);
  try {
    const [{ n }] = (await sql`SELECT count(*)::int AS n FROM users`) as unknown as [{ n: number }];
    if (n > 0) throw new UsageError(`${redactUrl(url)} is not empty: import restores into an empty database`);
    const order = await dependencyOrder(sql, tables.map((t) => t.name));
    let rows = 0;
    await sql.begin(async (tx) => {
      for (const name of order) {
        const list = doc.tables[name] ?? [];
        for (let i = 0; i < list.length; i += ROWS_PER_INSERT) {
          const chunk = list.slice(i, i + ROWS_PER_INSERT).map((row) => {
            const r: Record<string, unknown> = {};
            for (const [c, v] of Object.entries(row)) r[c] = restoredValue(c, v);
            return r;
          });
          const cols = Object.keys(chunk[0]!);
          await tx`INSERT INTO ${tx(name)} ${tx(chunk as Record<string, postgres.ParameterOrJSON<never>>[], cols)}`;
          rows += chunk.length;
        }
      }
      // Identity columns continue after the ids the export gave them.
      const identities = await tx<{ table_name: string; column_name: string }[]>`
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')`;
      for (const { table_name, column_name } of identities) {
        await tx.unsafe(
          `SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(${ident(column_name)}) FROM ${ident(table_name)}), 0) + 1, false)`,
          [table_name, column_name],
        );
      }
    });
    return { rows };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Tables ordered so that every table comes after the tables its foreign keys point to. */
async function dependencyOrder(sql: postgres.Sql, names: string[]): Promise<string[]> {
  const edges = await sql<{ child: string; parent: string }[]>`
    SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
    FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`;
  const strip = (n: string) => n.replace(/^"|"$/g, "");
  const parents = new Map(names.map((n) => [n, new Set<string>()]));
  for (const e of edges) if (strip(e.child) !== strip(e.parent)) parents.get(strip(e.child))?.add(strip(e.parent));
  const done: string[] = [];
  const visit = (n: string, path: Set<string>) => {
    if (done.includes(n) || path.has(n)) return;
    path.add(n);
    for (const p of parents.get(n) ?? []) if (parents.has(p)) visit(p, path);
    done.push(n);
  };
  for (const n of names) visit(n, new Set());
  return done;
}

/**
 * A Postgres backup is pg_dump's: it takes a consistent snapshot of a live database. We run it
 * when it is installed, and otherwise say so (exit 2) rather than invent a format of our own.
 */
export async function backupPostgres(url: string, out: string): Promise<{ bytes: number; messages: number; check: string }> {
  const pgDump = Bun.which("pg_dump");
  if (!pgDump) {
    throw new UsageError(
      "a Postgres database is backed up with pg_dump, which is not installed here: install the PostgreSQL client tools " +
        "(e.g. apt-get install postgresql-client) and run this again, or run pg_dump --format=custom yourself",
    );
  }
  const tmp = `${out}.partial-${process.pid}`;
  const dump = Bun.spawn([pgDump, "--format=custom", "--no-owner", "--file", tmp, "--dbname", url], { stdout: "ignore", stderr: "pipe" });
  const [code, err] = await Promise.all([dump.exited, new Response(dump.stderr).text()]);
  if (code !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`pg_dump failed (exit ${code}): ${err.trim()}`);
  }
  renameSync(tmp, out);
  const sql = connect(url);
  try {
    const [{ present }] = (await sql`SELECT to_regclass('messages') IS NOT NULL AS present`) as unknown as [{ present: boolean }];
    const [{ n }] = present ? ((await sql`SELECT count(*)::int AS n FROM messages`) as unknown as [{ n: number }]) : [{ n: 0 }];
    return { bytes: Bun.file(out).size, messages: n, check: "pg_dump custom format; restore with pg_restore" };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
