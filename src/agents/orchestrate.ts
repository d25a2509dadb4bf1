// Several runs at once: parallel task lists, the same prompt on several backends (compare),
// and chains where each step sees earlier outputs. Per-task failures are results, not
// exceptions, so one bad task never hides the others' answers.
import type { AgentEvent, BackendName } from "./backends/types.ts";
import { AgentError, configError, usageError } from "./errors.ts";
import { Limiter } from "./limiter.ts";
import { type RunContext, type RunOptions, type RunResult, runAgent } from "./run.ts";

export interface Task extends RunOptions {
  name?: string;
}

export interface TaskOutcome {
  index: number;
  name: string;
  result?: RunResult;
  /** Set when the task could not start (bad options, missing backend, busy session…). */
  error?: { kind: string; message: string };
  skipped?: boolean;
}

export interface Progress {
  total: number;
  done: number;
  running: number;
  failed: number;
}

export interface OrchestrationContext extends Omit<RunContext, "onEvent" | "onFinish"> {
  onEvent?: (task: { index: number; name: string }, event: AgentEvent) => void;
  onFinish?: (result: RunResult) => void;
  onProgress?: (p: Progress) => void;
}

export function succeeded(o: TaskOutcome): boolean {
  return o.result?.status === "completed";
}

function taskName(t: Task, i: number): string {
  return t.name ?? (t.backend ? `${i + 1}-${t.backend}` : `task-${i + 1}`);
}

async function runOne(task: Task, index: number, name: string, ctx: OrchestrationContext, signal: AbortSignal) {
  const outcome: TaskOutcome = { index, name };
  try {
    const { name: _n, ...opts } = task;
    outcome.result = await runAgent(opts, {
      ...ctx,
      signal,
      onEvent: (e) => ctx.onEvent?.({ index, name }, e),
      onFinish: ctx.onFinish,
    });
  } catch (e) {
    // Whatever went wrong stays with this task; the others keep their results.
    outcome.error =
      e instanceof AgentError ? { kind: e.kind, message: e.message } : { kind: "internal", message: e instanceof Error ? e.message : String(e) };
  }
  return outcome;
}

/**
 * Validation happens synchronously (before the returned promise), so an HTTP handler can
 * still answer 400 before it commits to a streaming 200.
 */
export function parallel(
  tasks: Task[],
  opts: { maxParallel?: number; failFast?: boolean },
  ctx: OrchestrationContext,
): Promise<TaskOutcome[]> {
  if (tasks.length === 0) throw usageError("no tasks to run");
  const names = tasks.map(taskName);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw usageError(`duplicate task name ${JSON.stringify(n)}`);
    seen.add(n);
  }
  return runParallel(tasks, names, opts, ctx);
}

async function runParallel(
  tasks: Task[],
  names: string[],
  opts: { maxParallel?: number; failFast?: boolean },
  ctx: OrchestrationContext,
): Promise<TaskOutcome[]> {
  const local = new Limiter(Math.max(1, Math.min(opts.maxParallel ?? tasks.length, tasks.length)));
  // One controller for the group: the caller's cancel and fail-fast both stop everything.
  const group = new AbortController();
  const onAbort = () => group.abort(ctx.signal?.reason);
  ctx.signal?.addEventListener("abort", onAbort, { once: true });
  const progress: Progress = { total: tasks.length, done: 0, running: 0, failed: 0 };
  const report = () => ctx.onProgress?.({ ...progress });

  try {
    return await Promise.all(
      tasks.map(async (task, index) => {
        const name = names[index] as string;
        let release: () => void;
        try {
          release = await local.acquire(group.signal);
        } catch {
          progress.done += 1;
          report();
          return { index, name, skipped: true } satisfies TaskOutcome;
        }
        progress.running += 1;
        report();
        try {
          const outcome = await runOne(task, index, name, ctx, group.signal);
          progress.running -= 1;
          progress.done += 1;
          if (!succeeded(outcome)) {
            progress.failed += 1;
            if (opts.failFast) group.abort(new Error("fail-fast"));
          }
          report();
          return outcome;
        } finally {
          release();
        }
      }),
    );
  } finally {
    ctx.signal?.removeEventListener("abort", onAbort);
  }
}

