// Paging a channel, DM or thread by sequence number: the same windows on every store.
import type { PageWindow } from "../chat/types.ts";

type Fetch<Row> = (cmp: "lt" | "lte" | "gt" | "none", seq: number, order: "asc" | "desc", limit: number) => Row[] | Promise<Row[]>;

/** A store's reads for a window: rows, and (if it has a cheaper way than fetching one) whether any row lies beyond a seq. */
export interface WindowFetch<Row> {
  rows: Fetch<Row>;
  exists?: (cmp: "lt" | "gt", seq: number, order: "asc" | "desc") => boolean | Promise<boolean>;
}

/**
 * Runs a window over a sequence column. `fetch` returns rows strictly beyond (or at) a seq in one
 * direction; has_older/has_newer are answered relative to the rows returned, so an empty page
 * says "nothing on either side" the way the Go server does.
 */
export async function windowed<Row>(
  window: PageWindow,
  seqOf: (r: Row) => number,
  reads: WindowFetch<Row>,
): Promise<{ rows: Row[]; hasOlder: boolean; hasNewer: boolean }> {
  const fetch = reads.rows;
  const exists = reads.exists ?? (async (cmp: "lt" | "gt", seq: number, order: "asc" | "desc") => (await fetch(cmp, seq, order, 1)).length > 0);
  const n = window.limit;
  let rows: Row[];
  switch (window.kind) {
    case "latest":
      rows = (await fetch("none", 0, "desc", n)).reverse();
      break;
    case "oldest":
      rows = await fetch("none", 0, "asc", n);
      break;
    case "after":
      rows = await fetch("gt", window.seq, "asc", n);
      break;
    case "before":
      rows = (await fetch("lt", window.seq, "desc", n)).reverse();
      break;
    case "around": {
      // Left side includes the anchor; whichever side runs short, the other fills up to limit.
      const left = await fetch("lte", window.seq, "desc", n);
      const right = await fetch("gt", window.seq, "asc", n);
      let takeLeft = Math.min(left.length, Math.ceil(n / 2));
      const takeRight = Math.min(right.length, n - takeLeft);
      takeLeft = Math.min(left.length, n - takeRight);
      rows = [...left.slice(0, takeLeft).reverse(), ...right.slice(0, takeRight)];
      break;
    }
  }
  if (rows.length === 0) return { rows, hasOlder: false, hasNewer: false };
  const hasOlder = await exists("lt", seqOf(rows[0]!), "desc");
  const hasNewer = await exists("gt", seqOf(rows[rows.length - 1]!), "asc");
  return { rows, hasOlder, hasNewer };
}
