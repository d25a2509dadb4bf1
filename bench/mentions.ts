// Notification cost on the write path: acknowledged messages per second with 1,000 members when
// every message mentions one of them (a mention row, a follow check, a private event), against
// the same load without mentions, same run. Budget: no more than 10% fewer messages per second.
// Then the same mention load with every member holding a Web Push subscription (pointed at a
// local push endpoint), against none: the notification worker encrypts and sends off the request
// path, and this shows what that costs posting on the same machine.
import { join } from "node:path";
import { openSqliteStore } from "../src/store/sqlite/index.ts";
import { startFakePushService } from "../src/testing/fake-push-service.ts";
import { type Row, ROOT, scratchDir, seed, startServer } from "./lib.ts";

/**
 * Gives every member a Web Push subscription at a local push endpoint. The endpoint only answers
 * (no decryption): its CPU would be taken from the server's.
 */
export async function subscribeEveryone(dir: string, userIds: string[]) {
  const pushService = startFakePushService({ decrypt: false });
  const store = openSqliteStore(join(dir, "clickclack.db"));
  try {
    for (const id of userIds) {
      const sub = pushService.subscribe().json;
      await store.notifications.addPushSubscription(id, { endpoint: sub.endpoint, p256dh: sub.keys.p256dh, auth: sub.keys.auth });
    }
  } finally {
    await store.close();
  }
  return pushService;
}

async function run(opts: { members: number; seconds: number; concurrency: number; channels: number; mention: boolean; push?: boolean }): Promise<{ rate: number; errors: number; pushes: number }> {
  const dir = scratchDir(opts.push ? "mentions-push" : opts.mention ? "mentions-on" : "mentions-off");
  const fixtures = await seed(dir, { channels: opts.channels, authors: opts.members });
  const pushService = opts.push ? await subscribeEveryone(dir, fixtures.authorIds) : null;
  // --no-limits: the per-person post rate would refuse this load (see bench/write.ts).
  const server = await startServer(dir, ["--no-limits"]);
  try {
    const gen = Bun.spawn(["bun", join(ROOT, "bench/load/post.ts"), server.url, JSON.stringify(fixtures), String(opts.concurrency), String(opts.seconds), "1000000", opts.mention ? "mention" : "plain"], { stdout: "pipe", stderr: "inherit" });
    const result = JSON.parse(await new Response(gen.stdout).text()) as { seconds: number; acked: unknown[]; errors: number };
    await gen.exited;
    return { rate: result.acked.length / result.seconds, errors: result.errors, pushes: pushService?.received.length ?? 0 };
  } finally {
    await server.stop();
    pushService?.stop();
  }
}

export async function benchMentions(opts: { members: number; seconds: number; concurrency: number; channels: number }): Promise<{ rows: Row[]; problems: string[] }> {
  const plain = await run({ ...opts, mention: false });
  const mentioned = await run({ ...opts, mention: true });
  const pushed = await run({ ...opts, mention: true, push: true });
  const problems: string[] = [];
  if (plain.errors || mentioned.errors || pushed.errors) problems.push(`${plain.errors + mentioned.errors + pushed.errors} requests failed`);
  if (mentioned.rate < plain.rate * 0.9) problems.push(`mentions cut acknowledged msg/s by ${((1 - mentioned.rate / plain.rate) * 100).toFixed(1)}% (budget 10%)`);
  if (pushed.rate < mentioned.rate * 0.9) problems.push(`push subscriptions cut acknowledged msg/s by ${((1 - pushed.rate / mentioned.rate) * 100).toFixed(1)}% (budget 10%)`);
  return {
    rows: [{
      figure: `acknowledged messages/s, ${opts.members} members, a mention in every message (${opts.concurrency} authors, HTTP)`,
      ours: mentioned.rate, baseline: plain.rate, unit: "msg/s", note: "baseline: the same load without mentions",
    }, {
      figure: `acknowledged messages/s, ${opts.members} members each with a Web Push subscription, a mention in every message`,
      ours: pushed.rate, baseline: mentioned.rate, unit: "msg/s",
      note: `baseline: the same load, no subscriptions; ${pushed.pushes} pushes reached the local endpoint during the run`,
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
