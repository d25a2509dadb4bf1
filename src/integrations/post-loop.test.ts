// The workers' loop: a commit wakes a pass, passes never overlap, and with a gap a stream of
// commits folds into one pass per gap, while stopping never waits the gap out.
import { expect, test } from "bun:test";
import type { StoredEvent } from "../chat/types.ts";
import type { Store } from "../store/store.ts";
import { loopOnPosts } from "./post-loop.ts";

function committing() {
  const listeners = new Set<(events: StoredEvent[]) => void>();
  const store = { events: { onCommit: (l: (events: StoredEvent[]) => void) => (listeners.add(l), () => listeners.delete(l)) } } as unknown as Store;
  const post = () => { for (const l of listeners) l([{ type: "message.created" } as StoredEvent]); };
  return { store, post };
}

test("a stream of posts folds into one pass per gap; the first goes at once; stop does not wait the gap out", async () => {
  const { store, post } = committing();
  const passes: number[] = [];
  const t0 = performance.now();
  const loop = loopOnPosts(store, { name: "test", pollMs: 60_000, minGapMs: 300 }, async () => void passes.push(performance.now() - t0));
  await Bun.sleep(20);
  expect(passes).toHaveLength(1); // the start-up pass
  for (let i = 0; i < 10; i++) {
    post();
    await Bun.sleep(50);
  }
  // Ten posts in half a second: passes keep the gap between them, so the posts fold into few.
  const elapsed = performance.now() - t0;
  expect(passes.length).toBeGreaterThanOrEqual(2);
  expect(passes.length).toBeLessThanOrEqual(1 + Math.ceil(elapsed / 300));
  for (let i = 1; i < passes.length; i++) expect(passes[i]! - passes[i - 1]!).toBeGreaterThanOrEqual(290);
  post();
  const before = passes.length;
  const stopping = performance.now();
  await loop.stop();
  expect(performance.now() - stopping).toBeLessThan(100);
  await Bun.sleep(350);
  expect(passes.length).toBe(before);
});
