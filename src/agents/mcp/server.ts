// `clickclack agent mcp`: this runner as an MCP server over stdio, so another agent can
// delegate to Claude Code, Codex or Gemini: run, parallel, compare, chain, sessions. Every
// request passes the same checks as the gateway's (allowed directories, approval/sandbox
// ceilings, team profiles) because the caller is a model, not the operator.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { BACKEND_NAMES, type BackendName, isBackendName } from "../backends/types.ts";
import { AgentError, usageError } from "../errors.ts";
import { Policy } from "../gateway/security.ts";
import { chain, type ChainStep, compare, type OrchestrationContext, outcomeToWire, parallel, succeeded, type Task, type TaskOutcome } from "../orchestrate.ts";
import { applyProfile, getProfile, type Profiles } from "../profiles.ts";
import { type RunContext, type RunOptions, resultToWire, runAgent } from "../run.ts";
import { type SessionStore, sessionToWire } from "../sessions.ts";
import { parseRunOptions, parseTaskList } from "../spec.ts";

export interface McpOptions {
  store: SessionStore;
  policy: Policy;
  profiles: Profiles | null;
  /** Profile applied when a call names none. */
  defaultProfile?: string;
  env?: Record<string, string | undefined>;
  version: string;
}

const runFields = {
  prompt: z.string().describe("What the agent should do"),
  backend: z.enum(BACKEND_NAMES).optional().describe("claude, codex or gemini (default claude)"),
  model: z.string().optional().describe("fast | balanced | best, or a model id the CLI accepts"),
  workdir: z.string().optional().describe("Absolute working directory (must be allowed by the server)"),
  approval: z.enum(["ask", "auto", "never-ask"]).optional(),
  sandbox: z.enum(["read-only", "workspace", "full"]).optional(),
  max_turns: z.number().int().positive().optional(),
  system_prompt: z.string().optional(),
  session_id: z.string().optional().describe("Continue this session (id or unique prefix)"),
  fork: z.boolean().optional(),
  profile: z.string().optional().describe("A team profile from the profiles file"),
  timeout: z.union([z.string(), z.number()]).optional().describe('e.g. "10m"'),
};
const taskShape = z.object(runFields).passthrough();

function text(doc: unknown, isError = false): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(doc, null, 2) }], isError };
}

function refuse(e: unknown): CallToolResult {
  if (e instanceof AgentError) return { content: [{ type: "text", text: `${e.kind}: ${e.message}` }], isError: true };
  if (e instanceof Error && "status" in e) return { content: [{ type: "text", text: e.message }], isError: true };
  throw e;
}

export function createMcpServer(o: McpOptions): McpServer {
  const server = new McpServer({ name: "clickclack-agents", version: o.version });
  const ctx: RunContext = { store: o.store, ...(o.env ? { env: o.env } : {}) };

  /** Profile first (binding), then the server's ceilings: the same order as the gateway. */
  const admit = (opts: RunOptions): RunOptions => {
    const name = opts.profile ?? o.defaultProfile;
    const shaped = name ? applyProfile({ ...opts, profile: undefined }, getProfile(o.profiles, name)) : opts;
    return o.policy.apply(shaped, o.store, undefined);
  };
  const outcomes = (list: TaskOutcome[]) => {
    const doc = { ok: list.every(succeeded), tasks: list.map((t) => outcomeToWire(t, resultToWire)) };
    return text(doc, !doc.ok);
  };
  const orchestration = (signal: AbortSignal): OrchestrationContext => ({ store: o.store, ...(o.env ? { env: o.env } : {}), signal });

  server.registerTool(
    "run",
    { description: "Run one prompt with a coding agent CLI and return its answer, usage and session id.", inputSchema: runFields },
    async (args, extra) => {
      try {
        const result = await runAgent(admit(parseRunOptions(args, "arguments")), { ...ctx, signal: extra.signal });
        return text(resultToWire(result), result.status !== "completed");
      } catch (e) {
        return refuse(e);
      }
    },
  );

  server.registerTool(
    "parallel",
    {
      description: "Run several prompts at once (each its own agent run).",
      inputSchema: { tasks: z.array(taskShape.extend({ name: z.string().optional() })).min(1), max_parallel: z.number().int().positive().optional(), fail_fast: z.boolean().optional() },
    },
    async (args, extra) => {
      try {
        const tasks: Task[] = parseTaskList({ tasks: args.tasks }, "tasks", ["name"]).items.map(({ raw, opts }) => ({
          ...admit(opts),
          ...(typeof raw.name === "string" ? { name: raw.name } : {}),
        }));
        const opts = { ...(args.max_parallel ? { maxParallel: args.max_parallel } : {}), failFast: args.fail_fast === true };
        return outcomes(await parallel(tasks, opts, orchestration(extra.signal)));
      } catch (e) {
        return refuse(e);
      }
    },
  );

  server.registerTool(
    "compare",
    {
      description: "Send one prompt to several backends and return every answer.",
      inputSchema: { ...runFields, backends: z.array(z.enum(BACKEND_NAMES)).min(1), sequential: z.boolean().optional() },
    },
    async (args, extra) => {
      try {
        const { backends, sequential, ...rest } = args;
        if (!backends.every(isBackendName)) throw usageError("backends must be claude, codex or gemini");
        const base = admit(parseRunOptions(rest, "arguments"));
        return outcomes(await compare(base, backends as BackendName[], { sequential: sequential === true }, orchestration(extra.signal)));
      } catch (e) {
        return refuse(e);
      }
    },
  );

  server.registerTool(
    "chain",
    {
      description: "Run steps in order; a step's prompt may use {{previous}} and {{steps.<name>.output}}.",
      inputSchema: { steps: z.array(taskShape.extend({ name: z.string().optional(), continue_session: z.boolean().optional() })).min(1), continue_session: z.boolean().optional() },
    },
    async (args, extra) => {
      try {
        const steps: ChainStep[] = parseTaskList({ steps: args.steps }, "steps", ["name", "continue_session"]).items.map(({ raw, opts }) => ({
          ...admit(opts),
          ...(typeof raw.name === "string" ? { name: raw.name } : {}),
          continueSession: typeof raw.continue_session === "boolean" ? raw.continue_session : args.continue_session === true,
        }));
        return outcomes(await chain(steps, orchestration(extra.signal)));
      } catch (e) {
        return refuse(e);
      }
    },
  );

  server.registerTool(
    "sessions",
    {
      description: "List agent sessions (newest first), show one, or delete one.",
      inputSchema: { action: z.enum(["list", "show", "delete"]).default("list"), id: z.string().optional(), limit: z.number().int().min(1).max(1000).optional(), backend: z.enum(BACKEND_NAMES).optional() },
    },
    async (args) => {
      try {
        if (args.action === "list") {
          const list = o.store.list({ limit: args.limit ?? 20, ...(args.backend ? { backend: args.backend } : {}) });
          const short = o.store.shortIds(list.map((s) => s.id));
          return text({ sessions: list.map((s) => sessionToWire(s, short.get(s.id))) });
        }
        if (!args.id) throw usageError(`${args.action} needs an id`);
        const session = o.store.resolve(args.id);
        if (args.action === "show") return text(sessionToWire(session));
        o.store.delete(session.id);
        return text({ deleted: session.id });
      } catch (e) {
        return refuse(e);
      }
    },
  );
  return server;
}
