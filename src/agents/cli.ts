// `clickclack agent …`: dispatch, the flags shared by every run-like command, and run/resume.
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { isApprovalMode, isBackendName, isSandboxMode } from "./backends/types.ts";
import { eventPrinter, exitCodeFor, isOutputFormat, type OutputFormat, printResult } from "./cli-output.ts";
import { EXIT_HELP } from "../cli/exit.ts";
import { AgentError, EXIT, sessionError, usageError } from "./errors.ts";
import { type RunOptions, runAgent } from "./run.ts";
import { defaultDbPath, SessionStore } from "./sessions.ts";
import { applyProfile, findProfiles, getProfile } from "./profiles.ts";
import { parseDuration } from "./spec.ts";

export const HELP = `Usage: clickclack agent <command> [options]

Commands
  run "prompt"                 run a prompt ("-" reads it from stdin; use -- before a prompt starting with -)
  resume [id] ["prompt"]       continue a session (id or unique prefix, --last, or --here)
  sessions list|show|delete|clean --older-than 30d
  parallel -f tasks.json       run tasks concurrently [--max-parallel N] [--fail-fast]
  compare "prompt" --backends claude,codex [--sequential]
  chain -f chain.json          steps may use {{previous}} and {{steps.<name>.output}}
  backends                     which CLIs are installed
  serve                        HTTP gateway (REST, OpenAI- and Anthropic-compatible)
  bridge                       answer in chat as a bot (@mentions, threads, DMs; see bridge --help)
  mcp                          MCP server on stdio: run, parallel, compare, chain, sessions (see mcp --help)

Run options
  -b, --backend claude|codex|gemini   (default claude)
  -m, --model fast|balanced|best|<model id>
  -w, --workdir DIR            working directory (default: current)
  -o, --output text|json|stream-json
      --approval ask|auto|never-ask   --sandbox read-only|workspace|full
      --max-turns N  --system-prompt TEXT  --timeout 10m  --idle-timeout 2m
      --title T  --tag T (repeatable)  --auto-resume  --ephemeral  --dry-run  -v, --verbose
  -p, --profile NAME           a team profile from $CLICKCLACK_AGENT_PROFILES or ./.clickclack/agents.json

${EXIT_HELP}
Sessions are stored in $CLICKCLACK_AGENTS_DB (default ~/.clickclack/agents.db).
`;

export const RUN_FLAGS = {
  backend: { type: "string", short: "b" },
  model: { type: "string", short: "m" },
  workdir: { type: "string", short: "w" },
  output: { type: "string", short: "o" },
  approval: { type: "string" },
  sandbox: { type: "string" },
  "max-turns": { type: "string" },
  "system-prompt": { type: "string" },
  timeout: { type: "string" },
  "idle-timeout": { type: "string" },
  title: { type: "string" },
  tag: { type: "string", multiple: true },
  "auto-resume": { type: "boolean" },
  ephemeral: { type: "boolean" },
  "dry-run": { type: "boolean" },
  profile: { type: "string", short: "p" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

type Values = Record<string, string | boolean | string[] | undefined>;

export function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T) {
  return parseArgs({ args, options, allowPositionals: true, strict: true } as const);
}

const s = (v: Values, k: string): string | undefined => (typeof v[k] === "string" ? (v[k] as string) : undefined);

export function outputFormat(v: Values): OutputFormat {
  const o = s(v, "output") ?? "text";
  if (!isOutputFormat(o)) throw usageError(`--output must be text, json or stream-json`);
  return o;
}

/** Run options from the shared flags (everything but the prompt and session choice). */
export function runOptionsFromFlags(v: Values): Omit<RunOptions, "prompt"> {
  const o: Omit<RunOptions, "prompt"> = {};
  const backend = s(v, "backend");
  if (backend !== undefined) {
    if (!isBackendName(backend)) throw usageError("--backend must be claude, codex or gemini");
    o.backend = backend;
  }
  const model = s(v, "model");
  if (model) o.model = model;
  const workdir = s(v, "workdir");
  if (workdir) o.workdir = workdir;
  const approval = s(v, "approval");
  if (approval !== undefined) {
    if (!isApprovalMode(approval)) throw usageError("--approval must be ask, auto or never-ask");
    o.approval = approval;
  }
  const sandbox = s(v, "sandbox");
  if (sandbox !== undefined) {
    if (!isSandboxMode(sandbox)) throw usageError("--sandbox must be read-only, workspace or full");
    o.sandbox = sandbox;
  }
  const turns = s(v, "max-turns");
  if (turns !== undefined) {
    const n = Number(turns);
    if (!Number.isInteger(n) || n < 1) throw usageError("--max-turns must be a positive integer");
    o.maxTurns = n;
  }
  const system = s(v, "system-prompt");
  if (system) o.systemPrompt = system;
  const timeout = s(v, "timeout");
  if (timeout) o.timeoutMs = parseDuration(timeout, "--timeout");
  const idle = s(v, "idle-timeout");
  if (idle) o.idleTimeoutMs = parseDuration(idle, "--idle-timeout");
  const title = s(v, "title");
  if (title) o.title = title;
  if (Array.isArray(v.tag)) o.tags = v.tag;
  if (v["auto-resume"] === true) o.autoResume = true;
  if (v.ephemeral === true) o.ephemeral = true;
  if (v["dry-run"] === true) o.dryRun = true;
  const profile = s(v, "profile");
  if (profile) {
    // The team's checked-in file: $CLICKCLACK_AGENT_PROFILES or .clickclack/agents.json here.
    const profiles = findProfiles(resolve(o.workdir ?? process.cwd()));
    return applyProfile({ ...o, prompt: "" }, getProfile(profiles, profile));
  }
  return o;
}

export async function readPrompt(arg: string | undefined): Promise<string> {
  if (arg === undefined) throw usageError('missing prompt (pass it as an argument, or "-" to read stdin)');
  const prompt = arg === "-" ? await Bun.stdin.text() : arg;
  if (prompt.trim() === "") throw usageError("prompt is empty");
  return prompt;
}

export function openStore(): SessionStore {
  return new SessionStore(defaultDbPath());
}

/**
 * Runs `fn` with a signal that Ctrl-C / SIGTERM aborts, so the agent's process group is
 * killed and we exit 130. A second Ctrl-C exits at once.
 */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; interrupted: boolean }> {
  const ac = new AbortController();
  let count = 0;
  const onSignal = () => {
    count += 1;
    if (count > 1) process.exit(EXIT.interrupted);
    ac.abort(new Error("interrupted"));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const value = await fn(ac.signal);
    return { value, interrupted: ac.signal.aborted };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function execute(opts: RunOptions, format: OutputFormat, verbose: boolean): Promise<number> {
  const store = opts.ephemeral ? undefined : openStore();
  try {
    const printer = eventPrinter(format, verbose);
    const { value: result, interrupted } = await withInterrupt((signal) =>
      runAgent(opts, { signal, onEvent: printer.event, ...(store ? { store } : {}) }),
    );
    printer.end();
    printResult(format, result);
    return interrupted ? EXIT.interrupted : exitCodeFor(result);
  } finally {
    store?.close();
  }
}

async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, RUN_FLAGS);
  if (values.help) return help();
  if (positionals.length > 1) throw usageError('quote the prompt as one argument (or use "-" for stdin)');
  const prompt = await readPrompt(positionals[0]);
  return execute({ ...runOptionsFromFlags(values), prompt }, outputFormat(values), values.verbose === true);
}

