// Paging a channel, DM or thread by sequence number: the same windows on every store.
//
// The window is written once, as a generator that asks for reads and receives their results, so
// that SQLite can run it synchronously (inside one read transaction, src/store/sqlite/database.ts)
// and Postgres can await each read: the same steps, two drivers.
import type { Message, MessagePage, PageWindow, ThreadPage, ThreadState } from "../chat/types.ts";

type Cmp = "lt" | "lte" | "gt" | "none";
type Order = "asc" | "desc";

/** One read the window needs: rows beyond (or at) a seq, or only whether any row lies beyond it. */
type Ask = { rows: true; cmp: Cmp; seq: number; order: Order; limit: number } | { rows: false; cmp: "lt" | "gt"; seq: number; order: Order };

/** A store's reads for a window: rows, and (if it has a cheaper way than fetching one) whether any row lies beyond a seq. */
export interface WindowFetch<Row, R = Row[], B = boolean> {
  rows: (cmp: Cmp, seq: number, order: Order, limit: number) => R;
  exists?: (cmp: "lt" | "gt", seq: number, order: Order) => B;
}

export type Window<Row> = { rows: Row[]; hasOlder: boolean; hasNewer: boolean };

/**
 * The steps of a window over a sequence column. Rows are fetched strictly beyond (or at) a seq in
 * one direction; has_older/has_newer are answered relative to the rows returned, so an empty page
 * says "nothing on either side" the way the Go server does. Each fetch asks for one row more than
 * the page holds: that row answers "is there more this way" without a query of its own, so a
 * latest or oldest page is one read, and only the far side of an after/before page needs a check.
 */
function* windowSteps<Row>(window: PageWindow, seqOf: (r: Row) => number): Generator<Ask, Window<Row>, Row[] | boolean> {
  const fetch = function* (cmp: Cmp, seq: number, order: Order, limit: number): Generator<Ask, Row[], Row[] | boolean> {
    return (yield { rows: true, cmp, seq, order, limit }) as Row[];
  };
  const exists = function* (cmp: "lt" | "gt", seq: number): Generator<Ask, boolean, Row[] | boolean> {
    return (yield { rows: false, cmp, seq, order: cmp === "lt" ? "desc" : "asc" }) as boolean;
  };
  const n = window.limit;
  let rows: Row[];
  let hasOlder = false;
  let hasNewer = false;
  switch (window.kind) {
    case "latest": {
      const got = yield* fetch("none", 0, "desc", n + 1);
      rows = got.slice(0, n).reverse();
      hasOlder = got.length > n;
      break;
    }
    case "oldest": {
      const got = yield* fetch("none", 0, "asc", n + 1);
      rows = got.slice(0, n);
      hasNewer = got.length > n;
      break;
    }
    case "after": {
      const got = yield* fetch("gt", window.seq, "asc", n + 1);
      rows = got.slice(0, n);
      hasNewer = got.length > n;
      if (rows.length > 0) hasOlder = yield* exists("lt", seqOf(rows[0]!));
      break;
    }
    case "before": {
      const got = yield* fetch("lt", window.seq, "desc", n + 1);
      rows = got.slice(0, n).reverse();
      hasOlder = got.length > n;
      if (rows.length > 0) hasNewer = yield* exists("gt", seqOf(rows[rows.length - 1]!));
      break;
    }
    case "around": {
      // Left side includes the anchor; whichever side runs short, the other fills up to limit.
      const left = yield* fetch("lte", window.seq, "desc", n + 1);
      const right = yield* fetch("gt", window.seq, "asc", n + 1);
      let takeLeft = Math.min(left.length, Math.ceil(n / 2));
      const takeRight = Math.min(right.length, n - takeLeft);
      takeLeft = Math.min(left.length, n - takeRight);
      rows = [...left.slice(0, takeLeft).reverse(), ...right.slice(0, takeRight)];
      hasOlder = left.length > takeLeft;
      hasNewer = right.length > takeRight;
      break;
    }
  }
  if (rows.length === 0) return { rows, hasOlder: false, hasNewer: false };
  return { rows, hasOlder, hasNewer };
}

/** Runs a window with reads that answer at once (SQLite). */
export function windowedSync<Row>(window: PageWindow, seqOf: (r: Row) => number, reads: WindowFetch<Row>): Window<Row> {
  const steps = windowSteps(window, seqOf);
  let step = steps.next();
  while (!step.done) {
    const ask = step.value;
    if (ask.rows) step = steps.next(reads.rows(ask.cmp, ask.seq, ask.order, ask.limit));
    else step = steps.next(reads.exists ? reads.exists(ask.cmp, ask.seq, ask.order) : reads.rows(ask.cmp, ask.seq, ask.order, 1).length > 0);
  }
  return step.value;
}

/** Runs a window with reads that are awaited (Postgres). */
export async function windowed<Row>(window: PageWindow, seqOf: (r: Row) => number, reads: WindowFetch<Row, Promise<Row[]>, Promise<boolean>>): Promise<Window<Row>> {
  const steps = windowSteps(window, seqOf);
  let step = steps.next();
  while (!step.done) {
    const ask = step.value;
    if (ask.rows) step = steps.next(await reads.rows(ask.cmp, ask.seq, ask.order, ask.limit));
    else step = steps.next(reads.exists ? await reads.exists(ask.cmp, ask.seq, ask.order) : (await reads.rows(ask.cmp, ask.seq, ask.order, 1)).length > 0);
  }
  return step.value;
}

/** A channel or DM page on the wire: its messages and where the window sits. */
export function messagePage(window: Window<{ channelSeq: number | null }>, messages: Message[]): MessagePage {
  const { rows } = window;
  return {
    messages,
    oldest_seq: rows[0]?.channelSeq ?? 0,
    newest_seq: rows[rows.length - 1]?.channelSeq ?? 0,
    has_older: window.hasOlder,
    has_newer: window.hasNewer,
  };
}

/** A thread page on the wire: the root, a window of its replies and the thread's state. */
export function threadPage(window: Window<{ threadSeq: number | null }>, root: Message, replies: Message[], state: ThreadState): ThreadPage {
  const { rows } = window;
  return {
    root,
    replies,
    thread_state: state,
    oldest_seq: rows[0]?.threadSeq ?? 0,
    newest_seq: rows[rows.length - 1]?.threadSeq ?? 0,
    has_older: window.hasOlder,
    has_newer: window.hasNewer,
  };
}
