// OpenAI Codex: `codex exec --json … -` (and `codex exec … resume <id> -`), prompt on stdin.
// The JSONL stream has no token deltas: agent messages arrive whole in item.completed.
import { configError } from "../errors.ts";
import { arr, checkFlagValue, finishEvents, num, obj, type Outcome, parseLine, str } from "./common.ts";
import {
  type AgentEvent,
  type Backend,
  type BuildRequest,
  emptyUsage,
  type Invocation,
  type StreamParser,
} from "./types.ts";

const SANDBOX = { "read-only": "read-only", workspace: "workspace-write", full: "danger-full-access" } as const;

// One argv string may not exceed 128 KiB (Linux MAX_ARG_STRLEN); stay well below it.
const MAX_ARG_BYTES = 96 * 1024;

/**
 * `codex exec` never asks for approval, whatever -c approval_policy says: every command
 * runs unasked and only the sandbox limits it. So "ask" cannot be honoured at all, and
 * "auto" (edits unasked, anything riskier asked) only while a sandbox refuses what would
 * otherwise have needed asking.
 */
function checkApproval(req: BuildRequest): void {
  if (req.approval === "ask") {
    throw configError("codex exec never asks for approval, so approval ask cannot be honoured; use approval auto with sandbox workspace or read-only, or another backend");
  }
  if (req.approval === "auto" && req.sandbox === "full") {
    throw configError("codex exec runs every command without asking; with sandbox full nothing would hold back what approval auto promises to ask about — use sandbox workspace, or approval never-ask");
  }
}

function build(req: BuildRequest, prompt: string): Invocation {
  if (req.maxTurns !== undefined) throw configError("codex exec has no turn limit; drop max turns for codex");
  if (req.fork) throw configError("codex exec cannot fork a session");
  if (req.allowedTools?.length || req.disallowedTools?.length) throw configError("codex exec has no per-run tool allow/deny lists");
  if (req.permissionPromptTool) throw configError("codex has no permission-prompt hook: approvals from chat need claude");
  if (req.maxBudgetUsd !== undefined) throw configError("codex exec has no budget limit");
  if (req.mcpServers && Object.keys(req.mcpServers).length) {
    throw configError("codex takes MCP servers from config.toml only; drop mcp_servers for codex");
  }
  checkApproval(req);
  // Exec-level options (--sandbox, -C, --add-dir) are not accepted after the `resume`
  // subcommand, so every option goes before it.
  const argv = ["codex", "exec", "--json", "--skip-git-repo-check", "-C", req.workdir];
  if (req.model) argv.push("--model", checkFlagValue("model", req.model));
  if (req.sandbox) argv.push("--sandbox", SANDBOX[req.sandbox]);
  for (const dir of req.addDirs ?? []) argv.push("--add-dir", dir);
  let stdin = prompt;
  if (req.systemPrompt) {
    // -c values are TOML; a JSON string literal is a valid TOML basic string.
    const override = `developer_instructions=${JSON.stringify(req.systemPrompt)}`;
    if (Buffer.byteLength(override) <= MAX_ARG_BYTES) argv.push("-c", override);
    // Too large for argv (E2BIG): it travels with the prompt on stdin, clearly marked.
    else stdin = `<developer_instructions>\n${req.systemPrompt}\n</developer_instructions>\n\n${prompt}`;
  }
  if (req.ephemeral) argv.push("--ephemeral");
  if (req.resumeId) argv.push("resume", checkFlagValue("session id", req.resumeId));
  // "-" makes codex read the prompt from stdin.
  argv.push("-");
  return { argv, stdin };
}

