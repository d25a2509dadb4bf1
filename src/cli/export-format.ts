// The export document, whichever store it comes from or goes to: the tables and columns of this
// build's SQLite schema (the reference shape, made by migrating an in-memory database), rows in
// primary-key order, integers as numbers, secrets redacted. Export from SQLite or Postgres and
// the same data gives the same bytes; that is what makes it the path from one store to the other.
import type { Database } from "bun:sqlite";
import { renameSync, rmSync } from "node:fs";
import { migrateDatabase, openDatabase } from "../store/sqlite/database.ts";

export const EXPORT_FORMAT = "clickclack-export";
export const EXPORT_VERSION = 1;

/** Columns that hold secrets (hashes of tokens): never exported. */
export const SECRET_COLUMNS = new Set(["token_hash", "state_hash", "code_verifier"]);
/** Tables that hold nothing but live secrets: sessions and links are not worth restoring. */
export const SECRET_TABLES = new Set(["sessions", "magic_links", "oauth_states"]);
export const REDACTED = "[redacted]";

export class UsageError extends Error {}

export interface TableShape {
  name: string;
  columns: { name: string; integer: boolean }[];
  primaryKey: string[];
}

/** Ordinary tables in a stable order, without FTS internals or the migration journal. */
export function dataTables(db: Database): string[] {
  const rows = db.query<{ name: string; sql: string }, []>("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
  const virtual = rows.filter((r) => /^CREATE VIRTUAL TABLE/i.test(r.sql ?? "")).map((r) => r.name);
  return rows
    .map((r) => r.name)
    .filter((n) => !n.startsWith("sqlite_") && !n.startsWith("__drizzle") && !virtual.includes(n) && !virtual.some((v) => n.startsWith(`${v}_`)));
}

export function tableShape(db: Database, table: string): TableShape {
  const cols = db.query<{ name: string; type: string; pk: number }, []>(`PRAGMA table_info("${table}")`).all();
  return {
    name: table,
    columns: cols.map((c) => ({ name: c.name, integer: /INT/i.test(c.type) })),
    primaryKey: cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
  };
}

/** The document's tables as this build defines them, and how many migrations made them. */
export function referenceShape(): { tables: TableShape[]; migrations: number } {
  const { raw, db } = openDatabase(":memory:");
  try {
    migrateDatabase(db);
    const migrations = raw.query<{ n: number }, []>("SELECT count(*) AS n FROM __drizzle_migrations").get()?.n ?? 0;
    return { tables: dataTables(raw).filter((t) => !SECRET_TABLES.has(t)).map((t) => tableShape(raw, t)), migrations };
  } finally {
    raw.close();
  }
}

/** Writes the document as it streams by, atomically when it goes to a file. */
export class ExportWriter {
  private sink: ReturnType<ReturnType<typeof Bun.file>["writer"]>;
  private tmp: string;
  private tableCount = 0;
  private first = true;
  rows = 0;

  constructor(private out: string) {
    this.tmp = out === "-" ? "" : `${out}.partial-${process.pid}`;
    this.sink = out === "-" ? Bun.stdout.writer() : Bun.file(this.tmp).writer();
  }

  begin(schemaMigrations: number): void {
    this.sink.write(`{"format":${JSON.stringify(EXPORT_FORMAT)},"version":${EXPORT_VERSION},"schema_migrations":${schemaMigrations},"tables":{`);
  }

  table(name: string): void {
    this.sink.write(`${this.tableCount ? "]," : ""}\n${JSON.stringify(name)}:[`);
    this.tableCount++;
    this.first = true;
  }

  row(row: Record<string, unknown>): void {
    for (const col of Object.keys(row)) if (SECRET_COLUMNS.has(col)) row[col] = REDACTED;
    this.sink.write(`${this.first ? "\n" : ",\n"}${JSON.stringify(row)}`);
    this.first = false;
    this.rows++;
  }

  async end(): Promise<{ tables: number; rows: number }> {
    this.sink.write(`${this.tableCount ? "]" : ""}\n}}\n`);
    await this.sink.end();
    if (this.tmp) renameSync(this.tmp, this.out);
    return { tables: this.tableCount, rows: this.rows };
  }

  abort(): void {
    if (this.tmp) rmSync(this.tmp, { force: true });
  }
}

export type ExportDocument = { format: string; version: number; schema_migrations: number; tables: Record<string, Record<string, unknown>[]> };

export async function readExport(input: string): Promise<ExportDocument> {
  const text = input === "-" ? await Bun.stdin.text() : await Bun.file(input).text();
  let doc: Partial<ExportDocument>;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UsageError("the input is not JSON");
  }
  if (doc.format !== EXPORT_FORMAT || doc.version !== EXPORT_VERSION || typeof doc.tables !== "object" || doc.tables === null) {
    throw new UsageError(`the input is not a ${EXPORT_FORMAT} v${EXPORT_VERSION} document`);
  }
  return doc as ExportDocument;
}

/** A redacted secret becomes an unguessable value: the row survives, the secret does not. */
export function restoredValue(column: string, value: unknown): unknown {
  return SECRET_COLUMNS.has(column) && value === REDACTED ? `${REDACTED}:${crypto.randomUUID()}` : value;
}
