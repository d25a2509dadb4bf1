// runAgent: the one entry point every surface (CLI, orchestration, gateway, later the chat
// bridge) goes through. It validates options, resolves the session, builds the CLI's argv,
// runs it under the concurrency cap and records the outcome.
import { mkdirSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve as resolvePath } from "node:path";
import { availability, getBackend } from "./backends/registry.ts";
import {
  type AgentEvent,
  type ApprovalMode,
  type BackendName,
  type BuildRequest,
  emptyUsage,
  isBackendName,
  MODEL_ALIASES,
  type ModelAlias,
  type SandboxMode,
  type Usage,
} from "./backends/types.ts";
import { AgentError, configError, sessionError, usageError } from "./errors.ts";
import { globalLimiter, type Limiter, QueueFull, type QueueLimits } from "./limiter.ts";
import { runProcess } from "./runner.ts";
import type { OwnerScope, RunRecord, Session, SessionStore } from "./sessions.ts";

export interface RunOptions {
  prompt: string;
  backend?: BackendName;
  /** fast | balanced | best, or a model id the CLI accepts. */
  model?: string;
  workdir?: string;
  approval?: ApprovalMode;
  sandbox?: SandboxMode;
  maxTurns?: number;
  systemPrompt?: string;
  /** Session id or unique prefix to continue. */
  resume?: string;
  /** With resume: continue under a new session (parent recorded) instead of extending it. */
  fork?: boolean;
  /** Keep no session record (and ask the CLI not to persist one where it can). */
  ephemeral?: boolean;
  /** Without resume: continue the latest session for this backend and directory, if any. */
  autoResume?: boolean;
  title?: string;
  tags?: string[];
  timeoutMs?: number;
  idleTimeoutMs?: number;
  /** Resolve everything and report the command line, but run nothing. */
  dryRun?: boolean;
  /**
   * The gateway key running this: new sessions are recorded as its own and only its own
   * sessions (all, for an admin key) can be resumed. Unset for the operator's CLI.
   */
  owner?: OwnerScope;
  /** Set by applyProfile (profiles.ts): the team profile this run follows. */
  profile?: string;
  allowedTools?: string[];
  disallowedTools?: string[];
  mcpServers?: Record<string, unknown>;
  addDirs?: string[];
  maxBudgetUsd?: number;
  permissionPromptTool?: string;
}

export interface RunContext {
  signal?: AbortSignal;
  onEvent?: (event: AgentEvent) => void;
  /** Required unless the run is ephemeral or a dry run. */
  store?: SessionStore;
  /** Environment for the CLI (PATH decides which binary runs). Defaults to process.env. */
  env?: Record<string, string | undefined>;
  limiter?: Limiter;
  /** SIGTERM → SIGKILL grace period. */
  graceMs?: number;
  /** Called once with the final result (metrics hook). */
  onFinish?: (result: RunResult) => void;
  /** Turn the run away (status "rejected") rather than queue beyond these limits. */
  queue?: QueueLimits;
}

/** "rejected": the runner was at capacity and nothing ran (safe to retry later). */
export type RunStatus = "completed" | "failed" | "timeout" | "cancelled" | "rejected" | "dry_run";

export interface RunResult {
  status: RunStatus;
  sessionId: string | null;
  backend: BackendName;
  backendSessionId: string | null;
  model: string | null;
  workdir: string;
  text: string;
  usage: Usage;
  costUsd?: number;
  turns: number;
  durationMs: number;
  exitCode: number | null;
  error?: string;
  /** Dry runs: the exact command that would run. */
  command?: { argv: string[]; cwd: string; stdinBytes: number };
}

// Variables that configure ClickClack itself are none of the agent's business.
const PRIVATE_ENV = ["CLICKCLACK_AGENT_API_KEYS", "CLICKCLACK_AGENT_ADMIN_KEYS"];

function childEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...env };
  for (const k of PRIVATE_ENV) delete out[k];
  return out;
}

// Runs of this process by session id, so an API call (gateway, chat bridge) can cancel one.
const running = new Map<string, AbortController>();

/** Cancels this process's run of a session; false when no such run is in progress here. */
export function cancelRun(sessionId: string): boolean {
  const ac = running.get(sessionId);
  if (!ac) return false;
  ac.abort(new Error("cancelled"));
  return true;
}

export function runningSessions(): string[] {
  return [...running.keys()];
}

