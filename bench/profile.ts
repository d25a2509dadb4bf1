// CPU profile of the server under the write load: `bun bench/profile.ts [plain|mention|push|reads] [seconds]`
// ("push": the mention load with every one of the 1,000 members holding a Web Push subscription;
// "reads": bench/reads.ts's channel-page load over a generated history, MESSAGES of them, or its
// thread-page load with READ=thread, or any other path with READ=/path).
// Starts `serve` under `bun --cpu-prof`, runs the same load generator as bench/write.ts, stops the
// server cleanly (the profile is written at exit) and prints where its CPU went: self time by
// source file and by function, and inclusive time of a few areas of the code. This is the
// breakdown BENCHMARKS.md quotes for the write path.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnServe } from "../src/testing/process.ts";
import { ROOT, scratchDir, seed } from "./lib.ts";
import { bigHistory } from "./fixtures.ts";
import { subscribeEveryone } from "./mentions.ts";

const mode = process.argv[2] ?? "plain";
const seconds = Number(process.argv[3] ?? 8);
const members = mode === "plain" ? 50 : 1000;
const dir = scratchDir("profile");
const profDir = join(dir, "prof");
const reads = mode === "reads" ? await bigHistory(dir, { messages: Number(process.env.MESSAGES ?? 1_000_000), channels: 10 }) : null;
const fixtures = reads ? null : await seed(dir, { channels: 10, authors: members });
const pushService = mode === "push" ? await subscribeEveryone(dir, fixtures!.authorIds) : null;
const server = await spawnServe(["--data", dir, "--no-limits", ...(process.env.SERVE_ARGS?.split(" ").filter(Boolean) ?? [])], {}, ["bun", "--cpu-prof", `--cpu-prof-dir=${profDir}`, join(ROOT, "src/main.ts")]);
const gen = reads
  ? Bun.spawn(["bun", join(ROOT, "bench/load/get.ts"), server.url, JSON.stringify(process.env.READ === "thread" ? [`/api/messages/${reads.threadRoot}/thread?limit=50&latest=true`] : process.env.READ ? [process.env.READ] : reads.channelIds.map((c) => `/api/channels/${c}/messages?limit=50`)), reads.tokens[0]!, "32", String(seconds)], { stdout: "pipe", stderr: "inherit" })
  : Bun.spawn(["bun", join(ROOT, "bench/load/post.ts"), server.url, JSON.stringify(fixtures), "50", String(seconds), "1000000", mode === "plain" ? "plain" : "mention"], { stdout: "pipe", stderr: "inherit" });
const result = JSON.parse(await new Response(gen.stdout).text()) as { seconds: number; acked?: unknown[]; ok?: number; errors: number };
await server.stop();
pushService?.stop();
console.log(`${mode}: ${((result.acked?.length ?? result.ok ?? 0) / result.seconds).toFixed(0)} ${reads ? "pages" : "msg"}/s answered, ${result.errors} errors`);

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"))!;
const prof = JSON.parse(readFileSync(join(profDir, file), "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
for (const s of prof.samples) self.set(s, (self.get(s) ?? 0) + 1);
const total = prof.samples.length;
const short = (url: string) => url.replace(/^.*\/node_modules\//, "npm:").replace(ROOT + "/", "");
const tally = (key: (n: Node) => string) => {
  const m = new Map<string, number>();
  for (const [id, n] of self) m.set(key(byId.get(id)!), (m.get(key(byId.get(id)!)) ?? 0) + n);
  return [...m].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, n]) => `${((100 * n) / total).toFixed(1).padStart(5)}%  ${k}`).join("\n");
};
console.log(`\nself time by file (${total} samples):\n${tally((n) => short(n.callFrame.url) || `(${n.callFrame.functionName || "native"})`)}`);
console.log(`\nself time by function:\n${tally((n) => `${n.callFrame.functionName || "(anonymous)"} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`)}`);
// Inclusive: a sample counts for an area when any frame on its stack matches.
const areas: [string, (n: Node) => boolean][] = (process.env.AREAS ?? "runBatch,post,recordReach,resolveMentions,appendEvent,hydrate,require,member,channel,JSON.stringify")
  .split(",").map((f) => [f, (n: Node) => n.callFrame.functionName === f]);
const incl = new Map<string, number>();
for (const [id, n] of self) {
  const hit = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) for (const [name, test] of areas) if (test(byId.get(cur)!)) hit.add(name);
  for (const h of hit) incl.set(h, (incl.get(h) ?? 0) + n);
}
console.log(`\ninclusive time:\n${areas.map(([a]) => `${((100 * (incl.get(a) ?? 0)) / total).toFixed(1).padStart(5)}%  ${a}`).join("\n")}`);
// Where SQLite time comes from: samples inside a statement's run/values/get/all, by the nearest
// frame of our own code (file and function).
const sqliteLeaf = new Set(["run", "values", "get", "all"]);
const callers = new Map<string, number>();
for (const [id, n] of self) {
  if (!sqliteLeaf.has(byId.get(id)!.callFrame.functionName)) continue;
  let cur: number | undefined = parent.get(id);
  let chain: string[] = [];
  for (; cur !== undefined && chain.length < 2; cur = parent.get(cur)) {
    const f = byId.get(cur)!.callFrame;
    if (f.url.includes("/src/")) chain.push(`${f.functionName || "(anonymous)"} ${short(f.url)}:${f.lineNumber + 1}`);
  }
  const key = chain.join(" < ") || "(unknown)";
  callers.set(key, (callers.get(key) ?? 0) + n);
}
console.log(`\nSQLite time by caller:\n${[...callers].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, n]) => `${((100 * n) / total).toFixed(1).padStart(5)}%  ${k}`).join("\n")}`);
