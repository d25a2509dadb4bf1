// Thread pages keep their window of replies. A window (which replies, their versions, their
// authors' versions, whether more lie either side) depends only on the thread's replies and on
// the people who wrote them. The root's version moves whenever a reply is added (posting it
// updates the root's thread counters) and, by triggers, when one is changed or removed; the
// people's epoch moves whenever anyone's row changes (SQLite 0024, Postgres 0021). So a thread page reads its root's stamp, and while the root's version and the
// epoch stand it reuses the window read before instead of reading the replies again: on SQLite
// the replies' query was most of a short thread page's time in the server, on Postgres it is a
// round trip. Renderings still come through the message cache, which checks each version.
import type { PageWindow } from "../chat/types.ts";
import type { Window } from "./window.ts";

/** What a thread page reads of its root first: the root's version and the people's epoch then. */
export type ThreadStamp = { version: number; usersEpoch: number };

/** Thread windows a store keeps (each at most a page of small stamps); the least recently read go first beyond this. */
const CAPACITY = 2_000;

interface Kept<Row> {
  version: number;
  usersEpoch: number;
  window: Window<Row>;
}

export class ThreadWindows<Row> {
  private kept = new Map<string, Kept<Row>>();

  constructor(private capacity = CAPACITY) {}

  /** The window read before for this thread and page window, if the thread has not changed since. */
  reuse(rootId: string, window: PageWindow, root: ThreadStamp): Window<Row> | undefined {
    const key = keyOf(rootId, window);
    const kept = this.kept.get(key);
    if (!kept) return undefined;
    if (kept.version !== root.version || kept.usersEpoch !== root.usersEpoch) {
      this.kept.delete(key);
      return undefined;
    }
    // Read again: the last to go when room is made.
    this.kept.delete(key);
    this.kept.set(key, kept);
    return kept.window;
  }

  /**
   * Keeps a window read after `root` was: the window is at least as new as the stamp (on
   * Postgres a reply may land between the two reads, and then the root's version has moved
   * past the one kept here), so it is never older than what a reader of the same stamp would read.
   */
  keep(rootId: string, window: PageWindow, root: ThreadStamp, read: Window<Row>): Window<Row> {
    const frozen = Object.freeze({ ...read, rows: Object.freeze([...read.rows]) as Row[] });
    const key = keyOf(rootId, window);
    this.kept.delete(key);
    this.kept.set(key, { version: root.version, usersEpoch: root.usersEpoch, window: frozen });
    for (const k of this.kept.keys()) {
      if (this.kept.size <= this.capacity) break;
      this.kept.delete(k);
    }
    return frozen;
  }
}

function keyOf(rootId: string, w: PageWindow): string {
  return `${rootId} ${w.kind} ${"seq" in w ? w.seq : ""} ${w.limit}`;
}