function resolveWorkdir(dir: string | undefined): string {
  const abs = resolvePath(dir ?? process.cwd());
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(abs);
  } catch {
    throw configError(`working directory ${abs} does not exist`);
  }
  if (!st.isDirectory()) throw configError(`working directory ${abs} is not a directory`);
  return realpathSync(abs);
}

function resolveModel(backend: BackendName, model: string | undefined): string | undefined {
  if (!model) return undefined;
  if ((MODEL_ALIASES as readonly string[]).includes(model)) return getBackend(backend).aliases[model as ModelAlias];
  return model;
}

function titleFrom(prompt: string): string {
  const first = prompt.trim().split("\n")[0] ?? "";
  return first.length > 80 ? `${first.slice(0, 77)}...` : first;
}

interface Plan {
  backend: BackendName;
  workdir: string;
  req: BuildRequest;
  session: Session | null;
}

function plan(opts: RunOptions, store: SessionStore | undefined): Plan {
  if (typeof opts.prompt !== "string" || opts.prompt.trim() === "") throw usageError("prompt is empty");
  if (opts.backend !== undefined && !isBackendName(opts.backend)) throw usageError(`unknown backend ${opts.backend}`);
  if (opts.maxTurns !== undefined && (!Number.isInteger(opts.maxTurns) || opts.maxTurns < 1)) {
    throw usageError("max turns must be a positive integer");
  }
  if (opts.ephemeral && (opts.resume || opts.autoResume)) throw configError("an ephemeral run cannot resume a session");
  if (opts.fork && !opts.resume) throw configError("fork needs a session to resume");

  let session: Session | null = null;
  if (opts.resume) {
    if (!store) throw configError("resuming needs a session store");
    session = store.resolve(opts.resume, opts.owner);
  } else if (opts.autoResume && store) {
    const workdir = resolveWorkdir(opts.workdir);
    // The latest of the caller's own sessions: a key's, or (CLI) the operator's.
    session = store.list({ workdir, backend: opts.backend ?? "claude", limit: 1, scope: opts.owner, operatorOnly: !opts.owner })[0] ?? null;
    if (session && !session.backendSessionId) session = null;
  }

  if (session) {
    if (opts.backend && opts.backend !== session.backend) {
      throw configError(`session ${session.id} belongs to ${session.backend}, not ${opts.backend}`);
    }
    if (opts.workdir && resolveWorkdir(opts.workdir) !== session.workdir) {
      throw configError(`session ${session.id} lives in ${session.workdir}; a CLI session cannot move directories`);
    }
    if (!session.backendSessionId) {
      throw sessionError(`session ${session.id} has no ${session.backend} session to resume (its first run never started)`);
    }
  }

  const backend = session?.backend ?? opts.backend ?? "claude";
  const workdir = session?.workdir ?? resolveWorkdir(opts.workdir);
  const model = resolveModel(backend, opts.model) ?? session?.model ?? undefined;
  const req: BuildRequest = { workdir };
  if (model) req.model = model;
  if (opts.approval) req.approval = opts.approval;
  if (opts.sandbox) req.sandbox = opts.sandbox;
  if (opts.maxTurns !== undefined) req.maxTurns = opts.maxTurns;
  if (opts.systemPrompt) req.systemPrompt = opts.systemPrompt;
  if (session?.backendSessionId) {
    req.resumeId = session.backendSessionId;
    // Codex reports the thread's running totals; the session holds what came before.
    if (!opts.fork) req.priorUsage = session.usage;
  }
  if (opts.fork) req.fork = true;
  if (opts.ephemeral) req.ephemeral = true;
  if (opts.allowedTools) req.allowedTools = opts.allowedTools;
  if (opts.disallowedTools) req.disallowedTools = opts.disallowedTools;
  if (opts.mcpServers) req.mcpServers = opts.mcpServers;
  if (opts.addDirs) req.addDirs = opts.addDirs;
  if (opts.maxBudgetUsd !== undefined) req.maxBudgetUsd = opts.maxBudgetUsd;
  if (opts.permissionPromptTool) req.permissionPromptTool = opts.permissionPromptTool;
  return { backend, workdir, req, session };
}

function endMessage(reason: string, opts: RunOptions): string {
  if (reason === "timeout") return `timed out after ${opts.timeoutMs} ms`;
  if (reason === "idle") return `no output for ${opts.idleTimeoutMs} ms (idle timeout)`;
  return "cancelled";
}

