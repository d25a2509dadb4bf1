// Message search over the FTS5 indexes of migration 0004_search: the trigram index answers
// substrings (and ranks, with bm25), the word index answers prefixes and phrases, and
// message_search_docs carries what the filters and the scope check need without touching the
// messages table. The caller's scope is part of every query: channels of the workspace they can
// read (#guest only for guests) and DMs they belong to, never more.
import type { Database, SQLQueryBindings } from "bun:sqlite";
import { inArray } from "drizzle-orm";
import { RELEVANCE_WINDOW, type SearchInput, type SearchPosition, type SearchStore } from "../store.ts";
import type { Db } from "./database.ts";
import { hydrate } from "./hydrate.ts";
import { messages } from "./schema.ts";

interface Row {
  docid: number;
  message_id: string;
  score: number;
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/** A term expanded into the trigrams that begin with it; more than this many and it is scanned. */
const MAX_EXPANSION = 256;

/**
 * Terms of one or two characters (東京) have no trigram of their own, but every occurrence
 * begins some trigram (the index holds each body plus two line feeds). The trigrams that begin
 * with the term, read from the index's vocabulary, make an OR group the trigram index answers.
 * A term that begins no trigram cannot match (null); one that begins too many is left to a scan.
 */
function expandShortTerms(raw: Database, terms: string[]): { groups: string[]; scan: string[] } | null {
  const lookup = raw.query<{ term: string }, [string, string]>(`SELECT term FROM message_search_trigram_terms WHERE term >= ? AND term < ? LIMIT ${MAX_EXPANSION + 1}`);
  const groups: string[] = [];
  const scan: string[] = [];
  for (const term of terms) {
    const t = term.toLowerCase();
    const found = lookup.all(t, `${t}\u{10ffff}`).map((r) => r.term);
    if (found.length === 0) return null;
    if (found.length > MAX_EXPANSION) scan.push(term);
    else groups.push(`(${found.map((f) => `"${f.replaceAll('"', '""')}"`).join(" OR ")})`);
  }
  return { groups, scan };
}

/** One search's FROM and WHERE (text match, scope, filters), shared by the queries below. */
interface Base {
  from: string;
  where: string[];
  params: SQLQueryBindings[];
  /** bm25 of the driving FTS table (lower is better), or 0 without one. */
  score: string;
  /** The rowid that orders "newest first": the FTS table's own where it drives, so FTS5 can
   * walk its matches backwards and stop after a page. */
  newest: string;
}

export function searchBase(input: SearchInput, expanded: { groups: string[]; scan: string[] } = { groups: [], scan: input.query.scan }): Base {
  const q = { ...input.query, trigramMatch: [input.query.trigramMatch, ...expanded.groups].filter(Boolean).join(" AND ") || null, scan: expanded.scan };
  const params: SQLQueryBindings[] = [];
  let from = "message_search_docs d";
  let score = "0.0";
  let newest = "d.docid";
  const where: string[] = [];
  // The FTS table drives (CROSS JOIN fixes the order): a rare word must not become a probe per
  // message of the workspace.
  if (q.trigramMatch) {
    from = "message_search_trigram CROSS JOIN message_search_docs d ON d.docid = message_search_trigram.rowid";
    score = "bm25(message_search_trigram)";
    newest = "message_search_trigram.rowid";
    where.push("message_search_trigram MATCH ?");
    params.push(q.trigramMatch);
    if (q.wordMatch) {
      where.push("d.docid IN (SELECT rowid FROM message_search WHERE message_search MATCH ?)");
      params.push(q.wordMatch);
    }
  } else if (q.wordMatch) {
    from = "message_search CROSS JOIN message_search_docs d ON d.docid = message_search.rowid";
    score = "bm25(message_search)";
    newest = "message_search.rowid";
    where.push("message_search MATCH ?");
    params.push(q.wordMatch);
  }
  where.push("d.workspace_id = ?");
  params.push(input.workspaceId);

  // What the caller may read, whatever else was asked.
  // Channels: public ones by role (guests: #guest), private ones only to their members.
  const byRole = input.guestOnly ? "(kind = 'guest' AND is_private = 0)" : "is_private = 0";
  const readable = [`d.scope_id IN (SELECT id FROM channels WHERE workspace_id = ? AND deleted_at IS NULL
    AND (${byRole} OR (is_private = 1 AND id IN (SELECT channel_id FROM channel_members WHERE user_id = ?))))`];
  params.push(input.workspaceId, input.viewerId);
  if (input.includeDms && !input.guestOnly) {
    readable.push("d.scope_id IN (SELECT dm_id FROM dm_members WHERE user_id = ?)");
    params.push(input.viewerId);
  }
  where.push(`(${readable.join(" OR ")})`);
  const scopeId = input.channelId ?? input.dmId;
  if (scopeId) {
    where.push("d.scope_id = ?");
    params.push(scopeId);
  }

  if (q.from.length) {
    where.push(`d.author_id IN (SELECT id FROM users WHERE handle IN (${marks(q.from.length)}))`);
    params.push(...q.from);
  }
  if (q.in.length) {
    where.push(`d.scope_id IN (SELECT id FROM channels WHERE workspace_id = ? AND deleted_at IS NULL AND name IN (${marks(q.in.length)}))`);
    params.push(input.workspaceId, ...q.in);
  }
  // created_at is RFC 3339 UTC, so a bare day compares as the first instant of that day.
  if (q.before) {
    where.push("d.created_at < ?");
    params.push(q.before);
  }
  if (q.after) {
    where.push("d.created_at >= ?");
    params.push(nextDay(q.after));
  }
  if (q.hasFile) where.push("EXISTS (SELECT 1 FROM uploads u WHERE u.message_id = d.message_id)");
  if (q.inThread) where.push("EXISTS (SELECT 1 FROM messages t WHERE t.id = d.message_id AND (t.parent_message_id IS NOT NULL OR t.reply_count > 0))");
  for (const term of q.scan) {
    where.push("instr((SELECT body FROM messages b WHERE b.id = d.message_id), ?) > 0");
    params.push(term);
  }
  return { from, where, params, score, newest };
}

/** Rows of the base query with more conditions, in an order, as SQL and parameters. */
function select(b: Base, extra: [string, ...SQLQueryBindings[]][], order: string, tail: SQLQueryBindings[]): { sql: string; params: SQLQueryBindings[] } {
  const where = [...b.where, ...extra.map((e) => e[0])];
  return {
    sql: `SELECT d.docid, d.message_id, ${b.score} AS score FROM ${b.from} WHERE ${where.join(" AND ")} ORDER BY ${order}`,
    params: [...b.params, ...extra.flatMap((e) => e.slice(1) as SQLQueryBindings[]), ...tail],
  };
}


export function sqliteSearch(db: Db, raw: Database, opts: { relevanceWindow?: number } = {}): SearchStore {
  const WINDOW = opts.relevanceWindow ?? RELEVANCE_WINDOW;
  const run = (q: { sql: string; params: SQLQueryBindings[] }) => raw.query<Row, SQLQueryBindings[]>(q.sql).all(...q.params);

  /**
   * Rows `offset` to `offset + limit` of the relevance order. One pass newest-first collects the
   * newest WINDOW matches (at or below the ceiling) with their bm25; they are ranked here, and
   * the older matches follow, newest first.
   */
  function relevance(b: Base, at: Extract<SearchPosition, { sort: "relevance" }>, limit: number): Row[] {
    const win = run(select(b, [[`${b.newest} <= ?`, at.ceiling]], `${b.newest} DESC LIMIT ?`, [WINDOW]));
    const ranked = [...win].sort((x, y) => x.score - y.score || y.docid - x.docid).slice(at.offset, at.offset + limit);
    if (ranked.length >= limit || win.length < WINDOW) return ranked;
    const floor = win[win.length - 1]!.docid;
    const older = run(select(b, [[`${b.newest} < ?`, floor]], `${b.newest} DESC LIMIT ? OFFSET ?`, [limit - ranked.length, Math.max(0, at.offset - WINDOW)]));
    return [...ranked, ...older];
  }

  return {
    async search(input) {
      if (input.query.empty || input.limit < 1) return { hits: [], next: null };
      const expanded = expandShortTerms(raw, input.query.scan);
      if (!expanded) return { hits: [], next: null };
      const b = searchBase(input, expanded);
      let rows: Row[];
      let next: SearchPosition | null = null;
      if (input.sort === "recent" || b.score === "0.0") {
        // Newest first (also "relevance" when nothing is scored): a keyset on the docid.
        const before = input.after?.sort === "recent" ? input.after.docid : null;
        rows = run(select(b, before === null ? [] : [[`${b.newest} < ?`, before]], `${b.newest} DESC LIMIT ?`, [input.limit + 1]));
        if (rows.length > input.limit) next = { sort: "recent", docid: rows[input.limit - 1]!.docid };
      } else {
        const ceiling = raw.query<{ n: number | null }, []>("SELECT max(docid) AS n FROM message_search_docs").get()?.n ?? 0;
        const at = input.after?.sort === "relevance" ? input.after : { sort: "relevance" as const, offset: 0, ceiling };
        rows = relevance(b, at, input.limit + 1);
        if (rows.length > input.limit) next = { ...at, offset: at.offset + input.limit };
      }
      const page = rows.slice(0, input.limit);
      const byId = new Map(page.length ? db.select().from(messages).where(inArray(messages.id, page.map((r) => r.message_id))).all().map((m) => [m.id, m]) : []);
      const found = page.filter((r) => byId.has(r.message_id));
      const hydrated = hydrate(db, found.map((r) => byId.get(r.message_id)!), input.viewerId);
      const hits = hydrated.map((message, i) => ({ message, score: Math.round(-found[i]!.score * 1e6) / 1e6 || 0 }));
      return { hits, next };
    },
  };
}
