// Fan-out: 1,000 WebSocket subscribers in one workspace while 100 messages/s are posted: time
// from POST to delivery on every subscriber, and deliveries per second at saturation. Baseline: a
// bare Bun pub/sub server relaying frames of the same size.
import { join } from "node:path";
import { percentile, printTable, ROOT, type Row, scratchDir, seed, startServer } from "./lib.ts";

export interface Target {
  url: string;
  wsUrl: string;
  headers: Record<string, string>;
  post: () => Promise<string>;
  stop: () => Promise<void>;
}

type Report = { frames: number; arrivals: Record<string, number[]> };

/** Two subscriber processes (one would be CPU-bound before the server is) holding the sockets. */
async function subscribers(target: Target, count: number): Promise<() => Promise<Report[]>> {
  const procs = [0, 1].map(() => Bun.spawn(["bun", join(ROOT, "bench/load/subscribe.ts"), target.wsUrl, String(count / 2), JSON.stringify(target.headers)], { stdin: "pipe", stdout: "pipe", stderr: "inherit" }));
  const readers = procs.map((p) => p.stdout.getReader());
  for (const r of readers) {
    const { value } = await r.read();
    if (!new TextDecoder().decode(value).includes("ready")) throw new Error("subscribers failed");
  }
  return async () => {
    const reports: Report[] = [];
    for (const [i, p] of procs.entries()) {
      p.stdin.write("report\n");
      await p.stdin.flush();
      let out = "";
      for (;;) {
        const { value, done } = await readers[i]!.read();
        if (done) break;
        out += new TextDecoder().decode(value);
      }
      reports.push(JSON.parse(out));
    }
    return reports;
  };
}

export async function runFanout(target: Target, count: number, rate: number, seconds: number) {
  const report = await subscribers(target, count);
  const sentAt = new Map<string, number>();
  const now = () => performance.timeOrigin + performance.now();
  // Paced phase: latency at a steady rate.
  const interval = 1000 / rate;
  const deadline = Date.now() + seconds * 1000;
  const pending: Promise<void>[] = [];
  while (Date.now() < deadline) {
    const t = now();
    pending.push(target.post().then((id) => void sentAt.set(id, t)));
    await Bun.sleep(interval);
  }
  await Promise.all(pending);
  await Bun.sleep(500);
  const latencies: number[] = [];
  let frames = 0;
  for (const rep of await report()) {
    frames += rep.frames;
    for (const [id, times] of Object.entries(rep.arrivals)) {
      const t0 = sentAt.get(id);
      if (t0 !== undefined) for (const t of times) latencies.push(t - t0);
    }
  }
  latencies.sort((a, b) => a - b);
  const expected = sentAt.size * count;
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), delivered: latencies.length, expected, frames };
}

export async function saturation(target: Target, count: number, seconds: number) {
  const report = await subscribers(target, count);
  const t0 = performance.now();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (Date.now() < deadline) await target.post();
  }));
  await Bun.sleep(1000);
  const frames = (await report()).reduce((n, r) => n + r.frames, 0);
  return frames / ((performance.now() - t0) / 1000);
}

export async function clickclackTarget(serverArgs: string[] = []): Promise<Target> {
  const dir = scratchDir("fanout");
  const fx = await seed(dir, { channels: 1, authors: 2 });
  const server = await startServer(dir, ["--dev", ...serverArgs]);
  const channel = fx.channelIds[0]!;
  let n = 0;
  return {
    url: server.url,
    wsUrl: `${server.url.replace("http", "ws")}/api/realtime/ws?workspace_id=${fx.workspaceId}`,
    headers: { "x-clickclack-user": fx.authorIds[1]! },
    async post() {
      const i = n++;
      // A kept-alive connection can be reset under this load; the nonce makes the retry safe.
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await fetch(`${server.url}/api/channels/${channel}/messages`, { method: "POST", headers: { authorization: `Bearer ${fx.tokens[0]}`, "content-type": "application/json" }, body: JSON.stringify({ body: `fan ${i}`, nonce: `fan-${i}` }) });
          return ((await r.json()) as any).message.id;
        } catch (err) {
          if (attempt >= 3) throw err;
        }
      }
    },
    stop: () => server.stop(),
  };
}

