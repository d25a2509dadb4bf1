// Reads: channel page (latest 50 with authors, reactions and thread state), an older channel page
// nobody read before, and thread pages (a short thread, and the latest 50 replies of a long one),
// requests per second over HTTP against a database of 1,000,000 messages. Baseline: the same
// reads as raw bun:sqlite queries in-process, no HTTP.
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { bigHistory } from "./fixtures.ts";
import { percentile, printTable, ROOT, type Row, scratchDir, startServer } from "./lib.ts";
import { cpuSeconds } from "./write.ts";

function baselineRate(dbPath: string, channels: string[], roots: string[], olderSeqs: number, seconds: number) {
  const db = new Database(dbPath, { readonly: true });
  // The server's page cache (src/store/sqlite/database.ts): older pages read at random are
  // otherwise read from the OS again and again, which would flatter the server.
  db.exec("PRAGMA cache_size = -65536");
  const page = db.query("SELECT * FROM messages WHERE channel_id = ? AND parent_message_id IS NULL ORDER BY channel_seq DESC LIMIT 50");
  const thread = db.query("SELECT * FROM messages WHERE thread_root_id = ? AND parent_message_id IS NOT NULL ORDER BY thread_seq DESC LIMIT 50");
  const run = (fetchRows: (i: number) => any[]) => {
    const deadline = performance.now() + seconds * 1000;
    let n = 0;
    while (performance.now() < deadline) {
      const rows = fetchRows(n++);
      const ids = rows.map((r) => r.id);
      const authors = [...new Set(rows.map((r) => r.author_id))];
      db.query(`SELECT * FROM users WHERE id IN (${authors.map(() => "?").join(",")})`).all(...authors);
      db.query(`SELECT message_id, emoji, count(*) AS n FROM reactions WHERE message_id IN (${ids.map(() => "?").join(",")}) GROUP BY message_id, emoji`).all(...ids);
      JSON.stringify(rows);
    }
    return n / seconds;
  };
  const cpu = (f: () => number) => {
    const c0 = process.cpuUsage();
    const rate = f();
    const c = process.cpuUsage(c0);
    return { rate, cpuUs: (c.user + c.system) / (rate * Math.min(5, seconds)) };
  };
  const older = db.query("SELECT * FROM messages WHERE channel_id = ? AND parent_message_id IS NULL AND channel_seq < ? ORDER BY channel_seq DESC LIMIT 50");
  const pageRun = cpu(() => run((i) => page.all(channels[i % channels.length]!) as any[]));
  const olderRun = cpu(() => run((i) => older.all(channels[i % channels.length]!, 1 + Math.floor(Math.random() * olderSeqs)) as any[]));
  const threadRuns = roots.map((root) => cpu(() => run(() => thread.all(root) as any[])));
  db.close();
  return { pageRate: pageRun.rate, pageCpuUs: pageRun.cpuUs, olderRate: olderRun.rate, olderCpuUs: olderRun.cpuUs, threadRates: threadRuns.map((t) => t.rate), threadCpuUs: threadRuns.map((t) => t.cpuUs) };
}

async function load(url: string, paths: string[], token: string, seconds: number, serverPid: number) {
  const cpu0 = await cpuSeconds(serverPid);
  const gen = Bun.spawn(["bun", join(ROOT, "bench/load/get.ts"), url, JSON.stringify(paths), token, "32", String(seconds)], { stdout: "pipe", stderr: "inherit" });
  const r = JSON.parse(await new Response(gen.stdout).text()) as { ok: number; errors: number; seconds: number; latencies: number[] };
  r.latencies.sort((a, b) => a - b);
  // Server CPU per page: the load generator parsing the pages shares the two cores, so the rate
  // alone mixes the server's cost with the client's.
  const cpuUs = ((await cpuSeconds(serverPid)) - cpu0) * 1e6 / Math.max(1, r.ok);
  return { rps: r.ok / r.seconds, p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99), errors: r.errors, cpuUs };
}

