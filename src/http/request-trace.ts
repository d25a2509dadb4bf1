// A server span per request when tracing is on: named by method and route template (so span
// names stay few), carrying the request id, the status and the caller's trace when it sent a
// `traceparent`. The path is recorded without its query string.
import { Elysia } from "elysia";
import { type Span, SpanKind, type Tracing } from "../observability/tracing.ts";
import { loggedPath, requestContext, statusOf } from "./request-log.ts";

const spans = new WeakMap<Request, Span>();

export function requestTrace(tracing: Tracing) {
  return new Elysia({ name: "request-trace" })
    .onRequest(({ request }) => {
      const span = tracing.tracer.startSpan(
        request.method,
        { kind: SpanKind.SERVER, attributes: { "http.request.method": request.method, "url.path": loggedPath(request), "clickclack.request_id": requestContext(request).id } },
        tracing.parentFrom(request.headers),
      );
      spans.set(request, span);
    })
    .onAfterResponse({ as: "global" }, ({ request, route, set, responseValue }) => {
      const span = spans.get(request);
      if (!span) return;
      const status = statusOf(set, responseValue);
      if (route) {
        span.updateName(`${request.method} ${route}`);
        span.setAttribute("http.route", route);
      }
      span.setAttribute("http.response.status_code", status);
      if (status >= 500) span.setStatus({ code: 2 });
      span.end();
    });
}
