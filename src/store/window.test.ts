import { describe, expect, test } from "bun:test";
import type { PageWindow } from "../chat/types.ts";
import { type WindowFetch, windowed, windowedSync } from "./window.ts";

// Seqs 1..10 with a gap at 5 (a deleted slot is still a row; a gap is what a topic filter leaves).
const seqs = [1, 2, 3, 4, 6, 7, 8, 9, 10];
const rows = (cmp: string, seq: number, order: "asc" | "desc", limit: number) => {
  const hit = seqs.filter((s) => (cmp === "none" ? true : cmp === "lt" ? s < seq : cmp === "lte" ? s <= seq : s > seq));
  return (order === "asc" ? hit : hit.reverse()).slice(0, limit);
};
const syncReads: WindowFetch<number> = { rows };
const withExists: WindowFetch<number> = { rows, exists: (cmp, seq, order) => rows(cmp, seq, order, 1).length > 0 };
const asyncReads: WindowFetch<number, Promise<number[]>, Promise<boolean>> = { rows: async (...a) => rows(...a) };

const cases: [PageWindow, number[], boolean, boolean][] = [
  [{ kind: "latest", limit: 3 }, [8, 9, 10], true, false],
  [{ kind: "oldest", limit: 3 }, [1, 2, 3], false, true],
  [{ kind: "after", seq: 4, limit: 2 }, [6, 7], true, true],
  [{ kind: "before", seq: 6, limit: 2 }, [3, 4], true, true],
  [{ kind: "around", seq: 6, limit: 4 }, [4, 6, 7, 8], true, true],
  [{ kind: "around", seq: 10, limit: 4 }, [7, 8, 9, 10], true, false],
  [{ kind: "after", seq: 10, limit: 5 }, [], false, false],
  [{ kind: "latest", limit: 50 }, seqs, false, false],
];

describe("windows over a sequence", () => {
  for (const [window, expected, hasOlder, hasNewer] of cases) {
    test(`${JSON.stringify(window)}: the same page from both drivers`, async () => {
      const want = { rows: expected, hasOlder, hasNewer };
      expect(windowedSync(window, (s) => s, syncReads)).toEqual(want);
      expect(windowedSync(window, (s) => s, withExists)).toEqual(want);
      expect(await windowed(window, (s) => s, asyncReads)).toEqual(want);
    });
  }
});

// The definition, checked for every window over the same rows: has_older says a row lies before
// the page's first, has_newer after its last (both false on an empty page).
test("has_older/has_newer mean what they say, for every window and limit", async () => {
  const windows: PageWindow[] = [];
  for (let limit = 1; limit <= 6; limit++) {
    windows.push({ kind: "latest", limit }, { kind: "oldest", limit });
    for (let seq = 0; seq <= 11; seq++) windows.push({ kind: "after", seq, limit }, { kind: "before", seq, limit }, { kind: "around", seq, limit });
  }
  for (const window of windows) {
    const page = windowedSync(window, (s) => s, syncReads);
    expect(page.rows.length).toBeLessThanOrEqual(window.limit);
    const first = page.rows[0];
    const last = page.rows[page.rows.length - 1];
    expect(page.hasOlder).toBe(first !== undefined && seqs.some((s) => s < first));
    expect(page.hasNewer).toBe(last !== undefined && seqs.some((s) => s > last));
    expect(await windowed(window, (s) => s, asyncReads)).toEqual(page);
  }
});
