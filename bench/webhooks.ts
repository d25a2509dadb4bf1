// Posting throughput with 10 active event subscriptions (9 quick receivers, 1 that takes 2 s per
// answer) against the same server setup with none, in the same run. Delivery runs beside the
// write path; this shows what it costs the people posting.
import { join } from "node:path";
import { openSqliteStore } from "../src/store/sqlite/index.ts";
import { percentile, printTable, ROOT, type Row, scratchDir, seedStore, startServer } from "./lib.ts";

async function run(opts: { seconds: number; concurrency: number; channels: number; subscriptions: number; receivers: string[] }) {
  const dir = scratchDir("webhooks");
  const store = openSqliteStore(join(dir, "clickclack.db"));
  let fixtures: Awaited<ReturnType<typeof seedStore>>;
  try {
    fixtures = await seedStore(store, { channels: opts.channels, authors: opts.concurrency });
    for (let i = 0; i < opts.subscriptions; i++) {
      await store.integrations.createSubscription({ workspaceId: fixtures.workspaceId, callbackUrl: opts.receivers[i]!, eventTypes: ["*"], createdBy: fixtures.authorIds[0]! });
    }
  } finally {
    await store.close();
  }
  const server = await startServer(dir, ["--allow-private-webhooks"]);
  try {
    const gen = Bun.spawn(["bun", join(ROOT, "bench/load/post.ts"), server.url, JSON.stringify(fixtures), String(opts.concurrency), String(opts.seconds), "1000000"], { stdout: "pipe", stderr: "inherit" });
    const result = JSON.parse(await new Response(gen.stdout).text()) as { seconds: number; latencies: number[]; acked: unknown[]; errors: number };
    await gen.exited;
    return { rate: result.acked.length / result.seconds, p99: percentile(result.latencies.sort((a, b) => a - b), 99), errors: result.errors };
  } finally {
    await server.stop();
  }
}

export async function benchWebhooks(opts: { seconds: number; concurrency: number; channels: number }): Promise<{ rows: Row[]; problems: string[] }> {
  let delivered = 0;
  const quick = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => (delivered++, new Response("ok")) });
  const slow = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: async () => (await Bun.sleep(2000), new Response("ok")) });
  const receivers = [...Array.from({ length: 9 }, (_, i) => `http://127.0.0.1:${quick.port}/r${i}`), `http://127.0.0.1:${slow.port}/slow`];
  try {
    const none = await run({ ...opts, subscriptions: 0, receivers });
    const ten = await run({ ...opts, subscriptions: 10, receivers });
    const problems = [none, ten].filter((r) => r.errors).map((r) => `${r.errors} requests failed`);
    return {
      rows: [
        { figure: `acknowledged messages/s with 10 subscriptions, one slow (${opts.concurrency} authors)`, ours: ten.rate, baseline: none.rate, unit: "msg/s", note: "baseline: same server, no subscriptions" },
        { figure: "ack latency p99 with 10 subscriptions", ours: ten.p99, baseline: none.p99, unit: "ms", lowerIsBetter: true },
        { figure: "events delivered to the 9 quick receivers, per second", ours: delivered / opts.seconds, baseline: ten.rate * 9, unit: "events/s", note: "baseline: 9 × the posting rate (all caught up)" },
      ],
      problems,
    };
  } finally {
    quick.stop(true);
    slow.stop(true);
  }
}

if (import.meta.main) {
  const { rows, problems } = await benchWebhooks({ seconds: Number(process.env.SECONDS ?? 10), concurrency: 50, channels: 10 });
  printTable("Event subscriptions", rows);
  if (problems.length) {
    console.log(problems.join("\n"));
    process.exit(1);
  }
}
