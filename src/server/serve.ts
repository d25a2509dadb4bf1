// `clickclack serve`: opens the store, wires the hub and the HTTP app into one Bun server, and
// upgrades /api/realtime/ws itself so it can pick the subprotocol and own the socket lifecycle.
import { withCorrelation } from "../chat/correlation.ts";
import type { Server } from "bun";
import { Access } from "../access/access.ts";
import { Authenticator } from "../access/actor.ts";
import { tokenResolvers } from "../access/credentials.ts";
import { PersonLimits } from "../access/limits.ts";
import { isConnectionLoss } from "./connection-loss.ts";
import { RateLimiter } from "../access/rate-limit.ts";
import { AppError } from "../chat/errors.ts";
import { type Config, ConfigError, configHelp, loadConfig } from "../config/config.ts";
import { createApp } from "../http/app.ts";
import { clientAddress, rememberAddress, resolveClientAddress, trustedProxies } from "../http/client-info.ts";
import type { Deps } from "../http/deps.ts";
import type { Cluster } from "../realtime/cluster.ts";
import { Hub, type Subscriber } from "../realtime/hub.ts";
import { Presence } from "../realtime/presence.ts";
import { smtpMailer } from "../integrations/mail.ts";
import { outboundPolicy } from "../integrations/outbound.ts";
import { SubscriptionWorker } from "../integrations/subscriptions.ts";
import { startNotifyWorker } from "../integrations/notify-worker.ts";
import { startDigestWorker } from "../integrations/digest-worker.ts";
import { pushoverClient } from "../integrations/pushover.ts";
import { webPushSender } from "../integrations/web-push.ts";
import { openStore } from "../store/open.ts";
import { withAccessCache } from "../access/cache.ts";
import { UploadService } from "../uploads/service.ts";
import { openStorage } from "../uploads/storage.ts";
import type { Store } from "../store/store.ts";
import type { DestinationStream } from "pino";
import { createLog, setProcessLog, silentLog } from "../observability/log.ts";
import { createTracing, setProcessTracing } from "../observability/tracing.ts";
import { devBootstrap } from "./bootstrap.ts";
import { startMaintenance } from "./maintenance.ts";

export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  hub: Hub;
  deps: Deps;
  server: Server<Subscriber>;
  /** The event subscription delivery worker (tests that diff the database stop it first). */
  subscriptions: SubscriptionWorker;
  stop(): Promise<void>;
}

const BEARER_PROTOCOL = "clickclack.bearer.";
/** How long after listening the background workers start (see startServer). */
const BACKGROUND_START_MS = 250;

function jsonError(status: number, error: string, code: string): Response {
  return Response.json({ error, code }, { status, headers: { "X-Content-Type-Options": "nosniff" } });
}

