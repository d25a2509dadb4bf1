// Write path: acknowledged durable messages per second over HTTP (50 authors, 10 channels),
// against raw bun:sqlite inserts of the same rows, same pragmas: 50 per transaction with their
// search rows by trigger (issue 19's baseline), one per transaction, with today's deferred
// indexing, and with nothing for search.
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { nextCursor } from "../src/chat/ids.ts";
import { openDatabase, migrateDatabase } from "../src/store/sqlite/database.ts";
import { INDEX_BATCH, prepareIndexStatements } from "../src/store/sqlite/search-index.ts";
import { auditWrites } from "./audit.ts";
import { percentile, printTable, ROOT, type Row, scratchDir, seed, startServer } from "./lib.ts";
import { storeWrites } from "./store-write.ts";

/**
 * How the raw baseline makes its rows findable:
 * - "in-tx": each post's search document and its word and trigram FTS5 rows in the post's own
 *   transaction, by trigger, as the schema did when issue 19 was filed (migration 0004). This is
 *   the baseline issue 19 states its write goal against ("the same rows ... the two FTS5 indexes
 *   by trigger", 11,285/s in batches of 50 then).
 * - "deferred": today's schema (migration 0018): the post writes its search document; the FTS5
 *   rows follow in one statement per 2,000 documents, the server's own indexing statements.
 * - "none": no search document, no FTS5 rows.
 */
export type BaselineSearch = "in-tx" | "deferred" | "none";

/**
 * Raw bun:sqlite inserts of the rows one post writes (channel seq, message, workspace cursor,
 * event, and search as `search` says), `batch` posts per transaction, same pragmas. Rows rotate
 * over 10 channels like the HTTP load.
 */
export function baseline(messages: number, opts: { batch?: number; search?: BaselineSearch } = {}): number {
  return baselineCost(messages, opts).rate;
}

/** The raw baseline's rate (wall clock) and its CPU time per message (µs; what load does not skew). */
export function baselineCost(messages: number, opts: { batch?: number; search?: BaselineSearch } = {}): { rate: number; cpuUs: number } {
  const batch = opts.batch ?? 1;
  const search = opts.search ?? "in-tx";
  const dir = scratchDir("write-baseline");
  const { raw, db } = openDatabase(join(dir, "base.db"));
  migrateDatabase(db);
  if (search === "none") {
    for (const t of ["messages_search_insert", "messages_search_update", "messages_search_delete"]) raw.exec(`DROP TRIGGER IF EXISTS ${t}`);
  }
  if (search === "in-tx") {
    // Migration 0004's insert trigger, on today's tables (documents numbered as 0018 numbers them).
    raw.exec("DROP TRIGGER messages_search_insert");
    raw.exec(`CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
      WHEN NEW.deleted_at IS NULL AND NEW.kind NOT IN ('agent_commentary', 'agent_tool')
      BEGIN
        INSERT INTO message_search_docs (docid, message_id, workspace_id, scope_id, author_id, created_at)
          VALUES ((SELECT coalesce(max(docid), 0) + 1 FROM message_search_docs), NEW.id, NEW.workspace_id, coalesce(NEW.channel_id, NEW.dm_id), NEW.author_id, NEW.created_at);
        INSERT INTO message_search (rowid, body) SELECT docid, NEW.body FROM message_search_docs WHERE message_id = NEW.id;
        INSERT INTO message_search_trigram (rowid, body) SELECT docid, NEW.body || char(10, 10) FROM message_search_docs WHERE message_id = NEW.id;
      END`);
  }
  const now = new Date().toISOString();
  raw.query("INSERT INTO users (id, kind, display_name, handle, created_at) VALUES ('u', 'human', 'u', 'u', ?)").run(now);
  raw.query("INSERT INTO workspaces (id, route_id, name, slug, created_at) VALUES ('w', 'T', 'w', 'w', ?)").run(now);
  for (let c = 0; c < 10; c++) raw.query("INSERT INTO channels (id, route_id, workspace_id, name, kind, created_at) VALUES (?, ?, 'w', ?, 'public', ?)").run(`c${c}`, `C${c}`, `c${c}`, now);
  const seq = raw.query<{ s: number }, [string]>("UPDATE channels SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq AS s");
  const insert = raw.query("INSERT INTO messages (id, route_id, workspace_id, channel_id, author_id, thread_root_id, channel_seq, body, kind, created_at) VALUES (?, ?, 'w', ?, 'u', ?, ?, ?, 'message', ?)");
  const last = raw.query<{ c: string | null }, []>("SELECT last_cursor AS c FROM workspaces WHERE id = 'w'");
  const setLast = raw.query("UPDATE workspaces SET last_cursor = ? WHERE id = 'w'");
  const event = raw.query("INSERT INTO events (id, workspace_id, cursor, type, channel_id, seq, payload, created_at) VALUES (?, 'w', ?, 'message.created', ?, ?, ?, ?)");
  // The deferred index's own statements (src/store/sqlite/search-index.ts), in a transaction of their own.
  const index = search === "deferred" ? prepareIndexStatements(raw) : null;
  const indexPending = () => {
    const { done, last } = index!.state.get()!;
    raw.transaction(() => {
      index!.word.run(done, last!);
      index!.trigram.run(done, last!);
      index!.advance.run(last!);
    })();
  };
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < messages; i++) {
    if (i % batch === 0) raw.exec("BEGIN IMMEDIATE");
    const channel = `c${i % 10}`;
    const s = seq.get(channel)!.s;
    const id = `m${i}`;
    insert.run(id, `M${i}`, channel, id, s, `load ${i % 50}/${i} deploy the release candidate to staging`, now);
    const cursor = nextCursor(last.get()!.c);
    setLast.run(cursor);
    event.run(`e${i}`, cursor, channel, s, JSON.stringify({ message_id: id, author_id: "u" }), now);
    if (i % batch === batch - 1 || i === messages - 1) {
      raw.exec("COMMIT");
      if (index && (i % INDEX_BATCH === INDEX_BATCH - 1 || i === messages - 1)) indexPending();
    }
  }
  const rate = messages / ((performance.now() - t0) / 1000);
  const cpu = process.cpuUsage(cpu0);
  // The baseline is what it says it is: a schema change once left the "with search" baseline
  // indexing nothing, unnoticed for several sessions. Every body holds the word "release".
  const indexed = raw.query<{ n: number }, []>(`SELECT count(*) AS n FROM message_search WHERE message_search MATCH 'release'`).get()!.n;
  if (indexed !== (search === "none" ? 0 : messages)) throw new Error(`the ${search} baseline indexed ${indexed} of ${messages} messages`);
  raw.close();
  return { rate, cpuUs: (cpu.user + cpu.system) / messages };
}

