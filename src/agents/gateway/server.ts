// The agent gateway: a small Bun.serve app, separate from the chat server and off unless
// started. Order of checks per request: host → CORS preflight → origin → health → API key
// → rate limit → route. Preflights come before auth because browsers send them without
// credentials.
import type { Server } from "bun";
import type { ApprovalMode, SandboxMode } from "../backends/types.ts";
import { configError } from "../errors.ts";
import { globalLimiter, type Limiter } from "../limiter.ts";
import type { Profiles } from "../profiles.ts";
import type { RunResult } from "../run.ts";
import type { SessionStore } from "../sessions.ts";
import { anthropicModel, anthropicModels, countTokens, messages } from "./anthropic.ts";
import type { Caller, Gateway } from "./context.ts";
import { type Api, fromError, HttpError, json } from "./http.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { type ModelTable, modelTable } from "./models.ts";
import { chatCompletions, getModel, listModels } from "./openai.ts";
import { health } from "./health.ts";
import { idempotent } from "./idempotency.ts";
import { openApiDocument } from "./openapi.ts";
import { rest } from "./rest.ts";
import { clientIp, Cors, HostGuard, isLoopback, isWildcard, KeyRing, Policy, RateLimiter } from "./security.ts";

export interface GatewayOptions {
  hostname?: string;
  port?: number;
  apiKeys?: string[];
  /** Keys that see and control every session (the operator's CLI sessions too). */
  adminKeys?: string[];
  allowedHosts?: string[];
  corsOrigins?: string[];
  workdir?: string;
  workdirAllow?: string[];
  maxApproval?: ApprovalMode;
  maxSandbox?: SandboxMode;
  /** Requests per minute per API key (or per client IP without keys); 0 disables. */
  rateLimit?: number;
  rateBurst?: number;
  maxBodyBytes?: number;
  trustedProxies?: string[];
  timeoutMs?: number;
  idleTimeoutMs?: number;
  models?: ModelTable;
  profiles?: Profiles | null;
  store: SessionStore;
  env?: Record<string, string | undefined>;
  limiter?: Limiter;
  graceMs?: number;
  /** Runs allowed to wait for a slot; beyond that a request is answered 503 + Retry-After. */
  maxQueue?: number;
  /** Longest wait for a slot before a request is answered 503 + Retry-After. */
  queueTimeoutMs?: number;
}

export interface RunningGateway {
  server: Server<unknown>;
  url: string;
  metrics: Metrics;
  stop(): Promise<void>;
}

function apiOf(path: string): Api {
  if (path.startsWith("/openai/")) return "openai";
  if (path.startsWith("/anthropic/")) return "anthropic";
  return "rest";
}

