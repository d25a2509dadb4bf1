// Operations on a data set: backup (a consistent copy of a live database), export (the whole
// data set as JSON, secrets redacted) and import (an export into an empty database). SQLite here;
// Postgres in postgres-ops.ts, with the same document (export-format.ts).
import { Database } from "bun:sqlite";
import { existsSync, renameSync, rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { type Config, ConfigError, loadConfig, SETTINGS } from "../config/config.ts";
import { migrateDatabase, openDatabase } from "../store/sqlite/database.ts";
import { dataTables, ExportWriter, readExport, restoredValue, SECRET_TABLES, tableShape, UsageError } from "./export-format.ts";
import { backupPostgres, exportPostgres, importPostgres } from "./postgres-ops.ts";

export { dataTables };

function dbFrom(values: Record<string, unknown>): Config["db"] {
  const args = SETTINGS.flatMap((s) => (typeof values[s.flag] === "string" ? [`--${s.flag}`, values[s.flag] as string] : []));
  return loadConfig(args).config.db;
}

function primaryOrder(db: Database, table: string): string {
  const pk = tableShape(db, table).primaryKey.map((c) => `"${c}"`);
  return pk.length ? pk.join(", ") : "rowid";
}

export async function backup(dbPath: string, out: string): Promise<{ bytes: number; messages: number; check: string }> {
  if (!existsSync(dbPath)) throw new UsageError(`no database at ${dbPath}`);
  const tmp = `${out}.partial-${process.pid}`;
  rmSync(tmp, { force: true });
  const src = new Database(dbPath, { readonly: true });
  try {
    src.exec("PRAGMA busy_timeout = 10000");
    // VACUUM INTO copies one read snapshot: consistent even while the server keeps writing.
    src.query("VACUUM INTO ?").run(tmp);
  } finally {
    src.close();
  }
  const check = new Database(tmp, { readonly: true });
  try {
    const ok = check.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get();
    if (ok?.integrity_check !== "ok") throw new Error(`backup failed its integrity check: ${ok?.integrity_check}`);
    const messages = check.query<{ n: number }, []>("SELECT count(*) AS n FROM messages").get()?.n ?? 0;
    check.close();
    renameSync(tmp, out);
    return { bytes: Bun.file(out).size, messages, check: "integrity ok" };
  } catch (err) {
    check.close();
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Streams the export as JSON: deterministic (ordered rows, no timestamps of its own). */
export async function exportData(dbPath: string, out: string): Promise<{ tables: number; rows: number }> {
  const db = new Database(dbPath, { readonly: true });
  db.exec("PRAGMA busy_timeout = 10000");
  const writer = new ExportWriter(out);
  const tables = dataTables(db).filter((t) => !SECRET_TABLES.has(t));
  try {
    // One read transaction: every table comes from the same snapshot.
    db.exec("BEGIN");
    writer.begin(db.query<{ n: number }, []>("SELECT count(*) AS n FROM __drizzle_migrations").get()?.n ?? 0);
    for (const table of tables) {
      writer.table(table);
      for (const row of db.query<Record<string, unknown>, []>(`SELECT * FROM "${table}" ORDER BY ${primaryOrder(db, table)}`).iterate()) writer.row(row);
    }
    db.exec("COMMIT");
    return await writer.end();
  } catch (err) {
    writer.abort();
    throw err;
  } finally {
    db.close();
  }
}

export async function importData(dbPath: string, input: string): Promise<{ rows: number }> {
  const doc = await readExport(input);
  const { raw, db } = openDatabase(dbPath);
  try {
    migrateDatabase(db);
    const users = raw.query<{ n: number }, []>("SELECT count(*) AS n FROM users").get()?.n ?? 0;
    if (users > 0) throw new UsageError(`${dbPath} is not empty: import restores into an empty database`);
    const known = new Set(dataTables(raw));
    let rows = 0;
    // Rows arrive in table order, not dependency order: check references once, at the end.
    raw.exec("PRAGMA foreign_keys = OFF");
    raw.exec("BEGIN IMMEDIATE");
    try {
      for (const [table, list] of Object.entries(doc.tables)) {
        if (!known.has(table)) throw new UsageError(`unknown table "${table}" in the export (newer version?)`);
        for (const row of list) {
          const cols = Object.keys(row);
          const values = cols.map((c) => restoredValue(c, row[c])) as (string | number | null)[];
          raw.query(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`).run(...values);
          rows++;
        }
      }
      const broken = raw.query("PRAGMA foreign_key_check").all();
      if (broken.length > 0) throw new UsageError(`the export has ${broken.length} broken references`);
      raw.exec("COMMIT");
    } catch (err) {
      raw.exec("ROLLBACK");
      throw err;
    }
    raw.exec("PRAGMA foreign_keys = ON");
    return { rows };
  } finally {
    raw.close();
  }
}

const USAGE = `Usage:
  clickclack backup --out FILE [--data DIR | --db PATH|URL]     consistent copy of a live database, verified
                                                               (Postgres: runs pg_dump --format=custom)
  clickclack export --out FILE|- [--data DIR | --db PATH|URL]   the data set as JSON (secrets redacted), atomically
  clickclack import --in FILE|- [--data DIR | --db PATH|URL]    restore an export into an empty database

An export from SQLite imports into Postgres and back, giving the same document: the upgrade path
from one server to several.
`;

export function opsCommand(kind: "backup" | "export" | "import") {
  return async (args: string[]): Promise<number> => {
    const options: Record<string, { type: "string" | "boolean" }> = { out: { type: "string" }, in: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } };
    for (const s of SETTINGS) options[s.flag] ??= { type: s.kind === "boolean" ? "boolean" : "string" };
    try {
      const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
      if (values.help) {
        process.stdout.write(USAGE);
        return 0;
      }
      const db = dbFrom(values);
      const where = db.kind === "sqlite" ? db.path : "Postgres";
      const log = (msg: string) => (kind === "export" && values.out === "-" ? process.stderr : process.stdout).write(`${msg}\n`);
      if (kind === "backup") {
        if (typeof values.out !== "string") throw new UsageError("--out FILE is required");
        const r = db.kind === "sqlite" ? await backup(db.path, values.out) : await backupPostgres(db.url, values.out);
        log(values.json ? JSON.stringify({ out: values.out, ...r }) : `backup written to ${values.out} (${r.bytes} bytes, ${r.messages} messages, ${r.check})`);
      } else if (kind === "export") {
        if (typeof values.out !== "string") throw new UsageError("--out FILE (or - for stdout) is required");
        const r = db.kind === "sqlite" ? await exportData(db.path, values.out) : await exportPostgres(db.url, values.out);
        log(values.json ? JSON.stringify({ out: values.out, ...r }) : `exported ${r.rows} rows from ${r.tables} tables${values.out === "-" ? "" : ` to ${values.out}`}`);
      } else {
        if (typeof values.in !== "string") throw new UsageError("--in FILE (or - for stdin) is required");
        const r = db.kind === "sqlite" ? await importData(db.path, values.in) : await importPostgres(db.url, values.in);
        log(values.json ? JSON.stringify({ db: where, ...r }) : `imported ${r.rows} rows into ${where}`);
      }
      return 0;
    } catch (err) {
      if (err instanceof UsageError || err instanceof ConfigError || (err as { code?: string }).code?.startsWith?.("ERR_PARSE_ARGS")) {
        process.stderr.write(`clickclack ${kind}: ${(err as Error).message}\n\n${USAGE}`);
        return 2;
      }
      process.stderr.write(`clickclack ${kind}: ${(err as Error).message}\n`);
      return 1;
    }
  };
}
