// Fake `gemini` (Gemini CLI 0.55). yargs in strict mode: unknown flags fail. Headless when
// stdin is piped (our case). Its rules that matter to us are modelled: --yolo and
// --approval-mode exclude each other, and --sandbox needs docker or podman on Linux (there is
// no other sandbox there) or the run fails before it starts.
import { type FlagSpec, fail, helpText, parseFlags, readStdin, reject, replay, sessionState } from "./core.ts";

export const VERSION = "0.55.0";

export const FLAGS: FlagSpec[] = [
  { names: ["--debug", "-d"], value: false, help: "Run in debug mode" },
  { names: ["--model", "-m"], value: true, help: "Model" },
  { names: ["--prompt", "-p"], value: true, help: "Run in non-interactive (headless) mode with the given prompt" },
  { names: ["--prompt-interactive", "-i"], value: true, help: "Execute the prompt and continue interactively" },
  { names: ["--skip-trust"], value: false, help: "Trust the current workspace for this session" },
  { names: ["--worktree", "-w"], value: true, help: "Start Gemini in a new git worktree" },
  { names: ["--sandbox", "-s"], value: false, help: "Run in sandbox?" },
  { names: ["--yolo", "-y"], value: false, help: "Automatically accept all actions" },
  { names: ["--approval-mode"], value: true, choices: ["default", "auto_edit", "yolo", "plan"], help: "Set the approval mode" },
  { names: ["--policy"], value: true, variadic: true, help: "Additional policy files or directories" },
  { names: ["--admin-policy"], value: true, variadic: true, help: "Additional admin policy files" },
  { names: ["--acp"], value: false, help: "Starts the agent in ACP mode" },
  { names: ["--allowed-mcp-server-names"], value: true, variadic: true, help: "Allowed MCP server names" },
  { names: ["--allowed-tools"], value: true, variadic: true, help: "[DEPRECATED] Tools allowed without confirmation" },
  { names: ["--extensions", "-e"], value: true, variadic: true, help: "Extensions to use" },
  { names: ["--list-extensions", "-l"], value: false, help: "List all available extensions and exit" },
  { names: ["--resume", "-r"], value: true, help: 'Resume a previous session ("latest", index or UUID)' },
  { names: ["--session-file"], value: true, help: "Load a session from a JSON file" },
  { names: ["--session-id"], value: true, help: "Start a new session with a provided UUID" },
  { names: ["--list-sessions"], value: false, help: "List available sessions and exit" },
  { names: ["--delete-session"], value: true, help: "Delete a session by index" },
  { names: ["--include-directories"], value: true, variadic: true, help: "Additional workspace directories" },
  { names: ["--screen-reader"], value: false, help: "Screen reader mode" },
  { names: ["--output-format", "-o"], value: true, choices: ["text", "json", "stream-json"], help: "The format of the CLI output" },
  { names: ["--raw-output"], value: false, help: "Disable sanitization of model output" },
  { names: ["--accept-raw-output-risk"], value: false, help: "Suppress the --raw-output warning" },
  { names: ["--version", "-v"], value: false, help: "Show version number" },
  { names: ["--help", "-h"], value: false, help: "Show help" },
];

const argv = process.argv.slice(2);
const { flags, positionals } = parseFlags("gemini", argv, FLAGS, "yargs");
if (flags.has("--version")) {
  console.log(VERSION);
  process.exit(0);
}
if (flags.has("--help")) {
  process.stdout.write(helpText("Usage: gemini [options] [command]\n\nGemini CLI - Defaults to interactive mode. Use -p/--prompt for non-interactive (headless) mode.", FLAGS));
  process.exit(0);
}
if (flags.has("--yolo") && flags.has("--approval-mode")) {
  reject("Cannot use both --yolo (-y) and --approval-mode together. Use --approval-mode=yolo instead.", 1);
}
if ([flags.has("--resume"), flags.has("--session-id"), flags.has("--session-file")].filter(Boolean).length > 1) {
  reject("The flags --resume, --session-id, and --session-file are mutually exclusive. Please provide only one.", 1);
}
if (flags.has("--sandbox") || process.env.GEMINI_SANDBOX) {
  const path = process.env.PATH ?? "";
  const has = (bin: string) => Bun.which(bin, { PATH: path }) !== null;
  if (process.platform === "linux" && !has("docker") && !has("podman")) {
    reject("FatalSandboxError: Failed to determine command for sandbox.\ninstall docker or podman or specify command in GEMINI_SANDBOX", 1);
  }
}

// What ClickClack promises: prompt only on stdin, stream-json output.
if (positionals.length > 0 || flags.has("--prompt")) fail("gemini", `unexpected prompt in argv: ${JSON.stringify(positionals)}`);
if (flags.get("--output-format") !== "stream-json") fail("gemini", "expected --output-format stream-json");

const prompt = await readStdin();
if (!prompt.trim()) reject("No input provided via stdin.", 42);

const state = sessionState("gemini");
const resume = flags.get("--resume");
let sessionId: string;
if (typeof resume === "string") {
  if (!state.exists(resume)) reject(`Error resuming session: Invalid session identifier "${resume}".`, 42);
  sessionId = resume;
} else {
  sessionId = crypto.randomUUID();
}
state.create(sessionId);

const model = flags.get("--model");
await replay("gemini", argv, prompt, {
  SESSION_ID: sessionId,
  MODEL: typeof model === "string" ? model : "gemini-2.5-pro",
  APPROVAL_MODE: String(flags.get("--approval-mode") ?? "default"),
});
