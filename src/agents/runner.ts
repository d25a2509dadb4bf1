// Process execution for one agent run: its own process group, stdout split into lines as it
// arrives, stderr drained concurrently (a full stderr pipe would otherwise stall the child),
// total and idle timeouts, and cancellation that takes down the whole group (TERM, grace,
// KILL) so tools the agent started do not outlive it.
import { readdirSync, readFileSync } from "node:fs";

export type EndReason = "exit" | "timeout" | "idle" | "aborted";

export interface ProcessSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  stdin: string;
  signal?: AbortSignal;
  /** Kill the run after this long in total (0/undefined: no limit). */
  timeoutMs?: number;
  /** Kill the run after this long without any output (0/undefined: no limit). */
  idleTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL. */
  graceMs?: number;
  onLine: (line: string) => void;
  onStderr?: (text: string) => void;
  onSpawn?: (pid: number) => void;
}

export interface ProcessOutcome {
  pid: number;
  code: number | null;
  signal: string | null;
  reason: EndReason;
  stderrTail: string;
  durationMs: number;
}

const STDERR_TAIL = 64 * 1024;
const DEFAULT_GRACE_MS = 2_000;

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Whether any live process remains in the group. kill(-pgid, 0) also succeeds for zombies
 * nobody has reaped yet, so on Linux we look at /proc to ignore those.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  if (process.platform !== "linux") return true;
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      } catch {
        continue;
      }
      // Fields after the parenthesised command name: state ppid pgrp …
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") return true;
    }
    return false;
  } catch {
    return true;
  }
}

async function terminateGroup(pgid: number, graceMs: number): Promise<void> {
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await Bun.sleep(25);
    if (!groupAlive(pgid)) return;
  }
  signalGroup(pgid, "SIGKILL");
  // SIGKILL is delivered asynchronously; return only once the group is really gone so
  // callers (and a CLI about to exit) never leave a survivor behind.
  const killDeadline = Date.now() + 2_000;
  while (groupAlive(pgid) && Date.now() < killDeadline) await Bun.sleep(10);
}

async function* chunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Splits a byte stream into lines without any line-length limit. */
async function readLines(stream: ReadableStream<Uint8Array>, onLine: (l: string) => void, onData: () => void) {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of chunks(stream)) {
    onData();
    // Only the new part can hold a newline: keeps long lines linear, not quadratic.
    const searchFrom = buf.length;
    buf += decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl = buf.indexOf("\n", searchFrom);
    while (nl >= 0) {
      const line = buf.slice(start, nl);
      onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
      start = nl + 1;
      nl = buf.indexOf("\n", start);
    }
    buf = start > 0 ? buf.slice(start) : buf;
  }
  buf += decoder.decode();
  if (buf) onLine(buf);
}

async function drainStderr(stream: ReadableStream<Uint8Array>, keep: (t: string) => void, onData: () => void) {
  const decoder = new TextDecoder();
  for await (const chunk of chunks(stream)) {
    onData();
    keep(decoder.decode(chunk, { stream: true }));
  }
}

export async function runProcess(spec: ProcessSpec): Promise<ProcessOutcome> {
  const started = performance.now();
  const graceMs = spec.graceMs ?? DEFAULT_GRACE_MS;
  let reason: EndReason = "exit";
  let stderrTail = "";

  if (spec.signal?.aborted) {
    return { pid: 0, code: null, signal: null, reason: "aborted", stderrTail: "", durationMs: 0 };
  }

  const proc = Bun.spawn(spec.argv, {
    cwd: spec.cwd,
    env: spec.env as Record<string, string>,
    stdin: new Blob([spec.stdin]),
    stdout: "pipe",
    stderr: "pipe",
    // setsid(): the child leads a new process group we can signal as a whole, and a
    // terminal's Ctrl-C reaches us (not it), so we decide how it dies.
    detached: true,
  });
  const pid = proc.pid;
  spec.onSpawn?.(pid);

  let stopping: Promise<void> | null = null;
  const stop = (why: EndReason) => {
    if (stopping) return;
    reason = why;
    stopping = terminateGroup(pid, graceMs);
  };

  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const armIdle = () => {
    if (!spec.idleTimeoutMs) return;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => stop("idle"), spec.idleTimeoutMs);
  };
  armIdle();
  const totalTimer = spec.timeoutMs ? setTimeout(() => stop("timeout"), spec.timeoutMs) : undefined;
  const onAbort = () => stop("aborted");
  spec.signal?.addEventListener("abort", onAbort, { once: true });

  const keepStderr = (t: string) => {
    spec.onStderr?.(t);
    stderrTail = (stderrTail + t).slice(-STDERR_TAIL);
  };
  const stdoutDone = readLines(proc.stdout, spec.onLine, armIdle);
  const stderrDone = drainStderr(proc.stderr, keepStderr, armIdle);

  try {
    await proc.exited;
    // The leader is gone; anything it left behind in its group goes too. This also closes
    // pipes a background grandchild might hold, so the reads below can finish.
    if (!stopping) stopping = terminateGroup(pid, graceMs);
    await stopping;
    await Promise.allSettled([stdoutDone, stderrDone]);
  } finally {
    if (idleTimer) clearTimeout(idleTimer);
    if (totalTimer) clearTimeout(totalTimer);
    spec.signal?.removeEventListener("abort", onAbort);
  }

  return {
    pid,
    code: proc.exitCode,
    signal: proc.signalCode === null || proc.signalCode === undefined ? null : String(proc.signalCode),
    reason,
    stderrTail,
    durationMs: Math.round(performance.now() - started),
  };
}
