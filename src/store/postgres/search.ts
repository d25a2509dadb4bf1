// Message search on Postgres, with the behaviour of the SQLite FTS5 search (src/store/sqlite/
// search.ts) over the index of drizzle/postgres/0001_search.sql: terms the query language routes
// to the word index match `words` (prefixes, exact words, phrases); terms it routes to the trigram
// index or to a scan (partial words, Japanese and Chinese of any length) are substrings of the
// folded body, answered by the pg_trgm GIN index. The caller's scope is part of every query.
import { type SQL, inArray, sql } from "drizzle-orm";
import type { QueryTerm } from "../../search/query.ts";
import { Limiter } from "../../agents/limiter.ts";
import { searchTimedOut } from "../../chat/errors.ts";
import type { SearchInput, SearchPosition, SearchStore } from "../store.ts";
import { RELEVANCE_WINDOW } from "../store.ts";
import { type Db, sqlState } from "./database.ts";
import { hydrate } from "./hydrate.ts";
import { messages } from "./schema.ts";

type Run = (b: Base, extra: SQL | null, tail: SQL) => Promise<Row[]>;

type Row = {
  docid: number;
  message_id: string;
  score: number;
};

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const folded = (t: string) => sql`clickclack_fold(${t})`;

/** One term as a condition on the document `d`, and its contribution to the score. */
function termMatch(t: QueryTerm): { where: SQL; score: SQL } {
  if (t.index === "word") {
    const query = t.phrase
      ? sql`phraseto_tsquery('simple', clickclack_word_text(${folded(t.text)}))`
      : sql`to_tsquery('simple', quote_literal(clickclack_word_text(${folded(t.text)})) || ':*')`;
    return { where: sql`d.words @@ ${query}`, score: sql`ts_rank(d.words, ${query})` };
  }
  // A substring, case and accents folded. LIKE (not strpos) so that pg_trgm's index answers it.
  const needle = folded(t.text);
  const pattern = sql`'%' || replace(replace(replace(${needle}, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'`;
  // bm25's shape over occurrences: more occurrences score higher, with diminishing returns, and
  // a long body dilutes them.
  const tf = sql`((length(d.folded) - length(replace(d.folded, ${needle}, ''))) / greatest(length(${needle}), 1))::float8`;
  return { where: sql`d.folded LIKE ${pattern}`, score: sql`(${tf} * 2.2 / (${tf} + 1.2 * (0.25 + 0.75 * length(d.folded) / 80.0)))` };
}

interface Base {
  where: SQL;
  score: SQL;
  scored: boolean;
}

export function searchBase(input: SearchInput): Base {
  const q = input.query;
  const where: SQL[] = [sql`d.workspace_id = ${input.workspaceId}`];
  const scores: SQL[] = [];
  // SQLite ranks by the index that drives the query: the trigram index when a substring term is
  // present, else the word index. Scoring the same terms keeps the two orders alike.
  const substrings = q.terms.some((t) => t.index !== "word");
  for (const t of q.terms) {
    const m = termMatch(t);
    where.push(m.where);
    if ((t.index !== "word") === substrings) scores.push(m.score);
  }

  // What the caller may read, whatever else was asked.
  // Channels: public ones by role (guests: #guest), private ones only to their members.
  const byRole = input.guestOnly ? sql`(kind = 'guest' AND NOT is_private)` : sql`NOT is_private`;
  const readable = [sql`d.scope_id IN (SELECT id FROM channels WHERE workspace_id = ${input.workspaceId} AND deleted_at IS NULL
    AND (${byRole} OR (is_private AND id IN (SELECT channel_id FROM channel_members WHERE user_id = ${input.viewerId}))))`];
  if (input.includeDms && !input.guestOnly) readable.push(sql`d.scope_id IN (SELECT dm_id FROM dm_members WHERE user_id = ${input.viewerId})`);
  where.push(sql`(${sql.join(readable, sql` OR `)})`);
  const scopeId = input.channelId ?? input.dmId;
  if (scopeId) where.push(sql`d.scope_id = ${scopeId}`);

  if (q.from.length) where.push(sql`d.author_id IN (SELECT id FROM users WHERE handle IN (${sql.join(q.from.map((h) => sql`${h}`), sql`, `)}))`);
  if (q.in.length) {
    where.push(sql`d.scope_id IN (SELECT id FROM channels WHERE workspace_id = ${input.workspaceId} AND deleted_at IS NULL AND name IN (${sql.join(q.in.map((n) => sql`${n}`), sql`, `)}))`);
  }
  // created_at is RFC 3339 UTC, so a bare day compares as the first instant of that day.
  if (q.before) where.push(sql`d.created_at < ${q.before}`);
  if (q.after) where.push(sql`d.created_at >= ${nextDay(q.after)}`);
  if (q.hasFile) where.push(sql`EXISTS (SELECT 1 FROM uploads u WHERE u.message_id = d.message_id)`);
  if (q.inThread) where.push(sql`EXISTS (SELECT 1 FROM messages t WHERE t.id = d.message_id AND (t.parent_message_id IS NOT NULL OR t.reply_count > 0))`);
  return {
    where: sql.join(where, sql` AND `),
    score: scores.length ? sql.join(scores, sql` + `) : sql`0.0`,
    scored: scores.length > 0,
  };
}

