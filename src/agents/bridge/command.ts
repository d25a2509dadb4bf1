// `clickclack agent bridge`: flags and environment → a running ChatBridge, until Ctrl-C/SIGTERM
// (which interrupts running turns, saying so in their threads) or a refused token.
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { ParseArgsConfig } from "node:util";
import { ClickClackClient, ClickClackError } from "../../../sdk/src/index.ts";
import { availability } from "../backends/registry.ts";
import { parse, RUN_FLAGS, runOptionsFromFlags } from "../cli.ts";
import { findProfiles, loadProfiles } from "../profiles.ts";
import { AgentError, configError, EXIT, usageError } from "../errors.ts";
import { parseDuration } from "../spec.ts";
import { ChatBridge } from "./bridge.ts";

export const BRIDGE_HELP = `Usage: clickclack agent bridge --server URL --token ccb_… --workspace ID [options]

Answers in chat as a bot: when @mentioned in a channel (then every reply in that thread), or
in a direct message. One agent session per thread, resumed on every turn.

  --server URL            the chat server (CLICKCLACK_SERVER)
  --token ccb_…           the bot's token, scopes bot:write,agent_activity:write (CLICKCLACK_TOKEN)
  --workspace ID|SLUG     the token's workspace (CLICKCLACK_WORKSPACE; default: its only one)
  -b, --backend claude|codex|gemini   (default claude)
  -m, --model fast|balanced|best|<model id>
  -w, --workdir DIR       where the agent works (default: current directory)
      --approval ask|auto|never-ask   --sandbox read-only|workspace|full
      --max-turns N  --system-prompt TEXT (added to the bridge's own)
      --timeout DUR           per-turn ceiling (default 30m)   --idle-timeout DUR (default 10m)
  --max-concurrent N      turns running at once; others queue and say so (default 2)
  --approvals-in-chat     (claude) a tool the mode does not allow becomes a question in the
                          thread; a member replies allow, always or deny
  --approval-timeout DUR  unanswered questions are denied after this (default 5m)
  --profiles FILE         team profiles; its "channels" map runs a channel under a profile
                          (default $CLICKCLACK_AGENT_PROFILES or <workdir>/.clickclack/agents.json)
  --state-dir DIR         sessions, turns and the event cursor (CLICKCLACK_BRIDGE_STATE,
                          default ~/.clickclack/bridge)

In chat: reply "stop" in the thread, or react ✋ to the message, to cancel the running turn.
`;

const BRIDGE_FLAGS = {
  server: { type: "string" },
  token: { type: "string" },
  workspace: { type: "string" },
  backend: RUN_FLAGS.backend,
  model: RUN_FLAGS.model,
  workdir: RUN_FLAGS.workdir,
  approval: RUN_FLAGS.approval,
  sandbox: RUN_FLAGS.sandbox,
  "max-turns": RUN_FLAGS["max-turns"],
  "system-prompt": RUN_FLAGS["system-prompt"],
  timeout: RUN_FLAGS.timeout,
  "idle-timeout": RUN_FLAGS["idle-timeout"],
  "max-concurrent": { type: "string" },
  "state-dir": { type: "string" },
  profiles: { type: "string" },
  "approvals-in-chat": { type: "boolean" },
  "approval-timeout": { type: "string" },
  help: RUN_FLAGS.help,
} as const satisfies ParseArgsConfig["options"];

/** The workspace id: given as an id, found by slug, or the token's only workspace. */
async function workspaceId(server: string, token: string, ref: string | undefined): Promise<string> {
  if (ref?.startsWith("wsp_")) return ref;
  const all = await new ClickClackClient({ baseUrl: server, token }).workspaces.list();
  const found = ref ? all.find((w) => w.slug === ref || w.id === ref) : all.length === 1 ? all[0] : undefined;
  if (!found) throw usageError(ref ? `no workspace ${ref} for this token` : "--workspace is required (the token sees several)");
  return found.id;
}

export async function bridgeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, BRIDGE_FLAGS);
  if (values.help) {
    process.stdout.write(BRIDGE_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw usageError(`unexpected argument ${positionals[0]}`);
  const env = process.env;
  const server = (values.server ?? env.CLICKCLACK_SERVER ?? "").replace(/\/+$/, "");
  const token = values.token ?? env.CLICKCLACK_TOKEN ?? "";
  if (!server) throw usageError("--server (or CLICKCLACK_SERVER) is required");
  if (!token) throw usageError("--token (or CLICKCLACK_TOKEN) is required");
  if (!token.startsWith("ccb_")) throw usageError("--token must be a bot token (ccb_…); create one with: clickclack admin bot create --scopes bot:write,agent_activity:write");
  const maxConcurrent = Number(values["max-concurrent"] ?? 2);
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw usageError("--max-concurrent must be a positive integer");
  const run = runOptionsFromFlags(values);
  run.timeoutMs ??= parseDuration("30m");
  run.idleTimeoutMs ??= parseDuration("10m");
  const backend = run.backend ?? "claude";
  if (values["approvals-in-chat"] && backend !== "claude") {
    throw configError(`approvals in chat need claude's permission-prompt tool; ${backend} has none (its runs stay non-interactive)`);
  }
  const approvalsExpireMs = values["approvals-in-chat"] ? parseDuration(values["approval-timeout"] ?? "5m", "--approval-timeout") : undefined;
  const avail = await availability(backend, env);
  if (!avail.available) throw new AgentError("backend_missing", `${backend} is not available: ${avail.error ?? "not found"}`);
  const stateDir = resolve(values["state-dir"] ?? env.CLICKCLACK_BRIDGE_STATE ?? join(homedir(), ".clickclack", "bridge"));

  let bridge: ChatBridge;
  let finish!: (code: number) => void;
  const ended = new Promise<number>((r) => (finish = r));
  try {
    const workspace = await workspaceId(server, token, values.workspace ?? env.CLICKCLACK_WORKSPACE);
    bridge = new ChatBridge({
      server,
      token,
      workspaceId: workspace,
      run,
      maxConcurrent,
      stateDir,
      ...(approvalsExpireMs !== undefined ? { approvalsExpireMs } : {}),
      profiles: values.profiles ? loadProfiles(values.profiles) : findProfiles(resolve(run.workdir ?? process.cwd())),
      onFatal: (err) => {
        process.stderr.write(`clickclack agent bridge: the server refused the token: ${err instanceof Error ? err.message : String(err)}\n`);
        finish(EXIT.config);
      },
    });
    await bridge.start();
  } catch (err) {
    if (err instanceof ClickClackError) throw configError(`${server}: ${err.detail || err.message}`);
    throw err;
  }
  const me = bridge.user;
  process.stdout.write(`bridge ready: @${me.handle} (${me.id}) answers with ${backend} in ${run.workdir ? resolve(run.workdir) : process.cwd()}; state in ${stateDir}\n`);
  const onSignal = () => finish(EXIT.ok);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const code = await ended;
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  await bridge.stop();
  return code;
}
