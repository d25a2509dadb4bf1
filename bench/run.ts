// `bun run bench`: every benchmark, each figure beside a baseline measured in the same run, as a
// ratio. Writes the tables to bench/results/latest.md (paste a full run into BENCHMARKS.md).
// QUICK=1 runs a reduced version (seconds, not minutes). Talks only to loopback; stops by itself.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchColdStart } from "./coldstart.ts";
import { benchConnections } from "./connections.ts";
import { benchFanoutAll } from "./fanout.ts";
import { benchLimits } from "./limits.ts";
import { benchImport } from "./import.ts";
import { benchMentions } from "./mentions.ts";
import { benchPostgres } from "./postgres.ts";
import { machine, printTable, ROOT, type Row } from "./lib.ts";
import { benchReads } from "./reads.ts";
import { benchWebhooks } from "./webhooks.ts";
import { benchWrite } from "./write.ts";

const quick = process.env.QUICK === "1";
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

const sections: string[] = [`# Benchmark run ${new Date().toISOString()}`, "", `Machine: ${await machine()}`, quick ? "Mode: QUICK (reduced sizes)" : "Mode: full"];
const failures: string[] = [];

async function section(title: string, run: () => Promise<{ rows: Row[]; problems: string[] }>) {
  const started = performance.now();
  try {
    const { rows, problems } = await run();
    if (rows.length) sections.push(printTable(title, rows));
    if (problems.length) {
      failures.push(...problems.map((p) => `${title}: ${p}`));
      sections.push(`\nProblems: ${problems.join("; ")}`);
    }
  } catch (err) {
    failures.push(`${title}: ${(err as Error).message}`);
    sections.push(`\n## ${title}\n\nfailed: ${(err as Error).message}`);
  }
  console.log(`(${title}: ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

if (want("write")) await section("Write path", () => benchWrite({ seconds: quick ? 3 : 15, concurrency: 50, channels: 10 }));
if (want("mentions")) await section("Mentions on the write path", () => benchMentions({ members: 1000, seconds: quick ? 3 : 10, concurrency: 50, channels: 10 }));
if (want("webhooks")) await section("Event subscriptions", () => benchWebhooks({ seconds: quick ? 3 : 10, concurrency: 50, channels: 10 }));
if (want("fanout")) await section("Fan-out", () => benchFanoutAll({ seconds: quick ? 3 : 10, quick }));
if (want("limits")) await section("Limits: cost of the checks", () => benchLimits({ rounds: quick ? 1 : 3, seconds: quick ? 3 : 5, subscribers: quick ? 200 : 500 }));
if (want("connections")) await section("Connections", () => benchConnections({ idle: quick ? 1000 : 10_000, storm: quick ? 200 : 1000 }));
if (want("reads")) await section("Reads", () => benchReads({ messages: quick ? 50_000 : 1_000_000, seconds: quick ? 3 : 10 }));
if (want("postgres")) await section("Postgres, several processes", () => benchPostgres({ seconds: quick ? 3 : 5, concurrency: 20, channels: 10, subscribers: quick ? 50 : 100, rate: 10 }));
if (want("coldstart")) await section("Cold start", () => benchColdStart({ runs: quick ? 3 : 10 }));
if (want("import")) await section("Import memory", () => benchImport({ targetBytes: quick ? 50e6 : 1e9 }));

mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
writeFileSync(join(ROOT, "bench", "results", "latest.md"), `${sections.join("\n")}\n`);
console.log(`\nwritten to bench/results/latest.md${failures.length ? `\nFAILED:\n${failures.join("\n")}` : ""}`);
process.exit(failures.length ? 1 : 0);
