// Fake `claude` (Claude Code 2.1.x). Its flag table is the current CLI reference's, so a
// flag the real CLI does not know fails here exactly as commander fails it there; on top
// of that it checks what we promise (prompt on stdin only, stream-json with partials).
import { existsSync, readFileSync, statSync } from "node:fs";
import { type FlagSpec, fail, helpText, parseFlags, readStdin, reject, replay, scenarioOf, sessionState } from "./core.ts";

export const VERSION = "2.1.191 (Claude Code)";

const PERMISSION_MODES = ["acceptEdits", "auto", "bypassPermissions", "default", "dontAsk", "plan"];
export const FLAGS: FlagSpec[] = [
  { names: ["-p", "--print"], value: false, help: "Print response and exit (useful for pipes)" },
  { names: ["--output-format"], value: true, choices: ["text", "json", "stream-json"], help: "Output format (only works with --print)" },
  { names: ["--input-format"], value: true, choices: ["text", "stream-json"], help: "Input format (only works with --print)" },
  { names: ["--verbose"], value: false, help: "Override verbose mode setting from config" },
  { names: ["--include-partial-messages"], value: false, help: "Include partial message chunks as they arrive" },
  { names: ["--model"], value: true, help: "Model for the current session (alias or full name)" },
  { names: ["--fallback-model"], value: true, help: "Fallback model when the default is overloaded (print mode)" },
  { names: ["--effort"], value: true, choices: ["low", "medium", "high", "xhigh", "max"], help: "Reasoning effort" },
  { names: ["--permission-mode"], value: true, choices: PERMISSION_MODES, help: "Permission mode to use for the session" },
  { names: ["--dangerously-skip-permissions"], value: false, help: "Bypass all permission checks" },
  { names: ["--allow-dangerously-skip-permissions"], value: false, help: "Enable bypassing permissions as an option" },
  { names: ["--permission-prompt-tool"], value: true, help: "MCP tool to handle permission prompts (print mode)" },
  { names: ["--allowedTools", "--allowed-tools"], value: true, variadic: true, help: "Tools allowed without prompting" },
  { names: ["--disallowedTools", "--disallowed-tools"], value: true, variadic: true, help: "Tools denied" },
  { names: ["--tools"], value: true, variadic: true, help: "Built-in tools available" },
  { names: ["--add-dir"], value: true, variadic: true, help: "Additional directories to allow tool access to" },
  { names: ["--mcp-config"], value: true, variadic: true, help: "Load MCP servers from JSON files or strings" },
  { names: ["--strict-mcp-config"], value: false, help: "Only use MCP servers from --mcp-config" },
  { names: ["--settings"], value: true, help: "Path to a settings JSON file or a JSON string" },
  { names: ["--setting-sources"], value: true, help: "Comma-separated setting sources to load (user, project, local)" },
  { names: ["--max-turns"], value: true, help: "Maximum agentic turns (print mode)" },
  { names: ["--max-budget-usd"], value: true, help: "Maximum dollar amount to spend on API calls (print mode)" },
  { names: ["--system-prompt"], value: true, help: "System prompt to use for the session" },
  { names: ["--system-prompt-file"], value: true, help: "Read the system prompt from a file (print mode)" },
  { names: ["--append-system-prompt"], value: true, help: "Append a system prompt to the default" },
  { names: ["--append-system-prompt-file"], value: true, help: "Append a system prompt read from a file (print mode)" },
  { names: ["--json-schema"], value: true, help: "JSON Schema for structured output" },
  { names: ["--continue", "-c"], value: false, help: "Continue the most recent conversation" },
  { names: ["--resume", "-r"], value: true, help: "Resume a conversation by session ID" },
  { names: ["--fork-session"], value: false, help: "When resuming, create a new session ID" },
  { names: ["--session-id"], value: true, help: "Use a specific session ID (UUID)" },
  { names: ["--no-session-persistence"], value: false, help: "Do not save the session to disk (print mode)" },
  { names: ["--debug", "-d"], value: false, help: "Enable debug mode" },
  { names: ["--help", "-h"], value: false, help: "Display help for command" },
  { names: ["--version", "-v"], value: false, help: "Output the version number" },
];

const argv = process.argv.slice(2);
const { flags, positionals } = parseFlags("claude", argv, FLAGS, "commander");
if (flags.has("--version")) {
  console.log(VERSION);
  process.exit(0);
}
if (flags.has("--help")) {
  process.stdout.write(helpText("Usage: claude [options] [command] [prompt]", FLAGS));
  process.exit(0);
}

