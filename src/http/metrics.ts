// Prometheus metrics (opt-in with --metrics): request counts and latency per route, the write
// path's batches, committed events and open sockets.
import { Elysia, t } from "elysia";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { PostgresStore } from "../store/postgres/index.ts";
import type { SqliteStore } from "../store/sqlite/index.ts";
import type { Deps } from "./deps.ts";

const DETAIL = { summary: "Prometheus metrics (404 unless --metrics)", tags: ["health"] };
const RESPONSES = { 200: t.String(), 404: t.Object({ error: t.String(), code: t.String() }) };

export function metricsRoutes({ config, hub, store }: Deps) {
  const app = new Elysia();
  if (!config.metrics) {
    return app.get("/metrics", ({ set }) => {
      set.status = 404;
      return { error: "metrics are off: start the server with --metrics", code: "not_found" };
    }, { detail: DETAIL, response: RESPONSES });
  }
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: "clickclack_http_requests_total", help: "HTTP requests by route and status", labelNames: ["method", "route", "status"], registers: [registry] });
  const latency = new Histogram({ name: "clickclack_http_request_seconds", help: "HTTP request latency by route", labelNames: ["method", "route"], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers: [registry] });
  const events = new Counter({ name: "clickclack_events_committed_total", help: "Durable events committed, by type", labelNames: ["type"], registers: [registry] });
  new Gauge({ name: "clickclack_websocket_connections", help: "Open realtime sockets", registers: [registry], collect() { this.set(hub.connectionCount()); } });
  new Gauge({ name: "clickclack_slow_consumers_closed", help: "Sockets closed with 1013 since start", registers: [registry], collect() { this.set(hub.stats.slowClosed); } });
  {
    // Both stores group-commit through a writer that counts its batches and jobs.
    const writer = (store as SqliteStore | PostgresStore).writer;
    new Gauge({ name: "clickclack_write_batches", help: "Group commits since start", registers: [registry], collect() { this.set(writer.batches); } });
    new Gauge({ name: "clickclack_write_jobs", help: "Mutations committed since start (jobs / batches = batch size)", registers: [registry], collect() { this.set(writer.jobs); } });
  }
  store.events.onCommit((committed) => {
    for (const e of committed) events.inc({ type: e.type });
  });
  const started = new WeakMap<Request, number>();
  return app
    .onRequest(({ request }) => void started.set(request, performance.now()))
    .onAfterResponse({ as: "global" }, ({ request, route, set }) => {
      const t0 = started.get(request);
      const labels = { method: request.method, route: route || "unmatched" };
      requests.inc({ ...labels, status: String(set.status ?? 200) });
      if (t0 !== undefined) latency.observe(labels, (performance.now() - t0) / 1000);
    })
    .get("/metrics", async ({ set }) => {
      set.headers["content-type"] = registry.contentType;
      return registry.metrics();
    }, { detail: DETAIL, response: RESPONSES });
}
