// Claude Code: `claude -p --output-format stream-json --verbose --include-partial-messages`,
// prompt on stdin. Text arrives twice (partial `stream_event` deltas, then the full
// `assistant` message); we stream the deltas and use the full message only for whatever was
// not streamed, so nothing is lost and nothing is doubled.
import { join } from "node:path";
import { configError } from "../errors.ts";
import { arr, checkFlagValue, finishEvents, num, obj, type Outcome, parseLine, str } from "./common.ts";
import { type AgentEvent, type Backend, type BuildRequest, emptyUsage, type Invocation, type StreamParser } from "./types.ts";

function permissionMode(req: BuildRequest): string | undefined {
  // Plan mode is Claude's read-only mode: it never edits or runs commands, whatever the approval.
  if (req.sandbox === "read-only") return "plan";
  if (req.approval === "never-ask" && req.sandbox === "workspace") {
    // The native sandbox confines Bash only; bypassPermissions would let Edit/Write reach
    // any path, so "never ask, but stay in the workspace" is not something claude enforces.
    throw configError(
      "claude cannot honour approval never-ask with sandbox workspace: its sandbox confines shell commands, not file edits under bypassPermissions; use approval auto, or sandbox full",
    );
  }
  switch (req.approval) {
    case "ask":
      // Headless, nobody can answer: anything needing permission is denied.
      return "default";
    case "auto":
      return "acceptEdits";
    case "never-ask":
      return "bypassPermissions";
    default:
      return undefined;
  }
}

/**
 * Claude Code's native sandbox (bubblewrap on Linux, Seatbelt on macOS) for "workspace":
 * shell commands may write only inside the working directory, and the escape hatch that
 * retries a command unsandboxed is off.
 */
export const WORKSPACE_SANDBOX_SETTINGS = {
  sandbox: { enabled: true, autoAllowBashIfSandboxed: true, allowUnsandboxedCommands: false },
};

function build(req: BuildRequest, prompt: string): Invocation {
  const argv = ["claude", "-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages"];
  const files: Array<{ path: string; content: string }> = [];
  if (req.model) argv.push("--model", checkFlagValue("model", req.model));
  const mode = permissionMode(req);
  if (mode) argv.push("--permission-mode", mode);
  if (req.sandbox === "workspace") {
    // Without them Claude Code runs commands unsandboxed (or half-sandboxed), so refuse.
    if (process.platform === "linux" && !req.bubblewrap) {
      throw configError("claude's sandbox needs bubblewrap and socat on Linux and they are not on PATH; install them (e.g. apt-get install bubblewrap socat), or use sandbox read-only or full");
    }
    argv.push("--settings", JSON.stringify(WORKSPACE_SANDBOX_SETTINGS));
  }
  if (req.maxTurns !== undefined) argv.push("--max-turns", String(req.maxTurns));
  if (req.maxBudgetUsd !== undefined) argv.push("--max-budget-usd", String(req.maxBudgetUsd));
  // A system prompt of any size goes through a file: one argv string over 128 KiB fails
  // exec with E2BIG on Linux.
  if (req.systemPrompt) {
    if (!req.scratchDir) throw configError("a system prompt needs a scratch directory for its file");
    const path = join(req.scratchDir, "system-prompt.md");
    files.push({ path, content: req.systemPrompt });
    argv.push("--append-system-prompt-file", path);
  }
  const disallowed = [...(req.disallowedTools ?? [])];
  // Read-only must stay read-only: the model may not ask its way out of plan mode.
  if (req.sandbox === "read-only") disallowed.push("ExitPlanMode");
  // Variadic options take one joined value each, so nothing after them is swallowed.
  if (req.allowedTools?.length) argv.push(`--allowedTools=${req.allowedTools.join(",")}`);
  if (disallowed.length) argv.push(`--disallowedTools=${disallowed.join(",")}`);
  for (const dir of req.addDirs ?? []) argv.push(`--add-dir=${dir}`);
  if (req.permissionPromptTool) argv.push("--permission-prompt-tool", checkFlagValue("permission prompt tool", req.permissionPromptTool));
  if (req.mcpServers && Object.keys(req.mcpServers).length) {
    argv.push(`--mcp-config=${JSON.stringify({ mcpServers: req.mcpServers })}`);
  }
  if (req.resumeId) {
    argv.push("--resume", checkFlagValue("session id", req.resumeId));
    if (req.fork) argv.push("--fork-session");
  } else if (req.fork) {
    throw configError("fork needs a session to resume");
  }
  if (req.ephemeral) argv.push("--no-session-persistence");
  return { argv, stdin: prompt, ...(files.length ? { files } : {}) };
}

function toolResultText(content: unknown): string {
  if (typeof content === "string") return content;
  return arr(content)
    .map((part) => str(obj(part)?.text) ?? "")
    .join("");
}

