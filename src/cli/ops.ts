// Operations on a data set: backup (a consistent copy of a live database), export (the whole data
// set as JSON, secrets redacted) and import (an export into an empty database). Export and import
// work on SQLite and Postgres alike and speak one document, so an export from one store imports
// into the other; a Postgres backup is pg_dump's job.
import { Database } from "bun:sqlite";
import { existsSync, renameSync, rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { JSONParser } from "@streamparser/json";
import { ConfigError, loadConfig, SETTINGS } from "../config/config.ts";
import { columns as pgColumns, readTables as pgReadTables, writeTables as pgWriteTables } from "../store/postgres/transfer.ts";
import { migrateDatabase, openDatabase } from "../store/sqlite/database.ts";
import { EXIT } from "./exit.ts";
import { Progress } from "./progress.ts";

type Db = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

class UsageError extends Error {}

const EXPORT_FORMAT = "clickclack-export";
const EXPORT_VERSION = 1;

/** Columns that hold secrets (hashes of tokens): never exported. */
// Webhook signing secrets and incoming-webhook secret hashes too: after an import, managers rotate
// them (the old ones are not carried over, so an old URL opens nothing).
const SECRET_COLUMNS = new Set(["token_hash", "state_hash", "code_verifier", "password_hash", "signing_secret", "secret_hash"]);
/**
 * Tables that hold nothing but live secrets: sessions and links are not worth restoring, and a
 * Pushover user key or a push subscription is set again by its owner (a placeholder would only be
 * pushed to in vain), and a new VAPID key pair is made on first use.
 */
const SECRET_TABLES = ["sessions", "magic_links", "oauth_states", "bot_setup_codes", "pushover_keys", "vapid_keys", "push_subscriptions", "server_secrets"];
/** Who is connected right now: true of the exporting server's sockets, never of the importing one's. */
const LIVE_TABLES = ["presence_sockets", "presence_away"];
/** Marks of change for this database's caches (src/store/thread-windows.ts), not data: an import starts them again. */
const CACHE_TABLES = ["users_epoch"];
const NOT_EXPORTED = new Set([...SECRET_TABLES, ...LIVE_TABLES, ...CACHE_TABLES]);
/**
 * Columns that mark a row's changes for this database's caches, not data: the `version` of
 * messages and users (src/store/message-cache.ts) is moved by triggers as an import writes
 * reactions and files, so it would differ between a database and its copy; an import starts it
 * again.
 */
const NOT_EXPORTED_COLUMNS: Record<string, ReadonlySet<string>> = { messages: new Set(["version"]), users: new Set(["version"]) };
const exportedColumns = (table: string, columns: string[]) => columns.filter((c) => !NOT_EXPORTED_COLUMNS[table]?.has(c));
function exportedRow(table: string, row: Record<string, unknown>): Record<string, unknown> {
  const drop = NOT_EXPORTED_COLUMNS[table];
  if (drop) for (const c of drop) delete row[c];
  return row;
}
const REDACTED = "[redacted]";

function dbFrom(values: Record<string, unknown>): Db {
  const args = SETTINGS.flatMap((s) => (typeof values[s.flag] === "string" ? [`--${s.flag}`, values[s.flag] as string] : []));
  return loadConfig(args).config.db;
}

/**
 * Which tables and columns the document holds: equal on both stores at the same schema, so an
 * export says what it needs without naming a dialect's migration history.
 */
function schemaFingerprint(tables: { name: string; columns: string[] }[]): string {
  return new Bun.CryptoHasher("sha256").update(JSON.stringify(tables.map((t) => [t.name, t.columns]))).digest("hex").slice(0, 16);
}

/** Ordinary tables in a stable order, without FTS internals or the migration journal. */
export function dataTables(db: Database): string[] {
  const rows = db.query<{ name: string; sql: string }, []>("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
  const virtual = rows.filter((r) => /^CREATE VIRTUAL TABLE/i.test(r.sql ?? "")).map((r) => r.name);
  return rows
    .map((r) => r.name)
    .filter((n) => !n.startsWith("sqlite_") && !n.startsWith("__drizzle") && !virtual.includes(n) && !virtual.some((v) => n.startsWith(`${v}_`)));
}

function primaryOrder(db: Database, table: string): string {
  const pk = db.query<{ name: string; pk: number }, []>(`PRAGMA table_info("${table}")`).all().filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => `"${c.name}"`);
  return pk.length ? pk.join(", ") : "rowid";
}

/** The copy itself, in a worker, while the progress bar follows the copy's size. */
async function vacuumInto(dbPath: string, tmp: string, progress?: Progress): Promise<void> {
  if (progress) {
    const src = new Database(dbPath, { readonly: true });
    const pages = src.query<{ n: number }, []>("SELECT (SELECT page_count FROM pragma_page_count) - (SELECT freelist_count FROM pragma_freelist_count) AS n").get()?.n ?? 0;
    const pageSize = src.query<{ page_size: number }, []>("PRAGMA page_size").get()?.page_size ?? 4096;
    src.close();
    progress.total(pages * pageSize);
  }
  // Inside the compiled binary, workers load by their path from the entry points' common root
  // (scripts/build.ts lists this one); from source, beside this file.
  const worker = new Worker(Bun.main.startsWith("/$bunfs/") ? "./src/cli/backup-worker.ts" : new URL("./backup-worker.ts", import.meta.url).href);
  let seen = 0;
  const timer = setInterval(() => {
    const size = existsSync(tmp) ? Bun.file(tmp).size : 0;
    if (size > seen) progress?.add(size - seen);
    seen = Math.max(seen, size);
  }, 100);
  try {
    const result = await new Promise<{ ok: boolean; message?: string }>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(event.message));
      worker.postMessage({ dbPath, tmp });
    });
    if (!result.ok) throw new Error(result.message);
  } finally {
    clearInterval(timer);
    worker.terminate();
  }
  const size = Bun.file(tmp).size;
  if (size > seen) progress?.add(size - seen);
  // The total was an estimate from the source's pages; the copy's real size is the whole.
  progress?.total(size);
  progress?.finish();
}