export function startGateway(o: GatewayOptions): RunningGateway {
  const hostname = o.hostname ?? "127.0.0.1";
  const keys = new KeyRing(o.apiKeys ?? [], o.adminKeys ?? []);
  // Off loopback, an open gateway is remote code execution for anyone who can connect.
  if (!isLoopback(hostname) && !keys.required) {
    throw configError(`refusing to listen on ${hostname} without API keys (--api-key or CLICKCLACK_AGENT_API_KEYS)`);
  }
  const allowedHosts = o.allowedHosts ?? [];
  // On a wildcard bind without an explicit host list we cannot know our public names; keys
  // (mandatory there) already defeat DNS rebinding, which needs a keyless target.
  const hosts = new HostGuard(hostname, allowedHosts, isWildcard(hostname) && allowedHosts.length === 0);
  const cors = new Cors(o.corsOrigins ?? []);
  const limiter = new RateLimiter(o.rateLimit ?? 60, o.rateBurst ?? Math.max(1, Math.ceil((o.rateLimit ?? 60) / 6)));
  const runLimiter = o.limiter ?? globalLimiter;
  const metrics = createMetrics(runLimiter);
  const policy = new Policy({
    defaultWorkdir: o.workdir ?? process.cwd(),
    workdirAllow: o.workdirAllow ?? [],
    maxApproval: o.maxApproval ?? "auto",
    maxSandbox: o.maxSandbox ?? "workspace",
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.idleTimeoutMs ? { idleTimeoutMs: o.idleTimeoutMs } : {}),
  });
  // Shutdown cancels every run, including streams whose handler has already returned.
  const shutdown = new AbortController();
  const active = new Set<Promise<unknown>>();
  const gw: Gateway = {
    track: (work) => {
      active.add(work);
      work.then(
        () => active.delete(work),
        () => active.delete(work),
      );
      return work;
    },
    store: o.store,
    policy,
    models: o.models ?? modelTable(),
    maxBody: o.maxBodyBytes ?? 1024 * 1024,
    profiles: o.profiles ?? null,
    metrics,
    run: {
      store: o.store,
      env: o.env ?? process.env,
      limiter: runLimiter,
      queue: {
        ...(o.maxQueue !== undefined ? { maxQueue: o.maxQueue } : {}),
        ...(o.queueTimeoutMs !== undefined ? { maxWaitMs: o.queueTimeoutMs } : {}),
      },
      ...(o.graceMs !== undefined ? { graceMs: o.graceMs } : {}),
      onFinish: (r: RunResult) => metrics.run(r),
    },
  };
  const trusted = o.trustedProxies ?? [];

  async function route(req: Request, server: Server<unknown>, path: string, api: Api): Promise<Response> {
    hosts.check(req);
    if (req.method === "OPTIONS") return cors.preflight(req);
    cors.checkOrigin(req);
    if (path === "/health") return await health(o.env ?? process.env, runLimiter);
    if (path === "/openapi.json" && req.method === "GET") return json(openApiDocument());
    const who = keys.authenticate(req);
    const owner = who.owner;
    const ip = clientIp(req, server.requestIP(req)?.address, trusted);
    limiter.take(keys.required ? owner : `ip:${ip}`);
    if (path === "/metrics") {
      return new Response(await metrics.registry.metrics(), { headers: { "content-type": metrics.registry.contentType } });
    }
    if (req.method === "POST" && req.headers.has("idempotency-key")) {
      return await idempotent(o.store, owner, req, gw.maxBody, (replayable) =>
        dispatch(replayable, path, api, { owner, admin: who.admin }, ip),
      );
    }
    return await dispatch(req, path, api, { owner, admin: who.admin }, ip);
  }

  async function dispatch(req: Request, path: string, api: Api, who: { owner: string; admin: boolean }, ip: string): Promise<Response> {
    const owner = who.owner;
    const caller: Caller = { req, owner, scope: { owner, admin: who.admin }, ip, signal: AbortSignal.any([req.signal, shutdown.signal]) };
    if (path === "/openai/v1/models" && req.method === "GET") return listModels(gw);
    if (path.startsWith("/openai/v1/models/") && req.method === "GET") {
      return getModel(gw, decodeURIComponent(path.slice("/openai/v1/models/".length)));
    }
    if (path === "/openai/v1/chat/completions" && req.method === "POST") return await chatCompletions(gw, caller);
    if (path === "/anthropic/v1/messages" && req.method === "POST") return await messages(gw, caller);
    if (path === "/anthropic/v1/messages/count_tokens" && req.method === "POST") return await countTokens(gw, caller);
    if (path === "/anthropic/v1/models" && req.method === "GET") return anthropicModels(gw);
    if (path.startsWith("/anthropic/v1/models/") && req.method === "GET") {
      return anthropicModel(gw, decodeURIComponent(path.slice("/anthropic/v1/models/".length)));
    }
    if (api === "rest" && path.startsWith("/api/v1/")) return await rest(gw, caller, path);
    throw new HttpError(404, `no route ${req.method} ${path}`);
  }

  const server = Bun.serve({
    hostname,
    port: o.port ?? 7788,
    // Agent runs can think for minutes before the first byte; Bun's default 10 s idle
    // timeout would cut them off. Streams send keep-alives of their own.
    idleTimeout: 255,
    async fetch(req, srv) {
      const path = new URL(req.url).pathname;
      const api = apiOf(path);
      let res: Response;
      try {
        res = await route(req, srv, path, api);
      } catch (e) {
        res = fromError(api, e);
      }
      for (const [k, v] of Object.entries(cors.headers(req.headers.get("origin")))) res.headers.set(k, v);
      // The official SDKs retry 409 and 5xx by default; a failed agent run must not run
      // again (it may have edited files). Only "nothing ran" answers stay retryable.
      if (res.status >= 400 && res.status !== 429 && res.status !== 503 && !res.headers.has("x-should-retry")) {
        res.headers.set("x-should-retry", "false");
      }
      metrics.request(api, res.status);
      return res;
    },
  });

  return {
    server,
    url: `http://${server.hostname?.includes(":") ? `[${server.hostname}]` : server.hostname}:${server.port}`,
    metrics,
    async stop() {
      shutdown.abort();
      await server.stop(true);
      await Promise.allSettled([...active]);
    },
  };
}
