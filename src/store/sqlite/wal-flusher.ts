// Keeps the WAL on disk as the writer goes, from a thread of its own.
//
// With synchronous=NORMAL a COMMIT writes its WAL frames without syncing them; the sync comes at
// the next checkpoint, which SQLite runs inside the COMMIT that takes the WAL past 1,000 pages, on
// the event loop. That checkpoint first syncs everything written since the last one (4 MB), and
// its 6-7 ms held every post and every frame behind it: at 200 subscribers × 1,000 posts/s, 70
// commits in 8 s took over 2 ms, 450 ms in all, and the checkpoints alone made the fan-out's p99.
// Here a thread syncs the WAL within FLUSH_INTERVAL_MS of each commit, so a checkpoint finds
// almost nothing left to sync (9-15 ms of slow commits in the same 8 s). It also narrows what a
// power loss can take: the commits of the last few milliseconds, not those since the last
// checkpoint.
import type { GroupCommitWriter } from "./database.ts";
import { backgroundLog } from "../../observability/log.ts";
import { COMMITS, COVERED, SLOTS, STOP, SYNCS, type FlushRequest } from "./wal-flush-shared.ts";

/** From source: beside this file. In the single binary (an entry point of its own, scripts/build.ts): under the bundle's root. */
const WORKER_ENTRY = import.meta.url.startsWith("file:///$bunfs/") ? "./src/store/sqlite/wal-flush-worker.ts" : new URL("./wal-flush-worker.ts", import.meta.url).href;

export interface WalFlusher {
  /** Syncs of the WAL made so far. */
  syncs(): number;
  /** Commits so far, and how many of them the syncs have covered. */
  progress(): { commits: number; covered: number };
  /** Asks the thread to close its file and end; commits after this are not followed. */
  stop(): void;
}

/**
 * Starts the thread for the database at `dbPath`, told of every commit of `writer` by a counter
 * in shared memory (an atomic add and, when the thread sleeps, a wake: no message per commit).
 * Null for an in-memory database, or where no worker can start (the server runs as before).
 */
export function startWalFlusher(dbPath: string, writer: GroupCommitWriter): WalFlusher | null {
  if (dbPath === ":memory:") return null;
  const shared = new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
  const state = new Int32Array(shared);
  let worker: Worker;
  try {
    worker = new Worker(WORKER_ENTRY);
  } catch (err) {
    backgroundLog().warn({ err }, "no WAL flusher thread; the WAL is synced at checkpoints only");
    return null;
  }
  worker.onerror = (e) => backgroundLog().error({ err: e.message }, "WAL flusher thread failed; the WAL is synced at checkpoints only");
  worker.postMessage({ walPath: `${dbPath}-wal`, shared } satisfies FlushRequest);
  worker.unref();
  const unlisten = writer.afterEachCommit(() => {
    Atomics.add(state, COMMITS, 1);
    Atomics.notify(state, COMMITS);
  });
  return {
    syncs: () => Atomics.load(state, SYNCS),
    progress: () => ({ commits: Atomics.load(state, COMMITS), covered: Atomics.load(state, COVERED) }),
    stop() {
      unlisten();
      Atomics.store(state, STOP, 1);
      Atomics.notify(state, COMMITS);
      Atomics.notify(state, STOP);
    },
  };
}
