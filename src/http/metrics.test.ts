import { afterAll, beforeAll, expect, test } from "bun:test";
import { seedTeam, startTestServer, type TestServer } from "../testing/harness.ts";

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
  const r = await fetch(`${on.url}/metrics`);
  expect(r.status).toBe(200);
  const text = await r.text();
  expect(text).toMatch(/clickclack_http_requests_total\{method="POST",route="\/api\/channels\/:id\/messages",status="201"\} 3/);
  expect(text).toMatch(/clickclack_events_committed_total\{type="message.created"\} 3/);
  expect(text).toContain("clickclack_websocket_connections 0");
  expect(text).toMatch(/clickclack_write_jobs \d+/);
});