// The real CLI's own rules.
const printOnly = ["--max-turns", "--max-budget-usd", "--system-prompt-file", "--append-system-prompt-file", "--no-session-persistence", "--permission-prompt-tool", "--fallback-model"];
if (!flags.has("-p")) {
  for (const f of printOnly) if (flags.has(f)) reject(`error: ${f} only works with --print`, 1);
}
if (flags.get("--output-format") === "stream-json" && !flags.has("--verbose")) {
  reject("Error: When using --print, --output-format=stream-json requires --verbose", 1);
}
if (flags.has("--system-prompt") && flags.has("--system-prompt-file")) reject("Error: Cannot use both --system-prompt and --system-prompt-file", 1);
if (flags.has("--append-system-prompt") && flags.has("--append-system-prompt-file")) {
  reject("Error: Cannot use both --append-system-prompt and --append-system-prompt-file", 1);
}
for (const f of ["--max-turns"]) {
  const v = flags.get(f);
  if (typeof v === "string" && !/^[1-9]\d*$/.test(v)) reject(`error: option '${f} <turns>' argument '${v}' is invalid`, 1);
}
const budget = flags.get("--max-budget-usd");
if (typeof budget === "string" && !(Number(budget) > 0)) reject(`error: option '--max-budget-usd <amount>' argument '${budget}' is invalid`, 1);
if (flags.has("--fork-session") && !flags.has("--resume") && !flags.has("--continue")) {
  reject("Error: --fork-session requires --resume or --continue", 1);
}
function fileArg(flag: string): string | undefined {
  const path = flags.get(flag);
  if (typeof path !== "string") return undefined;
  if (!existsSync(path) || !statSync(path).isFile()) reject(`Error: ${flag} file not found: ${path}`, 1);
  return readFileSync(path, "utf8");
}
const appendedPrompt = fileArg("--append-system-prompt-file") ?? (flags.get("--append-system-prompt") as string | undefined);
let settings: Record<string, unknown> = {};
const settingsArg = flags.get("--settings");
if (typeof settingsArg === "string") {
  const text = settingsArg.trim().startsWith("{") ? settingsArg : existsSync(settingsArg) ? readFileSync(settingsArg, "utf8") : reject(`Error: Settings file not found: ${settingsArg}`, 1);
  try {
    settings = JSON.parse(text) as Record<string, unknown>;
  } catch {
    reject("Error: Invalid JSON provided to --settings", 1);
  }
}
for (const dir of String(flags.get("--add-dir") ?? "").split("\n").filter(Boolean)) {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) reject(`Error: --add-dir ${dir} is not a directory`, 1);
}

// What ClickClack promises on top: headless stream-json with partials, prompt on stdin.
if (positionals.length > 0) fail("claude", `unexpected positional argument(s): ${JSON.stringify(positionals)}`);
if (!flags.has("-p")) fail("claude", "expected -p (print mode)");
if (flags.get("--output-format") !== "stream-json") fail("claude", "expected --output-format stream-json");
if (!flags.has("--include-partial-messages")) fail("claude", "expected --include-partial-messages");

const prompt = await readStdin();
if (!prompt.trim()) reject("Error: Input must be provided either through stdin or as a prompt argument when using --print", 1);

const state = sessionState("claude");
const resume = flags.get("--resume");
let sessionId: string;
if (typeof resume === "string") {
  if (!state.exists(resume)) reject(`No conversation found with session ID: ${resume}`, 1);
  sessionId = flags.has("--fork-session") ? crypto.randomUUID() : resume;
} else {
  sessionId = crypto.randomUUID();
}
if (!flags.has("--no-session-persistence")) state.create(sessionId);

// Claude Code asks its --permission-prompt-tool (an MCP tool from --mcp-config) before a tool
// its mode does not allow; scenario:permission plays that: it wants to run `rm -rf build/`.
async function askPermission(): Promise<string> {
  const tool = flags.get("--permission-prompt-tool");
  if (typeof tool !== "string") return "no prompt tool (denied)";
  const [, server, name] = /^mcp__(.+)__([^_].*)$/.exec(tool) ?? [];
  const configs = String(flags.get("--mcp-config") ?? "").split("\n").filter(Boolean).map((c) => JSON.parse(c) as { mcpServers: Record<string, { command: string; args?: string[]; env?: Record<string, string> }> });
  const def = configs.map((c) => c.mcpServers[server ?? ""]).find(Boolean);
  if (!def || !name) reject(`Error: MCP server for ${tool} not found in --mcp-config`, 1);
  const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
  const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
  const client = new Client({ name: "claude-code", version: VERSION });
  await client.connect(new StdioClientTransport({ command: def.command, args: def.args ?? [], env: { ...(process.env as Record<string, string>), ...def.env }, stderr: "ignore" }));
  const out = (await client.callTool({ name, arguments: { tool_name: "Bash", input: { command: "rm -rf build/" }, tool_use_id: "toolu_01" } }, undefined, { timeout: 600_000 })) as { content: Array<{ text: string }> };
  await client.close();
  const decision = JSON.parse(out.content[0]?.text ?? "{}") as { behavior?: string; message?: string };
  return decision.behavior === "allow" ? "allow" : `deny (${decision.message ?? ""})`;
}
const decision = scenarioOf(prompt) === "permission" ? await askPermission() : "";

const model = flags.get("--model");
const sandbox = (settings.sandbox ?? {}) as Record<string, unknown>;
await replay("claude", argv, prompt, {
  SESSION_ID: sessionId,
  CWD: process.cwd(),
  MODEL: typeof model === "string" ? model : "claude-sonnet-5-5",
  PERMISSION_MODE: String(flags.get("--permission-mode") ?? "default"),
  RESUMED: typeof resume === "string" ? `resumed ${resume}` : "new",
  SYSTEM_PROMPT_BYTES: String(Buffer.byteLength(appendedPrompt ?? "")),
  SANDBOX: sandbox.enabled === true ? "enabled" : "off",
  PERMISSION_PROMPT_TOOL: String(flags.get("--permission-prompt-tool") ?? ""),
  DECISION: decision,
});