/** SQLSTATE query_canceled: what statement_timeout ends a statement with. */
const QUERY_CANCELED = "57014";

/**
 * `budgetMs` is the time one search may take (--search-budget-ms), as on SQLite's search thread:
 * past it Postgres cancels the statement and the search answers 503 search_timeout, so one
 * person's heavy query cannot hold a pool connection and a core for long.
 */
export function pgSearch(db: Db, opts: { relevanceWindow?: number; budgetMs?: number; slots?: number } = {}): SearchStore {
  const WINDOW = opts.relevanceWindow ?? RELEVANCE_WINDOW;
  const budgetMs = opts.budgetMs;
  // Searches take a few of the pool's connections at most, as SQLite's search thread takes one:
  // a burst of heavy searches queues here instead of holding every connection the other
  // requests (sign-in checks, posts) need. The budget starts when a search gets its slot.
  const slots = new Limiter(opts.slots ?? 2);

  /** Runs `search` in a read-only transaction whose statements stop when the budget is spent. */
  async function withinBudget<T>(search: (q: Db, run: Run) => Promise<T>): Promise<T> {
    if (budgetMs === undefined) return search(db, (b, extra, tail) => query(db, b, extra, tail));
    const deadline = performance.now() + budgetMs;
    try {
      return await db.transaction(async (tx) => {
        // Each statement gets what is left of the search's budget, not the whole of it again.
        const run: Run = async (b, extra, tail) => {
          const left = Math.floor(deadline - performance.now());
          if (left < 1) throw searchTimedOut(budgetMs);
          await tx.execute(sql`SELECT set_config('statement_timeout', ${String(left)}, true)`);
          return query(tx, b, extra, tail);
        };
        return search(tx, run);
      }, { accessMode: "read only" });
    } catch (err) {
      if (sqlState(err) === QUERY_CANCELED) throw searchTimedOut(budgetMs);
      throw err;
    }
  }

  const query = async (q: Db, b: Base, extra: SQL | null, tail: SQL): Promise<Row[]> => {
    const rows = await q.execute<Row>(sql`SELECT d.docid, d.message_id, (${b.score})::float8 AS score FROM message_search_docs d
      WHERE ${b.where}${extra ? sql` AND ${extra}` : sql``} ${tail}`);
    return [...rows];
  };

  /**
   * Rows `offset` to `offset + limit` of the relevance order: the newest WINDOW matches (at or
   * below the ceiling) ranked by score, then older matches newest first, as on SQLite.
   */
  async function relevance(run: Run, b: Base, at: Extract<SearchPosition, { sort: "relevance" }>, limit: number, newest?: (docid: number) => void): Promise<Row[]> {
    const win = await run(b, sql`d.docid <= ${at.ceiling}`, sql`ORDER BY d.docid DESC LIMIT ${WINDOW}`);
    newest?.(win[0]?.docid ?? 0);
    const ranked = [...win].sort((x, y) => y.score - x.score || y.docid - x.docid).slice(at.offset, at.offset + limit);
    if (ranked.length >= limit || win.length < WINDOW) return ranked;
    const floor = win[win.length - 1]!.docid;
    const older = await run(b, sql`d.docid < ${floor}`, sql`ORDER BY d.docid DESC LIMIT ${limit - ranked.length} OFFSET ${Math.max(0, at.offset - WINDOW)}`);
    return [...ranked, ...older];
  }

  return {
    async search(input) {
      if (input.query.empty || input.limit < 1) return { hits: [], next: null };
      const release = await slots.acquire();
      try {
        return await withinBudget((q, run) => searchIn(q, run, input));
      } finally {
        release();
      }
    },
  };

  async function searchIn(db: Db, run: Run, input: SearchInput): ReturnType<SearchStore["search"]> {
    const b = searchBase(input);
    let rows: Row[];
    let next: SearchPosition | null = null;
    if (input.sort === "recent" || !b.scored) {
      // Newest first (also "relevance" when nothing is scored): a keyset on the docid.
      const before = input.after?.sort === "recent" ? input.after.docid : null;
      rows = await run(b, before === null ? null : sql`d.docid < ${before}`, sql`ORDER BY d.docid DESC LIMIT ${input.limit + 1}`);
      if (rows.length > input.limit) next = { sort: "recent", docid: rows[input.limit - 1]!.docid };
    } else {
      // The first page's ceiling is its newest match: what is written later lies above it,
      // which is all the ceiling is for (and saves asking for the newest document first).
      const at = input.after?.sort === "relevance" ? input.after : { sort: "relevance" as const, offset: 0, ceiling: 2 ** 31 - 1 };
      rows = await relevance(run, b, at, input.limit + 1, (top) => (at.ceiling = top));
      if (rows.length > input.limit) next = { ...at, offset: at.offset + input.limit };
    }
    const page = rows.slice(0, input.limit);
    const byId = new Map(page.length ? (await db.select().from(messages).where(inArray(messages.id, page.map((r) => r.message_id)))).map((m) => [m.id, m]) : []);
    const found = page.filter((r) => byId.has(r.message_id));
    const hydrated = await hydrate(db, found.map((r) => byId.get(r.message_id)!), input.viewerId);
    const hits = hydrated.map((message, i) => ({ message, score: Math.round(found[i]!.score * 1e6) / 1e6 || 0 }));
    return { hits, next };
  }
}
