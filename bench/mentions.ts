// Notification cost on the write path: acknowledged messages per second with 1,000 members when
// every message mentions one of them (a mention row, a follow check, a private event), against
// the same load without mentions, same run. Budget: no more than 10% fewer messages per second.
// (Push subscriptions are not part of it yet: with none, the notification worker skips the log;
// 1,000 members each with a subscription is still to be measured.)
import { join } from "node:path";
import { type Row, ROOT, scratchDir, seed, startServer } from "./lib.ts";

async function run(opts: { members: number; seconds: number; concurrency: number; channels: number; mention: boolean }): Promise<{ rate: number; errors: number }> {
  const dir = scratchDir(opts.mention ? "mentions-on" : "mentions-off");
  const fixtures = await seed(dir, { channels: opts.channels, authors: opts.members });
  const server = await startServer(dir);
  try {
    const gen = Bun.spawn(["bun", join(ROOT, "bench/load/post.ts"), server.url, JSON.stringify(fixtures), String(opts.concurrency), String(opts.seconds), "1000000", opts.mention ? "mention" : "plain"], { stdout: "pipe", stderr: "inherit" });
    const result = JSON.parse(await new Response(gen.stdout).text()) as { seconds: number; acked: unknown[]; errors: number };
    await gen.exited;
    return { rate: result.acked.length / result.seconds, errors: result.errors };
  } finally {
    await server.stop();
  }
}

export async function benchMentions(opts: { members: number; seconds: number; concurrency: number; channels: number }): Promise<{ rows: Row[]; problems: string[] }> {
  const plain = await run({ ...opts, mention: false });
  const mentioned = await run({ ...opts, mention: true });
  const problems: string[] = [];
  if (plain.errors || mentioned.errors) problems.push(`${plain.errors + mentioned.errors} requests failed`);
  if (mentioned.rate < plain.rate * 0.9) problems.push(`mentions cut acknowledged msg/s by ${((1 - mentioned.rate / plain.rate) * 100).toFixed(1)}% (budget 10%)`);
  return {
    rows: [{
      figure: `acknowledged messages/s, ${opts.members} members, a mention in every message (${opts.concurrency} authors, HTTP)`,
      ours: mentioned.rate, baseline: plain.rate, unit: "msg/s", note: "baseline: the same load without mentions",
    }],
    problems,
  };
}

if (import.meta.main) {
  const { printTable } = await import("./lib.ts");
  const { rows, problems } = await benchMentions({ members: 1000, seconds: Number(process.env.SECONDS ?? 10), concurrency: 50, channels: 10 });
  printTable("Mentions on the write path", rows);
  if (problems.length) {
    console.log(problems.join("\n"));
    process.exit(1);
  }
}
