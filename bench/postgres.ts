// Postgres and several processes: acknowledged messages/s over HTTP on one and on two `serve`
// processes sharing one Postgres, against raw postgres.js transactions writing the same rows
// (channel seq, message + its search-index trigger, workspace cursor under its row lock, event) in
// the same run; and POST on process A → frame on a socket of process B, against the same
// delivery within one process.
import { join } from "node:path";
import postgres from "postgres";
import { nextCursor } from "../src/chat/ids.ts";
import { openPostgresStore } from "../src/store/postgres/index.ts";
import { createTestDatabase } from "../src/testing/postgres.ts";
import { runFanout, type Target } from "./fanout.ts";
import { type BenchServer, percentile, printTable, ROOT, type Row, scratchDir, seedStore, startServer } from "./lib.ts";

type Fixtures = Awaited<ReturnType<typeof seedStore>>;

/** The rows of one post, one transaction each, `concurrency` at a time on a pool like the server's. */
async function rawBaseline(url: string, fx: Fixtures, concurrency: number, seconds: number): Promise<number> {
  const sql = postgres(url, { max: 10, onnotice: () => {} });
  let done = 0;
  const deadline = Date.now() + seconds * 1000;
  const now = new Date().toISOString();
  try {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async (_, w) => {
        const channel = fx.channelIds[w % fx.channelIds.length]!;
        const author = fx.authorIds[w % fx.authorIds.length]!;
        for (let i = 0; Date.now() < deadline; i++) {
          await sql.begin(async (tx) => {
            // The workspace row first: the message's foreign key would otherwise share-lock it
            // and two writers upgrading to FOR UPDATE deadlock.
            const [{ c }] = (await tx`SELECT last_cursor AS c FROM workspaces WHERE id = ${fx.workspaceId} FOR UPDATE`) as unknown as [{ c: string | null }];
            const [{ s }] = (await tx`UPDATE channels SET last_seq = last_seq + 1 WHERE id = ${channel} RETURNING last_seq AS s`) as unknown as [{ s: number }];
            const id = `raw_${w}_${i}`;
            await tx`INSERT INTO messages (id, route_id, workspace_id, channel_id, author_id, thread_root_id, channel_seq, body, kind, created_at)
              VALUES (${id}, ${`M${id}`}, ${fx.workspaceId}, ${channel}, ${author}, ${id}, ${s}, ${`load ${w}/${i} deploy the release candidate to staging`}, 'message', ${now})`;
            const cursor = nextCursor(c);
            await tx`UPDATE workspaces SET last_cursor = ${cursor} WHERE id = ${fx.workspaceId}`;
            await tx`INSERT INTO events (id, workspace_id, cursor, type, channel_id, seq, payload, created_at)
              VALUES (${`evt_${id}`}, ${fx.workspaceId}, ${cursor}, 'message.created', ${channel}, ${s}, ${JSON.stringify({ message_id: id, author_id: author })}, ${now})`;
          });
          done++;
        }
      }),
    );
    return done / ((performance.now() - t0) / 1000);
  } finally {
    await sql.end();
  }
}

/** N load generators, one per server, each with its own authors (nonces are per author). */
async function postOver(servers: BenchServer[], fx: Fixtures, concurrency: number, seconds: number) {
  const share = concurrency / servers.length;
  const gens = servers.map((s, k) =>
    Bun.spawn(["bun", join(ROOT, "bench/load/post.ts"), s.url, JSON.stringify({ ...fx, tokens: fx.tokens.slice(k * share, (k + 1) * share) }), String(share), String(seconds), "1000000"], { stdout: "pipe", stderr: "inherit" }),
  );
  const results = await Promise.all(gens.map(async (g) => JSON.parse(await new Response(g.stdout).text()) as { seconds: number; latencies: number[]; acked: { cursor: string }[]; errors: number }));
  const acked = results.reduce((n, r) => n + r.acked.length, 0);
  const secs = Math.max(...results.map((r) => r.seconds));
  return { rate: acked / secs, errors: results.reduce((n, r) => n + r.errors, 0), latencies: results.flatMap((r) => r.latencies).sort((a, b) => a - b) };
}

