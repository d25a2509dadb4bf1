// Prometheus metrics (opt-in with --metrics): request counts and latency per route, the write
// path's batches, committed events, open sockets, readiness and build info. Names follow the
// Prometheus conventions (`_total` counters, `_seconds`/`_bytes` units), checked by promtool in
// metrics.test.ts.
//
// prom-client's default metrics are not used: under Bun several are wrong (process_heap_bytes
// reports the reserved address space, ~6 GB; the V8 heap-space and active-handle series are all
// zero). The process metrics below are the ones Bun reports truthfully.
import { readdirSync } from "node:fs";
import { Elysia, t } from "elysia";
import type { Registry } from "prom-client";
import { buildInfo, VERSION } from "../cli/version.ts";
import type { PostgresStore } from "../store/postgres/index.ts";
import type { SqliteStore } from "../store/sqlite/index.ts";
import type { Deps } from "./deps.ts";
import { requestContext, statusOf } from "./request-log.ts";

const DETAIL = { summary: "Prometheus metrics (404 unless --metrics)", tags: ["health"] };
const RESPONSES = { 200: t.String(), 404: t.Object({ error: t.String(), code: t.String() }) };

// prom-client loads only with --metrics: it was a fifth of the module loading of every start.
type Prom = typeof import("prom-client");
const promClient = (): Prom => require("prom-client") as Prom;

/** A counter whose running total lives elsewhere (the hub, the writer): read at scrape time. */
function totalCounter(registry: Registry, name: string, help: string, read: () => number) {
  return new (promClient().Counter)({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

function gauge(registry: Registry, name: string, help: string, read: () => number | Promise<number>, labels?: Record<string, string>) {
  return new (promClient().Gauge)({
    name,
    help,
    labelNames: labels ? Object.keys(labels) : [],
    registers: [registry],
    async collect() {
      const value = await read();
      if (labels) this.set(labels, value);
      else this.set(value);
    },
  });
}

function processMetrics(registry: Registry) {
  const started = Date.now() / 1000 - process.uptime();
  totalCounter(registry, "process_cpu_user_seconds_total", "User CPU time spent, in seconds", () => process.cpuUsage().user / 1e6);
  totalCounter(registry, "process_cpu_system_seconds_total", "System CPU time spent, in seconds", () => process.cpuUsage().system / 1e6);
  totalCounter(registry, "process_cpu_seconds_total", "User and system CPU time spent, in seconds", () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  });
  gauge(registry, "process_resident_memory_bytes", "Resident memory size, in bytes", () => process.memoryUsage().rss);
  gauge(registry, "process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds", () => started);
  if (process.platform === "linux") gauge(registry, "process_open_fds", "Open file descriptors", () => readdirSync("/proc/self/fd").length);
  gauge(registry, "clickclack_js_heap_used_bytes", "JavaScript heap in use, in bytes", () => process.memoryUsage().heapUsed);
  gauge(registry, "clickclack_js_heap_size_bytes", "JavaScript heap size, in bytes", () => process.memoryUsage().heapTotal);
}

export function metricsRoutes({ config, hub, store }: Deps) {
  const app = new Elysia();
  if (!config.metrics) {
    return app.get("/metrics", ({ set }) => {
      set.status = 404;
      return { error: "metrics are off: start the server with --metrics", code: "not_found" };
    }, { detail: DETAIL, response: RESPONSES });
  }
  const { Counter, Histogram, Registry } = promClient();
  const registry = new Registry();
  processMetrics(registry);
  const build = buildInfo();
  gauge(registry, "clickclack_build_info", "Always 1; labels name the running build", () => 1, { version: VERSION, revision: build?.commit ?? "", bun_version: Bun.version });
  gauge(registry, "clickclack_ready", "1 when the database answers (as /readyz), else 0", () => store.ping().then(() => 1, () => 0));
  const requests = new Counter({ name: "clickclack_http_requests_total", help: "HTTP requests by route and status", labelNames: ["method", "route", "status"], registers: [registry] });
  const latency = new Histogram({ name: "clickclack_http_request_duration_seconds", help: "HTTP request latency by route, in seconds", labelNames: ["method", "route"], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers: [registry] });
  const events = new Counter({ name: "clickclack_events_committed_total", help: "Durable events committed, by type", labelNames: ["type"], registers: [registry] });
  gauge(registry, "clickclack_websocket_connections", "Open realtime sockets", () => hub.connectionCount());
  totalCounter(registry, "clickclack_slow_consumers_closed_total", "Sockets closed with 1013 (too slow to keep up)", () => hub.stats.slowClosed);
  {
    // Both stores group-commit through a writer that counts its batches and jobs.
    const writer = (store as SqliteStore | PostgresStore).writer;
    totalCounter(registry, "clickclack_write_batches_total", "Group commits of the write path", () => writer.batches);
    totalCounter(registry, "clickclack_write_jobs_total", "Mutations committed (jobs / batches = batch size)", () => writer.jobs);
  }
  store.events.onCommit((committed) => {
    for (const e of committed) events.inc({ type: e.type });
  });
  return app
    .onAfterResponse({ as: "global" }, ({ request, route, set, responseValue }) => {
      const labels = { method: request.method, route: route || "unmatched" };
      requests.inc({ ...labels, status: String(statusOf(set, responseValue)) });
      latency.observe(labels, (performance.now() - requestContext(request).started) / 1000);
    })
    .get("/metrics", async ({ set }) => {
      set.headers["content-type"] = registry.contentType;
      return registry.metrics();
    }, { detail: DETAIL, response: RESPONSES });
}
