// `clickclack agent mcp`: flags → the MCP server on stdin/stdout. Logs go to stderr only:
// stdout is the protocol.
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { parseArgs } from "node:util";
import pkg from "../../../package.json" with { type: "json" };
import { isApprovalMode, isSandboxMode } from "../backends/types.ts";
import { openStore } from "../cli.ts";
import { EXIT, usageError } from "../errors.ts";
import { Policy } from "../gateway/security.ts";
import { globalLimiter } from "../limiter.ts";
import { findProfiles, getProfile, loadProfiles } from "../profiles.ts";
import { createMcpServer } from "./server.ts";

export const MCP_HELP = `Usage: clickclack agent mcp [options]

An MCP server on stdio exposing run, parallel, compare, chain and sessions, so another agent
can delegate work to Claude Code, Codex or Gemini. Register it with an MCP client, e.g.
  claude mcp add clickclack -- clickclack agent mcp --workdir ~/src/app

  --workdir DIR           default working directory (default: current)
  --workdir-allow DIR     directories calls may use, repeatable (default: --workdir)
  --max-approval MODE     ceiling: ask | auto | never-ask (default auto)
  --max-sandbox MODE      ceiling: read-only | workspace | full (default workspace)
  --profiles FILE         team profiles (default $CLICKCLACK_AGENT_PROFILES or <workdir>/.clickclack/agents.json)
  --profile NAME          profile for calls that name none
  --max-concurrency N     agent CLIs running at once (default 4)
`;

export async function mcpCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      workdir: { type: "string" },
      "workdir-allow": { type: "string", multiple: true },
      "max-approval": { type: "string" },
      "max-sandbox": { type: "string" },
      profiles: { type: "string" },
      profile: { type: "string" },
      "max-concurrency": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(MCP_HELP);
    return EXIT.ok;
  }
  if (positionals.length) throw usageError(`unexpected argument ${positionals[0]}`);
  const maxApproval = values["max-approval"] ?? "auto";
  if (!isApprovalMode(maxApproval)) throw usageError("--max-approval must be ask, auto or never-ask");
  const maxSandbox = values["max-sandbox"] ?? "workspace";
  if (!isSandboxMode(maxSandbox)) throw usageError("--max-sandbox must be read-only, workspace or full");
  if (values["max-concurrency"] !== undefined) {
    const n = Number(values["max-concurrency"]);
    if (!Number.isInteger(n) || n < 1) throw usageError("--max-concurrency must be a positive integer");
    globalLimiter.setMax(n);
  }
  const workdir = values.workdir ?? process.cwd();
  const profiles = values.profiles ? loadProfiles(values.profiles) : findProfiles(workdir);
  if (values.profile) getProfile(profiles, values.profile);
  const policy = new Policy({ defaultWorkdir: workdir, workdirAllow: values["workdir-allow"] ?? [], maxApproval, maxSandbox });
  const store = openStore();
  const server = createMcpServer({ store, policy, profiles, ...(values.profile ? { defaultProfile: values.profile } : {}), version: pkg.version });
  const transport = new StdioServerTransport();
  transport.onclose = () => {
    store.close();
    process.exit(EXIT.ok);
  };
  await server.connect(transport);
  process.stderr.write(`clickclack agent mcp: ready on stdio (workdir ${workdir})\n`);
  // Keeps running until the client closes stdin.
  return -1;
}
