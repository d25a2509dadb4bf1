// The checkpoint thread: its own connection to the database file, copying the WAL's committed
// pages back into the file so that the writer on the main thread never does it inside a COMMIT.
// Told after commits (at most once per tick), it runs a passive checkpoint, which never waits for
// anyone and copies the bulk. Once the WAL holds enough it also restarts it (or truncates it, past
// the size limit), or else the file grows for as long as writes keep coming: that takes the write
// lock for a moment between two of the writer's batches (waiting here, up to RESTART_WAIT_MS, not
// on the event loop) to copy the few pages written since the passive pass.
import { Database } from "bun:sqlite";

declare const self: Worker;

export type CheckpointRequest = { open: string; restartFrames: number; walLimitBytes: number } | { checkpoint: true } | { close: true };
export type CheckpointReport = { log: number; checkpointed: number; reset: boolean } | { error: string };

const RESTART_WAIT_MS = 50;
let db: Database | null = null;
let restartFrames = 1000;
let walLimitBytes = 64 * 1024 * 1024;

function walBytes(path: string): number {
  return Bun.file(`${path}-wal`).size;
}

self.onmessage = (e: MessageEvent<CheckpointRequest>) => {
  const msg = e.data;
  try {
    if ("open" in msg) {
      db = new Database(msg.open);
      // A passive checkpoint never waits; a restart waits this long for the writer's batch to end,
      // then gives up for this tick (and counts as passive).
      db.exec(`PRAGMA busy_timeout = ${RESTART_WAIT_MS}`);
      restartFrames = msg.restartFrames;
      walLimitBytes = msg.walLimitBytes;
      return;
    }
    if ("close" in msg) {
      db?.close();
      db = null;
      self.postMessage({ closed: true });
      return;
    }
    if (!db) return;
    const path = db.filename;
    let r = db.query<{ busy: number; log: number; checkpointed: number }, []>("PRAGMA wal_checkpoint(PASSIVE)").get()!;
    let reset = false;
    if (r.log >= restartFrames || walBytes(path) > walLimitBytes) {
      const mode = walBytes(path) > walLimitBytes ? "TRUNCATE" : "RESTART";
      r = db.query<{ busy: number; log: number; checkpointed: number }, []>(`PRAGMA wal_checkpoint(${mode})`).get()!;
      reset = r.busy === 0;
    }
    self.postMessage({ log: r.log, checkpointed: r.checkpointed, reset } satisfies CheckpointReport);
  } catch (err) {
    // SQLITE_BUSY (another checkpoint running, e.g. a backup's) is the next tick's to retry.
    self.postMessage({ error: (err as Error)?.message ?? String(err) } satisfies CheckpointReport);
  }
};
