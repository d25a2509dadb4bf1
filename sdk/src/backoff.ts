// Reconnect delays: exponential, capped, with "equal jitter" (half fixed, half random) so a fleet
// of bots that lost the same server does not come back in lockstep, yet never retries at once.

export interface BackoffOptions {
  /** The first delay's ceiling, in ms (default 250). */
  initialDelayMs?: number;
  /** The largest delay, in ms (default 30 000). */
  maxDelayMs?: number;
}

export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialDelayMs ?? 250;
  const max = options.maxDelayMs ?? 30_000;
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** A sleep that `stop()` can cut short. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
