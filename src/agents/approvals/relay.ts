// `clickclack agent approval-relay`: the MCP server Claude Code starts (via --mcp-config) for
// its --permission-prompt-tool. Its one tool, `approve`, forwards the request to the bridge's
// approval desk and returns Claude Code's expected answer: {"behavior":"allow","updatedInput"}
// or {"behavior":"deny","message"}.
import { existsSync } from "node:fs";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";
import { EXIT, usageError } from "../errors.ts";

export const RELAY_SERVER = "clickclack";
export const RELAY_TOOL = "approve";
/** The name Claude Code gives the tool: mcp__<server>__<tool>. */
export const PERMISSION_PROMPT_TOOL = `mcp__${RELAY_SERVER}__${RELAY_TOOL}`;

export async function relayCommand(): Promise<number> {
  const url = process.env.CLICKCLACK_APPROVAL_URL;
  const token = process.env.CLICKCLACK_APPROVAL_TOKEN;
  if (!url || !token) throw usageError("approval-relay is started by the bridge (CLICKCLACK_APPROVAL_URL and _TOKEN)");
  const server = new McpServer({ name: "clickclack-approvals", version: "1" });
  server.registerTool(
    RELAY_TOOL,
    {
      description: "Ask the people in the chat thread whether the agent may use a tool.",
      inputSchema: { tool_name: z.string(), input: z.record(z.string(), z.unknown()), tool_use_id: z.string().optional() },
    },
    async (args) => {
      let decision: unknown;
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ tool_name: args.tool_name, input: args.input }),
        });
        decision = res.ok ? await res.json() : { behavior: "deny", message: `approval desk answered ${res.status}` };
      } catch (e) {
        decision = { behavior: "deny", message: `approval desk unreachable: ${e instanceof Error ? e.message : String(e)}` };
      }
      return { content: [{ type: "text", text: JSON.stringify(decision) }] };
    },
  );
  const transport = new StdioServerTransport();
  transport.onclose = () => process.exit(EXIT.ok);
  await server.connect(transport);
  return -1;
}

/** How to start this relay from the running binary (compiled, or `bun src/main.ts`). */
export function relayCommandLine(): { command: string; args: string[] } {
  // In a compiled binary argv[1] is a virtual /$bunfs path, not a script to pass on.
  const script = process.argv[1];
  const dev = script !== undefined && /\.(ts|js)$/.test(script) && !script.startsWith("/$bunfs") && existsSync(script);
  return { command: process.execPath, args: [...(dev ? [script] : []), "agent", "approval-relay"] };
}
