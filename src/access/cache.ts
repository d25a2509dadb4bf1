// Credentials, memberships, channel records and messages' scopes, cached per process. Every
// request looks up its session (or bot token), the actor's membership and usually a channel: three
// reads that, in the write-path profile, took 17% of the server's CPU for answers that almost
// never change. A request about one message (its thread, a reaction, an edit) first looks up where
// the message lives, which changes only when it is deleted.
//
// When a cached answer stops being used:
// - at once, in this process, whenever a store method that may change any of them runs: every
//   method of the store is assumed to, except those listed below as reads or as content (posting,
//   the event log, search...). A method added later invalidates until someone lists it here, so
//   forgetting costs speed, never correctness. The cache is dropped when such a method is
//   called and again when it settles, so a lookup racing with the write is not kept.
// - when the store says another process wrote (foreignWrites, which the realtime hub polls every
//   second before re-checking open sockets), so those re-checks never read a cached answer;
// - after MAX_AGE_MS in any case: that bounds what a change made by another process (the admin
//   CLI, another server on the same Postgres) takes to be seen, revocation included, under a
//   second (the realtime hub re-checks open sockets on the same scale).
// - a session past its expiry is never served from the cache (expiry is a time, not a write).
import type { Store } from "../store/store.ts";

export const MAX_AGE_MS = 500;
const MAX_ENTRIES = 20_000;

/** Methods that are cached: section → method → key of the arguments. */
const CACHED: Record<string, Record<string, (args: unknown[]) => string>> = {
  identity: { sessionByToken: (a) => a[0] as string },
  bots: { byToken: (a) => a[0] as string },
  workspaces: { membership: (a) => `${a[0]} ${a[1]}` },
  channels: { record: (a) => a[0] as string },
  messages: { scopeOf: (a) => a[0] as string },
};

/** Sections that hold no credential, membership or channel: nothing they do invalidates. */
const CONTENT = new Set(["events", "search", "notifications", "workerPositions", "uploads", "routes", "topics", "presence", "digests", "audit", "connectedAccounts"]);

/** Methods of the other sections that change none of the cached answers. */
const KEEPS: Record<string, ReadonlySet<string>> = {
  users: new Set(["get", "byHandle", "byEmail", "first"]),
  workspaces: new Set(["get", "bySlug", "first", "listAll", "listFor", "members"]),
  channels: new Set(["get", "list"]),
  identity: new Set(["session", "userByGithubId", "passwordHash", "saveOAuthState", "takeOAuthState", "createMagicLink", "createSession"]),
  bots: new Set(["list", "tokens", "token"]),
  moderation: new Set(["list", "entry", "postsSince"]),
  dms: new Set(["record", "get", "canSend", "list", "setHidden", "open"]),
  // Everything but deleting: no other change moves a message or ends it.
  messages: new Set(["post", "get", "byNonce", "edit", "page", "thread", "react", "pin", "unpin", "pins", "pinRecords", "markRead", "answerQuestion", "resolveQuestion", "botQuestions"]),
  integrations: new Set([
    "apps", "app", "slashCommands", "slashCommand", "activeSlashCommand", "recordInvocation", "invocationsSince", "subscriptions", "subscription",
    "signingSecret", "claimDue", "progress", "release", "logDelivery", "deliveries", "delivery", "event",
  ]),
};

type Entry = { value: unknown; generation: number; at: number };

export class AccessCache {
  private generation = 0;
  private entries = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  constructor(private maxAgeMs = MAX_AGE_MS, private now = () => performance.now()) {}

  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  async get<T>(key: string, load: () => Promise<T>, stillValid: (v: T) => boolean = () => true): Promise<T> {
    const e = this.entries.get(key);
    if (e && e.generation === this.generation && this.now() - e.at < this.maxAgeMs && stillValid(e.value as T)) {
      this.hits++;
      return e.value as T;
    }
    this.misses++;
    const generation = this.generation;
    const at = this.now();
    const value = await load();
    // Absent answers are not kept: a failed token costs its lookup (and is rate limited).
    if (value !== null && value !== undefined && generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, { value, generation, at });
    }
    return value;
  }
}

const sessionLive = (v: { session: { expires_at: string } }) => v.session.expires_at > new Date().toISOString();

/**
 * The store as the request path sees it: the cached lookups above, every other method passed
 * through (and invalidating, unless listed as keeping the cache). Anything that is not a section
 * (the dialect, ping, close, a store's own fields) is the store's own.
 */
export function withAccessCache<S extends Store>(store: S, cache = new AccessCache()): S {
  const sections = new Map<string, unknown>();
  // The realtime hub asks this every second before it re-checks open sockets against durable
  // state: when another process wrote, the re-check (and every request after it) reads afresh.
  let foreignMark: number | undefined;
  const foreignWrites = async () => {
    const mark = await store.foreignWrites();
    if (mark !== foreignMark) {
      foreignMark = mark;
      cache.invalidate();
    }
    return mark;
  };
  const wrapSection = (name: string, section: Record<string, unknown>) => {
    const cached = CACHED[name] ?? {};
    const keeps = KEEPS[name];
    const methods = new Map<string, unknown>();
    return new Proxy(section, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof prop !== "string" || typeof value !== "function") return value;
        let m = methods.get(prop);
        if (m) return m;
        const fn = value as (...args: unknown[]) => unknown;
        if (cached[prop]) {
          const key = cached[prop]!;
          const valid = name === "identity" ? sessionLive : undefined;
          m = (...args: unknown[]) => cache.get(`${name}.${prop} ${key(args)}`, () => fn.apply(target, args) as Promise<unknown>, valid as never);
        } else if (keeps?.has(prop)) {
          m = fn.bind(target);
        } else {
          m = (...args: unknown[]) => {
            cache.invalidate();
            const r = fn.apply(target, args);
            if (r instanceof Promise) return r.finally(() => cache.invalidate());
            cache.invalidate();
            return r;
          };
        }
        methods.set(prop, m);
        return m;
      },
    });
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "foreignWrites") return foreignWrites;
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop !== "string" || CONTENT.has(prop) || value === null || typeof value !== "object" || !(prop in CACHED || prop in KEEPS || isSection(value))) return value;
      let s = sections.get(prop);
      if (!s) sections.set(prop, (s = wrapSection(prop, value as Record<string, unknown>)));
      return s;
    },
  });
}

/** A section is an object of methods (the store's own fields, e.g. a database handle, are not). */
function isSection(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
