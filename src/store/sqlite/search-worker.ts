// The search thread: its own read-only connection to the database file, running the same
// search code as the main thread would. Searches are CPU-bound SQLite work; here they cannot
// stall the event loop that answers everyone else.
import { Database } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";
import type { SearchInput, SearchStore } from "../store.ts";
import * as schema from "./schema.ts";
import { sqliteSearch } from "./search.ts";

declare const self: Worker;

let search: SearchStore | null = null;

self.onmessage = async (e: MessageEvent<{ open: string } | { id: number; input: SearchInput }>) => {
  const msg = e.data;
  if ("open" in msg) {
    const raw = new Database(msg.open, { readonly: true, strict: true });
    raw.exec("PRAGMA busy_timeout = 5000");
    raw.exec("PRAGMA cache_size = -32768");
    search = sqliteSearch(drizzle({ client: raw, schema }), raw);
    return;
  }
  try {
    const result = await search!.search(msg.input);
    self.postMessage({ id: msg.id, result });
  } catch (err) {
    self.postMessage({ id: msg.id, error: (err as Error)?.message ?? String(err) });
  }
};
