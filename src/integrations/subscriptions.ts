// The delivery worker of event subscriptions (outgoing webhooks). Each subscription has its own
// durable cursor in the event log; the worker leases due subscriptions, sends their next matching
// event, and moves the cursor only after a 2xx. A failure keeps the cursor where it is (order is
// kept: nothing later is sent first) and retries with exponential backoff; a subscription that
// has failed for longer than RETRY_WINDOW_MS is disabled, with the reason recorded on it.
// Delivery runs beside request handling and never inside it: a slow receiver slows only itself.
import { publicEvent } from "../chat/events.ts";
import { newId } from "../chat/ids.ts";
import type { StoredEvent } from "../chat/types.ts";
import type { ClaimedSubscription, EventDelivery, EventSubscription, Store } from "../store/store.ts";
import { type OutboundPolicy, OutboundRefused, postOutbound } from "./outbound.ts";
import { signedHeaders } from "./signing.ts";

export const RETRY_WINDOW_MS = 25 * 3_600_000;
const MAX_BACKOFF_MS = 3_600_000;
// A process that dies holding a lease (kill -9) delays that subscription by at most this long.
// A lease covers one drain (at most DRAIN_MS) plus one attempt (at most the timeout).
const LEASE_MS = 30_000;
const DRAIN_MS = 10_000;
const PAGE = 200;

export interface WorkerOptions {
  /** First retry delay; doubles per failure up to an hour. */
  retryBaseMs?: number;
  pollMs?: number;
  timeoutMs?: number;
  /** Subscriptions delivered at once. */
  concurrency?: number;
}

/** Whether a subscription wants an event: its types, and never a private one (DMs, read pointers). */
export function wants(sub: EventSubscription, e: StoredEvent): boolean {
  if (e.recipients) return false;
  return sub.event_types.includes("*") || sub.event_types.includes(e.type);
}

export function backoffMs(failures: number, baseMs: number): number {
  const exp = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, failures - 1));
  // Up to 10% jitter, so receivers that came back are not hit by every server at the same instant.
  return Math.round(exp * (1 + Math.random() * 0.1));
}

type Attempt = Omit<EventDelivery, "id" | "subscription_id" | "created_at">;

/** One signed POST of one event; never throws (the outcome says what happened). */
export async function sendEvent(sub: EventSubscription, secret: string, e: StoredEvent, policy: OutboundPolicy, attempt: number, opts: { timeoutMs?: number; redelivery?: boolean } = {}): Promise<Attempt> {
  const body = JSON.stringify({ subscription_id: sub.id, event: publicEvent(e) });
  const base = { event_id: e.id, event_type: e.type, event_cursor: e.cursor, attempt, redelivery: opts.redelivery ?? false };
  const started = performance.now();
  try {
    const res = await postOutbound(sub.callback_url, body, signedHeaders(secret, body, { "X-ClickClack-Event-ID": e.id }), policy, { timeoutMs: opts.timeoutMs });
    const ok = res.status >= 200 && res.status < 300;
    return {
      ...base, outcome: ok ? "succeeded" : "failed", response_status: res.status, duration_ms: res.durationMs,
      error: ok ? null : res.status >= 300 && res.status < 400 ? `redirect refused (HTTP ${res.status})` : `HTTP ${res.status}: ${res.body.slice(0, 200)}`,
    };
  } catch (err) {
    const refused = err instanceof OutboundRefused;
    const name = (err as Error).name;
    const error = name === "TimeoutError" || name === "AbortError" ? "timed out" : (err as Error).message || String(err);
    return { ...base, outcome: refused ? "refused" : "failed", response_status: null, error, duration_ms: Math.round(performance.now() - started) };
  }
}

export class SubscriptionWorker {
  private readonly owner = newId("sub").replace("sub_", "worker_");
  private timer: ReturnType<typeof setInterval> | null = null;
  private running = false;
  private again = false;
  private stopped = false;
  private unlisten: (() => void) | null = null;
  private inflight: Promise<void> | null = null;

