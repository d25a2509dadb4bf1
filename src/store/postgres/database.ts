// Connecting to Postgres, migrating under an advisory lock, and the group-commit writer that
// every mutation goes through.
import postgres, { type Sql } from "postgres";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import type { PgDatabase } from "drizzle-orm/pg-core";
import type { PostgresJsQueryResultHKT } from "drizzle-orm/postgres-js";
import { migrations } from "../../../drizzle/postgres/index.ts";
import type { StoredEvent } from "../../chat/types.ts";
import * as schema from "./schema.ts";

/** The pool or a transaction: every query helper takes either. */
export type Db = PgDatabase<PostgresJsQueryResultHKT, typeof schema>;

/** The oldest server we run on: 15 (MERGE, NULLS NOT DISTINCT, pg_trgm 1.6 are assumed). */
export const MIN_SERVER_VERSION = 15;

/** Any number that is ours: two processes migrating at once wait on it, not on each other's DDL. */
const MIGRATION_LOCK = 0x636c6b63; // "clkc"

export class DatabaseUnavailable extends Error {}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://…";
  }
}

export function openClient(url: string, pool: number): Sql {
  return postgres(url, {
    max: pool,
    // The server's notices (e.g. "extension already exists") are not ours to print.
    onnotice: () => {},
    connect_timeout: 10,
    // A connection that was idle this long is closed and reopened on demand: a restarted server
    // is picked up again without a process restart.
    idle_timeout: 60,
  });
}

export function wrap(client: Sql): Db {
  return drizzle({ client, schema }) as unknown as Db;
}

/**
 * Checks that the server answers and is recent enough; a clear error otherwise (at start, the
 * difference between "not running" and "too old" is what the operator needs to know).
 */
export async function checkServer(client: Sql, url: string): Promise<void> {
  let version: number;
  try {
    const [row] = await client`SELECT current_setting('server_version_num')::int AS v`;
    version = Number(row!.v);
  } catch (err) {
    throw new DatabaseUnavailable(`cannot reach Postgres at ${redactUrl(url)}: ${(err as Error).message}`);
  }
  if (Math.floor(version / 10000) < MIN_SERVER_VERSION) {
    throw new DatabaseUnavailable(`Postgres at ${redactUrl(url)} is version ${Math.floor(version / 10000)}.${version % 10000}; ClickClack needs ${MIN_SERVER_VERSION} or newer`);
  }
}

/**
 * Applies the embedded migrations on one dedicated connection holding a session advisory lock:
 * several processes starting at once queue on the lock, and the ones after the first find
 * nothing left to do.
 */
export async function migrateDatabase(url: string): Promise<void> {
  const client = openClient(url, 1);
  try {
    await checkServer(client, url);
    await client`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
    try {
      const db = wrap(client);
      const metas = migrations.map((m) => ({
        sql: m.sql.split("--> statement-breakpoint"),
        bps: m.breakpoints,
        folderMillis: m.when,
        hash: new Bun.CryptoHasher("sha256").update(m.sql).digest("hex"),
      }));
      // drizzle's own migrator reads a folder; the dialect's migrate() takes the same list from memory.
      const internals = db as unknown as { dialect: { migrate: (m: unknown, s: unknown, c: unknown) => Promise<void> }; session: unknown };
      await internals.dialect.migrate(metas, internals.session, { migrationsSchema: "drizzle", migrationsTable: "__drizzle_migrations" });
    } finally {
      await client`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}

export type EventSink = (event: StoredEvent) => void;
export type CommitListener = (events: StoredEvent[]) => void;
/** Runs inside the batch's transaction, after its last mutation: what it writes commits with the batch. */
export type BeforeCommitHook = (tx: Db, events: StoredEvent[]) => Promise<void>;

type Job = {
  fn: (tx: Db, emit: EventSink) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
};

/**
 * Worth running the mutation again: a deadlock victim, or a unique index that another process's
 * commit filled between our check and our insert (the rerun's check now sees that row and
 * answers with the same 409 as on SQLite, never a 500).
 */
const RETRYABLE = new Set(["40P01", "23505"]);
const retryable = (err: unknown) => RETRYABLE.has((err as { code?: string })?.code ?? (err as { cause?: { code?: string } })?.cause?.code ?? "");

/**
 * Group commit on Postgres, as on SQLite (src/store/sqlite/database.ts): mutations queue; all the
 * mutations that arrive while a batch runs make the next batch, one transaction with a savepoint
 * per mutation, so that one refused write rolls back alone. Promises resolve only after COMMIT.
 *
 * Commit order of cursors: appending an event updates the workspace's row (last_cursor) and holds
 * its lock to COMMIT, so another process's next event in that workspace waits for this commit;
 * a deadlock between two processes' batches (workspaces locked in opposite orders) rolls back one
 * mutation's savepoint, which is then retried (see `retryable`).
 *
 * Listeners hear the committed events of a batch in cursor order, once per commit. `beforeCommit`
 * hooks run inside the transaction after the last mutation (one NOTIFY per batch goes there: a
 * NOTIFY is delivered exactly when, and only if, its transaction commits).
 */
export class PgGroupCommitWriter {
  private queue: Job[] = [];
  private running = false;
  private closed = false;
  private listeners = new Set<CommitListener>();
  private hooks = new Set<BeforeCommitHook>();
  private idle: (() => void)[] = [];
  batches = 0;
  jobs = 0;

  constructor(private db: Db, private maxBatch = 512) {}

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  beforeCommit(hook: BeforeCommitHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  write<T>(fn: (tx: Db, emit: EventSink) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("store is closed"));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running) {
        this.running = true;
        // The writes of this turn of the event loop join the first batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      await this.runBatch(batch);
    }
    this.running = false;
    for (const done of this.idle.splice(0)) done();
  }

  /** Resolves once everything queued so far has committed (or failed). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.running) await new Promise<void>((r) => this.idle.push(r));
  }

  private async runBatch(batch: Job[]): Promise<void> {
    const results: { ok: boolean; value: unknown; events: StoredEvent[] }[] = [];
    try {
      await this.db.transaction(async (tx) => {
        for (const job of batch) {
          for (let attempt = 1; ; attempt++) {
            const events: StoredEvent[] = [];
            try {
              const value = await tx.transaction((sp) => job.fn(sp as unknown as Db, (e) => events.push(e)));
              results.push({ ok: true, value, events });
              break;
            } catch (err) {
              if (retryable(err) && attempt < 4) continue;
              results.push({ ok: false, value: err, events: [] });
              break;
            }
          }
        }
        if (this.hooks.size > 0) {
          const events = results.flatMap((r) => r.events);
          for (const hook of this.hooks) await hook(tx as unknown as Db, events);
        }
      });
    } catch (err) {
      for (const job of batch) job.reject(err);
      return;
    }
    this.batches++;
    this.jobs += batch.length;
    const committed: StoredEvent[] = [];
    batch.forEach((job, i) => {
      const r = results[i]!;
      if (r.ok) {
        committed.push(...r.events);
        job.resolve(r.value);
      } else {
        job.reject(r.value);
      }
    });
    if (committed.length > 0) {
      for (const listener of this.listeners) {
        try {
          listener(committed);
        } catch (err) {
          console.error("commit listener failed", err);
        }
      }
    }
  }
}

/** `SELECT 1` on the pool: throws while the server is unreachable. */
export async function ping(db: Db): Promise<void> {
  await db.execute(sql`SELECT 1`);
}
