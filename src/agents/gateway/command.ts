// `clickclack agent serve`: flags → gateway options. Keeps running; Ctrl-C stops it and
// cancels in-flight runs.
import { parseArgs } from "node:util";
import { isApprovalMode, isSandboxMode } from "../backends/types.ts";
import { openStore } from "../cli.ts";
import { EXIT, usageError } from "../errors.ts";
import { globalLimiter } from "../limiter.ts";
import { parseDuration } from "../spec.ts";
import { findProfiles, loadProfiles } from "../profiles.ts";
import { modelTable } from "./models.ts";
import { startGateway } from "./server.ts";

export const SERVE_HELP = `Usage: clickclack agent serve [options]

  --addr HOST:PORT        listen address (default 127.0.0.1:7788; port 0 picks one)
  --api-key KEY           required key, repeatable (also CLICKCLACK_AGENT_API_KEYS, comma-separated);
                          mandatory when listening beyond loopback; a key sees only its own sessions
  --admin-key KEY         key that sees and controls every session, the operator's CLI sessions
                          too; repeatable (also CLICKCLACK_AGENT_ADMIN_KEYS)
  --workdir DIR           default working directory (default: current)
  --workdir-allow DIR     directories requests may use, repeatable (default: --workdir)
  --max-approval MODE     ceiling: ask | auto | never-ask (default auto)
  --max-sandbox MODE      ceiling: read-only | workspace | full (default workspace)
  --allowed-host NAME     extra Host header names accepted, repeatable
  --cors-origin ORIGIN    browser origins allowed, repeatable ("*" for any)
  --rate-limit N          requests per minute per key (default 60; 0 disables)
  --max-body BYTES        request body limit (default 1048576)
  --trusted-proxy IP      peer whose X-Forwarded-For is believed, repeatable
  --timeout DUR           per-run ceiling (default 30m)   --idle-timeout DUR (default 10m)
  --model-map NAME=BACKEND[:MODEL]  extra API model names, repeatable
  --profiles FILE         team profiles (default $CLICKCLACK_AGENT_PROFILES or
                          <workdir>/.clickclack/agents.json); its "keys" pin keys to profiles
  --max-concurrency N     agent CLIs running at once, others queue (default 4,
                          or CLICKCLACK_AGENT_MAX_CONCURRENCY)
  --max-queue N           runs that may wait for a slot; more are answered 503 + Retry-After
  --queue-timeout DUR     longest wait for a slot before 503 + Retry-After (default: no limit)
`;

function splitAddr(addr: string): { hostname: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]*):(\d+)$/.exec(addr);
  if (!m) throw usageError(`--addr must be HOST:PORT, got ${addr}`);
  const port = Number(m[2]);
  if (port > 65535) throw usageError(`invalid port ${m[2]}`);
  return { hostname: (m[1] || "127.0.0.1").replace(/^\[|\]$/g, ""), port };
}

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    strict: true,
    options: {
      addr: { type: "string" },
      "api-key": { type: "string", multiple: true },
      "admin-key": { type: "string", multiple: true },
      workdir: { type: "string" },
      "workdir-allow": { type: "string", multiple: true },
      "max-approval": { type: "string" },
      "max-sandbox": { type: "string" },
      "allowed-host": { type: "string", multiple: true },
      "cors-origin": { type: "string", multiple: true },
      "rate-limit": { type: "string" },
      "max-body": { type: "string" },
      "trusted-proxy": { type: "string", multiple: true },
      timeout: { type: "string" },
      "idle-timeout": { type: "string" },
      "model-map": { type: "string", multiple: true },
      profiles: { type: "string" },
      "max-concurrency": { type: "string" },
      "max-queue": { type: "string" },
      "queue-timeout": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(SERVE_HELP);
    return EXIT.ok;
  }
  const { hostname, port } = splitAddr(values.addr ?? "127.0.0.1:7788");
  const envKeys = (process.env.CLICKCLACK_AGENT_API_KEYS ?? "").split(",").map((k) => k.trim()).filter(Boolean);
  const apiKeys = [...(values["api-key"] ?? []), ...envKeys];
  const envAdmin = (process.env.CLICKCLACK_AGENT_ADMIN_KEYS ?? "").split(",").map((k) => k.trim()).filter(Boolean);
  const adminKeys = [...(values["admin-key"] ?? []), ...envAdmin];
  const maxApproval = values["max-approval"] ?? "auto";
  if (!isApprovalMode(maxApproval)) throw usageError("--max-approval must be ask, auto or never-ask");
  const maxSandbox = values["max-sandbox"] ?? "workspace";
  if (!isSandboxMode(maxSandbox)) throw usageError("--max-sandbox must be read-only, workspace or full");
  const rate = Number(values["rate-limit"] ?? 60);
  if (!Number.isFinite(rate) || rate < 0) throw usageError("--rate-limit must be a number >= 0");
  const maxBody = Number(values["max-body"] ?? 1024 * 1024);
  if (!Number.isInteger(maxBody) || maxBody < 1024) throw usageError("--max-body must be an integer >= 1024");

  if (values["max-concurrency"] !== undefined) {
    const n = Number(values["max-concurrency"]);
    if (!Number.isInteger(n) || n < 1) throw usageError("--max-concurrency must be a positive integer");
    globalLimiter.setMax(n);
  }
  const maxQueue = values["max-queue"] === undefined ? undefined : Number(values["max-queue"]);
  if (maxQueue !== undefined && (!Number.isInteger(maxQueue) || maxQueue < 0)) throw usageError("--max-queue must be an integer >= 0");
  const queueTimeoutMs = values["queue-timeout"] ? parseDuration(values["queue-timeout"], "--queue-timeout") : undefined;
  const store = openStore();
  let gateway: ReturnType<typeof startGateway>;
  try {
    gateway = startGateway({
      hostname,
      port,
      apiKeys,
      adminKeys,
      allowedHosts: values["allowed-host"] ?? [],
      corsOrigins: values["cors-origin"] ?? [],
      ...(values.workdir ? { workdir: values.workdir } : {}),
      workdirAllow: values["workdir-allow"] ?? [],
      maxApproval,
      maxSandbox,
      rateLimit: rate,
      maxBodyBytes: maxBody,
      trustedProxies: values["trusted-proxy"] ?? [],
      timeoutMs: parseDuration(values.timeout ?? "30m", "--timeout"),
      idleTimeoutMs: parseDuration(values["idle-timeout"] ?? "10m", "--idle-timeout"),
      models: modelTable(values["model-map"] ?? []),
      ...(maxQueue !== undefined ? { maxQueue } : {}),
      ...(queueTimeoutMs !== undefined ? { queueTimeoutMs } : {}),
      profiles: values.profiles ? loadProfiles(values.profiles) : findProfiles(values.workdir ?? process.cwd()),
      store,
    });
  } catch (e) {
    store.close();
    throw e;
  }
  process.stdout.write(`agent gateway listening on ${gateway.url}${apiKeys.length + adminKeys.length ? " (API keys required)" : ""}\n`);
  const shutdown = async () => {
    await gateway.stop();
    store.close();
    process.exit(EXIT.ok);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
  return -1;
}
