// Connections: memory per idle authenticated WebSocket at 10,000 connections, and the time for
// 1,000 clients to reconnect with their cursors after a server restart, with nothing missed.
// Baseline: a bare Bun pub/sub server holding the same number of idle sockets.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { printTable, ROOT, type Row, scratchDir, seed, startServer } from "./lib.ts";

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;

async function hold(wsUrl: string, count: number, headers: Record<string, string>, mode = "hold") {
  const proc = Bun.spawn(["bun", join(ROOT, "bench/load/hold.ts"), wsUrl, String(count), JSON.stringify(headers), mode], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  const line = async () => {
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    return out.trim();
  };
  if ((await line()) !== "ready") throw new Error("holder failed to open its sockets");
  return {
    async send(cmd: string) {
      proc.stdin.write(`${cmd}\n`);
      await proc.stdin.flush();
      return line();
    },
    async close() {
      proc.stdin.write("close\n");
      await proc.stdin.flush();
      await proc.exited;
    },
  };
}

async function memoryPerSocket(startTarget: () => Promise<{ pid: number; wsUrl: string; headers: Record<string, string>; stop: () => Promise<void> }>, connections: number) {
  const t = await startTarget();
  try {
    // Idle means after the start: the server's background work begins 250 ms after it listens,
    // and the WAL flusher's thread a second after the first commit it sees. Measured from 300 ms,
    // that start-up counted as the sockets' (2.71-2.76 KiB a socket, against 2.43-2.57 from 2 s,
    // for the same code).
    await Bun.sleep(2000);
    Bun.gc?.(true);
    const before = rssOf(t.pid);
    const holders = [];
    for (let i = 0; i < connections; i += 5000) holders.push(await hold(t.wsUrl, Math.min(5000, connections - i), t.headers));
    await Bun.sleep(1500);
    const after = rssOf(t.pid);
    for (const h of holders) await h.close();
    return (after - before) / connections;
  } finally {
    await t.stop();
  }
}

export async function benchConnections(opts: { idle: number; storm: number }): Promise<{ rows: Row[]; problems: string[] }> {
  const problems: string[] = [];
  const dir = scratchDir("conn");
  const fx = await seed(dir, { channels: 1, authors: 2 });
  // --no-limits: every socket here is one person's (the per-person and per-credential socket caps
  // would refuse all but 64 of them); bench/limits.ts measures what the caps cost.
  const serve = ["--dev", "--no-limits"];
  const ours = await memoryPerSocket(async () => {
    const s = await startServer(dir, serve);
    return { pid: s.proc.pid, wsUrl: `${s.url.replace("http", "ws")}/api/realtime/ws?workspace_id=${fx.workspaceId}`, headers: { "x-clickclack-user": fx.authorIds[1]! }, stop: () => s.stop() };
  }, opts.idle);
  const bare = await memoryPerSocket(async () => {
    const proc = Bun.spawn(["bun", join(ROOT, "bench/load/bare-pubsub.ts")], { stdout: "pipe", stderr: "inherit" });
    const url = /listening on (\S+)/.exec(new TextDecoder().decode((await proc.stdout.getReader().read()).value))![1]!;
    return { pid: proc.pid, wsUrl: `${url.replace("http", "ws")}/ws?x=1`, headers: {}, stop: async () => void (proc.kill(), await proc.exited) };
  }, opts.idle);

  // Reconnect storm: clients hold cursors, the server restarts on the same port, messages are
  // posted the moment it is back; every client must catch up to them exactly once.
  let server = await startServer(dir, serve);
  const port = new URL(server.url).port;
  await server.stop();
  server = await startServer(dir, [...serve, "--addr", `127.0.0.1:${port}`]);
  const wsUrl = `${server.url.replace("http", "ws")}/api/realtime/ws?workspace_id=${fx.workspaceId}`;
  const post = async (body: string) =>
    ((await (await fetch(`${server.url}/api/channels/${fx.channelIds[0]}/messages`, { method: "POST", headers: { authorization: `Bearer ${fx.tokens[0]}`, "content-type": "application/json" }, body: JSON.stringify({ body }) })).json()) as any).message.id as string;
  const holder = await hold(wsUrl, opts.storm, { "x-clickclack-user": fx.authorIds[1]! }, "reconnect");
  const warm = await post("before restart");
  await holder.send(`wait ${warm}`);
  await server.stop();
  const t0 = performance.now();
  server = await startServer(dir, [...serve, "--addr", `127.0.0.1:${port}`]);
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) ids.push(await post(`after restart ${i}`));
  const report = JSON.parse(await holder.send(`wait ${ids.at(-1)}`)) as { ms: number; caughtUp: number; dupes: number; seen: number[] };
  const stormMs = performance.now() - t0;
  if (report.caughtUp !== opts.storm) problems.push(`${opts.storm - report.caughtUp} clients did not catch up after the restart`);
  if (report.dupes > 0) problems.push(`${report.dupes} duplicate deliveries during the reconnect storm`);
  if (report.seen.some((n) => n !== 21)) problems.push(`clients saw ${Math.min(...report.seen)}–${Math.max(...report.seen)} messages, expected 21`);
  await holder.close();
  await server.stop();

  // Baseline: the same storm against a bare pub/sub server, which has no cursors to replay:
  // restart, wait for every client to be back, publish once, wait for every client to get it.
  const startBare = async (p: string) => {
    const proc = Bun.spawn(["bun", join(ROOT, "bench/load/bare-pubsub.ts"), p], { stdout: "pipe", stderr: "inherit" });
    const url = /listening on (\S+)/.exec(new TextDecoder().decode((await proc.stdout.getReader().read()).value))![1]!;
    return { proc, url };
  };
  let bareServer = await startBare("0");
  const barePort = new URL(bareServer.url).port;
  const bareHolder = await hold(`${bareServer.url.replace("http", "ws")}/ws?x=1`, opts.storm, {}, "reconnect");
  bareServer.proc.kill();
  await bareServer.proc.exited;
  const b0 = performance.now();
  bareServer = await startBare(barePort);
  while (((await (await fetch(`${bareServer.url}/subscribers`)).json()) as { n: number }).n < opts.storm) await Bun.sleep(10);
  const published = ((await (await fetch(`${bareServer.url}/publish`, { method: "POST" })).json()) as any).message.id;
  await bareHolder.send(`wait ${published}`);
  const bareStormMs = performance.now() - b0;
  await bareHolder.close();
  bareServer.proc.kill();

  return {
    rows: [
      { figure: `memory per idle authenticated WebSocket (${opts.idle.toLocaleString("en-US")} sockets)`, ours: ours / 1024, baseline: bare / 1024, unit: "KiB", lowerIsBetter: true, note: "baseline: bare Bun pub/sub socket" },
      { figure: `reconnect storm: ${opts.storm} clients back and caught up after a restart`, ours: stormMs, baseline: bareStormMs, unit: "ms", lowerIsBetter: true, note: "includes server start and replay of 21 missed messages; 0 missed, 0 duplicates required. Baseline: bare pub/sub restart + reconnect, nothing to replay" },
    ],
    problems,
  };
}

if (import.meta.main) {
  const { rows, problems } = await benchConnections({ idle: Number(process.env.IDLE ?? 10_000), storm: Number(process.env.STORM ?? 1000) });
  printTable("Connections", rows);
  if (problems.length) {
    console.log(problems.join("\n"));
    process.exit(1);
  }
}
