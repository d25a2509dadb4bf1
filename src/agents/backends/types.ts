// The unified model every backend adapter translates into and out of. Adapters are pure
// (argv in, events out) so they can be tested without spawning anything.

export const BACKEND_NAMES = ["claude", "codex", "gemini"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export const APPROVAL_MODES = ["ask", "auto", "never-ask"] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

export const SANDBOX_MODES = ["read-only", "workspace", "full"] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

export const MODEL_ALIASES = ["fast", "balanced", "best"] as const;
export type ModelAlias = (typeof MODEL_ALIASES)[number];

export function isBackendName(v: unknown): v is BackendName {
  return typeof v === "string" && (BACKEND_NAMES as readonly string[]).includes(v);
}
export function isApprovalMode(v: unknown): v is ApprovalMode {
  return typeof v === "string" && (APPROVAL_MODES as readonly string[]).includes(v);
}
export function isSandboxMode(v: unknown): v is SandboxMode {
  return typeof v === "string" && (SANDBOX_MODES as readonly string[]).includes(v);
}

/**
 * Token counts summed over a run's turns. `input_tokens` includes `cached_tokens` (Claude
 * reports cache reads and writes separately; we add them in). `reasoning_tokens` is what the
 * CLI reports (Codex does; Claude does not, so it stays 0 there).
 */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
}

export function emptyUsage(): Usage {
  return { input_tokens: 0, output_tokens: 0, cached_tokens: 0, reasoning_tokens: 0 };
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cached_tokens: a.cached_tokens + b.cached_tokens,
    reasoning_tokens: a.reasoning_tokens + b.reasoning_tokens,
  };
}

// Events are a wire format (stream-json output, NDJSON over HTTP), hence snake_case.
export type AgentEvent =
  | {
      type: "init";
      backend: BackendName;
      backend_session_id: string;
      model?: string;
      cwd?: string;
      /** ClickClack's own session id; filled in by the runner, not by parsers. */
      session_id?: string;
    }
  | { type: "text"; text: string }
  | { type: "thinking"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "tool_result"; id: string; output: string; is_error: boolean }
  | { type: "error"; message: string; fatal: boolean }
  /** Input usage known early (Claude's first message_start), before the final `done`. */
  | { type: "usage"; usage: Usage }
  | {
      type: "done";
      ok: boolean;
      usage: Usage;
      cost_usd?: number;
      turns: number;
      duration_ms: number;
      /** The backend's final answer when it reports one (used to recover lost deltas). */
      result?: string;
      error?: string;
    };

export type AgentEventType = AgentEvent["type"];

/** Unified run options after validation, as handed to an adapter. */
export interface BuildRequest {
  /** Real model id or CLI-native alias; aliases fast/balanced/best are already resolved. */
  model?: string;
  approval?: ApprovalMode;
  sandbox?: SandboxMode;
  maxTurns?: number;
  systemPrompt?: string;
  /** Absolute working directory; the process is also started there. */
  workdir: string;
  /** Backend session id to resume. */
  resumeId?: string;
  /** Continue a resumed conversation under a new backend session id. */
  fork?: boolean;
  /** Ask the CLI not to persist its own session files, where it can. */
  ephemeral?: boolean;
  /**
   * A private directory the runner creates for this run when the invocation lists files
   * (e.g. a system prompt too large for argv); removed after the run.
   */
  scratchDir?: string;
  /** The container runtime on this host (docker/podman), for CLIs whose sandbox needs one. */
  containerRuntime?: string | null;
  /** bubblewrap and socat are on PATH (Claude Code's sandbox needs both on Linux). */
  bubblewrap?: boolean;
  /** Token totals of the resumed thread so far, for CLIs that report running totals (codex). */
  priorUsage?: Usage;
  /** Team profile settings (see profiles.ts). */
  allowedTools?: string[];
  disallowedTools?: string[];
  addDirs?: string[];
  /** MCP server definitions, as Claude Code's {"mcpServers": {...}} object. */
  mcpServers?: Record<string, unknown>;
  maxBudgetUsd?: number;
  /** An MCP tool (mcp__server__tool) that answers permission requests (approvals from chat). */
  permissionPromptTool?: string;
}

export interface Invocation {
  /** argv[0] is the binary name, resolved on PATH by the runner. */
  argv: string[];
  /** The prompt, always delivered on stdin so it can never be parsed as a flag. */
  stdin: string;
  /** Files to write (mode 0600) into req.scratchDir before starting; paths are absolute. */
  files?: Array<{ path: string; content: string }>;
}

/** Stateful per-run parser from a CLI's stdout lines to unified events. */
export interface StreamParser {
  line(line: string): AgentEvent[];
  /** Called once at process exit; returns a terminal `done` if the stream had none. */
  finish(exit: { code: number | null; stderrTail: string; durationMs: number }): AgentEvent[];
}

export interface Backend {
  name: BackendName;
  binary: string;
  /** Model alias table: fast/balanced/best → a model this CLI accepts. */
  aliases: Record<ModelAlias, string>;
  /** Throws ConfigError for option combinations this CLI cannot honour. */
  build(req: BuildRequest, prompt: string): Invocation;
  /** A fresh parser per run; gets the request for what the stream itself does not say. */
  parser(req: BuildRequest): StreamParser;
}
