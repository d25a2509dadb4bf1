// The search index, filled after the write (migration 0011_search_deferred). A post commits its
// message and its message_search_docs row; the word and trigram FTS5 rows follow here, a batch at
// a time, through the same group-commit writer (one SQLite writer), with the position they reach
// in the same transaction. Indexing in batches of hundreds instead of inside every post's commit
// takes FTS5's per-transaction cost (flushing its pending terms into a new segment, merging
// segments) once per batch, and keeps it out of the transaction whose COMMIT answers the post.
//
// When it runs: shortly after a commit (INDEX_DELAY_MS, so the documents of many posts go in
// together), at open (what a crash or an import left above the position), and before every
// search (so a search never misses a committed message: read-your-writes). Search results are
// scoped by message_search_docs at query time, indexed or not, so the delay never shows anyone a
// message they may not read.
import type { Database } from "bun:sqlite";
import { backgroundLog } from "../../observability/log.ts";
import type { GroupCommitWriter } from "./database.ts";

/** How long after a commit the pending documents are indexed (findable within this, plus a batch). */
export const INDEX_DELAY_MS = 50;
/** Documents per indexing transaction in the background (a search indexes all that is pending). */
export const INDEX_BATCH = 2000;

export class SearchIndexer {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private st: ReturnType<typeof prepareIndexStatements> | null | undefined;
  private stopListening: () => void;
  /** Documents indexed, and indexing transactions, since open (bench/metrics). */
  stats = { documents: 0, batches: 0 };

  constructor(private raw: Database, private writer: GroupCommitWriter, private delayMs = INDEX_DELAY_MS) {
    this.stopListening = writer.onCommit(() => this.schedule());
    // What a crash (or an import) left above the position.
    if (this.pending()) this.schedule();
  }

  private statements() {
    if (this.st === undefined) {
      // A database not migrated this far (a store opened with migrate: false on an old file)
      // keeps the index in its triggers: nothing to do here.
      const has = this.raw.query<{ n: number }, []>("SELECT count(*) AS n FROM sqlite_master WHERE name = 'message_search_position'").get()!.n > 0;
      this.st = has ? prepareIndexStatements(this.raw) : null;
    }
    return this.st;
  }

  /** Whether committed documents wait to be indexed. */
  pending(): boolean {
    const st = this.statements();
    if (!st) return false;
    const { done, last } = st.state.get()!;
    return (last ?? 0) > done;
  }

  /** Inside a writer job: indexes up to `limit` pending documents; true when more remain. */
  private indexSome(limit: number): boolean {
    const st = this.statements();
    if (!st) return false;
    const { done, last } = st.state.get()!;
    if (last === null || last <= done) return false;
    const upTo = Math.min(last, done + limit);
    st.word.run(done, upTo);
    st.trigram.run(done, upTo);
    st.advance.run(upTo);
    this.stats.batches++;
    this.stats.documents += upTo - done;
    return upTo < last;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => void this.run(), this.delayMs);
    // A command that is done does not wait for it: what it leaves pending is indexed at the next open.
    this.timer.unref?.();
  }

  private async run(): Promise<void> {
    this.timer = null;
    if (this.closed || !this.pending()) return;
    try {
      if (await this.writer.write(() => this.indexSome(INDEX_BATCH))) this.schedule();
    } catch (err) {
      if (this.closed) return;
      backgroundLog().error({ err }, "search indexing failed; retrying");
      this.schedule();
    }
  }

  /** Indexes everything committed so far; a search calls it first. */
  async catchUp(): Promise<void> {
    while (!this.closed && this.pending()) await this.writer.write(() => this.indexSome(Number.MAX_SAFE_INTEGER));
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stopListening();
  }
}

/** The indexing statements (exported for bench/write.ts, whose raw baseline indexes with them). */
export function prepareIndexStatements(raw: Database) {
  // The documents drive (CROSS JOIN): a range of docids, each with its message's body as it is now.
  const rows = "FROM message_search_docs d CROSS JOIN messages m ON m.id = d.message_id WHERE d.docid > ?1 AND d.docid <= ?2 ORDER BY d.docid";
  return {
    state: raw.query<{ done: number; last: number | null }, []>(
      "SELECT (SELECT indexed_docid FROM message_search_position) AS done, (SELECT max(docid) FROM message_search_docs) AS last",
    ),
    word: raw.query<never, [number, number]>(`INSERT INTO message_search (rowid, body) SELECT d.docid, m.body ${rows}`),
    trigram: raw.query<never, [number, number]>(`INSERT INTO message_search_trigram (rowid, body) SELECT d.docid, m.body || char(10, 10) ${rows}`),
    advance: raw.query<never, [number]>("UPDATE message_search_position SET indexed_docid = ?1"),
  };
}