function target(from: BenchServer, to: BenchServer, fx: Fixtures): Target {
  let n = 0;
  // Each run its own nonces: a repeated one would replay an earlier run's message.
  const tag = crypto.randomUUID();
  return {
    url: from.url,
    wsUrl: `${to.url.replace("http", "ws")}/api/realtime/ws?workspace_id=${fx.workspaceId}`,
    headers: { "x-clickclack-user": fx.authorIds[1]! },
    async post() {
      const i = n++;
      const r = await fetch(`${from.url}/api/channels/${fx.channelIds[0]}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${fx.tokens[0]}`, "content-type": "application/json" },
        body: JSON.stringify({ body: `fan ${i}`, nonce: `xfan-${tag}-${i}` }),
      });
      return ((await r.json()) as any).message.id;
    },
    stop: async () => {},
  };
}

export async function benchPostgres(opts: { seconds: number; concurrency: number; channels: number; subscribers: number; rate: number }): Promise<{ rows: Row[]; problems: string[] }> {
  const problems: string[] = [];
  const rows: Row[] = [];
  const dbs = await Promise.all([createTestDatabase(), createTestDatabase(), createTestDatabase()]);
  const servers: BenchServer[] = [];
  try {
    // Each write figure on a fresh database of the same shape, so none starts with a bigger index.
    const fixtures: Fixtures[] = [];
    for (const db of dbs) {
      const store = await openPostgresStore(db.url);
      fixtures.push(await seedStore(store, { channels: opts.channels, authors: opts.concurrency }));
      await store.close();
    }
    const base = await rawBaseline(dbs[0]!.url, fixtures[0]!, opts.concurrency, opts.seconds);

    const one = await startServer(scratchDir("pg-one"), ["--db", dbs[1]!.url, "--dev"]);
    servers.push(one);
    const single = await postOver([one], fixtures[1]!, opts.concurrency, opts.seconds);
    await one.stop();
    servers.length = 0;

    const pair = await Promise.all([0, 1].map(() => startServer(scratchDir("pg-pair"), ["--db", dbs[2]!.url, "--dev"])));
    servers.push(...pair);
    const double = await postOver(pair, fixtures[2]!, opts.concurrency, opts.seconds);
    for (const [name, r] of [["one process", single], ["two processes", double]] as const) if (r.errors) problems.push(`${name}: ${r.errors} posts failed`);
    rows.push(
      { figure: `acknowledged messages/s, one process (${opts.concurrency} authors, ${opts.channels} channels, HTTP)`, ours: single.rate, baseline: base, unit: "msg/s", note: "baseline: raw postgres.js, same rows, 1 tx each, same concurrency" },
      { figure: "acknowledged messages/s, two processes on one Postgres", ours: double.rate, baseline: base, unit: "msg/s", note: "load split evenly between the two" },
      { figure: "ack latency p50, two processes", ours: percentile(double.latencies, 50), baseline: percentile(single.latencies, 50), unit: "ms", lowerIsBetter: true, note: "baseline: one process" },
    );

    // Fan-out: subscribers on A (same process) or on B (across processes), posts on A.
    const [a, b] = pair as [BenchServer, BenchServer];
    const same = await runFanout(target(a, a, fixtures[2]!), opts.subscribers, opts.rate, opts.seconds);
    const cross = await runFanout(target(a, b, fixtures[2]!), opts.subscribers, opts.rate, opts.seconds);
    for (const [name, r] of [["same process", same], ["across processes", cross]] as const) {
      if (r.delivered !== r.expected) problems.push(`${name}: delivered ${r.delivered} of ${r.expected} expected frames`);
    }
    rows.push(
      { figure: `POST on A → frame on B, p50 (${opts.subscribers} subscribers, ${opts.rate} msg/s)`, ours: cross.p50, baseline: same.p50, unit: "ms", lowerIsBetter: true, note: "baseline: POST on A → frame on A" },
      { figure: "POST on A → frame on B, p99", ours: cross.p99, baseline: same.p99, unit: "ms", lowerIsBetter: true },
    );
    return { rows, problems };
  } finally {
    await Promise.all(servers.map((s) => (s.proc.killed || s.proc.exitCode !== null ? undefined : s.stop())));
    await Promise.all(dbs.map((d) => d.drop()));
  }
}

if (import.meta.main) {
  const { rows, problems } = await benchPostgres({ seconds: Number(process.env.SECONDS ?? 5), concurrency: 20, channels: 10, subscribers: 100, rate: 10 });
  printTable("Postgres, several processes", rows);
  if (problems.length) {
    console.log(problems.join("\n"));
    process.exit(1);
  }
}
