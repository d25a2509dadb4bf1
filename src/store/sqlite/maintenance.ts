// Background upkeep of a SQLite database: WAL checkpoints and event retention.
import type { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import { backgroundLog } from "../../observability/log.ts";
import { endReadTurn } from "./database.ts";

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

/**
 * SQLite checkpoints on its own every 1,000 pages, but a passive checkpoint never shrinks the WAL
 * file, and one that cannot finish (a reader holding an old snapshot, e.g. a backup) lets it
 * grow. This loop checkpoints regularly and truncates the file once it passes the limit, so the
 * WAL stays bounded under steady writes.
 */
export function startCheckpointer(raw: Database, dbPath: string, opts: MaintenanceOptions): () => void {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const mode = walSize(dbPath) > opts.walLimitBytes ? "TRUNCATE" : "PASSIVE";
      endReadTurn(raw);
      raw.query(`PRAGMA wal_checkpoint(${mode})`).get();
      await opts.onTick?.();
    } catch (err) {
      // SQLITE_BUSY under load is expected; the next tick tries again.
      if (!String(err).includes("busy")) backgroundLog().error({ err }, "checkpoint failed");
    } finally {
      running = false;
    }
  }, opts.intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