async function upgradeRealtime(req: Request, server: Server<Subscriber>, deps: Deps): Promise<Response | undefined> {
  const url = new URL(req.url);
  const offered = (req.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  const bearer = offered.find((p) => p.startsWith(BEARER_PROTOCOL));
  let authRequest = req;
  if (bearer && !req.headers.has("authorization")) {
    const headers = new Headers(req.headers);
    headers.set("authorization", `Bearer ${bearer.slice(BEARER_PROTOCOL.length)}`);
    authRequest = new Request(req.url, { headers, method: "GET" });
    rememberAddress(authRequest, clientAddress(req));
  }
  try {
    const workspaceId = url.searchParams.get("workspace_id");
    if (!workspaceId) return jsonError(400, "workspace_id is required", "invalid_request");
    const actor = await deps.auth.require(authRequest);
    const grant = await deps.access.realtimeGrant(actor, workspaceId);
    const data = deps.hub.newSubscriber({
      userId: actor.user.id,
      workspaceId,
      ...grant,
      via: actor.via,
      credentialId: actor.credentialId,
      expiresAt: actor.expiresAt,
      ownerId: actor.user.kind === "bot" ? actor.user.owner_user_id : null,
      afterCursor: url.searchParams.get("after_cursor")?.trim() || null,
    });
    const ok = server.upgrade(req, { data, headers: bearer ? { "Sec-WebSocket-Protocol": bearer } : undefined });
    return ok ? undefined : jsonError(400, "WebSocket upgrade failed", "upgrade_failed");
  } catch (err) {
    if (err instanceof AppError) return jsonError(err.status, err.message, err.code);
    deps.log.error({ err }, "realtime upgrade failed");
    return jsonError(500, "internal error", "internal");
  }
}

export interface StartOptions {
  /** No log output (tests), unless `logTo` is given. */
  quiet?: boolean;
  /** Where log lines go instead of stdout (tests read them). */
  logTo?: DestinationStream;
  /** How long spans wait to be batched (tests shorten it). */
  traceDelayMs?: number;
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const logOptions = { level: config.logLevel, environment: config.environment };
  const log = opts.logTo ? createLog({ ...logOptions, destination: opts.logTo }) : opts.quiet ? silentLog() : createLog(logOptions);
  // Credentials, memberships and channel records are cached for the request path (src/access/cache.ts).
  const store = withAccessCache(await openStore(config));
  if (config.devBootstrap) await devBootstrap(store, { quiet: opts.quiet });
  const access = new Access(store);
  const limits = new PersonLimits(config.limits);
  const hub = new Hub(store, (sub) => access.stillGranted(sub), (open, hasCredential) => limits.socketRefusal(open, hasCredential));
  // On Postgres other processes may serve the same workspaces: realtime goes through the log.
  const cluster: Cluster | null = config.db.kind === "postgres" ? await (await import("../realtime/cluster.ts")).startCluster(config.db.url, hub) : null;
  // Who is connected, from the sockets of every process (see src/realtime/presence.ts).
  const presence = new Presence(store, (e) => hub.publishEphemeral(e));
  hub.listen(presence);
  const limiter = new RateLimiter();
  const auth = new Authenticator(store, config.dev, config.publicUrl).use(tokenResolvers(store, limiter, config));
  const uploads = new UploadService(store, openStorage(config.uploads), { maxBytes: config.uploads.quotaBytes, maxFiles: config.uploads.quotaFiles });
  const tracing = createTracing(config.otlpEndpoint, { environment: config.environment, delayMs: opts.traceDelayMs });
  if (tracing) setProcessTracing(tracing);
  const mailer = config.mail ? smtpMailer(config.mail) : null;
  const webPush = webPushSender(store, config.publicUrl);
  const outbound = outboundPolicy(config.outbound);
  const deps: Deps = { store, hub, presence, auth, access, config, limiter, limits, uploads, log, tracing, mailer, outbound, webPush };
  const app = createApp(deps);
  const proxies = trustedProxies(config.trustedProxy);

  const server = Bun.serve<Subscriber>({
    hostname: config.addr.hostname,
    port: config.addr.port,
    // Uploads may be 64 MiB; JSON routes refuse anything over 1 MiB themselves.
    maxRequestBodySize: 65 * 1024 * 1024,
    fetch(req, srv) {
      rememberAddress(req, resolveClientAddress(req, srv.requestIP(req)?.address, proxies));
      if (req.headers.get("upgrade")?.toLowerCase() === "websocket" && new URL(req.url).pathname === "/api/realtime/ws") {
        return upgradeRealtime(req, srv, deps) as Promise<Response>;
      }
      return withCorrelation(req.headers.get("x-correlation-id"), () => app.fetch(req));
    },
    websocket: {
      open: (ws) => void hub.open(ws),
      close: (ws) => hub.closed(ws),
      // The socket is output-only; what clients send is ignored.
      message: () => {},
      idleTimeout: 120,
      sendPings: true,
      backpressureLimit: 8 * 1024 * 1024,
      closeOnBackpressureLimit: true,
      perMessageDeflate: false,
    },
    error(err) {
      log.error({ err }, "server error");
      return jsonError(500, "internal error", "internal");
    },
  });
  hub.attach(server);
  presence.start();
  const url = `http://${server.hostname?.includes(":") ? `[${server.hostname}]` : server.hostname}:${server.port}`;
  // Like CLICKCLACK_CHECKPOINT_MS: tests shorten the retry delay; operators have no reason to.
  const subscriptions = new SubscriptionWorker(store, outbound, { retryBaseMs: Number(process.env.CLICKCLACK_WEBHOOK_RETRY_BASE_MS ?? 1000) });
  // The background workers start a moment after the server listens. Their first passes catch up
  // on what is owed since the last run (deliveries, pushes, upload reservations, upkeep), and a
  // restarted server answers the requests already waiting for it first: readiness probes,
  // reconnecting clients. Nothing is missed meanwhile: the workers that follow the log read it
  // from their own durable positions. (Binary start to its first answer: 79.8 -> 72.0 ms.)
  const startBackground = () => {
    const stopUploads = uploads.start();
    const stopMaintenance = startMaintenance(store, config);
    subscriptions.start();
    const stopNotifyWorker = startNotifyWorker(store, { pushover: config.pushover ? pushoverClient(config.pushover) : null, webPush, publicUrl: config.publicUrl, coalesceMs: config.pushCoalesceSeconds * 1000 });
    // Mentions mailed to people who were away: only with mail delivery and a non-zero interval.
    const stopDigestWorker = mailer && config.digestMinutes > 0
      ? startDigestWorker(store, { mailer, isConnected: (userId) => store.presence.isConnected(userId), baseUrl: config.publicUrl ?? url, intervalMs: config.digestMinutes * 60_000 })
      : async () => {};
    return async () => {
      stopMaintenance();
      stopUploads();
      await stopNotifyWorker();
      await stopDigestWorker();
    };
  };
  let stopBackground: (() => Promise<void>) | null = null;
  const backgroundTimer = setTimeout(() => {
    stopBackground = startBackground();
  }, BACKGROUND_START_MS);
  let stopped = false;
  return {
    url,
    port: server.port!,
    store,
    hub,
    deps,
    server,
    subscriptions,
    async stop() {
      if (stopped) return;
      stopped = true;
      hub.detach();
      clearTimeout(backgroundTimer);
      await stopBackground?.();
      await server.stop(true);
      await presence.stop();
      await subscriptions.stop();
      await cluster?.stop();
      mailer?.close();
      await store.close();
      if (tracing) setProcessTracing(null);
      // Spans still buffered go out before the process ends; a collector that is gone cannot hold us.
      await Promise.race([tracing?.shutdown(), Bun.sleep(3000)]).catch(() => {});
    },
  };
}

export async function serveCommand(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`Usage: clickclack serve [options]\n\nEach option can also be set by its environment variable or a JSON --config file.\n\n${configHelp()}\n  --config FILE          CLICKCLACK_CONFIG                JSON file with any of the settings above\n`);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig(args).config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`clickclack serve: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const running = await startServer(config);
  const log = running.deps.log;
  setProcessLog(log);
  const database = config.db.kind === "sqlite" ? config.db.path : "postgres";
  // Scripts and tests read the URL from this line (it ends at the first space), so it is written
  // whatever --log-level says.
  log.child({}, { level: "info" }).info({ url: running.url, database, dev: config.dev }, `clickclack listening on ${running.url} (database: ${database}${config.dev ? ", dev mode" : ""})`);
  const shutdown = async (signal: string) => {
    log.info({ signal }, "shutting down");
    await running.stop();
    log.flush();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  // While the database is away, the Postgres driver's reconnect attempts can fail outside any
  // awaited query (seen: ECONNREFUSED from a pool socket). The server must outlive an outage:
  // /readyz says 503 and the pool reconnects. Anything else is still fatal.
  const survive = (err: unknown) => {
    if (isConnectionLoss(err)) {
      log.warn({ err }, "database connection lost; reconnecting");
      return;
    }
    log.fatal({ err }, "uncaught error");
    log.flush();
    process.exit(1);
  };
  process.on("uncaughtException", survive);
  process.on("unhandledRejection", survive);
  return -1;
}