/** Takes the session's run lock, or creates the session (already locked) for a new run. */
function openSession(store: SessionStore, p: Plan, opts: RunOptions): { sessionId: string; lock: string } {
  if (p.session && !opts.fork) return { sessionId: p.session.id, lock: store.acquire(p.session.id) };
  const { session, lock } = store.createRunning({
    backend: p.backend,
    workdir: p.workdir,
    model: p.req.model ?? null,
    title: opts.title ?? p.session?.title ?? titleFrom(opts.prompt),
    tags: opts.tags ?? p.session?.tags ?? [],
    parentId: p.session?.id ?? null,
    owner: opts.owner?.owner ?? null,
  });
  // A fork starts from the parent's conversation until the CLI reports the new id.
  if (p.session?.backendSessionId) store.setBackendSession(session.id, p.session.backendSessionId);
  return { sessionId: session.id, lock };
}

function doneEvent(r: RunResult): AgentEvent {
  const done: AgentEvent = { type: "done", ok: r.status === "completed", usage: r.usage, turns: r.turns, duration_ms: r.durationMs };
  if (r.costUsd !== undefined) done.cost_usd = r.costUsd;
  if (r.error) done.error = r.error;
  return done;
}

interface Execution {
  p: Plan;
  argv: string[];
  stdin: string;
  opts: RunOptions;
  ctx: RunContext;
  signal: AbortSignal;
  env: Record<string, string | undefined>;
  store: SessionStore | undefined;
  result: RunResult;
  emit: (e: AgentEvent) => void;
}

/** Spawns the CLI and turns its output into events and the final result fields. */
async function execute(x: Execution): Promise<void> {
  const { p, result, opts } = x;
  const parser = getBackend(p.backend).parser(p.req);
  let final: Extract<AgentEvent, { type: "done" }> | null = null;
  const handle = (e: AgentEvent) => {
    if (e.type === "init") {
      if (e.backend_session_id) {
        result.backendSessionId = e.backend_session_id;
        // Saved at once, so even a run that crashes later can be resumed.
        if (x.store && result.sessionId) x.store.setBackendSession(result.sessionId, e.backend_session_id, e.model);
      }
      if (e.model) result.model = e.model;
      if (result.sessionId) e.session_id = result.sessionId;
    } else if (e.type === "text") {
      result.text += e.text;
    } else if (e.type === "done") {
      // Held back: the runner emits the one authoritative `done` after bookkeeping.
      final = e;
      return;
    }
    x.emit(e);
  };

  const out = await runProcess({
    argv: x.argv,
    cwd: p.workdir,
    env: x.env,
    stdin: x.stdin,
    signal: x.signal,
    timeoutMs: opts.timeoutMs,
    idleTimeoutMs: opts.idleTimeoutMs,
    graceMs: x.ctx.graceMs,
    onLine: (line) => {
      for (const e of parser.line(line)) handle(e);
    },
  });
  result.exitCode = out.code;
  result.durationMs = out.durationMs;
  const tail = parser.finish({ code: out.code, stderrTail: out.stderrTail, durationMs: out.durationMs });
  if (out.reason === "exit") {
    for (const e of tail) handle(e);
  } else {
    // Our own kill: say why, rather than the CLI's "terminated by a signal".
    result.error = endMessage(out.reason, opts);
    result.status = out.reason === "aborted" ? "cancelled" : "timeout";
    for (const e of tail) if (e.type !== "error") handle(e);
    handle({ type: "error", message: result.error, fatal: true });
  }
  const done = final as Extract<AgentEvent, { type: "done" }> | null;
  if (!done) return;
  result.usage = done.usage;
  result.turns = done.turns;
  if (done.cost_usd !== undefined) result.costUsd = done.cost_usd;
  // If the stream carried no text but the CLI reported a final answer, use it.
  if (!result.text && done.result) handle({ type: "text", text: done.result });
  if (out.reason === "exit") {
    result.status = done.ok ? "completed" : "failed";
    if (!done.ok) result.error = done.error;
  }
}

/** Files the CLI reads instead of argv (large system prompts), private to this user. */
function writeScratch(dir: string | undefined, files: Array<{ path: string; content: string }> | undefined): void {
  if (!files?.length || !dir) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const f of files) writeFileSync(f.path, f.content, { mode: 0o600 });
}