/** CPU seconds a process has used so far (user + system), from /proc. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await Bun.file(`/proc/${pid}/stat`).text();
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The three raw baselines the write goal is stated against, measured in this process now. */
export function baselines(messages: number) {
  // The best of three: a neighbour's burst on a shared machine slows a baseline run far more than
  // it speeds one, and a slow baseline would flatter the ratio.
  const runs = [0, 1, 2].map(() => baselineCost(messages * 2, { batch: 50, search: "in-tx" }));
  const batched = { rate: Math.max(...runs.map((r) => r.rate)), cpuUs: Math.min(...runs.map((r) => r.cpuUs)) };
  return {
    single: baseline(messages, { search: "in-tx" }),
    batched: batched.rate,
    batchedCpuUs: batched.cpuUs,
    batchedDeferred: baselineCost(messages * 2, { batch: 50, search: "deferred" }),
    batchedNoSearch: baseline(messages * 4, { batch: 50, search: "none" }),
  };
}

/**
 * Search freshness under the load: every 100 ms a probe message with a word of its own is posted
 * (one more author, same server), and a read-only connection of this process polls the word
 * index for it. The lag is 2xx → findable by a query that does not itself trigger indexing.
 */
async function probeSearchLag(url: string, token: string, channel: string, dbPath: string, done: () => boolean): Promise<number[]> {
  const db = new Database(dbPath, { readonly: true });
  const find = db.query<{ n: number }, [string]>("SELECT count(*) AS n FROM message_search WHERE message_search MATCH ?");
  const lags: number[] = [];
  try {
    for (let i = 0; !done(); i++) {
      const word = `probe${i}x${Math.random().toString(36).slice(2, 8)}`;
      const res = await fetch(`${url}/api/channels/${channel}/messages`, {
        method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ body: `search probe ${word}` }),
      });
      const acked = performance.now();
      await res.arrayBuffer();
      if (res.status === 201) {
        while (find.get(`"${word}"`)!.n === 0 && performance.now() - acked < 10_000) await Bun.sleep(2);
        lags.push(performance.now() - acked);
      }
      await Bun.sleep(100);
    }
  } finally {
    db.close();
  }
  return lags.sort((a, b) => a - b);
}

/**
 * One run of the HTTP load against a fresh server started with `serverArgs`: acknowledged
 * messages/s, sorted ack latencies, and what the write audit found.
 */
