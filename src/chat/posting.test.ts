import { expect, test } from "bun:test";
import { countersAfterReply } from "./posting.ts";

test("a reply counts, dates the thread and puts its author first among at most three recent repliers", () => {
  const empty = { replyCount: 0, lastReplyAt: null, lastReplyAuthorIds: null };
  const one = countersAfterReply(empty, { authorId: "a", createdAt: "2026-01-01T00:00:01.000Z" });
  expect(one).toEqual({ replyCount: 1, lastReplyAt: "2026-01-01T00:00:01.000Z", lastReplyAuthorIds: '["a"]' });
  let state = one;
  for (const [author, second] of [["b", 2], ["c", 3], ["d", 4], ["b", 5]] as const) {
    state = countersAfterReply(state, { authorId: author, createdAt: `2026-01-01T00:00:0${second}.000Z` });
  }
  // d, c, b, a replied in that order, then b again: b leads, a falls off, nobody twice.
  expect(state).toEqual({ replyCount: 5, lastReplyAt: "2026-01-01T00:00:05.000Z", lastReplyAuthorIds: '["b","d","c"]' });
  // A clock that stepped back does not date the thread earlier.
  expect(countersAfterReply(state, { authorId: "e", createdAt: "2026-01-01T00:00:00.500Z" }).lastReplyAt).toBe("2026-01-01T00:00:05.000Z");
});