export async function runAgent(opts: RunOptions, ctx: RunContext = {}): Promise<RunResult> {
  const store = opts.ephemeral || opts.dryRun ? undefined : ctx.store;
  if (!store && !opts.ephemeral && !opts.dryRun) throw configError("runAgent needs a session store (or ephemeral: true)");
  const p = plan(opts, opts.dryRun ? ctx.store : store);
  const hostEnv = ctx.env ?? process.env;
  p.req.scratchDir = join(tmpdir(), `clickclack-agent-${crypto.randomUUID()}`);
  const onPath = (bin: string) => Bun.which(bin, { PATH: hostEnv.PATH ?? "" }) !== null;
  p.req.containerRuntime = ["docker", "podman"].find(onPath) ?? null;
  p.req.bubblewrap = onPath("bwrap") && onPath("socat");
  const invocation = getBackend(p.backend).build(p.req, opts.prompt);
  const result: RunResult = {
    status: "dry_run",
    sessionId: p.session?.id ?? null,
    backend: p.backend,
    backendSessionId: p.session?.backendSessionId ?? null,
    model: p.req.model ?? null,
    workdir: p.workdir,
    text: "",
    usage: emptyUsage(),
    turns: 0,
    durationMs: 0,
    exitCode: null,
  };
  if (opts.dryRun) {
    result.command = { argv: invocation.argv, cwd: p.workdir, stdinBytes: Buffer.byteLength(invocation.stdin) };
    return result;
  }

  const env = childEnv(ctx.env ?? process.env);
  const avail = await availability(p.backend, env);
  if (!avail.available || !avail.path) {
    throw new AgentError("backend_missing", `${p.backend} is not available: ${avail.error ?? "not found"}`);
  }

  // Take the session before queueing, so a second run of the same session fails fast
  // instead of waiting behind the first.
  const session = store ? openSession(store, p, opts) : null;
  result.status = "failed";
  result.sessionId = session?.sessionId ?? null;
  const own = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, own.signal]) : own.signal;
  if (session) running.set(session.sessionId, own);
  const emit = (e: AgentEvent) => {
    try {
      ctx.onEvent?.(e);
    } catch {
      // A consumer that throws (e.g. a closed socket) must not break the run bookkeeping.
    }
  };

  let release: (() => void) | undefined;
  try {
    try {
      release = await (ctx.limiter ?? globalLimiter).acquire(signal, ctx.queue);
    } catch (e) {
      const full = e instanceof QueueFull || signal.reason instanceof QueueFull;
      result.status = full ? "rejected" : "cancelled";
      result.error = full ? `agent runner at capacity: ${(e as Error).message}` : "cancelled while queued";
      emit({ type: "error", message: result.error, fatal: true });
      return result;
    }
    const argv = [avail.path, ...invocation.argv.slice(1)];
    try {
      writeScratch(p.req.scratchDir, invocation.files);
      await execute({ p, argv, stdin: invocation.stdin, opts, ctx, signal, env, store, result, emit });
    } catch (e) {
      result.status = "failed";
      result.error = `could not run ${p.backend}: ${e instanceof Error ? e.message : String(e)}`;
      emit({ type: "error", message: result.error, fatal: true });
    }
    return result;
  } finally {
    release?.();
    if (invocation.files?.length && p.req.scratchDir) rmSync(p.req.scratchDir, { recursive: true, force: true });
    emit(doneEvent(result));
    if (session) {
      running.delete(session.sessionId);
      store?.finishRun(session.sessionId, session.lock, {
        // Never "dry_run" here: dry runs return before a session is opened. A rejected
        // run never started: for the session it is as if it had been cancelled.
        status: (result.status === "rejected" ? "cancelled" : result.status) as RunRecord["status"],
        usage: result.usage,
        turns: result.turns,
        ...(result.backendSessionId ? { backendSessionId: result.backendSessionId } : {}),
        ...(result.model ? { model: result.model } : {}),
        ...(result.costUsd !== undefined ? { costUsd: result.costUsd } : {}),
        ...(result.error ? { error: result.error } : {}),
      });
    }
    try {
      ctx.onFinish?.(result);
    } catch {
      // Metrics must never fail a run.
    }
  }
}

/** A run result as it appears in JSON output and over HTTP. */
export function resultToWire(r: RunResult) {
  return {
    status: r.status,
    ok: r.status === "completed",
    session_id: r.sessionId,
    backend: r.backend,
    backend_session_id: r.backendSessionId,
    model: r.model,
    workdir: r.workdir,
    text: r.text,
    usage: r.usage,
    ...(r.costUsd !== undefined ? { cost_usd: r.costUsd } : {}),
    turns: r.turns,
    duration_ms: r.durationMs,
    exit_code: r.exitCode,
    ...(r.error ? { error: r.error } : {}),
    ...(r.command ? { command: { argv: r.command.argv, cwd: r.command.cwd, stdin_bytes: r.command.stdinBytes } } : {}),
  };
}
