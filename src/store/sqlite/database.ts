// Opening the SQLite file and the group-commit writer that every mutation goes through.
import { capturePendingAudit, type NewAuditEntry } from "../../chat/audit.ts";
import { bindCorrelation } from "../../chat/correlation.ts";
import { Database, type Statement } from "bun:sqlite";
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { freshDatabaseFile, migrations, snapshot } from "../../../drizzle/sqlite/index.ts";
import { MIGRATION_JOURNAL_DDL, migrationHash, migrationScript, RECORD_MIGRATION_SQL } from "./schema-snapshot.ts";
import type { StoredEvent } from "../../chat/types.ts";
import * as schema from "./schema.ts";
import { backgroundLog } from "../../observability/log.ts";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

/** How long a statement waits for another connection's lock before it fails with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;
/** Between two attempts of the writer to take the write lock while another connection holds it. */
const WRITE_LOCK_RETRY_MS = 1;

export function openDatabase(path: string): { raw: Database; db: Db } {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const raw = new Database(path, { create: true, strict: true });
  // WAL lets readers run beside the writer; synchronous=NORMAL in WAL mode keeps every commit
  // across a process crash (kill -9) and only risks the last commits on power loss, which is
  // the usual trade for a chat server (documented in docs/architecture.md).
  raw.exec("PRAGMA journal_mode = WAL");
  raw.exec("PRAGMA synchronous = NORMAL");
  raw.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  raw.exec("PRAGMA foreign_keys = ON");
  raw.exec("PRAGMA temp_store = MEMORY");
  raw.exec("PRAGMA cache_size = -65536");
  return { raw, db: drizzle({ client: raw, schema }) };
}

type ReadTurn = { begin: Statement; commit: Statement; open: boolean; ending: boolean };
const readTurns = new WeakMap<Database, ReadTurn>();

/**
 * Runs a read inside the connection's read transaction for this turn of the event loop, opening
 * one if none is open. In WAL mode every statement outside a transaction takes and drops its own
 * read lock (fcntl calls on the file and its shared-memory index): measured here, that lock cost
 * more than most of a page's statements. A read transaction pays it once for all the reads of a
 * turn, whoever makes them, and each read sees one snapshot.
 *
 * The transaction ends when the turn does (setImmediate), and before anything else needs the
 * connection: the group-commit writer and the checkpointer call endReadTurn first, so a write is
 * never queued behind a snapshot and a read after a commit sees it. `fn` must be synchronous;
 * inside a write job (a transaction already open) it simply runs there.
 */
export function reading<T>(raw: Database, fn: () => T): T {
  if (raw.inTransaction) return fn();
  let turn = readTurns.get(raw);
  if (!turn) readTurns.set(raw, (turn = { begin: raw.prepare("BEGIN"), commit: raw.prepare("COMMIT"), open: false, ending: false }));
  turn.begin.run();
  turn.open = true;
  if (!turn.ending) {
    turn.ending = true;
    const t = turn;
    setImmediate(() => {
      t.ending = false;
      endReadTurn(raw);
    });
  }
  return fn();
}

/** Ends this turn's read transaction, if one is open (before a write, a checkpoint or a close). */
export function endReadTurn(raw: Database): void {
  const turn = readTurns.get(raw);
  if (!turn?.open) return;
  turn.open = false;
  if (raw.inTransaction) turn.commit.run();
}

/**
 * Applies the migrations this database has not had, with drizzle's bookkeeping (the same
 * `__drizzle_migrations` table, rows and order, so a database migrated either way reads the same),
 * but each migration runs as one `exec` of its whole text: drizzle's migrator prepares and runs
 * every statement through its session, a third of creating a fresh database at the binary's
 * start (18.6–23.2 ms against 13.6–15.8). A database with nothing in it yet runs the snapshot of
 * what all the migrations leave instead (src/store/sqlite/schema-snapshot.ts: 4–5 ms against 10);
 * one that did not exist at all was written whole before it was opened (placeFreshDatabase).
 * One transaction for all of it, as drizzle's. database.test.ts holds the result to drizzle's own
 * migrator's, fresh and upgraded.
 */
export function migrateDatabase(db: Db): void {
  const raw = db.$client;
  const empty = !raw.query("SELECT 1 FROM sqlite_master LIMIT 1").get();
  raw.exec(MIGRATION_JOURNAL_DDL);
  const last = raw.query<{ at: number }, []>(`SELECT created_at AS at FROM "__drizzle_migrations" ORDER BY created_at DESC LIMIT 1`).get();
  const pending = migrations.filter((m) => !last || Number(last.at) < m.when);
  if (pending.length === 0) return;
  const record = raw.prepare(RECORD_MIGRATION_SQL);
  raw.transaction(() => {
    if (empty) raw.exec(snapshot);
    for (const m of pending) {
      if (!empty) raw.exec(migrationScript(m.sql));
      record.run(migrationHash(m.sql), m.when);
    }
  })();
}

/**
 * Writes a database that does not exist yet whole, from the new database the binary carries
 * (drizzle/sqlite/fresh.db.gz: every migration applied, with drizzle's journal): 1.5-2 ms, against
 * 6.5 for opening an empty file and making its schema. The copy is written beside the database and
 * linked into place, so neither a process starting at the same moment nor a crash halfway finds
 * half a database. Where linking is refused (a file system without hard links), the file is left
 * to openDatabase and migrateDatabase to make.
 */
