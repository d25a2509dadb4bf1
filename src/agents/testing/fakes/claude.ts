// Fake `claude` (Claude Code). Accepts exactly the print-mode flags the adapter may send.
import { fail, parseFlags, readStdin, replay, sessionState } from "./core.ts";

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === "--version") {
  console.log("2.0.37 (Claude Code)");
  process.exit(0);
}

const { flags, positionals } = parseFlags("claude", argv, [
  { names: ["-p", "--print"], value: false },
  { names: ["--output-format"], value: true, choices: ["text", "json", "stream-json"] },
  { names: ["--verbose"], value: false },
  { names: ["--include-partial-messages"], value: false },
  { names: ["--model"], value: true },
  { names: ["--permission-mode"], value: true, choices: ["acceptEdits", "bypassPermissions", "default", "plan"] },
  { names: ["--max-turns"], value: true },
  { names: ["--append-system-prompt"], value: true },
  { names: ["--resume", "-r"], value: true },
  { names: ["--fork-session"], value: false },
  { names: ["--no-session-persistence"], value: false },
]);

// The prompt must come on stdin: any positional means it leaked into argv.
if (positionals.length > 0) fail("claude", `unexpected positional argument(s): ${JSON.stringify(positionals)}`);
if (!flags.has("-p")) fail("claude", "expected -p (print mode)");
if (flags.get("--output-format") !== "stream-json") fail("claude", "expected --output-format stream-json");
if (!flags.has("--verbose")) fail("claude", "When using --print, --output-format=stream-json requires --verbose", 1);
if (!flags.has("--include-partial-messages")) fail("claude", "expected --include-partial-messages");
const turns = flags.get("--max-turns");
if (typeof turns === "string" && !/^[1-9]\d*$/.test(turns)) fail("claude", `invalid --max-turns ${turns}`);
if (flags.has("--fork-session") && !flags.has("--resume")) fail("claude", "--fork-session requires --resume");

const prompt = await readStdin();
if (!prompt.trim()) fail("claude", "Input must be provided either through stdin or as a prompt argument when using --print", 1);

const state = sessionState("claude");
const resume = flags.get("--resume");
let sessionId: string;
if (typeof resume === "string") {
  if (!state.exists(resume)) fail("claude", `No conversation found with session ID: ${resume}`, 1);
  sessionId = flags.has("--fork-session") ? crypto.randomUUID() : resume;
} else {
  sessionId = crypto.randomUUID();
}
if (!flags.has("--no-session-persistence")) state.create(sessionId);

const model = flags.get("--model");
await replay("claude", argv, prompt, {
  SESSION_ID: sessionId,
  CWD: process.cwd(),
  MODEL: typeof model === "string" ? model : "claude-sonnet-4-5-20250929",
  PERMISSION_MODE: String(flags.get("--permission-mode") ?? "default"),
  RESUMED: typeof resume === "string" ? `resumed ${resume}` : "new",
});
