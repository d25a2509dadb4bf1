// Fake `gemini` (Gemini CLI) in headless stream-json mode with the prompt on stdin.
import { fail, parseFlags, readStdin, replay, sessionState } from "./core.ts";

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === "--version") {
  console.log("0.15.3");
  process.exit(0);
}

const { flags, positionals } = parseFlags("gemini", argv, [
  { names: ["--output-format", "-o"], value: true, choices: ["text", "json", "stream-json"] },
  { names: ["--model", "-m"], value: true },
  { names: ["--approval-mode"], value: true, choices: ["default", "auto_edit", "yolo", "plan"] },
  { names: ["--yolo", "-y"], value: false },
  { names: ["--sandbox", "-s"], value: false },
  { names: ["--resume", "-r"], value: true },
]);

if (positionals.length > 0) fail("gemini", `unexpected positional argument(s): ${JSON.stringify(positionals)}`);
if (flags.get("--output-format") !== "stream-json") fail("gemini", "expected --output-format stream-json");
if (flags.has("--yolo") && flags.has("--approval-mode")) {
  fail("gemini", "Cannot use both --yolo (-y) and --approval-mode together. Use --approval-mode=yolo instead.", 1);
}

const prompt = await readStdin();
if (!prompt.trim()) fail("gemini", "No input provided via stdin.", 1);

const state = sessionState("gemini");
const resume = flags.get("--resume");
let sessionId: string;
if (typeof resume === "string") {
  if (!state.exists(resume)) fail("gemini", `Error resuming session: Invalid session identifier "${resume}".`, 42);
  sessionId = resume;
} else {
  sessionId = crypto.randomUUID();
}
state.create(sessionId);

const model = flags.get("--model");
await replay("gemini", argv, prompt, {
  SESSION_ID: sessionId,
  MODEL: typeof model === "string" ? model : "gemini-2.5-pro",
});
