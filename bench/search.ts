// Search: latency over a large history, and what the search index costs the write path.
//
//   bun bench/search.ts [--messages 1000000] [--writes 20000] [--runs 40] [--no-save]
//
// 1. Generates --messages messages straight into a SQLite file (prepared statement, a few large
//    transactions; the search triggers index them on the way in), 10 channels, 20 authors, a
//    Zipf-like vocabulary, 1% Japanese. Then times the store's search (the handler's work: SQL,
//    hydration, snippets; no HTTP) for a common word, a rare word, a partial word, a filtered
//    query and a two-character Japanese word, p50 and p95 over --runs runs each. Baseline: the
//    latest-50 channel page from the same store, the read every client makes most.
// 2. Inserts --writes messages with and without the search triggers (same schema, same pragmas):
//    raw inserts in batches, and posts through the store's write path (group commit, events).
//
// Prints the tables and writes them into their own section of BENCHMARKS.md.
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseQuery } from "../src/search/query.ts";
import { snippet } from "../src/search/snippet.ts";
import { openDatabase } from "../src/store/sqlite/database.ts";
import { openSqliteStore } from "../src/store/sqlite/index.ts";
import { RELEVANCE_WINDOW } from "../src/store/store.ts";
import { sqliteSearch } from "../src/store/sqlite/search.ts";
import type { SearchSort } from "../src/store/store.ts";
import { machine, percentile, printTable, ROOT, type Row, scratchDir, seed } from "./lib.ts";

const { values: flags } = parseArgs({
  options: { messages: { type: "string", default: "1000000" }, writes: { type: "string", default: "10000" }, runs: { type: "string", default: "40" }, "no-save": { type: "boolean", default: false } },
});
const MESSAGES = Number(flags.messages);
const WRITES = Number(flags.writes);
const RUNS = Number(flags.runs);

