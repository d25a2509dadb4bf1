// Looking into a running server's database from a test, whatever the dialect, through the
// store's own connection: row counts, and a digest of every data table to prove that a refused
// request changed nothing.
import type { PostgresStore } from "../store/postgres/index.ts";
import type { SqliteStore } from "../store/sqlite/index.ts";
import type { Store } from "../store/store.ts";
import { dataTables } from "../cli/ops.ts";

type Row = Record<string, unknown>;

/**
 * A read-only query with `?` placeholders, on either dialect. Keep the SQL portable: plain
 * SELECTs over the tables both schemas share.
 */
export async function queryRows(store: Store, text: string, params: unknown[] = []): Promise<Row[]> {
  if (store.dialect === "sqlite") {
    return (store as SqliteStore).raw.query(text).all(...(params as never[])) as Row[];
  }
  let i = 0;
  return [...(await (store as PostgresStore).client.unsafe(text.replace(/\?/g, () => `$${++i}`), params as never[]))] as Row[];
}

/** The first row of an aggregate query, as numbers (Postgres returns bigint sums and counts as text). */
export async function queryNumbers(store: Store, text: string, params: unknown[] = []): Promise<Record<string, number>> {
  const row = (await queryRows(store, text, params))[0] ?? {};
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? 0 : Number(v)]));
}

/** `SELECT count(*)` of a table, with an optional WHERE (`?` placeholders). */
export async function countRows(store: Store, table: string, where = "", params: unknown[] = []): Promise<number> {
  return (await queryNumbers(store, `SELECT count(*) AS n FROM ${table}${where ? ` WHERE ${where}` : ""}`, params)).n!;
}

// Background workers move their read positions on their own time, whatever a request did.
const BOOKKEEPING = new Set(["worker_positions"]);

async function tableNames(store: Store): Promise<string[]> {
  if (store.dialect === "sqlite") return dataTables((store as SqliteStore).raw).filter((n) => !BOOKKEEPING.has(n));
  const rows = await queryRows(store, "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name");
  return rows.map((r) => String(r.name)).filter((n) => !n.startsWith("__drizzle") && !BOOKKEEPING.has(n));
}

const canonical = (v: unknown): unknown =>
  v instanceof Date ? v.toISOString() : typeof v === "bigint" ? String(v) : v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v;

/**
 * Every data table and its rows, in a canonical order (a dialect without rowids compares the
 * same), as text: equal before and after means nothing changed, and a difference shows the rows.
 * `ignore` names columns that are bookkeeping, not content (e.g. last_used_at, which a
 * successful credential check touches).
 */
export async function databaseDigest(store: Store, opts: { ignore?: string[] } = {}): Promise<string> {
  const ignore = new Set(opts.ignore ?? []);
  const out: string[] = [];
  for (const table of await tableNames(store)) {
    const rows = await queryRows(store, `SELECT * FROM "${table}"`);
    const lines = rows
      .map((r) => JSON.stringify(Object.keys(r).sort().filter((k) => !ignore.has(k)).map((k) => [k, canonical(r[k])])))
      .sort();
    out.push(`${table} (${rows.length}):`, ...lines);
  }
  return out.join("\n");
}

/**
 * A write to a server's database from a connection of its own, as another process (the admin
 * CLI, a second server) would make it: `?` placeholders, either store.
 */
export async function writeElsewhere(server: { store: Store; dbPath: string }, text: string, params: (string | number | null)[] = []): Promise<void> {
  if (server.store.dialect === "sqlite") {
    const { Database } = await import("bun:sqlite");
    const db = new Database(server.dbPath);
    try {
      db.run(text, params);
    } finally {
      db.close();
    }
    return;
  }
  const { default: postgres } = await import("postgres");
  const sql = postgres((server.store as PostgresStore).url, { max: 1, onnotice: () => {} });
  try {
    let i = 0;
    await sql.unsafe(text.replace(/\?/g, () => `$${++i}`), params);
  } finally {
    await sql.end({ timeout: 1 });
  }
}
