// Test harness: a temp dir with fake `claude`, `codex` and `gemini` executables first on
// PATH, a private session database, and helpers to run `bun src/main.ts agent …`.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dir, "../../..");
const FAKES = join(import.meta.dir, "fakes");

export interface Call {
  cli: string;
  argv: string[];
  prompt: string;
  cwd: string;
  pid: number;
  /** What the fake derived from its flags (e.g. SYSTEM_PROMPT_BYTES, SANDBOX). */
  vars: Record<string, string>;
}

export interface Fakes {
  root: string;
  bin: string;
  /** A scratch working directory for runs. */
  work: string;
  db: string;
  env: Record<string, string>;
  calls(): Call[];
  /** Pids of every fake process and grandchild started so far. */
  pids(): number[];
  cleanup(): void;
}

/**
 * `sandboxes: true` puts stand-ins for `docker`, `bwrap` and `socat` on PATH: a host where
 * Gemini's sandbox (a container) and Claude Code's (bubblewrap + socat) can run on Linux.
 */
export function setupFakes(only: string[] = ["claude", "codex", "gemini"], opts: { sandboxes?: boolean } = {}): Fakes {
  const root = mkdtempSync(join(tmpdir(), "cc-agents-"));
  const bin = join(root, "bin");
  const pidDir = join(root, "pids");
  const work = join(root, "work");
  for (const d of [bin, pidDir, work, join(root, "state")]) mkdirSync(d, { recursive: true });
  for (const cli of only) {
    const path = join(bin, cli);
    writeFileSync(path, `#!/bin/sh\nexec '${process.execPath}' '${join(FAKES, `${cli}.ts`)}' "$@"\n`);
    chmodSync(path, 0o755);
  }
  for (const tool of opts.sandboxes ? ["docker", "bwrap", "socat"] : []) {
    writeFileSync(join(bin, tool), "#!/bin/sh\nexit 0\n");
    chmodSync(join(bin, tool), 0o755);
  }
  const log = join(root, "calls.jsonl");
  writeFileSync(log, "");
  const db = join(root, "agents.db");
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PATH: `${bin}:/usr/bin:/bin`,
    HOME: root,
    CLICKCLACK_AGENTS_DB: db,
    FAKE_LOG: log,
    FAKE_PID_DIR: pidDir,
    FAKE_STATE: join(root, "state"),
    NO_COLOR: "1",
  };
  return {
    root,
    bin,
    work,
    db,
    env,
    calls: () =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Call),
    pids: () => readdirSync(pidDir).map(Number),
    cleanup: () => {
      for (const pid of readdirSync(pidDir).map(Number)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Dead, or a zombie waiting to be reaped (kill(pid, 0) still succeeds for those). */
export function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function spawnCli(args: string[], fakes: Fakes, opts: { stdin?: string; cwd?: string; env?: Record<string, string> } = {}) {
  return Bun.spawn([process.execPath, join(REPO, "src/main.ts"), "agent", ...args], {
    cwd: opts.cwd ?? fakes.work,
    env: { ...fakes.env, ...opts.env },
    stdin: opts.stdin === undefined ? "ignore" : new Blob([opts.stdin]),
    stdout: "pipe",
    stderr: "pipe",
  });
}

export async function runCli(
  args: string[],
  fakes: Fakes,
  opts: { stdin?: string; cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const proc = spawnCli(args, fakes, opts);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

export async function waitFor(cond: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}