const RESUME_FLAGS = {
  ...RUN_FLAGS,
  last: { type: "boolean" },
  here: { type: "boolean" },
  fork: { type: "boolean" },
} as const satisfies ParseArgsConfig["options"];

async function resumeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, RESUME_FLAGS);
  if (values.help) return help();
  if (values.last && values.here) throw usageError("use --last or --here, not both");
  const flags = runOptionsFromFlags(values);
  const byPosition = !values.last && !values.here;
  if (byPosition && positionals.length === 0) throw usageError("resume needs a session id, --last or --here");
  if (positionals.length > (byPosition ? 2 : 1)) throw usageError("quote the prompt as one argument");
  let ref = byPosition ? positionals[0] : undefined;
  if (!byPosition) {
    const store = openStore();
    try {
      const filter = values.here
        ? { workdir: realpathSync(resolve(flags.workdir ?? process.cwd())), ...(flags.backend ? { backend: flags.backend } : {}) }
        : flags.backend
          ? { backend: flags.backend }
          : {};
      // "My last session": the operator's own runs, not a gateway client's.
      const last = store.last({ ...filter, operatorOnly: true });
      if (!last) throw sessionError(values.here ? "no session in this directory" : "no sessions yet");
      ref = last.id;
    } finally {
      store.close();
    }
  }
  const prompt = await readPrompt(byPosition ? positionals[1] : positionals[0]);
  const opts: RunOptions = { ...flags, prompt, resume: ref };
  if (values.fork) opts.fork = true;
  return execute(opts, outputFormat(values), values.verbose === true);
}

function help(): number {
  process.stdout.write(HELP);
  return EXIT.ok;
}

/** --help or -h before any `--` (after it, they are prompt text). */
function wantsHelp(args: string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

function isParseArgsError(e: unknown): e is Error {
  const code = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

export async function agentCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case "run":
        return await runCommand(rest);
      case "resume":
        return await resumeCommand(rest);
      case "sessions":
        if (wantsHelp(rest)) return help();
        return await (await import("./cli-sessions.ts")).sessionsCommand(rest);
      case "backends":
        if (wantsHelp(rest)) return help();
        return await (await import("./cli-sessions.ts")).backendsCommand(rest);
      case "parallel":
      case "compare":
      case "chain":
        return await (await import("./cli-orchestrate.ts")).orchestrateCommand(sub, rest);
      case "serve":
        return await (await import("./gateway/command.ts")).serveCommand(rest);
      case "bridge":
        return await (await import("./bridge/command.ts")).bridgeCommand(rest);
      case "mcp":
        return await (await import("./mcp/command.ts")).mcpCommand(rest);
      case "approval-relay":
        if (wantsHelp(rest)) {
          process.stdout.write("Usage: clickclack agent approval-relay\n\nThe MCP permission tool the bridge hands Claude Code (--approvals-in-chat); not run by hand.\n");
          return EXIT.ok;
        }
        return await (await import("./approvals/relay.ts")).relayCommand();
      case "help":
      case "--help":
      case "-h":
        return help();
      default:
        process.stderr.write(sub === undefined ? HELP : `clickclack agent: unknown command "${sub}"\n\n${HELP}`);
        return EXIT.usage;
    }
  } catch (e) {
    if (e instanceof AgentError) {
      process.stderr.write(`clickclack agent: ${e.message}\n`);
      return e.exitCode;
    }
    if (isParseArgsError(e)) {
      const hint = /'-/.test(e.message) || /Unknown option/.test(e.message)
        ? '\n(a prompt that starts with "-" goes after --, or on stdin with "-")'
        : "";
      process.stderr.write(`clickclack agent: ${e.message}${hint}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}
