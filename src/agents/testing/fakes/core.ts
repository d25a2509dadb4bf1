// Shared machinery of the fake CLIs used by the tests. Each fake checks its argv strictly
// (failing loudly on anything a real CLI would not accept or that we never mean to send),
// reads the prompt from stdin, and replays a recorded-style transcript.
//
// Transcript lines are emitted verbatim after placeholder substitution ({{ENV:NAME}} is the
// fake's own environment variable NAME, to show what the agent can see); lines starting with
// "#" are directives: "#sleep MS", "#stderr TEXT", "#exit CODE", "#spawn-child" (starts a
// long-lived grandchild in the same process group and records its pid), "#stderr-flood N"
// (N bytes on stderr, to prove stderr is drained concurrently).
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const TRANSCRIPTS = join(dirname(import.meta.dir), "transcripts");

export interface FlagSpec {
  /** Names including aliases, e.g. ["--model", "-m"]. */
  names: string[];
  value: boolean;
  /** Allowed values, when the real CLI restricts them. */
  choices?: string[];
}

export type Parsed = { flags: Map<string, string | true>; positionals: string[] };

export function fail(cli: string, message: string, code = 64): never {
  process.stderr.write(`fake-${cli}: ${message}\n`);
  process.exit(code);
}

/** Parses argv against a flag table; the canonical name is names[0]. Values may be "--x=v". */
export function parseFlags(cli: string, argv: string[], specs: FlagSpec[]): Parsed {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "-" || !arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.includes("=") && arg.startsWith("--") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const spec = specs.find((s) => s.names.includes(name));
    if (!spec) fail(cli, `unexpected argument '${arg}'`);
    const key = spec.names[0] as string;
    if (flags.has(key) && key !== "-c") fail(cli, `the argument '${key}' cannot be used multiple times`);
    if (!spec.value) {
      if (inline !== undefined) fail(cli, `flag ${key} takes no value`);
      flags.set(key, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) fail(cli, `a value is required for '${key}'`);
    if (spec.choices && !spec.choices.includes(value)) {
      fail(cli, `invalid value '${value}' for '${key}' [possible values: ${spec.choices.join(", ")}]`);
    }
    // Repeated -c overrides are legal for codex; keep them all, newline-joined.
    const prev = flags.get(key);
    flags.set(key, typeof prev === "string" ? `${prev}\n${value}` : value);
  }
  return { flags, positionals };
}

export async function readStdin(): Promise<string> {
  return await Bun.stdin.text();
}

function record(cli: string, argv: string[], prompt: string): void {
  const log = process.env.FAKE_LOG;
  if (log) appendFileSync(log, `${JSON.stringify({ cli, argv, prompt, cwd: process.cwd(), pid: process.pid })}\n`);
  const pids = process.env.FAKE_PID_DIR;
  if (pids) writeFileSync(join(pids, String(process.pid)), cli);
}

/** Session bookkeeping so a resume of an id the fake never issued fails like the real CLI. */
export function sessionState(cli: string) {
  const dir = join(process.env.FAKE_STATE ?? "/tmp/clickclack-fake-state", cli);
  mkdirSync(dir, { recursive: true });
  return {
    exists: (id: string) => /^[A-Za-z0-9-]+$/.test(id) && existsSync(join(dir, id)),
    create: (id: string) => writeFileSync(join(dir, id), ""),
  };
}

/** The last `scenario:NAME` in the prompt (a chat prompt quotes earlier messages before the question). */
export function scenarioOf(prompt: string): string {
  return [...prompt.matchAll(/scenario:([a-z0-9-]+)/g)].at(-1)?.[1] ?? "hello";
}

async function writeOut(s: string): Promise<void> {
  await new Promise<void>((resolve) => process.stdout.write(s, () => resolve()));
}

export async function replay(
  cli: string,
  argv: string[],
  prompt: string,
  vars: Record<string, string>,
): Promise<never> {
  record(cli, argv, prompt);
  const name = scenarioOf(prompt);
  const file = join(TRANSCRIPTS, cli, `${name}.jsonl`);
  if (!existsSync(file)) fail(cli, `no transcript ${cli}/${name}.jsonl`);
  const promptJson = JSON.stringify(prompt).slice(1, -1);
  const all: Record<string, string> = { ...vars, PROMPT_JSON: promptJson };
  for (const raw of readFileSync(file, "utf8").split("\n")) {
    if (raw.trim() === "") continue;
    const line = raw
      .replace(/\{\{BIG:(\d+)\}\}/g, (_m, n: string) => "x".repeat(Number(n)))
      .replace(/\{\{ENV:([A-Z_]+)\}\}/g, (_m, k: string) => JSON.stringify(process.env[k] ?? "").slice(1, -1))
      .replace(/\{\{([A-Z_]+)\}\}/g, (m, k: string) => all[k] ?? m);
    if (line.startsWith("#sleep ")) {
      await Bun.sleep(Number(line.slice(7)));
    } else if (line.startsWith("#stderr-flood ")) {
      const n = Number(line.slice(14));
      await new Promise<void>((resolve) => process.stderr.write("e".repeat(n) + "\n", () => resolve()));
    } else if (line.startsWith("#stderr ")) {
      process.stderr.write(`${line.slice(8)}\n`);
    } else if (line.startsWith("#exit ")) {
      process.exit(Number(line.slice(6)));
    } else if (line === "#spawn-child") {
      const child = Bun.spawn(["sleep", "300"], { stdio: ["ignore", "ignore", "ignore"] });
      if (process.env.FAKE_PID_DIR) writeFileSync(join(process.env.FAKE_PID_DIR, String(child.pid)), `${cli}-child`);
      child.unref();
    } else {
      await writeOut(`${line}\n`);
    }
  }
  process.exit(0);
}