export function placeFreshDatabase(path: string): void {
  if (path === ":memory:" || existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  const copy = `${path}.${process.pid}.new`;
  try {
    writeFileSync(copy, Bun.gunzipSync(readFileSync(freshDatabaseFile)));
    linkSync(copy, path);
  } catch {
    // EEXIST: another process made it first. Anything else: made the slower way.
  } finally {
    rmSync(copy, { force: true });
  }
}

type Job = {
  fn: (emit: EventSink) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
};

export type EventSink = (event: StoredEvent) => void;
export type CommitListener = (events: StoredEvent[]) => void;

/**
 * Group commit. Every mutation is a synchronous function queued here; all the mutations that
 * arrive while the event loop is busy run in one SQLite transaction, each inside its own
 * savepoint so that one refused write rolls back alone. Promises resolve only after COMMIT, so
 * a 2xx still means "committed"; we trade one fsync per message for one per batch.
 *
 * Listeners hear the committed events of a batch in cursor order, synchronously after COMMIT:
 * that is how the realtime hub learns of events (it tails the log rather than trusting every
 * handler to publish, so a handler that fails after commit cannot lose an event).
 */
export class GroupCommitWriter {
  private queue: Job[] = [];
  private scheduled = false;
  private listeners = new Set<CommitListener>();
  private commitHooks = new Set<() => void>();
  private closed = false;
  private lastBatch = 0;
  batches = 0;
  jobs = 0;

  /** Appends audit entries inside the current job (set by the store: it owns the drizzle handle). */
  auditSink: ((entries: NewAuditEntry[]) => void) | null = null;

  private busySince: number | null = null;

  constructor(private raw: Database, private maxBatch = 512) {}

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called after every COMMIT, whether or not its batch made events (the WAL flusher's signal). */
  afterEachCommit(hook: () => void): () => void {
    this.commitHooks.add(hook);
    return () => this.commitHooks.delete(hook);
  }

  write<T>(fn: (emit: EventSink) => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error("store is closed"));
    // A call made under audited() records its entries in this write's savepoint (src/chat/audit.ts).
    const audit = capturePendingAudit();
    const job = audit
      ? (emit: EventSink) => {
          const value = fn(emit);
          this.auditSink?.(audit.entriesFor(value));
          return value;
        }
      : fn;
    return new Promise<T>((resolve, reject) => {
      const done = audit ? (v: unknown) => { audit.committed(); resolve(v as T); } : (resolve as (v: unknown) => void);
      this.queue.push({ fn: bindCorrelation(job), resolve: done, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Alone, a write commits on the next turn of the event loop. Under load (the last batch
        // held more than one write) it lingers a millisecond so that the requests still being
        // parsed join it: one commit (and one search-index flush) per many messages.
        if (this.lastBatch > 1) setTimeout(() => this.flush(), 1);
        else setImmediate(() => this.flush());
      }
    });
  }

  /** Runs what is queued now; at shutdown (`wait`) nothing accepted is dropped, even behind a lock. */
  flush(wait = false): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      if (!this.runBatch(batch, wait)) {
        // Another connection holds the write lock: try again shortly, from the event loop.
        this.queue.unshift(...batch);
        this.scheduled = true;
        setTimeout(() => this.flush(), WRITE_LOCK_RETRY_MS);
        return;
      }
    }
  }

  close(): void {
    this.flush(true);
    this.closed = true;
  }

  /**
   * Takes the write lock. Another connection may hold it for a while (an admin command writing to
   * the same file, an import, a checkpoint that restarts the WAL): SQLite's busy handler would then
   * sleep on the event loop, answering nobody, in steps that overshoot the lock's release (a 3 ms
   * hold stalled everything for up to 21 ms when measured). So the writer asks without waiting and
   * comes back in a millisecond, the event loop serving everyone else meanwhile; only after
   * BUSY_TIMEOUT_MS of that, or at shutdown, does it wait as SQLite would.
   */
  private begin(wait: boolean): "begun" | "busy" {
    if (wait || (this.busySince !== null && performance.now() - this.busySince > BUSY_TIMEOUT_MS)) {
      this.raw.exec("BEGIN IMMEDIATE");
    } else {
      // exec, not a kept statement: SQLite applies this pragma when it compiles it, not when it runs.
      this.raw.exec("PRAGMA busy_timeout = 0");
      try {
        this.raw.exec("BEGIN IMMEDIATE");
      } catch (err) {
        if ((err as { code?: string }).code !== "SQLITE_BUSY") throw err;
        this.busySince ??= performance.now();
        return "busy";
      } finally {
        this.raw.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      }
    }
    this.busySince = null;
    return "begun";
  }

  /** Runs one batch; false when the write lock was taken elsewhere and nothing ran. */
  private runBatch(batch: Job[], wait: boolean): boolean {
    const results: { ok: boolean; value: unknown; events: StoredEvent[] }[] = [];
    try {
      endReadTurn(this.raw);
      if (this.begin(wait) === "busy") return false;
    } catch (err) {
      this.busySince = null;
      for (const job of batch) job.reject(err);
      return true;
    }
    for (const job of batch) {
      const events: StoredEvent[] = [];
      this.raw.exec("SAVEPOINT job");
      try {
        const value = job.fn((e) => events.push(e));
        this.raw.exec("RELEASE job");
        results.push({ ok: true, value, events });
      } catch (err) {
        this.raw.exec("ROLLBACK TO job");
        this.raw.exec("RELEASE job");
        results.push({ ok: false, value: err, events: [] });
      }
    }
    try {
      this.raw.exec("COMMIT");
    } catch (err) {
      try {
        this.raw.exec("ROLLBACK");
      } catch {
        // The transaction may already be gone; the error that matters is the commit's.
      }
      for (const job of batch) job.reject(err);
      return true;
    }
    for (const hook of this.commitHooks) hook();
    this.batches++;
    this.jobs += batch.length;
    this.lastBatch = batch.length;
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
          backgroundLog().error({ err }, "commit listener failed");
        }
      }
    }
    return true;
  }
}
