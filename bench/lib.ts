// Shared pieces of the benchmark harness: a server in its own process, fixtures made directly in
// the database before it starts, percentiles and the ratio table every figure is printed in.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../src/store/sqlite/index.ts";
import type { Store } from "../src/store/store.ts";
import { spawnServe } from "../src/testing/process.ts";

export const ROOT = join(import.meta.dir, "..");

export interface BenchServer {
  url: string;
  proc: Bun.Subprocess;
  dataDir: string;
  stop(): Promise<void>;
}

/** Starts `clickclack serve` (source, or a binary via CLICKCLACK_BENCH_BINARY) on a free port. */
export async function startServer(dataDir: string, extra: string[] = [], env: Record<string, string> = {}): Promise<BenchServer> {
  const command = process.env.CLICKCLACK_BENCH_BINARY ? [process.env.CLICKCLACK_BENCH_BINARY] : undefined;
  const served = await spawnServe(["--data", dataDir, ...extra], env, command);
  return { url: served.url, proc: served.proc, dataDir, stop: served.stop };
}

export function scratchDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `clickclack-bench-${name}-`));
}

/** A workspace with `channels` channels and `authors` members, each with a session token. */
export async function seed(dataDir: string, opts: { channels: number; authors: number }) {
  const store = openSqliteStore(join(dataDir, "clickclack.db"));
  try {
    return await seedStore(store, opts);
  } finally {
    await store.close();
  }
}

/** The same fixtures in any store (Postgres benchmarks seed through the Postgres store). */
export async function seedStore(store: Store, opts: { channels: number; authors: number }) {
  const authors = [];
  for (let i = 0; i < opts.authors; i++) authors.push(await store.users.create({ kind: "human", displayName: `Author ${i}`, handle: `author${i}` }));
  const { workspace, channels } = await store.workspaces.create({ name: "Bench", ownerId: authors[0]!.id });
  for (const a of authors.slice(1)) await store.workspaces.addMember(workspace.id, a.id, "member");
  const chans = [channels.find((c) => c.name === "general")!.id];
  for (let i = 1; i < opts.channels; i++) chans.push((await store.channels.create({ workspaceId: workspace.id, name: `c${i}`, createdBy: authors[0]!.id })).channel.id);
  const tokens: string[] = [];
  for (const a of authors) tokens.push((await store.identity.createSession(a.id, 86_400_000)).token);
  return { workspaceId: workspace.id, channelIds: chans, authorIds: authors.map((a) => a.id), tokens, handles: authors.map((a) => a.handle) };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface Row {
  figure: string;
  ours: number;
  baseline: number;
  unit: string;
  /** For "lower is better" figures (latency, memory), the ratio is inverted in the printout. */
  lowerIsBetter?: boolean;
  note?: string;
}

export function printTable(title: string, rows: Row[]): string {
  const lines = [`\n## ${title}\n`, "| figure | ClickClack | baseline | ratio | note |", "|---|---|---|---|---|"];
  for (const r of rows) {
    const ratio = r.lowerIsBetter ? r.baseline / r.ours : r.ours / r.baseline;
    lines.push(`| ${r.figure} | ${fmt(r.ours)} ${r.unit} | ${fmt(r.baseline)} ${r.unit} | ${Number.isFinite(ratio) ? ratio.toFixed(2) : "—"}× | ${r.note ?? ""} |`);
  }
  const text = lines.join("\n");
  console.log(text);
  return text;
}

const fmt = (n: number) => (!Number.isFinite(n) ? "—" : Math.abs(n) >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2));

export async function machine(): Promise<string> {
  const cpu = (await Bun.file("/proc/cpuinfo").text()).match(/model name\s*:\s*(.+)/)?.[1] ?? "unknown CPU";
  const mem = (await Bun.file("/proc/meminfo").text()).match(/MemTotal:\s*(\d+)/)?.[1];
  return `${navigator.hardwareConcurrency} cores (${cpu}), ${mem ? Math.round(Number(mem) / 1024 / 1024) : "?"} GiB, Bun ${Bun.version}, ${process.platform}`;
}
