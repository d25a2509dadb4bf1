// Background upkeep of a SQLite database: WAL checkpoints and event retention.
import type { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import { backgroundLog } from "../../observability/log.ts";
import type { CheckpointReport, CheckpointRequest } from "./checkpoint-worker.ts";
import { endReadTurn, type GroupCommitWriter } from "./database.ts";

export interface MaintenanceOptions {
  /** How often to checkpoint. */
  intervalMs: number;
  /** A WAL larger than this is truncated back to zero, not just checkpointed. */
  walLimitBytes: number;
  /** Called on each tick for other chores (event retention). */
  onTick?: () => void | Promise<void>;
}

export function walSize(dbPath: string): number {
  try {
    return statSync(`${dbPath}-wal`).size;
  } catch {
    return 0;
  }
}

/** How often, at most, the checkpoint thread is asked to run while commits keep coming. */
export const CHECKPOINT_TICK_MS = 50;
/** WAL frames past which the checkpoint thread tries to restart the WAL from its beginning (SQLite's own default). */
const RESTART_FRAMES = 1000;
const WORKER_ENTRY = import.meta.url.startsWith("file:///$bunfs/") ? "./src/store/sqlite/checkpoint-worker.ts" : new URL("./checkpoint-worker.ts", import.meta.url).href;

/**
 * Keeps the WAL bounded under steady writes, and its checkpoints off the request path.
 *
 * SQLite on its own checkpoints inside the COMMIT that takes the WAL past 1,000 pages: the writer
 * copies those pages into the database file and syncs both, on the event loop, in the middle of a
 * batch whose posts wait for their answer. Here a thread of its own (checkpoint-worker.ts) does
 * that, asked after commits at most every CHECKPOINT_TICK_MS, and the writer's connection stops
 * checkpointing (`wal_autocheckpoint = 0`) while that thread runs. When no worker can start, the
 * connection keeps checkpointing itself as before.
 *
 * Either way a timer checkpoints every `intervalMs` on this thread when there is no worker, and
 * truncates the WAL once it passes the limit (a passive checkpoint never shrinks the file, and one
 * that cannot finish, say behind a backup's long read, lets it grow), and runs `onTick`.
 */
export function startCheckpointer(raw: Database, dbPath: string, writer: GroupCommitWriter, opts: MaintenanceOptions): () => Promise<void> {
  const thread = dbPath === ":memory:" ? null : startCheckpointThread(raw, dbPath, writer, opts.walLimitBytes);
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      if (!thread?.alive()) {
        const mode = walSize(dbPath) > opts.walLimitBytes ? "TRUNCATE" : "PASSIVE";
        endReadTurn(raw);
        raw.query(`PRAGMA wal_checkpoint(${mode})`).get();
      }
      await opts.onTick?.();
    } catch (err) {
      // SQLITE_BUSY under load is expected; the next tick tries again.
      if (!String(err).includes("busy")) backgroundLog().error({ err }, "checkpoint failed");
    } finally {
      running = false;
    }
  }, opts.intervalMs);
  timer.unref?.();
  return async () => {
    clearInterval(timer);
    await thread?.stop();
  };
}

function startCheckpointThread(raw: Database, dbPath: string, writer: GroupCommitWriter, walLimitBytes: number) {
  let worker: Worker;
  try {
    worker = new Worker(WORKER_ENTRY);
  } catch (err) {
    backgroundLog().warn({ err }, "no checkpoint thread; the writer checkpoints on the main thread");
    return null;
  }
  let alive = true;
  let inflight = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed: (() => void) | null = null;
  const ask = () => {
    if (!alive || timer) return;
    if (inflight) {
      again = true;
      return;
    }
    timer = setTimeout(() => {
      timer = null;
      inflight = true;
      worker.postMessage({ checkpoint: true } satisfies CheckpointRequest);
    }, CHECKPOINT_TICK_MS);
    timer.unref?.();
  };
  const unlisten = writer.onCommit(ask);
  // Back to SQLite's own checkpoints inside the writer's commits.
  const fallBack = () => {
    if (!alive) return;
    alive = false;
    unlisten();
    if (timer) clearTimeout(timer);
    raw.exec(`PRAGMA wal_autocheckpoint = ${RESTART_FRAMES}`);
  };
  worker.onmessage = (e: MessageEvent<CheckpointReport | { closed: true }>) => {
    const r = e.data;
    if ("closed" in r) return closed?.();
    inflight = false;
    // BUSY is another checkpoint at work (a backup's, a CLI's): the next commit asks again.
    if ("error" in r && !r.error.includes("busy") && !r.error.includes("locked")) backgroundLog().error({ err: r.error }, "checkpoint failed");
    if (again) {
      again = false;
      ask();
    }
  };
  worker.onerror = (e) => {
    backgroundLog().error({ err: e.message }, "checkpoint thread failed; the writer checkpoints on the main thread");
    fallBack();
    worker.terminate();
  };
  worker.postMessage({ open: dbPath, restartFrames: RESTART_FRAMES, walLimitBytes } satisfies CheckpointRequest);
  raw.exec("PRAGMA wal_autocheckpoint = 0");
  // What was written before the thread started.
  ask();
  return {
    alive: () => alive,
    async stop() {
      if (!alive) return;
      fallBack();
      // The thread closes its connection before it goes, so that the main connection's own close
      // finds no other and removes the WAL as usual.
      await Promise.race([new Promise<void>((resolve) => {
        closed = resolve;
        worker.postMessage({ close: true } satisfies CheckpointRequest);
      }), Bun.sleep(2000)]);
      worker.terminate();
    },
  };
}