export function compare(
  base: RunOptions,
  backends: BackendName[],
  opts: { sequential?: boolean },
  ctx: OrchestrationContext,
): Promise<TaskOutcome[]> {
  if (backends.length === 0) throw usageError("compare needs at least one backend");
  if (new Set(backends).size !== backends.length) throw usageError("compare lists a backend twice");
  if (base.resume) throw configError("compare starts fresh sessions; it cannot resume one");
  const tasks = backends.map((b) => ({ ...base, backend: b, name: b }));
  return parallel(tasks, { maxParallel: opts.sequential ? 1 : backends.length }, ctx);
}

export interface ChainStep extends Task {
  /** Resume the session of the latest earlier step that used the same backend. */
  continueSession?: boolean;
}

const TEMPLATE = /\{\{\s*(previous|steps\.([A-Za-z0-9_.-]+?)\.output)\s*\}\}/g;

/** Checks every {{…}} reference names an earlier step, before anything runs. */
export function validateChain(steps: ChainStep[]): string[] {
  if (steps.length === 0) throw usageError("chain has no steps");
  const names: string[] = [];
  steps.forEach((s, i) => {
    const name = s.name ?? `step${i + 1}`;
    if (names.includes(name)) throw usageError(`duplicate step name ${JSON.stringify(name)}`);
    for (const m of s.prompt.matchAll(TEMPLATE)) {
      if (m[1] === "previous" && i === 0) throw usageError("step 1 uses {{previous}} but has no previous step");
      if (m[2] !== undefined && !names.includes(m[2])) {
        throw usageError(`step ${JSON.stringify(name)} refers to unknown or later step ${JSON.stringify(m[2])}`);
      }
    }
    names.push(name);
  });
  return names;
}

/** One pass, so an output that itself contains {{…}} is inserted literally. */
export function renderPrompt(prompt: string, previous: string, outputs: Map<string, string>): string {
  return prompt.replace(TEMPLATE, (_all, what: string, step: string | undefined) =>
    what === "previous" ? previous : (outputs.get(step ?? "") ?? ""),
  );
}

export function chain(steps: ChainStep[], ctx: OrchestrationContext): Promise<TaskOutcome[]> {
  return runChain(steps, validateChain(steps), ctx);
}

async function runChain(steps: ChainStep[], names: string[], ctx: OrchestrationContext): Promise<TaskOutcome[]> {
  const outputs = new Map<string, string>();
  const sessions = new Map<BackendName, string>();
  const outcomes: TaskOutcome[] = [];
  const progress: Progress = { total: steps.length, done: 0, running: 0, failed: 0 };
  let previous = "";
  let stopped = false;

  for (const [index, step] of steps.entries()) {
    const name = names[index] as string;
    if (stopped || ctx.signal?.aborted) {
      outcomes.push({ index, name, skipped: true });
      continue;
    }
    const { continueSession, ...task } = step;
    const backend = task.backend ?? "claude";
    const opts: Task = { ...task, prompt: renderPrompt(step.prompt, previous, outputs) };
    const earlier = sessions.get(backend);
    if (continueSession && earlier && !task.resume) opts.resume = earlier;
    progress.running = 1;
    ctx.onProgress?.({ ...progress });
    const outcome = await runOne(opts, index, name, ctx, ctx.signal ?? new AbortController().signal);
    outcomes.push(outcome);
    progress.running = 0;
    progress.done += 1;
    if (!succeeded(outcome)) {
      progress.failed += 1;
      stopped = true;
    } else if (outcome.result) {
      previous = outcome.result.text;
      outputs.set(name, previous);
      if (outcome.result.sessionId) sessions.set(outcome.result.backend, outcome.result.sessionId);
    }
    ctx.onProgress?.({ ...progress });
  }
  return outcomes;
}

/** Task outcome as it appears in JSON output and over HTTP. */
export function outcomeToWire(o: TaskOutcome, toWire: (r: RunResult) => object) {
  return {
    index: o.index,
    name: o.name,
    ...(o.result ? toWire(o.result) : {}),
    ...(o.error ? { status: "error", ok: false, error: o.error.message, error_kind: o.error.kind } : {}),
    ...(o.skipped ? { status: "skipped", ok: false } : {}),
  };
}
