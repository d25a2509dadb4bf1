// Every Postgres writer tells the other processes what it committed: one NOTIFY per batch with
// the last cursor of each workspace it wrote, sent inside the batch's transaction so that it is
// delivered exactly when, and only if, the batch commits (a writer killed before COMMIT sends
// nothing; one killed after sends it anyway). Any process that writes (serve, admin, import)
// does this, so sockets everywhere hear of every commit. src/realtime/cluster.ts listens.
import { sql } from "drizzle-orm";
import type { StoredEvent } from "../../chat/types.ts";
import type { Db, PgGroupCommitWriter } from "./database.ts";

export const REALTIME_CHANNEL = "clickclack_realtime";

/** NOTIFY payloads must stay below 8000 bytes; this leaves room for the envelope. */
export const MAX_NOTIFY_BYTES = 7500;

export interface CommitHint {
  k: "commit";
  /** [workspace id, last cursor committed in it] */
  w: [string, string][];
}

/** The hints of one batch: the last cursor of each workspace it wrote, split to fit NOTIFY. */
export function commitHints(events: StoredEvent[]): string[] {
  const last = new Map<string, string>();
  for (const e of events) last.set(e.workspace_id, e.cursor);
  const payloads: string[] = [];
  let entries: [string, string][] = [];
  let size = 0;
  for (const entry of last) {
    const bytes = entry[0].length + entry[1].length + 8;
    if (size + bytes > MAX_NOTIFY_BYTES && entries.length > 0) {
      payloads.push(JSON.stringify({ k: "commit", w: entries } satisfies CommitHint));
      entries = [];
      size = 0;
    }
    entries.push(entry);
    size += bytes;
  }
  if (entries.length > 0) payloads.push(JSON.stringify({ k: "commit", w: entries } satisfies CommitHint));
  return payloads;
}

export function hintCommits(writer: PgGroupCommitWriter): () => void {
  return writer.beforeCommit(async (tx: Db, events) => {
    for (const payload of commitHints(events)) await tx.execute(sql`SELECT pg_notify(${REALTIME_CHANNEL}, ${payload})`);
  });
}
