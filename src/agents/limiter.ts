// A counting semaphore with a FIFO queue. One global instance caps how many agent CLIs run
// at once (each one is a heavy process talking to a paid API); waiting callers can give up.

/** How long and how many callers may wait; beyond that a caller is turned away. */
export interface QueueLimits {
  maxQueue?: number;
  maxWaitMs?: number;
}

/** The runner is at capacity: nothing ran, so trying again later is safe. */
export class QueueFull extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueueFull";
  }
}

export class Limiter {
  private active = 0;
  private readonly waiting: Array<{ grant: () => void; signal?: AbortSignal; onAbort: () => void }> = [];

  constructor(private max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error("concurrency limit must be a positive integer");
  }

  get running(): number {
    return this.active;
  }
  get queued(): number {
    return this.waiting.length;
  }
  get capacity(): number {
    return this.max;
  }

  setMax(max: number): void {
    if (!Number.isInteger(max) || max < 1) throw new Error("concurrency limit must be a positive integer");
    this.max = max;
    this.pump();
  }

  /**
   * Resolves with a release function once a slot is free; rejects if `signal` aborts first,
   * or with QueueFull when `limits` say there is no room to wait (too many waiting already,
   * or no slot within maxWaitMs).
   */
  acquire(signal?: AbortSignal, limits: QueueLimits = {}): Promise<() => void> {
    if (limits.maxQueue !== undefined && this.active >= this.max && this.waiting.length >= limits.maxQueue) {
      return Promise.reject(new QueueFull(`${this.waiting.length} runs are already waiting for a slot`));
    }
    if (limits.maxWaitMs !== undefined && this.active >= this.max) {
      const timer = new AbortController();
      const t = setTimeout(() => timer.abort(new QueueFull(`no free slot within ${Math.round(limits.maxWaitMs as number / 1000)} s`)), limits.maxWaitMs);
      const both = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
      return this.acquire(both).finally(() => clearTimeout(t));
    }
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"));
      const entry = {
        signal,
        grant: () => {
          signal?.removeEventListener("abort", entry.onAbort);
          this.active += 1;
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            this.active -= 1;
            this.pump();
          });
        },
        onAbort: () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal?.reason ?? new Error("aborted"));
        },
      };
      signal?.addEventListener("abort", entry.onAbort, { once: true });
      this.waiting.push(entry);
      this.pump();
    });
  }

  private pump(): void {
    while (this.active < this.max && this.waiting.length > 0) {
      this.waiting.shift()?.grant();
    }
  }
}

function defaultMax(): number {
  const n = Number(process.env.CLICKCLACK_AGENT_MAX_CONCURRENCY);
  return Number.isInteger(n) && n > 0 ? n : 4;
}

/** Process-wide cap shared by the CLI, orchestration and the gateway. */
export const globalLimiter = new Limiter(defaultMax());
