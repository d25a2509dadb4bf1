// `agent parallel | compare | chain`. Shared run flags act as defaults for every task; a
// task file's own fields win.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { type BackendName, isBackendName } from "./backends/types.ts";
import { eventPrinter, type OutputFormat, progressLine } from "./cli-output.ts";
import { resolve } from "node:path";
import { applyProfile, findProfiles, getProfile } from "./profiles.ts";
import { HELP, openStore, outputFormat, RUN_FLAGS, runOptionsFromFlags, withInterrupt } from "./cli.ts";
import { EXIT, usageError } from "./errors.ts";
import {
  type ChainStep,
  chain,
  compare,
  type OrchestrationContext,
  outcomeToWire,
  parallel,
  succeeded,
  type Task,
  type TaskOutcome,
} from "./orchestrate.ts";
import { type RunOptions, resultToWire } from "./run.ts";
import { parseTaskList } from "./spec.ts";

const FLAGS = {
  ...RUN_FLAGS,
  file: { type: "string", short: "f" },
  "max-parallel": { type: "string" },
  "fail-fast": { type: "boolean" },
  backends: { type: "string" },
  sequential: { type: "boolean" },
} as const satisfies ParseArgsConfig["options"];

async function readJsonFile(path: string): Promise<unknown> {
  const text = path === "-" ? await Bun.stdin.text() : await Bun.file(path).text().catch(() => {
    throw usageError(`cannot read ${path}`);
  });
  try {
    return JSON.parse(text);
  } catch (e) {
    throw usageError(`${path} is not valid JSON: ${e instanceof Error ? e.message : e}`);
  }
}

/** Task options over the command's defaults; a task naming a profile runs under it. */
function merge(defaults: Omit<RunOptions, "prompt">, opts: RunOptions): RunOptions {
  const merged = { ...defaults, ...opts };
  if (!opts.profile || opts.profile === defaults.profile) return merged;
  return applyProfile(merged, getProfile(findProfiles(resolve(merged.workdir ?? process.cwd())), opts.profile));
}

function printBlocks(outcomes: TaskOutcome[]): void {
  for (const o of outcomes) {
    const r = o.result;
    const status = o.skipped ? "skipped" : o.error ? `error: ${o.error.message}` : r ? r.status : "?";
    const meta = r ? ` (${r.backend}, ${status}, ${(r.durationMs / 1000).toFixed(1)}s)` : ` (${status})`;
    process.stdout.write(`=== ${o.name}${meta} ===\n`);
    if (r?.text) process.stdout.write(r.text.endsWith("\n") ? r.text : `${r.text}\n`);
    if (r?.error) process.stderr.write(`${o.name}: ${r.error}\n`);
  }
}

function finish(format: OutputFormat, outcomes: TaskOutcome[], interrupted: boolean, printed = false): number {
  const ok = outcomes.every(succeeded);
  const wire = outcomes.map((o) => outcomeToWire(o, resultToWire));
  if (format === "json") process.stdout.write(`${JSON.stringify({ ok, tasks: wire }, null, 2)}\n`);
  else if (format === "stream-json") process.stdout.write(`${JSON.stringify({ type: "result", ok, tasks: wire })}\n`);
  else if (!printed) printBlocks(outcomes);
  if (interrupted) return EXIT.interrupted;
  return ok ? EXIT.ok : EXIT.failed;
}

export async function orchestrateCommand(kind: "parallel" | "compare" | "chain", args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: FLAGS, allowPositionals: true, strict: true });
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  const format = outputFormat(values);
  const defaults = runOptionsFromFlags(values);
  if (defaults.dryRun) throw usageError(`--dry-run is for single runs; use it with agent run`);
  const store = openStore();
  const progress = progressLine(kind);
  const ctx: OrchestrationContext = {
    store,
    onProgress: (p) => progress.update(p),
  };
  if (format === "stream-json") {
    ctx.onEvent = (task, e) => eventPrinter("stream-json", false, { task: task.index, name: task.name }).event(e);
  }
  try {
    if (kind === "compare") {
      if (positionals.length !== 1) throw usageError('usage: agent compare "prompt" --backends claude,codex');
      const list = (values.backends ?? "").split(",").map((b) => b.trim()).filter(Boolean);
      if (list.length === 0) throw usageError("--backends is required (e.g. --backends claude,codex)");
      for (const b of list) if (!isBackendName(b)) throw usageError(`unknown backend ${b}`);
      const prompt = positionals[0] === "-" ? await Bun.stdin.text() : (positionals[0] as string);
      const base = merge(defaults, { prompt });
      const run = await withInterrupt((signal) =>
        compare(base, list as BackendName[], { sequential: values.sequential === true }, { ...ctx, signal }),
      );
      progress.clear();
      return finish(format, run.value, run.interrupted);
    }

    if (!values.file) throw usageError(`usage: agent ${kind} -f ${kind === "chain" ? "chain" : "tasks"}.json`);
    if (positionals.length > 0) throw usageError(`unexpected argument ${positionals[0]}`);
    const doc = await readJsonFile(values.file);

    if (kind === "parallel") {
      const { doc: o, items } = parseTaskList(doc, "tasks", ["name"]);
      const tasks: Task[] = items.map(({ raw, opts }) => ({
        ...merge(defaults, opts),
        ...(typeof raw.name === "string" ? { name: raw.name } : {}),
      }));
      const maxRaw = values["max-parallel"] ?? o.max_parallel;
      const maxParallel = maxRaw === undefined ? undefined : Number(maxRaw);
      if (maxParallel !== undefined && (!Number.isInteger(maxParallel) || maxParallel < 1)) {
        throw usageError("--max-parallel must be a positive integer");
      }
      const failFast = values["fail-fast"] === true || o.fail_fast === true;
      const run = await withInterrupt((signal) =>
        parallel(tasks, { ...(maxParallel ? { maxParallel } : {}), failFast }, { ...ctx, signal }),
      );
      progress.clear();
      return finish(format, run.value, run.interrupted);
    }

    const { doc: o, items } = parseTaskList(doc, "steps", ["name", "continue_session"]);
    const chainDefault = o.continue_session === true;
    const steps: ChainStep[] = items.map(({ raw, opts }) => ({
      ...merge(defaults, opts),
      ...(typeof raw.name === "string" ? { name: raw.name } : {}),
      continueSession: typeof raw.continue_session === "boolean" ? raw.continue_session : chainDefault,
    }));
    const run = await withInterrupt((signal) => chain(steps, { ...ctx, signal }));
    progress.clear();
    return finish(format, run.value, run.interrupted);
  } finally {
    progress.clear();
    store.close();
  }
}
