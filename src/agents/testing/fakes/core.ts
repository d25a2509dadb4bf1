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
  /** Commander's `<values...>` / yargs arrays: takes every following non-flag argument. */
  variadic?: boolean;
  /** May be given more than once (clap's Vec, codex's -c). */
  repeatable?: boolean;
  help?: string;
}

export type Parsed = { flags: Map<string, string | true>; positionals: string[] };

/**
 * How each real CLI reacts to an unknown flag: commander (claude) prints "error: unknown
 * option" and exits 1; clap (codex) says "unexpected argument … found" and exits 2; yargs in
 * strict mode (gemini) says "Unknown argument" and exits 1.
 */
export type ParserStyle = "commander" | "clap" | "yargs";

const UNKNOWN: Record<ParserStyle, (arg: string) => [string, number]> = {
  commander: (a) => [`error: unknown option '${a}'`, 1],
  clap: (a) => [`error: unexpected argument '${a}' found\n\n  tip: to pass '${a}' as a value, use '-- ${a}'`, 2],
  yargs: (a) => [`Unknown argument: ${a.replace(/^-+/, "")}`, 1],
};

export function fail(cli: string, message: string, code = 64): never {
  process.stderr.write(`fake-${cli}: ${message}\n`);
  process.exit(code);
}

/** Fails with the real CLI's own wording (no "fake-" prefix), as a caller would see it. */
export function reject(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** `--help` text listing every flag of the table, the way the contract test reads it. */
export function helpText(usage: string, specs: FlagSpec[]): string {
  const lines = specs.map((s) => {
    const names = s.names.join(", ");
    const value = s.value ? (s.variadic ? " <values...>" : " <value>") : "";
    const choices = s.choices ? ` (choices: ${s.choices.join(", ")})` : "";
    return `  ${names}${value}  ${s.help ?? ""}${choices}`;
  });
  return `${usage}\n\nOptions:\n${lines.join("\n")}\n`;
}

/** Parses argv against a flag table; the canonical name is names[0]. Values may be "--x=v". */
export function parseFlags(cli: string, argv: string[], specs: FlagSpec[], style: ParserStyle = "commander"): Parsed {
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
    if (!spec) {
      const [msg, code] = UNKNOWN[style](name);
      reject(msg, code);
    }
    const key = spec.names[0] as string;
    if (flags.has(key) && !spec.repeatable && !spec.variadic && style === "clap") {
      reject(`error: the argument '${key}' cannot be used multiple times`, 2);
    }
    if (!spec.value) {
      if (inline !== undefined) fail(cli, `flag ${key} takes no value`);
      flags.set(key, true);
      continue;
    }
    const values: string[] = [];
    if (inline !== undefined) values.push(inline);
    else if (spec.variadic) {
      while (i + 1 < argv.length && !(argv[i + 1] as string).startsWith("-")) values.push(argv[++i] as string);
    } else if (argv[i + 1] !== undefined) values.push(argv[++i] as string);
    if (values.length === 0) {
      if (style === "commander") reject(`error: option '${key} <value>' argument missing`, 1);
      if (style === "clap") reject(`error: a value is required for '${key} <VALUE>' but none was supplied`, 2);
      reject(`Not enough arguments following: ${key.replace(/^-+/, "")}`, 1);
    }
    for (const value of values) {
      if (spec.choices && !spec.choices.includes(value)) {
        if (style === "commander") reject(`error: option '${key} <mode>' argument '${value}' is invalid. Allowed choices are ${spec.choices.join(", ")}.`, 1);
        if (style === "clap") reject(`error: invalid value '${value}' for '${key} <VALUE>'\n  [possible values: ${spec.choices.join(", ")}]`, 2);
        reject(`Invalid values:\n  Argument: ${key.replace(/^-+/, "")}, Given: "${value}", Choices: ${spec.choices.map((c) => `"${c}"`).join(", ")}`, 1);
      }
    }
    // Repeated and variadic values are kept newline-joined.
    const prev = flags.get(key);
    const joined = values.join("\n");
    flags.set(key, typeof prev === "string" ? `${prev}\n${joined}` : joined);
  }
  return { flags, positionals };
}

export async function readStdin(): Promise<string> {
  return await Bun.stdin.text();
}

function record(cli: string, argv: string[], prompt: string, vars: Record<string, string>): void {
  const log = process.env.FAKE_LOG;
  if (log) appendFileSync(log, `${JSON.stringify({ cli, argv, prompt, cwd: process.cwd(), pid: process.pid, vars })}\n`);
  const pids = process.env.FAKE_PID_DIR;
  if (pids) writeFileSync(join(pids, String(process.pid)), cli);
}

/** Session bookkeeping so a resume of an id the fake never issued fails like the real CLI. */
export function sessionState(cli: string) {
  const dir = join(process.env.FAKE_STATE ?? "/tmp/clickclack-fake-state", cli);
  mkdirSync(dir, { recursive: true });
  return {
    exists: (id: string) => /^[A-Za-z0-9-]+$/.test(id) && existsSync(join(dir, id)),
    create: (id: string) => {
      if (!existsSync(join(dir, id))) writeFileSync(join(dir, id), "{}");
    },
    /** Per-session data the real CLI keeps in its session files (e.g. codex's thread totals). */
    read: (id: string): Record<string, unknown> => {
      try {
        return JSON.parse(readFileSync(join(dir, id), "utf8") || "{}") as Record<string, unknown>;
      } catch {
        return {};
      }
    },
    write: (id: string, data: Record<string, unknown>) => writeFileSync(join(dir, id), JSON.stringify(data)),
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
  transform: (line: string) => string = (l) => l,
): Promise<never> {
  record(cli, argv, prompt, vars);
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
      await writeOut(`${transform(line)}\n`);
    }
  }
  process.exit(0);
}