export async function benchReads(opts: { messages: number; seconds: number }): Promise<{ rows: Row[]; problems: string[] }> {
  const dir = scratchDir("reads");
  const t0 = performance.now();
  const fx = await bigHistory(dir, { messages: opts.messages, channels: 10 });
  console.log(`generated ${opts.messages.toLocaleString("en-US")} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const roots = [fx.threadRoot, fx.longThreadRoot];
  // Older pages: before a random seq of the channel's first 80% (every channel holds more), each
  // page most likely read once: what a page costs when no rendering of it is kept.
  const olderSeqs = Math.floor((opts.messages * 0.8) / fx.channelIds.length);
  const before = baselineRate(join(dir, "clickclack.db"), fx.channelIds, roots, olderSeqs, Math.min(5, opts.seconds));
  const server = await startServer(dir);
  const problems: string[] = [];
  try {
    const page = await load(server.url, fx.channelIds.map((c) => `/api/channels/${c}/messages?limit=50`), fx.tokens[0]!, opts.seconds, server.proc.pid);
    const older = await load(server.url, fx.channelIds.map((c) => `/api/channels/${c}/messages?limit=50&before={rand:${olderSeqs}}`), fx.tokens[0]!, opts.seconds, server.proc.pid);
    const threads = [];
    for (const root of roots) threads.push(await load(server.url, [`/api/messages/${root}/thread?limit=50&latest=true`], fx.tokens[0]!, opts.seconds, server.proc.pid));
    const errors = page.errors + older.errors + threads.reduce((n, t) => n + t.errors, 0);
    if (errors) problems.push(`${errors} read requests failed`);
    // The baseline runs twice, before and after the server's runs, and the faster of each figure
    // counts: on a shared machine one run of either can land in a slow moment (right after the
    // fixture's gigabyte was written, say), and a slow baseline would flatter the ratio.
    const after = baselineRate(join(dir, "clickclack.db"), fx.channelIds, roots, olderSeqs, Math.min(5, opts.seconds));
    const runs = (a: number, b: number) => `baseline runs ${a.toFixed(0)} and ${b.toFixed(0)}`;
    const labels = [`thread page, a short thread (${fx.threadReplies} replies)`, "thread page, latest 50 of 10,000 replies"];
    return {
      rows: [
        { figure: `channel page, latest 50 (${opts.messages.toLocaleString("en-US")} messages)`, ours: page.rps, baseline: Math.max(before.pageRate, after.pageRate), unit: "req/s", note: `p50 ${page.p50.toFixed(1)} ms, p99 ${page.p99.toFixed(1)} ms over HTTP; baseline: raw queries in-process, the faster of a run before and one after the server's (${before.pageRate.toFixed(0)}, ${after.pageRate.toFixed(0)})` },
        { figure: "channel page, an older page read once (before a random seq)", ours: older.rps, baseline: Math.max(before.olderRate, after.olderRate), unit: "req/s", note: `p50 ${older.p50.toFixed(1)} ms, p99 ${older.p99.toFixed(1)} ms; no rendering kept to reuse (src/store/message-cache.ts); baseline runs ${before.olderRate.toFixed(0)} and ${after.olderRate.toFixed(0)}` },
        ...threads.map((t, i) => ({ figure: labels[i]!, ours: t.rps, baseline: Math.max(before.threadRates[i]!, after.threadRates[i]!), unit: "req/s", note: `p50 ${t.p50.toFixed(1)} ms, p99 ${t.p99.toFixed(1)} ms; ${runs(before.threadRates[i]!, after.threadRates[i]!)}` })),
        { figure: "server CPU per channel page", ours: page.cpuUs, baseline: Math.min(before.pageCpuUs, after.pageCpuUs), unit: "µs", lowerIsBetter: true, note: "baseline: CPU per page of the raw queries in process; the rate above also pays for the load generator on the same cores" },
        { figure: "server CPU per older channel page", ours: older.cpuUs, baseline: Math.min(before.olderCpuUs, after.olderCpuUs), unit: "µs", lowerIsBetter: true },
        ...threads.map((t, i) => ({ figure: `server CPU per ${labels[i]!.replace("thread page, ", "thread page (")})`, ours: t.cpuUs, baseline: Math.min(before.threadCpuUs[i]!, after.threadCpuUs[i]!), unit: "µs", lowerIsBetter: true })),
      ],
      problems,
    };
  } finally {
    await server.stop();
  }
}

if (import.meta.main) {
  const { rows, problems } = await benchReads({ messages: Number(process.env.MESSAGES ?? 1_000_000), seconds: Number(process.env.SECONDS ?? 10) });
  printTable("Reads", rows);
  if (problems.length) {
    console.log(problems.join("\n"));
    process.exit(1);
  }
}
