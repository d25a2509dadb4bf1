// Dates past the year 9999 cannot be compared with stored times: refused with 400, through the
// server, wherever a client gives one (moderation timeouts, search filters).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { seedTeam, startTestServer, type TestServer } from "../testing/harness.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;
beforeAll(async () => {
  server = await startTestServer();
  team = await seedTeam(server);
});
afterAll(() => server.close());

test("a moderation timeout past 9999 is refused, so it cannot silently never apply", async () => {
  const [owner] = team.clients;
  const path = `/api/workspaces/${team.workspace.id}/moderation/members/${team.users[1]!.id}`;
  for (const until of ["+010000-01-01T00:00:00Z", "+275760-09-13T00:00:00Z"]) {
    const r = await owner!.patch(path, { timeout_until: until });
    expect({ until, status: r.status, code: r.body.code }).toEqual({ until, status: 400, code: "invalid_time" });
  }
  const fine = await owner!.patch(path, { timeout_until: "9999-12-30T00:00:00Z" });
  expect(fine.status).toBe(200);
  // And it applies: the member is timed out.
  const refused = await team.clients[1]!.post(`/api/channels/${team.general.id}/messages`, { body: "hi" });
  expect(refused.body.code).toBe("moderation_timeout");
});

test("search after:/before: past 9999 is 400, not a filter that matches everything", async () => {
  const ada = team.clients[0]!;
  await ada.post(`/api/channels/${team.general.id}/messages`, { body: "findable words" });
  for (const q of ["findable after:9999-12-31", "findable after:10000-01-01", "findable before:99999-01-01"]) {
    const r = await ada.get(`/api/search?workspace_id=${team.workspace.id}&q=${encodeURIComponent(q)}`);
    expect({ q, status: r.status, code: r.body.code }).toEqual({ q, status: 400, code: "invalid_date" });
  }
  const ok = await ada.get(`/api/search?workspace_id=${team.workspace.id}&q=${encodeURIComponent("findable after:2000-01-01")}`);
  expect(ok.status).toBe(200);
  expect(ok.body.results.length).toBe(1);
});
