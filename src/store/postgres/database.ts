// Connecting to Postgres, migrating under an advisory lock, and the group-commit writer that
// every mutation goes through.
import { capturePendingAudit, type NewAuditEntry } from "../../chat/audit.ts";
import { bindCorrelation } from "../../chat/correlation.ts";
import postgres, { type Sql } from "postgres";
import { eq, sql } from "drizzle-orm";
import { nextCursor } from "../../chat/ids.ts";
import { drizzle } from "drizzle-orm/postgres-js";
import type { PgDatabase } from "drizzle-orm/pg-core";
import type { PostgresJsQueryResultHKT } from "drizzle-orm/postgres-js";
import { migrations } from "../../../drizzle/postgres/index.ts";
import type { StoredEvent } from "../../chat/types.ts";
import * as schema from "./schema.ts";
import { backgroundLog } from "../../observability/log.ts";

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

export type CommitListener = (events: StoredEvent[]) => void;
/** Runs inside the batch's transaction, after its last mutation: what it writes commits with the batch. */
export type BeforeCommitHook = (tx: Db, events: StoredEvent[]) => Promise<void>;

/**
 * What a mutation appends events through (src/store/postgres/events.ts). Cursors and event rows
 * are kept per batch: the workspace row is locked once per batch (not once per event), and the
 * batch's events and last cursors are written in one statement each just before COMMIT.
 */
export interface EventSink {
  /** The next cursor of a workspace, locking its row on first use in this batch. */
  nextCursor(tx: Db, workspaceId: string): Promise<string>;
  /** Locks the workspace's row now, if this batch has not yet (to pipeline it with other queries). */
  lock(tx: Db, workspaceId: string): Promise<void>;
  append(event: StoredEvent, row: typeof schema.events.$inferInsert): void;
}

class BatchEvents {
  private cursors = new Map<string, string>();
  private rows: (typeof schema.events.$inferInsert)[] = [];
  readonly events: StoredEvent[] = [];

  /** A sink for one mutation: its events count only if it commits (`keep`). */
  job(): EventSink & { keep(): StoredEvent[]; discard(): void } {
    const locked: string[] = [];
    const rows: (typeof schema.events.$inferInsert)[] = [];
    const events: StoredEvent[] = [];
    const sink: EventSink & { keep(): StoredEvent[]; discard(): void } = {
      lock: async (tx, workspaceId) => {
        if (this.cursors.has(workspaceId)) return;
        const [ws] = await tx.select({ c: schema.workspaces.lastCursor }).from(schema.workspaces).where(eq(schema.workspaces.id, workspaceId)).for("update");
        locked.push(workspaceId);
        // "" stands for "no cursor yet": nextCursor(null) below.
        this.cursors.set(workspaceId, ws?.c ?? "");
      },
      nextCursor: async (tx, workspaceId) => {
        if (!this.cursors.has(workspaceId)) await sink.lock(tx, workspaceId);
        const cursor = nextCursor(this.cursors.get(workspaceId) || null);
        this.cursors.set(workspaceId, cursor);
        return cursor;
      },
      append: (event, row) => {
        events.push(event);
        rows.push(row);
      },
      keep: () => {
        this.rows.push(...rows);
        this.events.push(...events);
        return events;
      },
      // Its savepoint rolled back, and with it the row locks it took: those workspaces must be
      // locked again by the next mutation that writes there. (Cursors it handed out are skipped,
      // which keeps them increasing.)
      discard: () => {
        for (const w of locked) this.cursors.delete(w);
      },
    };
    return sink;
  }

  /** Writes the batch's events and last cursors: pipelined, one round trip. */
  async flush(tx: Db): Promise<void> {
    const writes: PromiseLike<unknown>[] = [];
    for (let i = 0; i < this.rows.length; i += 1000) writes.push(tx.insert(schema.events).values(this.rows.slice(i, i + 1000)));
    const ids = [...this.cursors.keys()].filter((id) => this.cursors.get(id) !== "");
    if (ids.length > 0) {
      const cursors = ids.map((id) => this.cursors.get(id)!);
      writes.push(tx.execute(sql`UPDATE workspaces w SET last_cursor = v.c FROM unnest(${pgTextArray(ids)}::text[], ${pgTextArray(cursors)}::text[]) AS v(id, c) WHERE w.id = v.id`));
    }
    await Promise.all(writes);
  }
}

/** A text[] literal (ids and cursors hold no quotes, commas or braces, but quote anyway). */
function pgTextArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}

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
// drizzle wraps the driver's error: the SQLSTATE is on its cause.
export const sqlState = (err: unknown) => (err as { code?: string })?.code ?? (err as { cause?: { code?: string } })?.cause?.code ?? "";
const retryable = (err: unknown) => RETRYABLE.has(sqlState(err));
/**
 * A deadlock with another process's batch: the locks this batch took for earlier mutations are
 * part of the cycle, and rolling back one mutation does not release them. The whole batch is
 * rolled back and run again (nothing of it was committed or answered yet).
 */