function parser(req: BuildRequest): StreamParser {
  const outcome: Outcome = { sawResult: false, ok: true, usage: emptyUsage(), turns: 0 };
  const started = new Set<string>();
  let wroteText = false;
  let answer = "";

  function toolUse(id: string, item: Record<string, unknown>): AgentEvent | null {
    switch (str(item.type)) {
      case "command_execution":
        return { type: "tool_use", id, name: "shell", input: { command: str(item.command) ?? "" } };
      case "mcp_tool_call":
        return {
          type: "tool_use",
          id,
          name: `${str(item.server) ?? "mcp"}.${str(item.tool) ?? "tool"}`,
          input: item.arguments ?? {},
        };
      case "web_search":
        return { type: "tool_use", id, name: "web_search", input: { query: str(item.query) ?? "" } };
      case "file_change":
        return { type: "tool_use", id, name: "apply_patch", input: { changes: arr(item.changes) } };
      default:
        return null;
    }
  }

  function completed(item: Record<string, unknown>): AgentEvent[] {
    const id = str(item.id) ?? "";
    const type = str(item.type);
    if (type === "agent_message") {
      let text = str(item.text) ?? "";
      if (!text) return [];
      // Separate consecutive messages so concatenated deltas still read as paragraphs.
      if (wroteText) text = `\n\n${text}`;
      wroteText = true;
      answer += text;
      return [{ type: "text", text }];
    }
    if (type === "reasoning") {
      const text = str(item.text) ?? "";
      return text ? [{ type: "thinking", text }] : [];
    }
    if (type === "error") return [{ type: "error", message: str(item.message) ?? "codex error", fatal: false }];
    const use = toolUse(id, item);
    if (!use) return [];
    const out: AgentEvent[] = started.has(id) ? [] : [use];
    const status = str(item.status);
    let output = "";
    let failed = status === "failed" || status === "declined";
    if (type === "command_execution") {
      output = str(item.aggregated_output) ?? "";
      if (typeof item.exit_code === "number" && item.exit_code !== 0) failed = true;
    } else if (type === "mcp_tool_call") {
      const err = str(obj(item.error)?.message);
      output = err ?? JSON.stringify(obj(item.result)?.content ?? []);
      if (err) failed = true;
    } else if (type === "file_change") {
      output = arr(item.changes)
        .map((c) => `${str(obj(c)?.kind) ?? "update"} ${str(obj(c)?.path) ?? ""}`)
        .join("\n");
    }
    out.push({ type: "tool_result", id, output, is_error: failed });
    return out;
  }

  return {
    line(raw) {
      const line = parseLine(raw);
      if (!line) return [];
      switch (str(line.type)) {
        case "thread.started":
          return [
            {
              type: "init",
              backend: "codex",
              backend_session_id: str(line.thread_id) ?? "",
              // The stream does not name the model or directory; report what we asked for.
              ...(req.model ? { model: req.model } : {}),
              cwd: req.workdir,
            },
          ];
        case "turn.started":
          outcome.turns += 1;
          return [];
        case "turn.completed": {
          const u = obj(line.usage) ?? {};
          outcome.sawResult = true;
          // Codex reports the thread's running totals (input includes cached). This run's
          // share is the latest total minus what the thread had used before it.
          const prior = req.priorUsage ?? emptyUsage();
          const since = (total: number, before: number) => Math.max(0, total - before);
          outcome.usage = {
            input_tokens: since(num(u.input_tokens), prior.input_tokens),
            cached_tokens: since(num(u.cached_input_tokens), prior.cached_tokens),
            output_tokens: since(num(u.output_tokens), prior.output_tokens),
            reasoning_tokens: since(num(u.reasoning_output_tokens), prior.reasoning_tokens),
          };
          outcome.result = answer;
          return [];
        }
        case "turn.failed": {
          const message = str(obj(line.error)?.message) ?? "codex turn failed";
          outcome.sawResult = true;
          outcome.ok = false;
          outcome.error = message;
          return [];
        }
        case "error":
          // Top-level errors include transient notices (reconnecting…); turn.failed decides.
          return [{ type: "error", message: str(line.message) ?? "codex error", fatal: false }];
        case "item.started": {
          const item = obj(line.item) ?? {};
          const id = str(item.id) ?? "";
          const use = toolUse(id, item);
          if (!use || str(item.type) === "file_change") return [];
          started.add(id);
          return [use];
        }
        case "item.completed":
          return completed(obj(line.item) ?? {});
        default:
          return [];
      }
    },
    finish: (exit) => finishEvents("codex", outcome, exit),
  };
}

export const codex: Backend = {
  name: "codex",
  binary: "codex",
  aliases: { fast: "gpt-5.4-mini", balanced: "gpt-5.5", best: "gpt-5.5-pro" },
  build,
  parser,
};
