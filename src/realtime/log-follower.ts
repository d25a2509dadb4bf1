// Following the durable log of each workspace that has sockets here, when other processes write
// to it too. A commit on any process only nudges the follower; it then reads the events after
// the last cursor it dispatched and hands them on in cursor order. Because the store makes
// cursors increase in commit order, "after the last dispatched cursor" never skips an event that
// commits late, and a nudge that arrives twice, late or never (a lost LISTEN connection, a
// writer killed between COMMIT and NOTIFY) costs at most one read: the periodic sweep catches up.
import { LIMITS } from "../chat/rules.ts";
import type { StoredEvent } from "../chat/types.ts";
import type { Store } from "../store/store.ts";
import { backgroundLog } from "../observability/log.ts";

interface Followed {
  /** The cursor of the last event dispatched (null: the workspace's log was empty). */
  last: string | null;
  reading: boolean;
  /** A nudge arrived during a read: read once more after it. */
  again: boolean;
  /** Sockets waiting for the follower to reach a cursor they already replayed. */
  waiters: { cursor: string; resolve: () => void }[];
}

export interface FollowerSink {
  /** Committed events of one workspace, in cursor order, each exactly once. */
  dispatch(events: StoredEvent[]): void;
  /** The log was pruned past the last dispatched cursor: the workspace's sockets must resync. */
  lost(workspaceId: string): void;
}

/** How often every followed workspace is read even without a nudge. */
const SWEEP_MS = 2_000;

export class LogFollower {
  private followed = new Map<string, Followed>();
  private starting = new Map<string, Promise<void>>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  stats = { reads: 0, skipped: 0 };

  constructor(private store: Store, private sink: FollowerSink) {}

  start(): void {
    this.timer = setInterval(() => this.nudgeAll(), SWEEP_MS);
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const f of this.followed.values()) for (const w of f.waiters.splice(0)) w.resolve();
  }

  /**
   * Starts following a workspace from its current tail (once; later calls wait for the first).
   * A socket registered after this resolves either gets an event from the follower or finds it
   * in its own replay, never neither.
   */
  track(workspaceId: string): Promise<void> {
    if (this.followed.has(workspaceId)) return Promise.resolve();
    let pending = this.starting.get(workspaceId);
    if (!pending) {
      pending = this.store.events.tail(workspaceId).then(
        (last) => {
          this.followed.set(workspaceId, { last, reading: false, again: false, waiters: [] });
          this.starting.delete(workspaceId);
        },
        (err) => {
          this.starting.delete(workspaceId);
          throw err;
        },
      );
      this.starting.set(workspaceId, pending);
    }
    return pending;
  }

  /** No socket here listens to the workspace any more. */
  untrack(workspaceId: string): void {
    const f = this.followed.get(workspaceId);
    this.followed.delete(workspaceId);
    if (f) for (const w of f.waiters.splice(0)) w.resolve();
  }

  /** Something was committed in this workspace, up to `cursor` if known. */
  nudge(workspaceId: string, cursor?: string): void {
    const f = this.followed.get(workspaceId);
    if (!f) return; // nobody here listens to it
    if (cursor !== undefined && f.last !== null && cursor <= f.last) {
      this.stats.skipped++;
      return;
    }
    void this.read(workspaceId, f);
  }

  /**
   * Resolves once everything up to `cursor` has been dispatched here. A socket may have replayed
   * further than this process has dispatched (the client learnt a cursor from another process):
   * it must not go live before then, or the topic would hand it events it already has.
   */
  reached(workspaceId: string, cursor: string | null): Promise<void> {
    const f = this.followed.get(workspaceId);
    if (!f || cursor === null || (f.last !== null && f.last >= cursor) || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      f.waiters.push({ cursor, resolve });
      void this.read(workspaceId, f);
    });
  }

  /** After a gap in the notifications (the LISTEN connection came back): read every workspace. */
  nudgeAll(): void {
    for (const workspaceId of this.followed.keys()) this.nudge(workspaceId);
  }

  private async read(workspaceId: string, f: Followed): Promise<void> {
    if (f.reading) {
      f.again = true;
      return;
    }
    f.reading = true;
    try {
      do {
        f.again = false;
        for (;;) {
          if (this.stopped) return;
          this.stats.reads++;
          const page = await this.store.events.replayAfter(workspaceId, f.last, LIMITS.replayPage);
          // Untracked meanwhile (and perhaps followed afresh from a newer tail): this read is stale.
          if (this.followed.get(workspaceId) !== f) return;
          if (page.status === "unknown_cursor") {
            f.last = await this.store.events.tail(workspaceId);
            if (this.followed.get(workspaceId) !== f) return;
            this.sink.lost(workspaceId);
            this.wake(f);
            break;
          }
          if (page.events.length > 0) {
            f.last = page.events[page.events.length - 1]!.cursor;
            this.sink.dispatch(page.events);
            this.wake(f);
          }
          if (!page.hasMore) break;
        }
      } while (f.again);
    } catch (err) {
      // The database is away; the sweep tries again, from the same cursor.
      if (!this.stopped) backgroundLog().error({ err }, "realtime: reading the event log failed");
    } finally {
      f.reading = false;
    }
  }

  private wake(f: Followed): void {
    if (f.waiters.length === 0) return;
    const still: Followed["waiters"] = [];
    for (const w of f.waiters) {
      if (f.last !== null && f.last >= w.cursor) w.resolve();
      else still.push(w);
    }
    f.waiters = still;
  }
}