async function bareTarget(): Promise<Target> {
  const proc = Bun.spawn(["bun", join(ROOT, "bench/load/bare-pubsub.ts")], { stdout: "pipe", stderr: "inherit" });
  const line = new TextDecoder().decode((await proc.stdout.getReader().read()).value);
  const url = /listening on (\S+)/.exec(line)![1]!;
  return {
    url,
    wsUrl: `${url.replace("http", "ws")}/ws`,
    headers: {},
    async post() {
      const r = await fetch(`${url}/publish`, { method: "POST", body: "{}" });
      return ((await r.json()) as any).message.id;
    },
    async stop() {
      proc.kill();
      await proc.exited;
    },
  };
}

/**
 * One configuration: `subscribers` sockets, `rate` posts per second. `goal`: the p99 ratio to the
 * bare relay that issue 19 sets for it (2× at 1,000 × 100 msg/s, 5× at 200 × 1,000 msg/s).
 */
export async function benchFanout(opts: { subscribers: number; rate: number; seconds: number; saturation?: boolean; goal?: number }): Promise<{ rows: Row[]; problems: string[] }> {
  const problems: string[] = [];
  const results: Record<string, { p50: number; p99: number; sat: number }> = {};
  // --no-limits: one sender posts as fast as 16 requests at a time go, which the per-person post
  // rate refuses (429) by design; bench/limits.ts measures what the limits cost.
  for (const [name, make] of [["bare", bareTarget], ["ours", () => clickclackTarget(["--no-limits"])]] as const) {
    const target = await make();
    try {
      const paced = await runFanout(target, opts.subscribers, opts.rate, opts.seconds);
      if (name === "ours" && paced.delivered !== paced.expected) problems.push(`fan-out delivered ${paced.delivered} of ${paced.expected} expected frames`);
      const sat = opts.saturation === false ? NaN : await saturation(target, opts.subscribers, opts.seconds);
      results[name] = { p50: paced.p50, p99: paced.p99, sat };
    } finally {
      await target.stop();
    }
  }
  const ours = results.ours!;
  const bare = results.bare!;
  return {
    rows: [
      { figure: `POST → delivery p50 (${opts.subscribers} subscribers, ${opts.rate} msg/s)`, ours: ours.p50, baseline: bare.p50, unit: "ms", lowerIsBetter: true, note: "baseline: bare Bun pub/sub" },
      { figure: `POST → delivery p99 (${opts.subscribers} subscribers, ${opts.rate} msg/s)`, ours: ours.p99, baseline: bare.p99, unit: "ms", lowerIsBetter: true, note: opts.goal ? `goal: ≥ ${(1 / opts.goal).toFixed(2)}× (p99 ≤ ${opts.goal}× the relay's)` : "" },
      ...(opts.saturation === false ? [] : [{ figure: "deliveries/s at saturation", ours: ours.sat, baseline: bare.sat, unit: "frames/s" }]),
    ],
    problems,
  };
}

/** Both configurations of issue 19: many sockets at a modest rate, fewer sockets at a high rate. */
export async function benchFanoutAll(opts: { seconds: number; quick: boolean }): Promise<{ rows: Row[]; problems: string[] }> {
  const wide = await benchFanout({ subscribers: opts.quick ? 200 : 1000, rate: 100, seconds: opts.seconds, goal: 2 });
  const fast = await benchFanout({ subscribers: 200, rate: 1000, seconds: opts.seconds, saturation: false, goal: 5 });
  return { rows: [...wide.rows, ...fast.rows], problems: [...wide.problems, ...fast.problems] };
}

if (import.meta.main) {
  const { rows, problems } = process.env.SUBSCRIBERS
    ? await benchFanout({ subscribers: Number(process.env.SUBSCRIBERS), rate: Number(process.env.RATE ?? 100), seconds: Number(process.env.SECONDS ?? 10), saturation: process.env.SATURATION !== "0" })
    : await benchFanoutAll({ seconds: Number(process.env.SECONDS ?? 10), quick: false });
  printTable("Fan-out", rows);
  if (problems.length) {
    console.log(problems.join("\n"));
    process.exit(1);
  }
}
