// Fake `codex`. Models `codex exec [OPTIONS] [resume <id>] -` with clap's rule that
// exec-level options (--sandbox, -C) are not accepted after the `resume` subcommand.
import { existsSync, statSync } from "node:fs";
import { fail, parseFlags, readStdin, replay, sessionState } from "./core.ts";

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === "--version") {
  console.log("codex-cli 0.58.0");
  process.exit(0);
}
if (argv[0] !== "exec") fail("codex", `expected the exec subcommand, got ${JSON.stringify(argv[0])}`);

const GLOBAL = [
  { names: ["--json", "--experimental-json"], value: false },
  { names: ["--skip-git-repo-check"], value: false },
  { names: ["--ephemeral"], value: false },
  { names: ["--model", "-m"], value: true },
  { names: ["-c", "--config"], value: true },
];
const EXEC_ONLY = [
  { names: ["--sandbox", "-s"], value: true, choices: ["read-only", "workspace-write", "danger-full-access"] },
  { names: ["--cd", "-C"], value: true },
];

const rest = argv.slice(1);
const resumeAt = rest.indexOf("resume");
const head = resumeAt >= 0 ? rest.slice(0, resumeAt) : rest;
const tail = resumeAt >= 0 ? rest.slice(resumeAt + 1) : [];

const top = parseFlags("codex", head, [...GLOBAL, ...EXEC_ONLY]);
const sub = parseFlags("codex", tail, GLOBAL);
const flags = new Map([...top.flags, ...sub.flags]);

let resumeId: string | undefined;
let promptArgs: string[];
if (resumeAt >= 0) {
  if (top.positionals.length > 0) fail("codex", `unexpected argument '${top.positionals[0]}' before resume`);
  [resumeId, ...promptArgs] = sub.positionals;
  if (!resumeId) fail("codex", "resume needs a SESSION_ID (or --last)");
} else {
  promptArgs = top.positionals;
}
// The prompt must be "-" (read stdin): a literal prompt in argv is exactly what we forbid.
if (promptArgs.length !== 1 || promptArgs[0] !== "-") {
  fail("codex", `expected the prompt placeholder "-", got ${JSON.stringify(promptArgs)}`);
}
if (!flags.has("--json")) fail("codex", "expected --json");

const cd = flags.get("--cd");
if (typeof cd === "string" && (!existsSync(cd) || !statSync(cd).isDirectory())) fail("codex", `-C ${cd}: no such directory`, 1);

for (const kv of String(flags.get("-c") ?? "").split("\n").filter(Boolean)) {
  const m = /^([a-z_]+)=(.*)$/s.exec(kv);
  if (!m) fail("codex", `invalid -c override ${kv}`);
  const [, key, value] = m as unknown as [string, string, string];
  if (key === "approval_policy") {
    if (!['"untrusted"', '"on-failure"', '"on-request"', '"never"'].includes(value)) fail("codex", `invalid approval_policy ${value}`);
  } else if (key === "developer_instructions") {
    try {
      if (typeof JSON.parse(value) !== "string") throw new Error();
    } catch {
      fail("codex", `developer_instructions is not a TOML string: ${value}`);
    }
  } else {
    fail("codex", `unexpected config override ${key}`);
  }
}

const prompt = await readStdin();
if (!prompt.trim()) fail("codex", "No prompt provided via stdin.", 1);

const state = sessionState("codex");
let threadId: string;
if (resumeId) {
  if (!state.exists(resumeId)) fail("codex", `Error: no rollout found for thread id ${resumeId}`, 1);
  threadId = resumeId;
} else {
  threadId = crypto.randomUUID();
}
if (!flags.has("--ephemeral")) state.create(threadId);

await replay("codex", argv, prompt, { SESSION_ID: threadId, CWD: typeof cd === "string" ? cd : process.cwd() });
