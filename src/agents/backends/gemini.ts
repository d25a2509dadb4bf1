// Google Gemini CLI: `gemini --output-format stream-json`, prompt on stdin (a piped stdin
// makes gemini headless and becomes the prompt, so no -p/positional prompt is needed).
import { configError } from "../errors.ts";
import { checkFlagValue, finishEvents, num, obj, type Outcome, parseLine, str } from "./common.ts";
import {
  type AgentEvent,
  type Backend,
  type BuildRequest,
  emptyUsage,
  type Invocation,
  type StreamParser,
} from "./types.ts";

const APPROVAL = { ask: "default", auto: "auto_edit", "never-ask": "yolo" } as const;

function build(req: BuildRequest, prompt: string): Invocation {
  if (req.maxTurns !== undefined) {
    throw configError("gemini has no per-run turn limit flag (model.maxSessionTurns is a settings.json option)");
  }
  if (req.systemPrompt) {
    throw configError("gemini cannot append a system prompt from the command line");
  }
  if (req.fork) throw configError("gemini cannot fork a session");
  if (req.allowedTools?.length || req.disallowedTools?.length) {
    throw configError("gemini takes tool rules from its policy engine files, not per run; drop allowed/denied tools for gemini");
  }
  if (req.permissionPromptTool) throw configError("gemini has no permission-prompt hook: approvals from chat need claude");
  if (req.maxBudgetUsd !== undefined) throw configError("gemini has no budget limit");
  if (req.mcpServers && Object.keys(req.mcpServers).length) {
    throw configError("gemini takes MCP servers from settings.json only; drop mcp_servers for gemini");
  }
  // Plan mode only tells the model not to edit; a headless run can switch out of it, so
  // gemini has nothing that enforces read-only.
  if (req.sandbox === "read-only") {
    throw configError("gemini has no enforced read-only mode (plan mode can be left by the model in a headless run); use another backend for read-only");
  }
  // Gemini's sandbox is a container (docker/podman) on Linux, Seatbelt on macOS.
  if (req.sandbox === "workspace" && process.platform !== "darwin" && !req.containerRuntime) {
    throw configError("gemini's sandbox needs docker or podman on Linux and neither is on PATH; install one, or use sandbox full");
  }
  const argv = ["gemini", "--output-format", "stream-json"];
  if (req.model) argv.push("--model", checkFlagValue("model", req.model));
  if (req.approval) argv.push("--approval-mode", APPROVAL[req.approval]);
  if (req.sandbox === "workspace") argv.push("--sandbox");
  if (req.addDirs?.length) argv.push("--include-directories", req.addDirs.join(","));
  if (req.resumeId) argv.push("--resume", checkFlagValue("session id", req.resumeId));
  return { argv, stdin: prompt };
}

function parser(req: BuildRequest): StreamParser {
  const outcome: Outcome = { sawResult: false, ok: false, usage: emptyUsage(), turns: 0 };
  // Whether the current assistant round already streamed deltas (a later full message for
  // the same round must then not be repeated).
  let roundStreamed = false;
  let inRound = false;
  let answer = "";

  function assistantText(content: string, delta: boolean): AgentEvent[] {
    if (!inRound) {
      inRound = true;
      roundStreamed = false;
      outcome.turns += 1;
    }
    if (!delta && roundStreamed) return [];
    if (delta) roundStreamed = true;
    if (!content) return [];
    answer += content;
    return [{ type: "text", text: content }];
  }

  return {
    line(raw) {
      const line = parseLine(raw);
      if (!line) return [];
      switch (str(line.type)) {
        case "init":
          return [
            {
              type: "init",
              backend: "gemini",
              backend_session_id: str(line.session_id) ?? "",
              ...(str(line.model) ? { model: str(line.model) } : {}),
              cwd: req.workdir,
            },
          ];
        case "message":
          if (str(line.role) !== "assistant") return [];
          return assistantText(str(line.content) ?? "", line.delta === true);
        case "tool_use":
          inRound = false;
          return [
            {
              type: "tool_use",
              id: str(line.tool_id) ?? "",
              name: str(line.tool_name) ?? "tool",
              input: line.parameters ?? {},
            },
          ];
        case "tool_result": {
          inRound = false;
          const error = obj(line.error);
          return [
            {
              type: "tool_result",
              id: str(line.tool_id) ?? "",
              output: str(line.output) ?? str(error?.message) ?? "",
              is_error: str(line.status) === "error",
            },
          ];
        }
        case "error":
          return [{ type: "error", message: str(line.message) ?? "gemini error", fatal: str(line.severity) === "error" }];
        case "result": {
          const stats = obj(line.stats) ?? {};
          outcome.sawResult = true;
          outcome.ok = str(line.status) === "success";
          // Gemini's input_tokens is the prompt total; `cached` is a breakdown of it.
          outcome.usage = {
            input_tokens: num(stats.input_tokens),
            cached_tokens: num(stats.cached),
            output_tokens: num(stats.output_tokens),
            reasoning_tokens: num(stats.thoughts),
          };
          outcome.durationMs = num(stats.duration_ms) || undefined;
          if (outcome.ok) outcome.result = answer;
          else outcome.error = str(obj(line.error)?.message) ?? "gemini reported an error";
          return [];
        }
        default:
          return [];
      }
    },
    finish: (exit) => finishEvents("gemini", outcome, exit),
  };
}

export const gemini: Backend = {
  name: "gemini",
  binary: "gemini",
  // Gemini CLI resolves these aliases itself to its current models.
  aliases: { fast: "flash", balanced: "auto", best: "pro" },
  build,
  parser,
};
