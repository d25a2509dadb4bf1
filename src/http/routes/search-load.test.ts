// Search must not stall the server for everyone else: searches run on their own thread, each
// held to a time budget, and one person's searches are capped (rate and concurrency).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { SqliteStore } from "../../store/sqlite/index.ts";
import { seedTeam, startTestServer, type TestServer } from "../../testing/harness.ts";

/** Writes `n` messages straight into the database (the search triggers index them). */
function history(server: TestServer, team: Awaited<ReturnType<typeof seedTeam>>, n: number) {
  const raw = (server.store as SqliteStore).raw;
  const insert = raw.query(`INSERT INTO messages (id, route_id, workspace_id, channel_id, author_id, thread_root_id, channel_seq, body, kind, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?1, ?6, ?7, 'message', ?8)`);
  const t0 = Date.now() - n * 1000;
  raw.transaction(() => {
    for (let i = 0; i < n; i++) {
      const id = `msg_${i.toString(36).padStart(26, "0")}`;
      insert.run(id, `M${i}`, team.workspace.id, team.general.id, team.users[1]!.id, i + 1, `alpha beta gamma ${i % 977} delta epsilon`, new Date(t0 + i * 1000).toISOString());
    }
  })();
  raw.query("UPDATE channels SET last_seq = ? WHERE id = ?").run(n, team.general.id);
}

describe("heavy searches by one person", () => {
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;
  beforeAll(async () => {
    // Rates off: the searches themselves must not stall anyone, limits or not.
    server = await startTestServer(["--no-limits"]);
    team = await seedTeam(server);
    history(server, team, 20_000);
  }, 60_000);
  afterAll(() => server.close());

  test("do not hold up another person's requests", async () => {
    const [ada, bob] = team.clients;
    const search = () => bob!.get(`/api/search?workspace_id=${team.workspace.id}&q=alpha`);
    expect((await search()).status).toBe(200);
    const latencies: number[] = [];
    let done = false;
    const searches = Promise.all(Array.from({ length: 30 }, search)).finally(() => (done = true));
    while (!done) {
      const t = performance.now();
      expect((await ada!.get("/api/me")).status).toBe(200);
      latencies.push(performance.now() - t);
    }
    expect((await searches).every((r) => r.status === 200)).toBe(true);
    // On the main thread these 30 searches held /api/me for over a second; on their own thread
    // it answers while they run (generous: the machine is shared).
    expect(Math.max(...latencies)).toBeLessThan(400);
    expect(latencies.length).toBeGreaterThan(3);
  }, 60_000);
});

test("one person's searches at once are capped (429 with Retry-After)", async () => {
  const server = await startTestServer(["--limit-searches-at-once", "1"]);
  try {
    const team = await seedTeam(server);
    history(server, team, 2_000);
    const results = await Promise.all(Array.from({ length: 8 }, () => team.clients[1]!.get(`/api/search?workspace_id=${team.workspace.id}&q=alpha`)));
    const refused = results.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    expect(Number(refused[0]!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  } finally {
    await server.close();
  }
}, 30_000);

test("a search past its time budget is stopped with 503 search_timeout; the next one runs", async () => {
  const server = await startTestServer(["--search-budget-ms", "1"]);
  try {
    const team = await seedTeam(server);
    history(server, team, 5_000);
    const slow = await team.clients[1]!.get(`/api/search?workspace_id=${team.workspace.id}&q=alpha`);
    expect(slow.status).toBe(503);
    expect(slow.body.code).toBe("search_timeout");
    expect(Number(slow.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // The server goes on answering everything else.
    expect((await team.clients[0]!.get("/api/me")).status).toBe(200);
  } finally {
    await server.close();
  }
}, 30_000);