function parser(): StreamParser {
  const outcome: Outcome = { sawResult: false, ok: false, usage: emptyUsage(), turns: 0 };
  // Message ids whose text / thinking already went out as deltas.
  const streamedText = new Set<string>();
  const streamedThinking = new Set<string>();
  let currentMessage = "";
  let reportedInput = false;

  function streamEvent(ev: Record<string, unknown>, topLevel: boolean): AgentEvent[] {
    const type = str(ev.type);
    if (type === "message_start") {
      // Sub-agent messages must not move the pointer used to de-duplicate top-level text.
      if (!topLevel) return [];
      currentMessage = str(obj(ev.message)?.id) ?? "";
      if (reportedInput) return [];
      // The first request's prompt size is known now, long before the result line.
      reportedInput = true;
      const u = obj(obj(ev.message)?.usage) ?? {};
      const cacheRead = num(u.cache_read_input_tokens);
      const input = num(u.input_tokens) + cacheRead + num(u.cache_creation_input_tokens);
      return input > 0 ? [{ type: "usage", usage: { ...emptyUsage(), input_tokens: input, cached_tokens: cacheRead } }] : [];
    }
    // Sub-agent (Task tool) chatter is not the answer; its tool calls still show up below.
    if (type !== "content_block_delta" || !topLevel) return [];
    const delta = obj(ev.delta);
    const dtype = str(delta?.type);
    if (dtype === "text_delta") {
      const text = str(delta?.text) ?? "";
      streamedText.add(currentMessage);
      return text ? [{ type: "text", text }] : [];
    }
    if (dtype === "thinking_delta") {
      const text = str(delta?.thinking) ?? "";
      streamedThinking.add(currentMessage);
      return text ? [{ type: "thinking", text }] : [];
    }
    return [];
  }

  function assistant(msg: Record<string, unknown>, topLevel: boolean): AgentEvent[] {
    const id = str(msg.id) ?? "";
    const out: AgentEvent[] = [];
    for (const raw of arr(msg.content)) {
      const block = obj(raw);
      if (!block) continue;
      const t = str(block.type);
      if (t === "text" && topLevel && !streamedText.has(id)) {
        const text = str(block.text) ?? "";
        if (text) out.push({ type: "text", text });
      } else if (t === "thinking" && topLevel && !streamedThinking.has(id)) {
        const text = str(block.thinking) ?? "";
        if (text) out.push({ type: "thinking", text });
      } else if (t === "tool_use") {
        out.push({ type: "tool_use", id: str(block.id) ?? "", name: str(block.name) ?? "tool", input: block.input ?? {} });
      }
    }
    return out;
  }

  function result(line: Record<string, unknown>): void {
    const usage = obj(line.usage) ?? {};
    const cacheRead = num(usage.cache_read_input_tokens);
    const cacheWrite = num(usage.cache_creation_input_tokens);
    outcome.sawResult = true;
    // Claude reports cache reads and writes outside input_tokens; we count them as input.
    outcome.usage = {
      input_tokens: num(usage.input_tokens) + cacheRead + cacheWrite,
      cached_tokens: cacheRead,
      output_tokens: num(usage.output_tokens),
      reasoning_tokens: 0,
    };
    outcome.turns = num(line.num_turns);
    outcome.durationMs = num(line.duration_ms) || undefined;
    if (typeof line.total_cost_usd === "number") outcome.costUsd = line.total_cost_usd;
    const subtype = str(line.subtype) ?? "";
    const text = str(line.result);
    outcome.ok = line.is_error !== true && subtype === "success";
    if (outcome.ok) {
      if (text !== undefined) outcome.result = text;
    } else {
      const errors = arr(line.errors).filter((e): e is string => typeof e === "string");
      outcome.error = text || errors.join("\n") || `claude reported ${subtype || "an error"}`;
    }
  }

  return {
    line(raw) {
      const line = parseLine(raw);
      if (!line) return [];
      const topLevel = line.parent_tool_use_id === null || line.parent_tool_use_id === undefined;
      switch (str(line.type)) {
        case "system":
          if (str(line.subtype) !== "init") return [];
          return [
            {
              type: "init",
              backend: "claude",
              backend_session_id: str(line.session_id) ?? "",
              ...(str(line.model) ? { model: str(line.model) } : {}),
              ...(str(line.cwd) ? { cwd: str(line.cwd) } : {}),
            },
          ];
        case "stream_event":
          return streamEvent(obj(line.event) ?? {}, topLevel);
        case "assistant":
          return assistant(obj(line.message) ?? {}, topLevel);
        case "user": {
          const out: AgentEvent[] = [];
          for (const raw of arr(obj(line.message)?.content)) {
            const block = obj(raw);
            if (str(block?.type) !== "tool_result") continue;
            out.push({
              type: "tool_result",
              id: str(block?.tool_use_id) ?? "",
              output: toolResultText(block?.content),
              is_error: block?.is_error === true,
            });
          }
          return out;
        }
        case "result":
          result(line);
          return [];
        default:
          return [];
      }
    },
    finish: (exit) => finishEvents("claude", outcome, exit),
  };
}

export const claude: Backend = {
  name: "claude",
  binary: "claude",
  // Claude Code accepts these aliases itself and maps them to the current models.
  aliases: { fast: "haiku", balanced: "sonnet", best: "opus" },
  build,
  parser,
};
