// Optional OpenTelemetry traces, exported over OTLP/HTTP (JSON) when an endpoint is configured
// (--otlp-endpoint, or the standard OTEL_EXPORTER_OTLP_ENDPOINT); off otherwise, at no cost.
// The provider belongs to one server (no global registration), so several servers in one process
// (tests) keep their traces apart.
import { type Context, ROOT_CONTEXT, type Span, SpanKind, type Tracer } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { VERSION } from "../cli/version.ts";

export interface Tracing {
  tracer: Tracer;
  /** The caller's trace, from a W3C `traceparent` header, or a new one. */
  parentFrom(headers: Headers): Context;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

const propagator = new W3CTraceContextPropagator();
const headerGetter = { get: (h: Headers, key: string) => h.get(key) ?? undefined, keys: (h: Headers) => [...h.keys()] };

/** `endpoint` is the collector's base URL (…:4318) or its full traces URL (…/v1/traces). */
export function createTracing(endpoint: string | null, opts: { environment?: string | null; delayMs?: number } = {}): Tracing | null {
  if (!endpoint) return null;
  const url = endpoint.replace(/\/+$/, "").endsWith("/v1/traces") ? endpoint : `${endpoint.replace(/\/+$/, "")}/v1/traces`;
  // The SDK and its exporter load only when tracing is on: they weigh on every cold start otherwise.
  const { OTLPTraceExporter } = require("@opentelemetry/exporter-trace-otlp-http") as typeof import("@opentelemetry/exporter-trace-otlp-http");
  const { resourceFromAttributes } = require("@opentelemetry/resources") as typeof import("@opentelemetry/resources");
  const { BatchSpanProcessor, TracerProvider } = require("@opentelemetry/sdk-trace") as typeof import("@opentelemetry/sdk-trace");
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "clickclack", "service.version": VERSION, ...(opts.environment ? { "deployment.environment.name": opts.environment } : {}) }),
    // Batched off the request path; a slow or absent collector never delays a response.
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }), scheduledDelayMillis: opts.delayMs ?? 2000 })],
  });
  return {
    tracer: provider.getTracer("clickclack", VERSION),
    parentFrom: (headers) => propagator.extract(ROOT_CONTEXT, headers, headerGetter),
    shutdown: () => provider.shutdown(),
  };
}

/**
 * The tracing of the server this process runs, for work that has no request to hang from (the
 * hub's fan-out). `serve` installs it; null means off.
 */
let processTracing: Tracing | null = null;

export function setProcessTracing(tracing: Tracing | null): void {
  processTracing = tracing;
}

/** A span for background work when tracing is on, else null (callers end it with `?.end()`). */
export function backgroundSpan(name: string, attributes: Record<string, string | number>): Span | null {
  return processTracing?.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }) ?? null;
}

export { type Span, SpanKind };
