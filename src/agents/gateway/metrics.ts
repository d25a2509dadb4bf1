// Prometheus metrics per backend. A private registry, so the gateway can run inside the chat
// server process without clashing with the server's own default-registry metrics.
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Limiter } from "../limiter.ts";
import type { RunResult } from "../run.ts";

export function createMetrics(limiter?: Limiter) {
  const registry = new Registry();
  if (limiter) {
    // Read at scrape time, so they are never stale.
    new Gauge({
      name: "clickclack_agent_runs_in_flight",
      help: "Agent CLIs running now",
      registers: [registry],
      collect() {
        this.set(limiter.running);
      },
    });
    new Gauge({
      name: "clickclack_agent_runs_queued",
      help: "Agent runs waiting for a free slot",
      registers: [registry],
      collect() {
        this.set(limiter.queued);
      },
    });
  }
  const runs = new Counter({
    name: "clickclack_agent_runs_total",
    help: "Agent runs by backend and final status",
    labelNames: ["backend", "status"] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: "clickclack_agent_failures_total",
    help: "Agent runs that did not complete, by backend and reason",
    labelNames: ["backend", "reason"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "clickclack_agent_run_duration_seconds",
    help: "Wall-clock duration of agent runs",
    labelNames: ["backend"] as const,
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const tokens = new Counter({
    name: "clickclack_agent_tokens_total",
    help: "Tokens reported by the backends (input includes cached)",
    labelNames: ["backend", "kind"] as const,
    registers: [registry],
  });
  const cost = new Counter({
    name: "clickclack_agent_cost_usd_total",
    help: "Cost reported by the backends, in USD",
    labelNames: ["backend"] as const,
    registers: [registry],
  });
  const requests = new Counter({
    name: "clickclack_agent_http_requests_total",
    help: "Gateway HTTP requests by API and status code",
    labelNames: ["api", "status"] as const,
    registers: [registry],
  });

  return {
    registry,
    request(api: string, status: number) {
      requests.inc({ api, status: String(status) });
    },
    run(r: RunResult) {
      if (r.status === "dry_run") return;
      runs.inc({ backend: r.backend, status: r.status });
      if (r.status !== "completed") failures.inc({ backend: r.backend, reason: r.status });
      duration.observe({ backend: r.backend }, r.durationMs / 1000);
      tokens.inc({ backend: r.backend, kind: "input" }, r.usage.input_tokens);
      tokens.inc({ backend: r.backend, kind: "output" }, r.usage.output_tokens);
      tokens.inc({ backend: r.backend, kind: "cached" }, r.usage.cached_tokens);
      tokens.inc({ backend: r.backend, kind: "reasoning" }, r.usage.reasoning_tokens);
      if (r.costUsd) cost.inc({ backend: r.backend }, r.costUsd);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
