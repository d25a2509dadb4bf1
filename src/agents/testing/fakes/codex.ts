// Fake `codex` (codex-cli 0.117). Models `codex exec [OPTIONS] [PROMPT]` and
// `codex exec [OPTIONS] resume [OPTIONS] <SESSION_ID> [PROMPT]` with clap's rules: only
// global options (--json, -m, -c, --ephemeral, --skip-git-repo-check, …) are accepted after
// `resume`; exec-level ones (--sandbox, -C, --add-dir) must come before it. Like the real
// exec it never asks for approval, whatever -c approval_policy says, and on a resumed
// thread turn.completed reports the thread's running totals, not this run's.
import { existsSync, statSync } from "node:fs";
import { type FlagSpec, fail, helpText, parseFlags, readStdin, reject, replay, sessionState } from "./core.ts";

export const VERSION = "codex-cli 0.117.0";

export const GLOBAL: FlagSpec[] = [
  { names: ["--json", "--experimental-json"], value: false, help: "Print events to stdout as JSONL" },
  { names: ["--skip-git-repo-check"], value: false, help: "Allow running Codex outside a Git repository" },
  { names: ["--ephemeral"], value: false, help: "Run without persisting session files to disk" },
  { names: ["--ignore-user-config"], value: false, help: "Do not load $CODEX_HOME/config.toml" },
  { names: ["--ignore-rules"], value: false, help: "Do not load execpolicy .rules files" },
  { names: ["--output-last-message", "-o"], value: true, help: "File where the last agent message is written" },
  { names: ["--model", "-m"], value: true, help: "Model the agent should use" },
  { names: ["--dangerously-bypass-approvals-and-sandbox", "--yolo"], value: false, help: "Skip all confirmation prompts and sandboxing" },
  { names: ["--config", "-c"], value: true, repeatable: true, help: "Override a configuration value (key=value, TOML)" },
];
export const EXEC_ONLY: FlagSpec[] = [
  { names: ["--image", "-i"], value: true, repeatable: true, help: "Image(s) to attach to the initial prompt" },
  { names: ["--oss"], value: false, help: "Use open-source provider" },
  { names: ["--local-provider"], value: true, help: "Local provider (lmstudio or ollama)" },
  { names: ["--profile", "-p"], value: true, help: "Configuration profile from config.toml" },
  { names: ["--sandbox", "-s"], value: true, choices: ["read-only", "workspace-write", "danger-full-access"], help: "Sandbox policy for model-generated shell commands" },
  { names: ["--cd", "-C"], value: true, help: "Use the specified directory as the working root" },
  { names: ["--add-dir"], value: true, repeatable: true, help: "Additional writable directories" },
  { names: ["--output-schema"], value: true, help: "JSON Schema file for the final response" },
  { names: ["--color"], value: true, choices: ["always", "never", "auto"], help: "Color settings for the output" },
  { names: ["--help", "-h"], value: false, help: "Print help" },
  { names: ["--version", "-V"], value: false, help: "Print version" },
];
const RESUME_ONLY: FlagSpec[] = [
  { names: ["--last"], value: false, help: "Resume the most recent session" },
  { names: ["--all"], value: false, help: "Show all sessions" },
  { names: ["--image", "-i"], value: true, repeatable: true, help: "Images to attach" },
];

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  console.log(VERSION);
  process.exit(0);
}
if (argv.length === 1 && (argv[0] === "--help" || argv[0] === "-h")) {
  process.stdout.write(helpText("Codex CLI\n\nUsage: codex [OPTIONS] [PROMPT]\n       codex exec [OPTIONS] [PROMPT]", [...GLOBAL, ...EXEC_ONLY]));
  process.exit(0);
}
if (argv[0] !== "exec") fail("codex", `expected the exec subcommand, got ${JSON.stringify(argv[0])}`);

const rest = argv.slice(1);
if (rest.length === 1 && (rest[0] === "--help" || rest[0] === "-h")) {
  process.stdout.write(helpText("Usage: codex exec [OPTIONS] [PROMPT]\n       codex exec [OPTIONS] <COMMAND> [ARGS]", [...GLOBAL, ...EXEC_ONLY]));
  process.exit(0);
}
const resumeAt = rest.indexOf("resume");
const head = resumeAt >= 0 ? rest.slice(0, resumeAt) : rest;
const tail = resumeAt >= 0 ? rest.slice(resumeAt + 1) : [];

