// What the per-person limits and checks cost: the write path and the fan-out with limits on
// (every check runs: token buckets, socket counts) against --no-limits, same run, alternating.
// The "on" server gets rates far above the load, so the buckets are consulted on every request
// but never refuse: the figure is the cost of checking, not of refusing.
import { PersonLimits } from "../src/access/limits.ts";
import { messageBody } from "../src/chat/posting.ts";
import { loadConfig } from "../src/config/config.ts";
import { clickclackTarget, runFanout, saturation } from "./fanout.ts";
import { percentile, printTable, type Row } from "./lib.ts";
import { measureWrites } from "./write.ts";

const ON = ["--limit-posts-per-minute", "100000000", "--limit-edits-per-minute", "100000000", "--limit-reactions-per-minute", "100000000", "--limit-ephemeral-per-minute", "100000000",
  "--limit-sockets-per-person", "100000", "--limit-sockets-per-credential", "100000"];
const OFF = ["--no-limits"];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * The checks a post adds, in process, where a shared machine's noise cannot hide them: the
 * person's token bucket and the body rule, nanoseconds per post (50 people taking turns).
 */
function checksPerPost(): number {
  const limits = new PersonLimits(loadConfig(ON, {}).config.limits);
  const people = Array.from({ length: 50 }, (_, i) => ({ id: `usr_${i}`, kind: "human" as const, owner_user_id: null, time_zone: null, display_name: "", handle: "", avatar_url: "", created_at: "" }));
  const body = "load 1 deploy the release candidate to staging";
  const n = 2_000_000;
  const t0 = Bun.nanoseconds();
  for (let i = 0; i < n; i++) {
    messageBody(body);
    limits.take("posts", people[i % 50]!);
  }
  return (Bun.nanoseconds() - t0) / n;
}

export async function benchLimits(opts: { rounds: number; seconds: number; subscribers: number }): Promise<{ rows: Row[]; problems: string[] }> {
  const problems: string[] = [];
  const writes = { on: [] as number[], off: [] as number[], onP50: [] as number[], offP50: [] as number[] };
  for (let i = 0; i < opts.rounds; i++) {
    // Alternating, and the order flipped each round, so drift on a shared machine hits both.
    for (const mode of i % 2 ? (["on", "off"] as const) : (["off", "on"] as const)) {
      const r = await measureWrites({ seconds: opts.seconds, concurrency: 50, channels: 10, serverArgs: mode === "on" ? ON : OFF });
      problems.push(...r.problems.map((p) => `${mode}: ${p}`));
      writes[mode].push(r.rate);
      writes[mode === "on" ? "onP50" : "offP50"].push(percentile(r.lat, 50));
    }
  }
  const fan = { on: { p50: [] as number[], sat: [] as number[] }, off: { p50: [] as number[], sat: [] as number[] } };
  for (let i = 0; i < opts.rounds; i++) {
    for (const mode of i % 2 ? (["on", "off"] as const) : (["off", "on"] as const)) {
      const target = await clickclackTarget(mode === "on" ? ON : OFF);
      try {
        const paced = await runFanout(target, opts.subscribers, 100, opts.seconds);
        if (paced.delivered !== paced.expected) problems.push(`${mode}: fan-out delivered ${paced.delivered} of ${paced.expected}`);
        fan[mode].p50.push(paced.p50);
        fan[mode].sat.push(await saturation(target, opts.subscribers, opts.seconds));
      } finally {
        await target.stop();
      }
    }
  }
  const note = `medians of ${opts.rounds} alternating runs; baseline: --no-limits`;
  const checkNs = checksPerPost();
  const postNs = 1e9 / median(writes.off);
  return {
    rows: [
      { figure: "checks per post (token bucket, body rule), in process", ours: checkNs / 1e3, baseline: postNs / 1e3, unit: "µs", lowerIsBetter: true, note: `${((100 * checkNs) / postNs).toFixed(3)}% of a post's time at the --no-limits rate` },
      { figure: "write path: acknowledged messages/s, limits on", ours: median(writes.on), baseline: median(writes.off), unit: "msg/s", note },
      { figure: "write path: ack latency p50, limits on", ours: median(writes.onP50), baseline: median(writes.offP50), unit: "ms", lowerIsBetter: true },
      { figure: `fan-out: POST → delivery p50, limits on (${opts.subscribers} subscribers, 100 msg/s)`, ours: median(fan.on.p50), baseline: median(fan.off.p50), unit: "ms", lowerIsBetter: true },
      { figure: "fan-out: deliveries/s at saturation, limits on", ours: median(fan.on.sat), baseline: median(fan.off.sat), unit: "frames/s" },
    ],
    problems,
  };
}

if (import.meta.main) {
  const { rows, problems } = await benchLimits({ rounds: Number(process.env.ROUNDS ?? 3), seconds: Number(process.env.SECONDS ?? 5), subscribers: Number(process.env.SUBSCRIBERS ?? 500) });
  printTable("Limits: cost of the checks", rows);
  if (problems.length) {
    console.log(problems.join("\n"));
    process.exit(1);
  }
}
