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
 * checkpointing (`wal_autocheckpoint = 0`) while that thread runs. Until the first commit starts
 * it, or if no worker can start, the connection checkpoints itself as before, and a timer here
 * checkpoints every `intervalMs` too, truncating the WAL once it passes the limit (a passive
 * checkpoint never shrinks the file, and one that cannot finish, say behind a backup's long read,
 * lets it grow). The timer also runs `onTick`.
 */
export function startCheckpointer(raw: Database, dbPath: string, writer: GroupCommitWriter, opts: MaintenanceOptions): () => Promise<void> {
  const thread = dbPath === ":memory:" ? null : new CheckpointThread(raw, dbPath, writer, opts.walLimitBytes);
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      if (!thread?.running()) {
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

/**
 * The checkpoint worker's handle on this thread. It starts with the first commit (a process that
 * never writes, or a cold start up to its first request, pays nothing for it) and, if it cannot
 * start or fails, hands checkpoints back to the writer's connection.
 */
class CheckpointThread {
  private worker: Worker | null = null;
  private state: "idle" | "running" | "gone" = "idle";
  private inflight = false;
  private again = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed: (() => void) | null = null;
  private unlisten: () => void;

  constructor(private raw: Database, private dbPath: string, writer: GroupCommitWriter, private walLimitBytes: number) {
    this.unlisten = writer.onCommit(() => this.ask());
  }

  /** Whether the worker checkpoints (and the writer's connection does not). */
  running(): boolean {
    return this.state === "running";
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    const wasRunning = this.running();
    this.fallBack();
    if (!worker || !wasRunning) return;
    // The thread closes its connection before it goes, so the main connection's own close finds
    // no other.
    await Promise.race([new Promise<void>((resolve) => {
      this.closed = resolve;
      worker.postMessage({ close: true } satisfies CheckpointRequest);
    }), Bun.sleep(2000)]);
    worker.terminate();
  }

  private start(): boolean {
    let worker: Worker;
    try {
      worker = new Worker(WORKER_ENTRY);
    } catch (err) {
      backgroundLog().warn({ err }, "no checkpoint thread; the writer checkpoints on the main thread");
      this.fallBack();
      return false;
    }
    this.worker = worker;
    worker.onmessage = (e: MessageEvent<CheckpointReport | { closed: true }>) => {
      const r = e.data;
      if ("closed" in r) return this.closed?.();
      this.inflight = false;
      // BUSY is another checkpoint at work (a backup's, a CLI's): the next commit asks again.
      if ("error" in r && !r.error.includes("busy") && !r.error.includes("locked")) backgroundLog().error({ err: r.error }, "checkpoint failed");
      if (this.again) {
        this.again = false;
        this.ask();
      }
    };
    worker.onerror = (e) => {
      backgroundLog().error({ err: e.message }, "checkpoint thread failed; the writer checkpoints on the main thread");
      this.fallBack();
      worker.terminate();
    };
    worker.postMessage({ open: this.dbPath, restartFrames: RESTART_FRAMES, walLimitBytes: this.walLimitBytes } satisfies CheckpointRequest);
    this.raw.exec("PRAGMA wal_autocheckpoint = 0");
    this.state = "running";
    return true;
  }

  private ask(): void {
    if (this.state === "gone" || this.timer) return;
    if (this.state === "idle" && !this.start()) return;
    if (this.inflight) {
      this.again = true;
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.inflight = true;
      this.worker!.postMessage({ checkpoint: true } satisfies CheckpointRequest);
    }, CHECKPOINT_TICK_MS);
    this.timer.unref?.();
  }

  /** Back to SQLite's own checkpoints inside the writer's commits. */
  private fallBack(): void {
    if (this.state === "gone") return;
    const wasRunning = this.running();
    this.state = "gone";
    this.unlisten();
    if (this.timer) clearTimeout(this.timer);
    if (wasRunning) this.raw.exec(`PRAGMA wal_autocheckpoint = ${RESTART_FRAMES}`);
  }
}
