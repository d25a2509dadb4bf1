// Realtime exactly-once under load: subscribers drop and reconnect at random moments while
// authors post concurrently; each ends with every event exactly once, in cursor order.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { seedTeam, startTestServer, Subscription, type TestServer } from "../../src/testing/harness.ts";
import { forEachStore } from "../../src/testing/stores.ts";

forEachStore((store) => {
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;
  beforeAll(async () => {
    server = await startTestServer(["--no-limits"], { store }); // a load test: per-person rates are tested in src/access/limits.test.ts;
    team = await seedTeam(server, ["a1", "a2", "a3", "a4", "a5", "s1"]);
  });
  afterAll(() => server.close());

  const SUBSCRIBERS = 8;
  const POSTS = Number(process.env.RELIABILITY_POSTS ?? 1500);
  // The time allowed grows with the posts asked for. `bun run reliability` asks for 20,000, which
  // Postgres on a two-core machine (each commit waits for its fsync) takes about two minutes to
  // post: a fixed 120 s limit failed the run on the machine's speed, not on what it checks.
  const TIME_LIMIT_MS = Math.max(120_000, POSTS * 12);

  test("every subscriber sees every event exactly once, in order, across random reconnects", async () => {
    const start = (await team.clients[0]!.get(`/api/realtime/events?workspace_id=${team.workspace.id}&include_tail=true&limit=1`)).body.tail_cursor as string;
    const { workspace } = team;
    // A seeded generator keeps a failing run reproducible.
    let seed = Number(process.env.RELIABILITY_SEED ?? 42);
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

    const subscribers = Array.from({ length: SUBSCRIBERS }, () => ({ seen: [] as string[], sub: null as Subscription | null, cursor: start }));
    const connect = async (s: (typeof subscribers)[number]) => {
      s.sub = new Subscription(server.url, { workspaceId: workspace.id, userId: team.users[5]!.id, afterCursor: s.cursor });
      await s.sub.opened;
    };
    await Promise.all(subscribers.map(connect));

    let posting = true;
    const churn = (async () => {
      while (posting) {
        const s = subscribers[Math.floor(rand() * SUBSCRIBERS)]!;
        const sub = s.sub!;
        s.seen.push(...sub.durable.map((e) => e.cursor));
        s.cursor = sub.lastCursor ?? s.cursor;
        sub.close();
        await sub.closed;
        // Anything that arrived between the snapshot and the close is dropped on purpose: the
        // reconnect must bring it back, once.
        await connect(s);
        await Bun.sleep(rand() * 30);
      }
    })();

    const acked: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 5 }, async (_, w) => {
        while (next < POSTS) {
          next++;
          const r = await team.clients[w]!.post(`/api/channels/${team.general.id}/messages`, { body: `load ${w}` });
          expect(r.status).toBe(201);
          acked.push(r.body.event.cursor);
        }
      }),
    );
    posting = false;
    await churn;
    const last = [...acked].sort().at(-1)!;
    for (const s of subscribers) {
      if (!s.seen.includes(last)) await s.sub!.until((es) => es.some((e) => e.cursor === last), 15_000);
      // The final socket's events come after what earlier sockets delivered.
      const all = [...s.seen, ...s.sub!.durable.map((e) => e.cursor)];
      s.sub!.close();
      expect(all).toEqual([...acked].sort());
    }
  }, TIME_LIMIT_MS);
});
