// In-memory fixed-window counters for the costly or guessable endpoints. Per process: with
// several instances each keeps its own window, which still bounds a guesser per instance.
import { tooMany } from "../chat/errors.ts";

export interface Limit {
  max: number;
  windowMs: number;
}

export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();
  private lastSweep = Date.now();

  /** Counts one hit; throws 429 with Retry-After once the window is full. */
  hit(key: string, limit: Limit): void {
    const now = Date.now();
    const w = this.count(key, limit, now);
    if (w.count > limit.max) throw tooMany("too many requests; slow down", (w.start + limit.windowMs - now) / 1000);
  }

  /** Counts one hit without refusing it (a failure already answered). */
  count(key: string, limit: Limit, now = Date.now()): { start: number; count: number } {
    this.sweep(now);
    let w = this.windows.get(key);
    if (!w || now - w.start >= limit.windowMs) this.windows.set(key, (w = { start: now, count: 0 }));
    w.count++;
    return w;
  }

  /** Throws 429 if the window is already full, without counting. */
  check(key: string, limit: Limit): void {
    const now = Date.now();
    const w = this.windows.get(key);
    if (w && now - w.start < limit.windowMs && w.count >= limit.max) throw tooMany("too many failed attempts; slow down", (w.start + limit.windowMs - now) / 1000);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [k, w] of this.windows) if (now - w.start > 3_600_000) this.windows.delete(k);
  }
}

export const LIMITS = {
  /** Failed sign-ins, per client address and per account. */
  signInFailures: { max: 10, windowMs: 60_000 },
  magicRequest: { max: 5, windowMs: 60_000 },
  /** Per account (an email address): sign-in links asked for it, from anywhere. */
  magicRequestPerAccount: { max: 5, windowMs: 600_000 },
  oauthStart: { max: 20, windowMs: 60_000 },
  tokenFailures: { max: 20, windowMs: 60_000 },
  /** Setup-code claims (unauthenticated, guessable), per client address, as the original. */
  setupCodeClaims: { max: 10, windowMs: 60_000 },
  /** Accounts an invite link makes (without mail delivery), per client address. */
  inviteAccounts: { max: 10, windowMs: 3_600_000 },
} as const;

/**
 * Sign-in failures are counted per client address (behind a proxy: the address it forwards, see
 * --trusted-proxy) and, where the attempt names one, per account; successes are never counted, so
 * a crowd behind one address is not locked out by one guesser.
 */
export const signIn = {
  keys(address: string | undefined, account?: string | null): string[] {
    return [`sign-in:${address ?? "unknown"}`, ...(account ? [`sign-in-account:${account}`] : [])];
  },
  /** Throws 429 when any of these keys has failed too often lately. */
  check(limiter: RateLimiter, keys: string[]): void {
    for (const key of keys) limiter.check(key, LIMITS.signInFailures);
  },
  failed(limiter: RateLimiter, keys: string[]): void {
    for (const key of keys) limiter.count(key, LIMITS.signInFailures);
  },
};
