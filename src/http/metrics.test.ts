import { afterAll, beforeAll, expect, test } from "bun:test";
import { seedTeam, startTestServer, type TestServer } from "../testing/harness.ts";
import { promtoolProblems } from "../testing/promtool.ts";

let on: TestServer;
let off: TestServer;
beforeAll(async () => {
  on = await startTestServer(["--metrics"]);
  off = await startTestServer();
});
afterAll(async () => {
  await on.close();
  await off.close();
});

test("metrics are opt-in, and count requests, committed events and write batches", async () => {
  expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
  const team = await seedTeam(on);
  for (let i = 0; i < 3; i++) await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: `m${i}` });
  await fetch(`${on.url}/api/no-such-route`);
  const r = await fetch(`${on.url}/metrics`);
  expect(r.status).toBe(200);
  const text = await r.text();
  expect(text).toMatch(/clickclack_http_requests_total\{method="POST",route="\/api\/channels\/:id\/messages",status="201"\} 3/);
  expect(text).toMatch(/clickclack_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
  expect(text).toMatch(/clickclack_http_request_duration_seconds_count\{method="POST",route="\/api\/channels\/:id\/messages"\} 3/);
  expect(text).toMatch(/clickclack_events_committed_total\{type="message.created"\} 3/);
  expect(text).toContain("clickclack_websocket_connections 0");
  expect(text).toMatch(/clickclack_write_jobs_total \d+/);
  expect(text).toMatch(/clickclack_build_info\{version="[^"]+",revision="[^"]*",bun_version="[^"]+"\} 1/);
  expect(text).toContain("clickclack_ready 1");
});

test("process metrics are the ones Bun reports truthfully", async () => {
  const text = await (await fetch(`${on.url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
  // prom-client's default process_heap_bytes reads ~6 GB of reserved address space under Bun.
  expect(text).not.toContain("process_heap_bytes");
  expect(text).not.toContain("nodejs_heap_space");
  const rss = value("process_resident_memory_bytes");
  expect(rss).toBeGreaterThan(1024 * 1024);
  expect(rss).toBeLessThan(4 * 1024 * 1024 * 1024);
  expect(value("process_cpu_seconds_total")).toBeGreaterThan(0);
  // Read at two moments of the scrape, so only their sizes are compared loosely.
  expect(value("clickclack_js_heap_used_bytes")).toBeGreaterThan(0);
  expect(value("clickclack_js_heap_size_bytes")).toBeGreaterThan(1024 * 1024);
});

test("promtool check metrics accepts every name (Debian package `prometheus`)", async () => {
  const text = await (await fetch(`${on.url}/metrics`)).text();
  expect(await promtoolProblems(text)).toBe("");
});
