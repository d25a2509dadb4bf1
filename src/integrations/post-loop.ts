// The loop the notification workers share (push and Pushover, the mention digest): a pass runs
// when a post commits here, and on a clock, since other processes (a second server on Postgres,
// the admin CLI) post too. One pass at a time; a wake during a pass asks for one more. With
// `minGapMs`, passes start at least that far apart: under a stream of posts a worker then reads
// one large page of the log now and then instead of a small one per commit, and the first post
// after a quiet spell is still handled at once.
import type { Store } from "../store/store.ts";

export interface PostLoop {
  /** True once stop() was called: a pass checks it between units of work. */
  readonly stopped: boolean;
  /** Stops waking and waits for the pass under way. */
  stop(): Promise<void>;
}

export function loopOnPosts(store: Store, opts: { name: string; pollMs: number; minGapMs?: number }, pass: () => Promise<void>): PostLoop {
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  let lastStart = -Infinity;
  // The wait between passes ends early when the loop stops: a server shuts down at once.
  let endWait: (() => void) | null = null;

  async function tick(): Promise<void> {
    do {
      again = false;
      const wait = lastStart + (opts.minGapMs ?? 0) - performance.now();
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          endWait = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        endWait = null;
      }
      if (stopped) return;
      lastStart = performance.now();
      try {
        await pass();
      } catch (err) {
        if (!stopped) console.error(`${opts.name}:`, (err as Error).message);
      }
    } while (again && !stopped);
  }

  function wake(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = tick().finally(() => {
      running = null;
    });
  }

  const unsubscribe = store.events.onCommit((events) => {
    if (events.some((e) => e.type === "message.created" || e.type === "thread.reply_created")) wake();
  });
  const poll = setInterval(wake, opts.pollMs);
  // After the caller holds the loop: a pass reads `stopped` through it.
  queueMicrotask(wake);
  return {
    get stopped() {
      return stopped;
    },
    async stop() {
      stopped = true;
      unsubscribe();
      clearInterval(poll);
      endWait?.();
      await running;
    },
  };
}