export async function measureWrites(opts: { seconds: number; concurrency: number; channels: number; serverArgs?: string[]; warmupSeconds?: number }) {
  const dir = scratchDir("write");
  const fixtures = await seed(dir, { channels: opts.channels, authors: opts.concurrency + 1 });
  // The last author posts the search probes; the load generator uses the first `concurrency`.
  const probeToken = fixtures.tokens.pop()!;
  // --no-limits unless told: 50 authors posting flat out exceed the per-person post rate by design,
  // and a 429 answered in a tight loop is not a write (bench/limits.ts measures the checks' cost).
  const server = await startServer(dir, opts.serverArgs ?? ["--no-limits"]);
  try {
    const warmup = opts.warmupSeconds ?? 0;
    const gen = Bun.spawn(["bun", join(ROOT, "bench/load/post.ts"), server.url, JSON.stringify(fixtures), String(opts.concurrency), String(opts.seconds), "1000000", "plain", String(warmup)], { stdout: "pipe", stderr: "inherit" });
    // The server's CPU is counted over the measured window (the load generator starts its clock as it starts).
    await Bun.sleep(warmup * 1000);
    const cpu0 = await cpuSeconds(server.proc.pid);
    let loadDone = false;
    const lagRun = probeSearchLag(server.url, probeToken, fixtures.channelIds[0]!, join(dir, "clickclack.db"), () => loadDone);
    const result = JSON.parse(await new Response(gen.stdout).text()) as { seconds: number; latencies: number[]; acked: any[]; counted: number; errors: number };
    await gen.exited;
    loadDone = true;
    const searchLag = await lagRun;
    const serverCpu = (await cpuSeconds(server.proc.pid)) - cpu0;
    await server.stop();
    const problems = auditWrites(join(dir, "clickclack.db"), result.acked);
    if (result.errors) problems.push(`${result.errors} requests failed`);
    return { rate: result.counted / result.seconds, lat: result.latencies.sort((a, b) => a - b), problems, cpuUsPerMessage: (serverCpu * 1e6) / Math.max(1, result.counted), searchLag };
  } finally {
    if (!server.proc.killed) await server.stop();
  }
}

export async function benchWrite(opts: { seconds: number; concurrency: number; channels: number; warmupSeconds?: number }): Promise<{ rows: Row[]; problems: string[] }> {
  const base = baselines(10_000);
  // A server runs warm: the first seconds of a fresh one are its JIT compiling the request path
  // (1.2 s of compiler threads' CPU, a fifth of a 6 s run). The load runs that long first, uncounted.
  const warmupSeconds = opts.warmupSeconds ?? 3;
  const { rate, lat, problems, cpuUsPerMessage, searchLag } = await measureWrites({ ...opts, warmupSeconds });
  // Replies in process against posts in process: a reply must not cost its thread's length.
  const posts = await storeWrites(10_000, "posts");
  const replies = await storeWrites(10_000, "replies");
  if (percentile(searchLag, 99) > 1000) problems.push(`search lag p99 ${percentile(searchLag, 99).toFixed(0)} ms (goal: findable within 1 s)`);
  const figure = `acknowledged messages/s (${opts.concurrency} authors, ${opts.channels} channels, HTTP, after ${warmupSeconds} s of the same load)`;
  return {
    rows: [
      { figure, ours: rate, baseline: base.batched, unit: "msg/s", note: "baseline: raw bun:sqlite, same rows with their word and trigram rows by trigger in the same tx, 50 per tx: issue 19's baseline (the goal: ≥ 1.0×)" },
      { figure, ours: rate, baseline: base.single, unit: "msg/s", note: "baseline: the same, 1 tx each" },
      { figure, ours: rate, baseline: base.batchedDeferred.rate, unit: "msg/s", note: "baseline: raw bun:sqlite, 50 per tx, word and trigram rows in a tx per 2,000 as the server indexes (today's schema, no HTTP)" },
      { figure, ours: rate, baseline: base.batchedNoSearch, unit: "msg/s", note: "baseline: raw bun:sqlite, 50 per tx, nothing for search" },
      {
        figure: "server CPU per acknowledged message", ours: cpuUsPerMessage, baseline: base.batchedCpuUs, unit: "µs", lowerIsBetter: true,
        note: `baseline: CPU per message of issue 19's raw baseline (${base.batchedDeferred.cpuUs.toFixed(1)} µs with deferred indexing); CPU time, so a busy machine skews it far less than msg/s`,
      },
      { figure: "ack latency p50", ours: percentile(lat, 50), baseline: 1000 / base.single, unit: "ms", lowerIsBetter: true, note: "baseline: one raw transaction" },
      { figure: "ack latency p99", ours: percentile(lat, 99), baseline: 20, unit: "ms", lowerIsBetter: true, note: "baseline: the 20 ms goal" },
      {
        figure: "replies/s into 10 threads growing to 1,000 replies each (store, in process)", ours: replies.rate, baseline: posts.rate, unit: "msg/s",
        note: `baseline: the same store's top-level posts; CPU ${replies.cpuUsPerMessage} against ${posts.cpuUsPerMessage} µs per message`,
      },
      {
        figure: `search lag p99 (2xx → in the word index; ${searchLag.length} probes)`, ours: percentile(searchLag, 99), baseline: 1000, unit: "ms", lowerIsBetter: true,
        note: `baseline: the 1 s goal; p50 ${percentile(searchLag, 50).toFixed(1)} ms`,
      },
    ],
    problems,
  };
}

if (import.meta.main) {
  const { rows, problems } = await benchWrite({ seconds: Number(process.env.SECONDS ?? 10), concurrency: 50, channels: 10, warmupSeconds: process.env.WARMUP ? Number(process.env.WARMUP) : undefined });
  printTable("Write path", rows);
  console.log(problems.length ? `AUDIT FAILED:\n${problems.join("\n")}` : "write audit: every acknowledged message present, with its event; no gaps");
  if (problems.length) process.exit(1);
}