  constructor(private readonly store: Store, private readonly policy: OutboundPolicy, private readonly opts: WorkerOptions = {}) {
    if ((opts.timeoutMs ?? 10_000) + DRAIN_MS >= LEASE_MS) throw new Error("delivery timeout too long for the lease");
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.opts.pollMs ?? 1000);
    this.timer.unref?.();
    // A commit here wakes the worker at once; other processes' commits are seen on the next poll.
    this.unlisten = this.store.events.onCommit(() => this.soon());
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.pending) clearTimeout(this.pending);
    this.unlisten?.();
    await this.inflight;
  }

  private pending: ReturnType<typeof setTimeout> | null = null;

  /** Commits come by the hundred per second: one look per short while is enough. */
  private soon(): void {
    if (this.pending || this.stopped) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      this.kick();
    }, 25);
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.inflight = (async () => {
      try {
        do {
          this.again = false;
          await this.tick();
        } while (this.again && !this.stopped);
      } catch (err) {
        if (!this.stopped) console.error("event subscription worker:", err);
      } finally {
        this.running = false;
      }
    })();
  }

  private async tick(): Promise<void> {
    const claimed = await this.store.integrations.claimDue(this.owner, LEASE_MS, this.opts.concurrency ?? 16);
    await Promise.all(claimed.map((c) => this.drain(c).catch((err) => {
      if (!this.stopped) console.error(`event subscription ${c.subscription.id}:`, err);
    }).finally(() => this.store.integrations.release(c.subscription.id, this.owner).catch(() => {}))));
  }

  /** Delivers this subscription's pending events in order until caught up, a failure, or the lease runs short. */
  private async drain({ subscription: sub, signingSecret }: ClaimedSubscription): Promise<void> {
    const leaseEnds = Date.now() + DRAIN_MS;
    let cursor = sub.last_delivered_cursor;
    let failures = sub.failure_count;
    let failingSince = sub.failing_since;
    const integrations = this.store.integrations;
    while (!this.stopped && Date.now() < leaseEnds) {
      const page = await this.store.events.replayAfter(sub.workspace_id, cursor, PAGE);
      if (page.status === "unknown_cursor") {
        await integrations.progress(sub.id, this.owner, { failureCount: failures, failingSince, nextAttemptAt: new Date().toISOString(), disabledReason: "the events after this subscription's position were pruned from the log before they could be delivered" });
        return;
      }
      if (page.events.length === 0) return;
      for (const e of page.events) {
        if (this.stopped || Date.now() >= leaseEnds) break;
        if (!wants(sub, e)) continue;
        const attempt = await sendEvent(sub, signingSecret, e, this.policy, failures + 1, { timeoutMs: this.opts.timeoutMs });
        if (attempt.outcome !== "succeeded") {
          if (this.stopped) return;
          failures += 1;
          failingSince ??= new Date().toISOString();
          const gaveUp = Date.now() - Date.parse(failingSince) >= RETRY_WINDOW_MS;
          // The cursor stays before this event (skipped ones before it are passed over next time).
          await integrations.progress(sub.id, this.owner, {
            delivery: attempt,
            failureCount: failures,
            failingSince,
            nextAttemptAt: new Date(Date.now() + backoffMs(failures, this.opts.retryBaseMs ?? 1000)).toISOString(),
            disabledReason: gaveUp ? `disabled after ${failures} failed attempts since ${failingSince}: ${attempt.error ?? "failed"}` : undefined,
          });
          return;
        }
        failures = 0;
        failingSince = null;
        if (!(await integrations.progress(sub.id, this.owner, { cursor: e.cursor, delivery: attempt, failureCount: 0, failingSince: null, nextAttemptAt: new Date().toISOString() }))) return;
        cursor = e.cursor;
      }
      // Events this subscription does not want, after the last one sent: move past them unsent.
      const last = page.events.at(-1)!;
      if (cursor !== last.cursor && !this.stopped && Date.now() < leaseEnds) {
        if (!(await integrations.progress(sub.id, this.owner, { cursor: last.cursor, failureCount: 0, failingSince: null, nextAttemptAt: new Date().toISOString() }))) return;
        cursor = last.cursor;
      }
      if (!page.hasMore) return;
    }
  }
}
