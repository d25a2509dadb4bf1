// Keeps the WAL on disk as the writer goes, from a thread of its own.
//
// With synchronous=NORMAL a COMMIT writes its WAL frames without syncing them; the sync comes at
// the next checkpoint, which SQLite runs inside the COMMIT that takes the WAL past 1,000 pages, on
// the event loop. That checkpoint first syncs everything written since the last one (4 MB), and
// its 4-9 ms held every post and every frame behind it: at 200 subscribers × 1,000 posts/s, 70
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

/** After the first commit, how long before the thread starts. */
const THREAD_START_DELAY_MS = 1000;

export interface WalFlusher {
  /** Whether the thread has started (after the first commit). */
  running(): boolean;
  /** Syncs of the WAL made so far. */
  syncs(): number;
  /** Commits so far, and how many of them the syncs have covered. */
  progress(): { commits: number; covered: number };
  /** Asks the thread to close its file and end; commits after this are not followed. */
  stop(): void;
}

/**
 * Follows every commit of `writer` for the database at `dbPath`, by a counter in shared memory
 * (an atomic add and, when the thread sleeps, a wake: no message per commit). The thread starts
 * `startDelayMs` after the first commit: starting a worker blocks the event loop for 1-3 ms,
 * which a process that never writes need not pay, nor a server in its first moments (the upkeep
 * that starts this flusher commits as it starts), when it has its first requests to answer. The thread, once there, syncs what
 * was committed before it. Null for an in-memory database; where no worker can start, the server
 * runs as it would without (a warning says so).
 */
export function startWalFlusher(dbPath: string, writer: GroupCommitWriter, opts: { startDelayMs?: number } = {}): WalFlusher | null {
  if (dbPath === ":memory:") return null;
  const shared = new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
  const state = new Int32Array(shared);
  let thread: "not yet" | "starting" | "running" | "none" = "not yet";
  let stopped = false;
  const startThread = () => {
    if (stopped) return;
    try {
      // ref: false, so the thread never keeps the process alive.
      const worker = new Worker(WORKER_ENTRY, { ref: false });
      worker.onerror = (e) => backgroundLog().error({ err: e.message }, "WAL flusher thread failed; the WAL is synced at checkpoints only");
      worker.postMessage({ walPath: `${dbPath}-wal`, shared } satisfies FlushRequest);
      thread = "running";
    } catch (err) {
      backgroundLog().warn({ err }, "no WAL flusher thread; the WAL is synced at checkpoints only");
      thread = "none";
    }
  };
  const unlisten = writer.afterEachCommit(() => {
    if (thread === "not yet") {
      thread = "starting";
      setTimeout(startThread, opts.startDelayMs ?? THREAD_START_DELAY_MS).unref?.();
    }
    Atomics.add(state, COMMITS, 1);
    Atomics.notify(state, COMMITS);
  });
  return {
    running: () => thread === "running",
    syncs: () => Atomics.load(state, SYNCS),
    progress: () => ({ commits: Atomics.load(state, COMMITS), covered: Atomics.load(state, COVERED) }),
    stop() {
      stopped = true;
      unlisten();
      Atomics.store(state, STOP, 1);
      Atomics.notify(state, COMMITS);
      Atomics.notify(state, STOP);
    },
  };
}