// A deterministic pseudo-random stream, so every run searches the same history.
let seedState = 42;
const rand = () => (seedState = (seedState * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;

const SYLLABLES = "ka lo mi ter ion ra ve sun dor pel qua zin tro bel mar fen gus hal ix nor op ril sed tam ul vor wex yan".split(" ");
const REAL = ["release", "deploy", "deployment", "review", "meeting", "employee", "budget", "rollback", "staging", "customer", "incident", "latency", "database", "feature", "design", "coffee", "lunch", "ticket", "branch", "merge"];
// Made-up words of two or three syllables (distinct: the syllables are the digits of i), with the
// real words at ranks 5–24, so that they are common without being everywhere.
const S = SYLLABLES.length;
const made = Array.from({ length: 3000 }, (_, i) => SYLLABLES[i % S]! + SYLLABLES[Math.floor(i / S) % S]! + (i >= S * S ? SYLLABLES[Math.floor(i / (S * S)) % S]! : ""));
const VOCAB: string[] = [...new Set([...made.slice(0, 5), ...REAL, ...made.slice(5)])].slice(0, 3000);
// Zipf (s = 1) over the vocabulary, sampled through the cumulative weights.
const CUMULATIVE: number[] = [];
VOCAB.reduce((sum, _w, i) => (CUMULATIVE.push(sum + 1 / (i + 1)), sum + 1 / (i + 1)), 0);
const TOTAL = CUMULATIVE[CUMULATIVE.length - 1]!;
function word(): string {
  const x = rand() * TOTAL;
  let lo = 0;
  let hi = CUMULATIVE.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (CUMULATIVE[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return VOCAB[lo]!;
}
const JAPANESE = ["東京タワーに行きました", "明日の会議は東京です", "デプロイが完了しました", "大阪で打ち合わせ", "新しい機能をリリースします"];
const RARE = "zeppelin";

function body(n: number): string {
  if (n % 100 === 37) return `${JAPANESE[Math.floor(n / 100) % JAPANESE.length]} ${word()}`;
  const words = Array.from({ length: 6 + Math.floor(rand() * 10) }, word);
  if (n % 20_000 === 11) words.splice(2, 0, RARE);
  return words.join(" ");
}

async function generate(dir: string, count: number) {
  const fx = await seed(dir, { channels: 10, authors: 20 });
  const db = new Database(join(dir, "clickclack.db"));
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536");
  const insert = db.query(`INSERT INTO messages (id, route_id, workspace_id, channel_id, author_id, thread_root_id, channel_seq, body, kind, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?1, ?6, ?7, 'message', ?8)`);
  const seqs = new Map<string, number>();
  const t0 = Date.now() - count * 1000;
  for (let n = 0; n < count; ) {
    db.exec("BEGIN");
    for (let b = 0; b < 50_000 && n < count; b++, n++) {
      const channel = fx.channelIds[n % fx.channelIds.length]!;
      const s = (seqs.get(channel) ?? 0) + 1;
      seqs.set(channel, s);
      const id = `msg_${n.toString(36).padStart(26, "0")}`;
      insert.run(id, `M${n}`, fx.workspaceId, channel, fx.authorIds[Math.floor(rand() * fx.authorIds.length)]!, s, body(n), new Date(t0 + n * 1000).toISOString());
    }
    db.exec("COMMIT");
  }
  for (const [channel, s] of seqs) db.query("UPDATE channels SET last_seq = ? WHERE id = ?").run(s, channel);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const sizes = db.query<{ name: string; bytes: number }, []>("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name").all();
  db.close();
  const size = (pred: (n: string) => boolean) => sizes.filter((s) => pred(s.name)).reduce((a, s) => a + s.bytes, 0);
  return { ...fx, messagesBytes: size((n) => n === "messages" || n.startsWith("sqlite_autoindex_messages") || n.startsWith("messages_")), indexBytes: size((n) => n.startsWith("message_search")) };
}

function timeIt(runs: number, fn: () => Promise<unknown> | unknown) {
  return async () => {
    for (let i = 0; i < 3; i++) await fn();
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await fn();
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
  };
}

async function searchLatency(dir: string, fx: Awaited<ReturnType<typeof generate>>) {
  const store = openSqliteStore(join(dir, "clickclack.db"));
  const viewer = fx.authorIds[0]!;
  const baseline = await timeIt(RUNS, () => store.messages.page({ kind: "channel", id: fx.channelIds[0]!, workspaceId: fx.workspaceId }, { kind: "latest", limit: 50 }, viewer))();
  const common = VOCAB[9]!;
  // The same store's search with no relevance window: bm25 over every match.
  const { raw, db } = openDatabase(join(dir, "clickclack.db"));
  const unwindowed = sqliteSearch(db, raw, { relevanceWindow: Number.MAX_SAFE_INTEGER });
  const queries: [string, string, SearchSort?, typeof unwindowed?][] = [
    [`common word ("${common}")`, common],
    [`common word, bm25 over all matches (no window)`, common, "relevance", unwindowed],
    [`rare word ("${RARE}")`, RARE],
    ['partial word ("ploy": deploy, deployment, employee)', "ploy"],
    ['filtered ("release from:@author3 in:#c2")', "release from:@author3 in:#c2"],
    ['common word, sort=recent', common, "recent"],
    ['Japanese, 2 characters ("東京")', "東京"],
  ];
  const rows: Row[] = [];
  for (const [label, q, sort, engine] of queries) {
    const parsed = parseQuery(q);
    let hits = 0;
    const t = await timeIt(RUNS, async () => {
      const r = await (engine ?? store.search).search({ workspaceId: fx.workspaceId, viewerId: viewer, guestOnly: false, includeDms: true, query: parsed, sort: sort ?? "relevance", limit: 20, after: null });
      for (const h of r.hits) snippet(h.message.body, parsed.highlights);
      hits = r.hits.length;
    })();
    const matches = (store as unknown as { raw: Database }).raw;
    const total = parsed.trigramMatch
      ? matches.query<{ n: number }, [string]>("SELECT count(*) AS n FROM message_search_trigram WHERE message_search_trigram MATCH ?").get(parsed.trigramMatch)!.n
      : null;
    const scope = total === null ? "" : `${total.toLocaleString("en-US")} text matches; `;
    rows.push({ figure: `${label} p50`, ours: t.p50, baseline: baseline.p50, unit: "ms", lowerIsBetter: true, note: `${scope}first page of ${hits}` });
    rows.push({ figure: `${label} p95`, ours: t.p95, baseline: baseline.p95, unit: "ms", lowerIsBetter: true });
  }
  raw.close();
  await store.close();
  return { rows, baseline };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Both variants three times, alternating (this machine's load drifts), medians of each. */
function alternate(withTriggers: () => number, without: () => number): { with: number; without: number } {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 3; i++) {
    b.push(without());
    a.push(withTriggers());
  }
  return { with: median(a), without: median(b) };
}

/** Raw inserts (batches of 100 and single-row transactions) with and without the triggers. */
function rawWriteCost(count: number) {
  const run = (triggers: boolean, batch: number) => {
    const dir = scratchDir("search-writes");
    const store = openSqliteStore(join(dir, "clickclack.db"));
    const raw = (store as unknown as { raw: Database }).raw;
    if (!triggers) for (const t of ["messages_search_insert", "messages_search_update", "messages_search_delete"]) raw.exec(`DROP TRIGGER ${t}`);
    const now = new Date().toISOString();
    raw.query("INSERT INTO users (id, kind, display_name, handle, created_at) VALUES ('u', 'human', 'u', 'u', ?)").run(now);
    raw.query("INSERT INTO workspaces (id, route_id, name, slug, created_at) VALUES ('w', 'T', 'w', 'w', ?)").run(now);
    raw.query("INSERT INTO channels (id, route_id, workspace_id, name, kind, created_at) VALUES ('c', 'C', 'w', 'c', 'public', ?)").run(now);
    const insert = raw.query("INSERT INTO messages (id, route_id, workspace_id, channel_id, author_id, thread_root_id, channel_seq, body, kind, created_at) VALUES (?1, ?2, 'w', 'c', 'u', ?1, ?3, ?4, 'message', ?5)");
    seedState = 7;
    const bodies = Array.from({ length: count }, (_, i) => body(i));
    const t0 = performance.now();
    for (let i = 0; i < count; ) {
      raw.exec("BEGIN IMMEDIATE");
      for (let b = 0; b < batch && i < count; b++, i++) insert.run(`m${i}`, `M${i}`, i + 1, bodies[i]!, now);
      raw.exec("COMMIT");
    }
    const rate = count / ((performance.now() - t0) / 1000);
    void store.close();
    rmSync(dir, { recursive: true, force: true });
    return rate;
  };
  return { batchWith: alternate(() => run(true, 100), () => run(false, 100)), single: alternate(() => run(true, 1), () => run(false, 1)) };
}

/** Posts through the store (group commit, sequence numbers, events) with and without the triggers. */
async function postWriteCost(count: number) {
  const run = async (triggers: boolean) => {
    const dir = scratchDir("search-posts");
    const fx = await seed(dir, { channels: 10, authors: 20 });
    const store = openSqliteStore(join(dir, "clickclack.db"));
    const raw = (store as unknown as { raw: Database }).raw;
    if (!triggers) for (const t of ["messages_search_insert", "messages_search_update", "messages_search_delete"]) raw.exec(`DROP TRIGGER ${t}`);
    seedState = 11;
    const bodies = Array.from({ length: count }, (_, i) => body(i));
    const t0 = performance.now();
    // 50 authors' worth of concurrency, as the HTTP write benchmark uses.
    for (let i = 0; i < count; i += 50) {
      await Promise.all(bodies.slice(i, i + 50).map((b, k) => store.messages.post({ scope: { kind: "channel", id: fx.channelIds[(i + k) % 10]!, workspaceId: fx.workspaceId }, authorId: fx.authorIds[(i + k) % 20]!, body: b })));
    }
    const rate = count / ((performance.now() - t0) / 1000);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    return rate;
  };
  const withs: number[] = [];
  const withouts: number[] = [];
  for (let i = 0; i < 3; i++) {
    withouts.push(await run(false));
    withs.push(await run(true));
  }
  return { with: median(withs), without: median(withouts) };
}

function saveSection(text: string) {
  const path = join(ROOT, "BENCHMARKS.md");
  const begin = "<!-- search:begin -->";
  const end = "<!-- search:end -->";
  const section = `${begin}\n${text.trim()}\n${end}`;
  // Re-read just before writing: other sections may have been added meanwhile.
  const current = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmarks\n";
  const next = current.includes(begin) && current.includes(end)
    ? current.slice(0, current.indexOf(begin)) + section + current.slice(current.indexOf(end) + end.length)
    : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
}

const started = performance.now();
const dir = scratchDir("search");
const t0 = performance.now();
const fx = await generate(dir, MESSAGES);
const genSeconds = (performance.now() - t0) / 1000;
console.log(`generated and indexed ${MESSAGES.toLocaleString("en-US")} messages in ${genSeconds.toFixed(1)} s`);
const latency = await searchLatency(dir, fx);
rmSync(dir, { recursive: true, force: true });
const latencyTable = printTable(`Search latency (${MESSAGES.toLocaleString("en-US")} messages, in-process store: SQL, hydration, snippets; no HTTP)`, latency.rows);
const w = rawWriteCost(WRITES);
const p = await postWriteCost(WRITES);
const writeRows: Row[] = [
  { figure: `raw inserts, 100 per transaction (${WRITES.toLocaleString("en-US")})`, ours: w.batchWith.with, baseline: w.batchWith.without, unit: "msg/s", note: "with the search triggers vs the same schema without them; medians of 3, alternating" },
  { figure: "raw inserts, 1 per transaction", ours: w.single.with, baseline: w.single.without, unit: "msg/s", note: "synchronous=NORMAL, WAL, as the server" },
  { figure: "store posts (group commit, events), 50 at a time", ours: p.with, baseline: p.without, unit: "msg/s", note: "the server's write path, in-process" },
];
const writeTable = printTable("Search index: cost on the write path", writeRows);
const notes = [
  `Machine: ${await machine()}. Run: \`bun bench/search.ts --messages ${MESSAGES} --writes ${WRITES} --runs ${RUNS}\`, ${((performance.now() - started) / 1000).toFixed(0)} s in all.`,
  `Generating and indexing ${MESSAGES.toLocaleString("en-US")} messages took ${genSeconds.toFixed(0)} s (${Math.round(MESSAGES / genSeconds).toLocaleString("en-US")} msg/s with the triggers on). Index size: ${(fx.indexBytes / 2 ** 20).toFixed(0)} MiB for ${(fx.messagesBytes / 2 ** 20).toFixed(0)} MiB of messages (word + trigram + docs).`,
  `Relevance ranks the newest ${RELEVANCE_WINDOW.toLocaleString("en-US")} readable matches by bm25, then lists older matches newest first (the "no window" row is bm25 over every match).`,
  "Filters narrow the text matches after the fact: a selective filter on a common word walks all of that word's matches (the filtered row), where a rare word or a word plus sort=recent stops early.",
  `Latency baseline: the latest-50 channel page (p50 ${latency.baseline.p50.toFixed(2)} ms, p95 ${latency.baseline.p95.toFixed(2)} ms); ratio = baseline / search, so 0.10× means ten times the page's time. Write ratios are with / without the triggers.`,
];
if (!flags["no-save"]) {
  // The tables sit under this section's heading.
  saveSection(`## Search\n\n${notes.join("\n\n")}\n${`${latencyTable}\n${writeTable}`.replaceAll("\n## ", "\n### ")}`);
  console.log("\nwritten to BENCHMARKS.md (section: Search)");
}
