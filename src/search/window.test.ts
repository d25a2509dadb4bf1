// Relevance paging at the store, with a small ranking window: the newest matches ranked by bm25,
// older ones after them newest first, every match exactly once, and messages written between
// pages do not shift the pages.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../store/sqlite/database.ts";
import { openSqliteStore } from "../store/sqlite/index.ts";
import { sqliteSearch } from "../store/sqlite/search.ts";
import type { SearchInput, SearchPosition } from "../store/store.ts";
import { parseQuery } from "./query.ts";

const dir = mkdtempSync(join(tmpdir(), "clickclack-window-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("relevance ranks the newest WINDOW matches, then older ones newest first; pages are stable", async () => {
  const store = openSqliteStore(join(dir, "c.db"));
  const ada = await store.users.create({ kind: "human", displayName: "Ada", handle: "ada" });
  const { workspace, channels } = await store.workspaces.create({ name: "W", ownerId: ada.id });
  const scope = { kind: "channel" as const, id: channels[0]!.id, workspaceId: workspace.id };
  const ids: string[] = [];
  // Message i says "alpha" once, except every fifth, which says it three times (ranks higher).
  for (let i = 0; i < 30; i++) ids.push((await store.messages.post({ scope, authorId: ada.id, body: i % 5 === 0 ? `alpha alpha alpha ${i}` : `alpha and other words ${i}` })).message.id);
  // Indexing follows the commit (src/store/sqlite/search-index.ts): this search reads the index directly.
  await store.searchIndex.catchUp();
  const { raw, db } = openDatabase(join(dir, "c.db"));
  const search = sqliteSearch(db, raw, { relevanceWindow: 10 });
  const input = (after: SearchPosition | null): SearchInput => ({ workspaceId: workspace.id, viewerId: ada.id, guestOnly: false, includeDms: true, query: parseQuery("alpha"), sort: "relevance", limit: 4, after });
  const seen: string[] = [];
  let after: SearchPosition | null = null;
  let page = 0;
  do {
    const r = await search.search(input(after));
    seen.push(...r.hits.map((h) => h.message.id));
    after = r.next;
    // Written between pages: not part of this walk.
    if (page++ === 1) await store.messages.post({ scope, authorId: ada.id, body: "alpha alpha alpha alpha late" });
  } while (after);
  expect(seen).toHaveLength(30);
  expect(new Set(seen).size).toBe(30);
  const newest = ids.slice(20).reverse();
  // The window: the 10 newest, the two that say "alpha" three times (20 and 25) first.
  expect(seen.slice(0, 2).sort()).toEqual([ids[20]!, ids[25]!].sort());
  expect(new Set(seen.slice(0, 10))).toEqual(new Set(newest));
  // Then the older 20, newest first.
  expect(seen.slice(10)).toEqual(ids.slice(0, 20).reverse());
  raw.close();
  await store.close();
});