export async function backup(dbPath: string, out: string, progress?: Progress): Promise<{ bytes: number; messages: number }> {
  if (!existsSync(dbPath)) throw new UsageError(`no database at ${dbPath}`);
  const tmp = `${out}.partial-${process.pid}`;
  rmSync(tmp, { force: true });
  await vacuumInto(dbPath, tmp, progress);
  const check = new Database(tmp, { readonly: true });
  try {
    const ok = check.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get();
    if (ok?.integrity_check !== "ok") throw new Error(`backup failed its integrity check: ${ok?.integrity_check}`);
    const messages = check.query<{ n: number }, []>("SELECT count(*) AS n FROM messages").get()?.n ?? 0;
    check.close();
    renameSync(tmp, out);
    return { bytes: Bun.file(out).size, messages };
  } catch (err) {
    check.close();
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Streams the export as JSON: deterministic (ordered rows, no timestamps of its own). */
export async function exportData(source: Db | string, out: string, progress?: Progress): Promise<{ tables: number; rows: number }> {
  const db: Db = typeof source === "string" ? { kind: "sqlite", path: source } : source;
  const toStdout = out === "-";
  const tmp = toStdout ? "" : `${out}.partial-${process.pid}`;
  const sink = toStdout ? Bun.stdout.writer() : Bun.file(tmp).writer();
  let rows = 0;
  let tableCount = 0;
  const redact = (row: Record<string, unknown>) => {
    for (const col of Object.keys(row)) if (SECRET_COLUMNS.has(col)) row[col] = REDACTED;
    return row;
  };
  const head = (layout: { name: string; columns: string[] }[]) =>
    sink.write(`{"format":${JSON.stringify(EXPORT_FORMAT)},"version":${EXPORT_VERSION},"schema":${JSON.stringify(schemaFingerprint(layout))},"tables":{`);
  const table = (name: string) => sink.write(`${tableCount++ ? "," : ""}\n${JSON.stringify(name)}:[`);
  let first = true;
  const row = (r: Record<string, unknown>) => {
    sink.write(`${first ? "\n" : ",\n"}${JSON.stringify(redact(r))}`);
    first = false;
    rows++;
    progress?.add();
  };
  try {
    if (db.kind === "sqlite") {
      const raw = new Database(db.path, { readonly: true });
      raw.exec("PRAGMA busy_timeout = 10000");
      try {
        const tables = dataTables(raw).filter((t) => !NOT_EXPORTED.has(t));
        // One read transaction: every table comes from the same snapshot.
        raw.exec("BEGIN");
        if (progress) progress.total(tables.reduce((n, t) => n + (raw.query<{ n: number }, []>(`SELECT count(*) AS n FROM "${t}"`).get()?.n ?? 0), 0));
        head(tables.map((name) => ({ name, columns: exportedColumns(name, raw.query<{ name: string }, []>(`PRAGMA table_info("${name}")`).all().map((c) => c.name)) })));
        for (const name of tables) {
          table(name);
          first = true;
          for (const r of raw.query<Record<string, unknown>, []>(`SELECT * FROM "${name}" ORDER BY ${primaryOrder(raw, name)}`).iterate()) row(exportedRow(name, r));
          sink.write("]");
        }
        raw.exec("COMMIT");
      } finally {
        raw.close();
      }
    } else {
      let headed = false;
      await pgReadTables(db.url, NOT_EXPORTED, async (name, batches) => {
        if (!headed) throw new Error("unreachable");
        table(name);
        first = true;
        for await (const batch of batches) for (const r of batch) row(exportedRow(name, { ...r }));
        sink.write("]");
      }, async (layout) => {
        head(layout.map((t) => ({ name: t.name, columns: exportedColumns(t.name, t.columns) })));
        headed = true;
      });
    }
    sink.write("\n}}\n");
    await sink.end();
    progress?.finish();
    if (!toStdout) renameSync(tmp, out);
    return { tables: tableCount, rows };
  } catch (err) {
    if (!toStdout) rmSync(tmp, { force: true });
    throw err;
  }
}

/** A redacted secret becomes an unguessable value: the row survives, the secret does not. */
function unredact(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // A password is simply gone after a restore (an admin sets a new one); null says so plainly.
  for (const [c, v] of Object.entries(row)) out[c] = SECRET_COLUMNS.has(c) && v === REDACTED ? (c === "password_hash" ? null : `${REDACTED}:${crypto.randomUUID()}`) : v;
  return out;
}

interface ImportOptions {
  progress?: Progress;
}

/**
 * Restores an export into an empty database, streaming: rows are parsed and inserted as they
 * arrive, so memory stays flat however large the export (bench/import.ts measures it).
 */
export async function importData(target: Db | string, input: string, opts: ImportOptions = {}): Promise<{ rows: number }> {
  const db: Db = typeof target === "string" ? { kind: "sqlite", path: target } : target;
  if (db.kind === "postgres") return importIntoPostgres(db.url, input);
  const dbPath = db.path;
  const file = input === "-" ? null : Bun.file(input);
  if (file && !(await file.exists())) throw new UsageError(`no such file: ${input}`);
  const progress = opts.progress;
  if (file) progress?.total(file.size);
  const { raw, db: sqlite } = openDatabase(dbPath);
  try {
    migrateDatabase(sqlite);
    const users = raw.query<{ n: number }, []>("SELECT count(*) AS n FROM users").get()?.n ?? 0;
    if (users > 0) throw new UsageError(`${dbPath} is not empty: import restores into an empty database`);
    const known = new Set(dataTables(raw));
    // One long transaction: a small page cache keeps its dirty pages spilling to the WAL instead
    // of growing with the export.
    raw.exec("PRAGMA cache_size = -8192");
    const header: { format?: unknown; version?: unknown } = {};
    const checkHeader = () => {
      if (header.format !== EXPORT_FORMAT || header.version !== EXPORT_VERSION) throw new UsageError(`the input is not a ${EXPORT_FORMAT} v${EXPORT_VERSION} document`);
    };
    let rows = 0;
    let failure: unknown = null;
    const parser = new JSONParser({ paths: ["$.format", "$.version", "$.tables.*.*"], keepStack: false });
    parser.onValue = ({ value, key, stack }) => {
      if (failure) return;
      try {
        if (stack.length === 1) {
          if (key === "format") header.format = value;
          else if (key === "version") header.version = value;
          return;
        }
        checkHeader();
        const table = String(stack[2]?.key);
        if (!known.has(table)) throw new UsageError(`unknown table "${table}" in the export (newer version?)`);
        insertRow(raw, table, value as Record<string, unknown>);
        rows++;
        if (!file) progress?.add();
      } catch (err) {
        failure = err;
      }
    };
    // Rows arrive in table order, not dependency order: check references once, at the end.
    raw.exec("PRAGMA foreign_keys = OFF");
    raw.exec("BEGIN IMMEDIATE");
    try {
      const reader = (file ? file.stream() : Bun.stdin.stream()).getReader();
      for (;;) {
        const { value: chunk, done } = await reader.read();
        if (done) break;
        try {
          parser.write(chunk);
        } catch {
          throw new UsageError("the input is not JSON");
        }
        if (failure) throw failure;
        if (file) progress?.add(chunk.byteLength);
      }
      if (!parser.isEnded) throw new UsageError("the input is not JSON (it ends too soon)");
      checkHeader();
      const broken = raw.query("PRAGMA foreign_key_check").all();
      if (broken.length > 0) throw new UsageError(`the export has ${broken.length} broken references`);
      raw.exec("COMMIT");
    } catch (err) {
      raw.exec("ROLLBACK");
      throw err;
    }
    raw.exec("PRAGMA foreign_keys = ON");
    progress?.finish();
    return { rows };
  } finally {
    raw.close();
  }
}

function insertRow(raw: Database, table: string, original: Record<string, unknown>): void {
  const row = unredact(original);
  const cols = Object.keys(row);
  const values = cols.map((c) => row[c]) as (string | number | null)[];
  raw.query(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`).run(...values);
}

/**
 * Postgres inserts table by table in dependency order, so it takes the whole document (the
 * streaming import is SQLite's, where references are checked once at the end).
 */
async function importIntoPostgres(url: string, input: string): Promise<{ rows: number }> {
  const text = input === "-" ? await Bun.stdin.text() : await Bun.file(input).text();
  let doc: { format?: string; version?: number; tables?: Record<string, Record<string, unknown>[]> };
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UsageError("the input is not JSON");
  }
  if (doc.format !== EXPORT_FORMAT || doc.version !== EXPORT_VERSION || typeof doc.tables !== "object") throw new UsageError(`the input is not a ${EXPORT_FORMAT} v${EXPORT_VERSION} document`);
  const rows = await pgWriteTables(url, doc.tables!, {
    prepare: unredact,
    notEmpty: () => new UsageError("the Postgres database is not empty: import restores into an empty database"),
    unknownTable: (t) => new UsageError(`unknown table "${t}" in the export (newer version?)`),
  });
  return { rows };
}

/**
 * Postgres has its own consistent online copy: pg_dump (custom format, restored with
 * pg_restore). Run when it is installed; otherwise say so (exit 2) rather than half-do it.
 */
async function pgBackup(url: string, out: string, log: (msg: string) => void): Promise<number> {
  const pgDump = Bun.which("pg_dump");
  if (!pgDump) throw new UsageError(`on Postgres, back up with pg_dump (not found on PATH here): pg_dump --format=custom --file=${out} "$CLICKCLACK_DB"`);
  const p = Bun.spawn([pgDump, "--format=custom", `--file=${out}`, "--no-owner", url], { stdout: "inherit", stderr: "inherit" });
  const code = await p.exited;
  if (code !== 0) throw new Error(`pg_dump exited with ${code}`);
  log(`backup written to ${out} by pg_dump (custom format: restore with pg_restore)`);
  return 0;
}

const USAGE = `Usage:
  clickclack backup --out FILE [--data DIR | --db PATH|URL]     consistent copy of a live database (Postgres: pg_dump)
  clickclack export --out FILE|- [--data DIR | --db PATH|URL]   the data set as JSON (secrets redacted), atomically
  clickclack import --in FILE|- [--data DIR | --db PATH|URL]    restore an export into an empty database (SQLite or Postgres)
`;

/** A progress bar on a terminal; none in a pipe or with --json (scripts read the result line). */
function progressFor(label: string, unit: "rows" | "bytes", values: { json?: unknown }): Progress | undefined {
  return values.json || !process.stderr.isTTY ? undefined : new Progress({ label, unit });
}

export function opsCommand(kind: "backup" | "export" | "import") {
  return async (args: string[]): Promise<number> => {
    const options: Record<string, { type: "string" | "boolean" }> = { out: { type: "string" }, in: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } };
    for (const s of SETTINGS) options[s.flag] ??= { type: s.kind === "boolean" ? "boolean" : "string" };
    try {
      const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
      if (values.help) {
        process.stdout.write(USAGE);
        return EXIT.ok;
      }
      const db = dbFrom(values);
      const where = db.kind === "sqlite" ? db.path : "the Postgres database";
      const log = (msg: string) => (kind === "export" && values.out === "-" ? process.stderr : process.stdout).write(`${msg}\n`);
      if (kind === "backup") {
        if (typeof values.out !== "string") throw new UsageError("--out FILE is required");
        if (db.kind === "postgres") return await pgBackup(db.url, values.out, log);
        const r = await backup(db.path, values.out, progressFor("backing up", "bytes", values));
        log(values.json ? JSON.stringify({ out: values.out, ...r }) : `backup written to ${values.out} (${r.bytes} bytes, ${r.messages} messages, integrity ok)`);
      } else if (kind === "export") {
        if (typeof values.out !== "string") throw new UsageError("--out FILE (or - for stdout) is required");
        const r = await exportData(db, values.out, progressFor("exporting", "rows", values));
        log(values.json ? JSON.stringify({ out: values.out, ...r }) : `exported ${r.rows} rows from ${r.tables} tables${values.out === "-" ? "" : ` to ${values.out}`}`);
      } else {
        if (typeof values.in !== "string") throw new UsageError("--in FILE (or - for stdin) is required");
        const r = await importData(db, values.in, { progress: progressFor("importing", values.in === "-" ? "rows" : "bytes", values) });
        log(values.json ? JSON.stringify({ db: db.kind === "sqlite" ? db.path : "postgres", ...r }) : `imported ${r.rows} rows into ${where}`);
      }
      return EXIT.ok;
    } catch (err) {
      if (err instanceof UsageError || err instanceof ConfigError || (err as { code?: string }).code?.startsWith?.("ERR_PARSE_ARGS")) {
        process.stderr.write(`clickclack ${kind}: ${(err as Error).message}\n\n${USAGE}`);
        return EXIT.usage;
      }
      process.stderr.write(`clickclack ${kind}: ${(err as Error).message}\n`);
      return EXIT.error;
    }
  };
}