class RestartBatch extends Error {}
const ATTEMPTS = 4;
/** Sends a drizzle query now (its builders are lazy until awaited). */
const run = (q: PromiseLike<unknown>): Promise<unknown> => {
  const p = Promise.resolve(q);
  // Awaited later; until then a failure must not count as unhandled.
  p.catch(() => {});
  return p;
};

/**
 * Group commit on Postgres, as on SQLite (src/store/sqlite/database.ts): mutations queue; all the
 * mutations that arrive while a batch runs make the next batch, one transaction with a savepoint
 * per mutation (none when the batch holds one), so that one refused write rolls back alone.
 * Promises resolve only after COMMIT.
 *
 * Commit order of cursors: the first event of a workspace in a batch locks the workspace's row
 * (SELECT … FOR UPDATE) and the lock is held to COMMIT, so another process's next event in that
 * workspace waits for this commit before it reads last_cursor. Mutations take that lock before
 * any other row lock of theirs; a deadlock between two processes' batches that still happens
 * (workspaces locked in opposite orders by different mutations) runs the losing batch again.
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

  /** Appends audit entries inside the current job (set by the store). */
  auditSink: ((tx: Db, entries: NewAuditEntry[]) => Promise<unknown>) | null = null;

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
    // A call made under audited() records its entries in this write's savepoint (src/chat/audit.ts).
    const audit = capturePendingAudit();
    const job = audit
      ? async (tx: Db, emit: EventSink) => {
          const value = await fn(tx, emit);
          const entries = audit.entriesFor(value);
          if (entries.length > 0) await this.auditSink?.(tx, entries);
          return value;
        }
      : fn;
    return new Promise<T>((resolve, reject) => {
      const done = audit ? (v: unknown) => { audit.committed(); resolve(v as T); } : (resolve as (v: unknown) => void);
      this.queue.push({ fn: bindCorrelation(job), resolve: done, reject });
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

  private async runBatch(batch: Job[], attempt = 1): Promise<void> {
    // Alone in its batch, a mutation needs no savepoint: the transaction is its own.
    const solo = batch.length === 1;
    const results: { ok: boolean; value: unknown; events: StoredEvent[] }[] = [];
    const state = new BatchEvents();
    const released: Promise<unknown>[] = [];
    try {
      await this.db.transaction(async (tx) => {
        for (const job of batch) {
          for (let jobAttempt = 1; ; jobAttempt++) {
            const sink = state.job();
            const q = tx as unknown as Db;
            // The savepoint is sent ahead of the mutation's first query and released behind
            // it without waiting (postgres.js pipelines them on the connection, in order): two
            // round trips fewer per mutation.
            const savepoint = solo ? null : run(q.execute(sql`SAVEPOINT job`));
            try {
              const value = await job.fn(q, sink);
              if (savepoint) {
                await savepoint;
                released.push(run(q.execute(sql`RELEASE SAVEPOINT job`)));
              }
              results.push({ ok: true, value, events: sink.keep() });
              break;
            } catch (err) {
              sink.discard();
              if (!savepoint) throw err;
              await savepoint;
              await q.execute(sql`ROLLBACK TO SAVEPOINT job`);
              await q.execute(sql`RELEASE SAVEPOINT job`);
              if (sqlState(err) === "40P01" && attempt < ATTEMPTS) throw new RestartBatch();
              if (retryable(err) && jobAttempt < ATTEMPTS) continue;
              results.push({ ok: false, value: err, events: [] });
              break;
            }
          }
        }
        await Promise.all(released);
        await state.flush(tx as unknown as Db);
        for (const hook of this.hooks) await hook(tx as unknown as Db, state.events);
      });
    } catch (err) {
      if (err instanceof RestartBatch) {
        // A moment's pause, different in each process, so the two do not meet again at once.
        await Bun.sleep(Math.random() * 20 * attempt);
        return this.runBatch(batch, attempt + 1);
      }
      if (solo && results.length === 0 && retryable(err) && attempt < ATTEMPTS) return this.runBatch(batch, attempt + 1);
      for (const job of batch) job.reject(err);
      return;
    }
    this.batches++;
    this.jobs += batch.length;
    batch.forEach((job, i) => {
      const r = results[i]!;
      if (r.ok) job.resolve(r.value);
      else job.reject(r.value);
    });
    const committed = state.events;
    if (committed.length > 0) {
      for (const listener of this.listeners) {
        try {
          listener(committed);
        } catch (err) {
          backgroundLog().error({ err }, "commit listener failed");
        }
      }
    }
  }
}

/** `SELECT 1` on the pool: throws while the server is unreachable. */
export async function ping(db: Db): Promise<void> {
  await db.execute(sql`SELECT 1`);
}
