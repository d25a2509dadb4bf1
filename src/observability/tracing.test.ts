// Traces reach an OTLP/HTTP collector: a local receiver stands in for it (it is only an HTTP
// endpoint that takes JSON), and gets a server span per request.
import { expect, test } from "bun:test";
import { client, seedTeam, startTestServer } from "../testing/harness.ts";

function otlpReceiver() {
  const spans: any[] = [];
  const resources: any[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      if (req.method !== "POST" || new URL(req.url).pathname !== "/v1/traces") return new Response("no", { status: 404 });
      const body = (await req.json()) as any;
      for (const rs of body.resourceSpans ?? []) {
        resources.push(rs.resource);
        for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
      }
      return Response.json({});
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, spans, resources, stop: () => server.stop(true) };
}

const attr = (span: any, key: string) => {
  const v = span.attributes?.find((a: any) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue !== undefined ? Number(v.intValue) : undefined);
};

test("with an OTLP endpoint, each request is a server span named by its route, joined to the caller's trace", async () => {
  const receiver = otlpReceiver();
  const server = await startTestServer(["--otlp-endpoint", receiver.url], { traceDelayMs: 50 });
  try {
    const api = client(server.url);
    await api.get("/healthz", { "X-Request-ID": "traced-1" });
    await api.get("/api/no-such-route?token=secret");
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    await api.get("/readyz", { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    // A span ends just after its response has gone out.
    await Bun.sleep(50);
  } finally {
    await server.close();
  }
  receiver.stop();
  const names = receiver.spans.map((s) => s.name).sort();
  expect(names).toEqual(["GET", "GET /healthz", "GET /readyz"]);
  const health = receiver.spans.find((s) => s.name === "GET /healthz");
  expect(health.kind).toBe(2); // SERVER
  expect(attr(health, "http.route")).toBe("/healthz");
  expect(attr(health, "http.response.status_code")).toBe(200);
  expect(attr(health, "clickclack.request_id")).toBe("traced-1");
  const missing = receiver.spans.find((s) => s.name === "GET");
  expect(attr(missing, "url.path")).toBe("/api/no-such-route");
  expect(JSON.stringify(receiver.spans)).not.toContain("secret");
  const ready = receiver.spans.find((s) => s.name === "GET /readyz");
  expect(ready.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  expect(ready.parentSpanId).toBe("00f067aa0ba902b7");
  expect(receiver.resources[0].attributes.find((a: any) => a.key === "service.name").value.stringValue).toBe("clickclack");
});

test("a committed event's fan-out to sockets is a span", async () => {
  const receiver = otlpReceiver();
  const server = await startTestServer(["--otlp-endpoint", receiver.url], { traceDelayMs: 50 });
  try {
    const team = await seedTeam(server);
    expect((await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: "traced" })).status).toBe(201);
    await Bun.sleep(50);
  } finally {
    await server.close();
  }
  receiver.stop();
  const fanout = receiver.spans.find((s) => s.name === "realtime.fanout" && attr(s, "clickclack.workspace_id"));
  expect(fanout).toBeDefined();
  expect(attr(fanout, "clickclack.events")).toBeGreaterThan(0);
  expect(receiver.spans.some((s) => s.name === "POST /api/channels/:id/messages")).toBe(true);
});

test("without an endpoint nothing is traced", async () => {
  const server = await startTestServer();
  try {
    expect(server.deps.tracing).toBeNull();
  } finally {
    await server.close();
  }
});
