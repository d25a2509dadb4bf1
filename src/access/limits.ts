// What one person may do per minute, and at once: token buckets for writes that fan out to
// everyone (posts, edits, reactions, ephemeral events), for uploads and searches; a cap on
// concurrent searches; caps on open sockets per person and per credential. Keyed on the person
// (or the credential), never on the address: behind a proxy everyone shares one. A person's own
// bots draw from their owner's buckets, so making bots does not multiply what one person may do.
//
// Per process, in memory: with several instances each keeps its own buckets, so the effective
// ceiling is the per-instance figure times the number of instances.
import { tooMany } from "../chat/errors.ts";
import type { User } from "../chat/types.ts";
import type { LimitsConfig, Rate } from "../config/config.ts";

export type Action = "posts" | "edits" | "reactions" | "ephemeral" | "uploads" | "searches";

const NOUN: Record<Action, string> = {
  posts: "messages",
  edits: "edits",
  reactions: "reactions",
  ephemeral: "ephemeral events",
  uploads: "uploads",
  searches: "searches",
};

interface Bucket {
  tokens: number;
  at: number;
}

/** Whose buckets a caller draws from: a bot owned by a person uses that person's. */
const personOf = (user: User) => (user.kind === "bot" && user.owner_user_id ? user.owner_user_id : user.id);

/** Buckets not touched for this long are full again: forgetting them changes nothing. */
const IDLE_MS = 60_000;

export class PersonLimits {
  private buckets = new Map<string, Bucket>();
  private searching = new Map<string, number>();
  private lastSweep = Date.now();

  constructor(readonly config: LimitsConfig) {}

  /** Spends one token of `action` for this person; 429 with Retry-After when the bucket is empty. */
  take(action: Action, who: User): void {
    if (!this.config.enabled) return;
    const userId = personOf(who);
    const rate: Rate = this.config[action];
    const now = Date.now();
    this.sweep(now);
    const key = `${action}:${userId}`;
    const perMs = rate.perMinute / 60_000;
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { tokens: rate.perMinute, at: now }));
    b.tokens = Math.min(rate.perMinute, b.tokens + (now - b.at) * perMs);
    b.at = now;
    if (b.tokens < 1) throw tooMany(`too many ${NOUN[action]}: at most ${rate.perMinute} a minute; slow down`, (1 - b.tokens) / perMs / 1000);
    b.tokens -= 1;
  }

  /**
   * Runs a search within this person's budget: a token, and a slot among their concurrent
   * searches (a second wave waits for none: it is refused with 429).
   */
  async search<T>(who: User, run: () => Promise<T>): Promise<T> {
    if (!this.config.enabled) return run();
    this.take("searches", who);
    const userId = personOf(who);
    const running = this.searching.get(userId) ?? 0;
    if (running >= this.config.searchesAtOnce) throw tooMany(`at most ${this.config.searchesAtOnce} searches at once; wait for one to finish`, 1);
    this.searching.set(userId, running + 1);
    try {
      return await run();
    } finally {
      const left = (this.searching.get(userId) ?? 1) - 1;
      if (left > 0) this.searching.set(userId, left);
      else this.searching.delete(userId);
    }
  }

  /** Why a new socket must be refused (close code 1013), or null when it may open. */
  socketRefusal(open: { person: number; credential: number }, hasCredential: boolean): string | null {
    if (!this.config.enabled) return null;
    if (open.person >= this.config.socketsPerPerson) return `too many open sockets: at most ${this.config.socketsPerPerson} per person`;
    if (hasCredential && open.credential >= this.config.socketsPerCredential) return `too many open sockets: at most ${this.config.socketsPerCredential} per session or token`;
    return null;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < IDLE_MS) return;
    this.lastSweep = now;
    for (const [k, b] of this.buckets) if (now - b.at > IDLE_MS) this.buckets.delete(k);
  }
}