const top = parseFlags("codex", head, [...GLOBAL, ...EXEC_ONLY], "clap");
const sub = parseFlags("codex", tail, [...GLOBAL, ...RESUME_ONLY], "clap");
const flags = new Map([...top.flags, ...sub.flags]);

let resumeId: string | undefined;
let promptArgs: string[];
if (resumeAt >= 0) {
  if (top.positionals.length > 0) reject(`error: unexpected argument '${top.positionals[0]}' found`, 2);
  [resumeId, ...promptArgs] = sub.positionals;
  if (!resumeId) reject("error: a SESSION_ID or --last is required", 2);
} else {
  promptArgs = top.positionals;
}
if (promptArgs.length > 1) reject(`error: unexpected argument '${promptArgs[1]}' found`, 2);
// What ClickClack promises: the prompt is "-" (read stdin), never literal text in argv.
if (promptArgs[0] !== "-") fail("codex", `expected the prompt placeholder "-", got ${JSON.stringify(promptArgs)}`);
if (!flags.has("--json")) fail("codex", "expected --json");

const cd = flags.get("--cd");
if (typeof cd === "string" && (!existsSync(cd) || !statSync(cd).isDirectory())) reject(`Error: -C ${cd}: No such file or directory (os error 2)`, 1);
for (const dir of String(flags.get("--add-dir") ?? "").split("\n").filter(Boolean)) {
  if (!existsSync(dir)) reject(`Error: --add-dir ${dir}: No such file or directory (os error 2)`, 1);
}

// -c takes any dotted TOML key; the value must parse as TOML (we accept JSON-compatible literals).
const config: Record<string, unknown> = {};
for (const kv of String(flags.get("--config") ?? "").split("\n").filter(Boolean)) {
  const m = /^([A-Za-z0-9_.-]+)=(.*)$/s.exec(kv);
  if (!m) reject(`Error: Invalid override (missing '='): ${kv}`, 2);
  const [, key, raw] = m as unknown as [string, string, string];
  try {
    config[key] = JSON.parse(raw);
  } catch {
    // Bare words are TOML strings for codex's override parser.
    config[key] = raw;
  }
}
if (config.developer_instructions !== undefined && typeof config.developer_instructions !== "string") {
  reject("Error: developer_instructions must be a string", 1);
}

const prompt = await readStdin();
if (!prompt.trim()) reject("No prompt provided via stdin.", 1);

const state = sessionState("codex");
let threadId: string;
if (resumeId) {
  if (!state.exists(resumeId)) reject(`Error: no rollout found for thread id ${resumeId}`, 1);
  threadId = resumeId;
} else {
  threadId = crypto.randomUUID();
}
const persist = !flags.has("--ephemeral");
if (persist) state.create(threadId);

// turn.completed carries the thread's cumulative totals (codex's total_token_usage).
const totals = { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, ...(persist ? (state.read(threadId).totals as object) : {}) } as Record<string, number>;
function cumulative(line: string): string {
  if (!line.includes('"turn.completed"')) return line;
  const ev = JSON.parse(line) as { usage: Record<string, number> };
  for (const k of Object.keys(totals)) totals[k] = (totals[k] ?? 0) + (ev.usage[k] ?? 0);
  if (persist) state.write(threadId, { totals });
  return JSON.stringify({ ...ev, usage: { ...totals } });
}

await replay(
  "codex",
  argv,
  prompt,
  {
    SESSION_ID: threadId,
    CWD: typeof cd === "string" ? cd : process.cwd(),
    SANDBOX: String(flags.get("--sandbox") ?? (flags.has("--dangerously-bypass-approvals-and-sandbox") ? "none" : "read-only")),
    DEVELOPER_INSTRUCTIONS_BYTES: String(Buffer.byteLength(String(config.developer_instructions ?? ""))),
  },
  cumulative,
);
