// kill -9 of the server while a delivery is in flight: after a restart the receiver has every
// event, in order; none it answered 2xx to comes again (the one in flight is sent again, since
// its 2xx never reached the server). On each store: Postgres keeps the cursor and the lease in
// its own rows, so this is a different path from SQLite's.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { client } from "../testing/harness.ts";
import { createTestDatabase, type TestDatabase } from "../testing/postgres.ts";
import { spawnServe } from "../testing/process.ts";
import { forEachStore } from "../testing/stores.ts";

setDefaultTimeout(90_000);
forEachStore((kind) => describe("event subscriptions", () => {
  const dir = mkdtempSync(join(tmpdir(), "clickclack-hooks-crash-"));
  let db: TestDatabase | null = null;
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  test("kill -9 mid-delivery loses and duplicates nothing a 2xx receiver acknowledged", async () => {
    const acked: string[] = [];
    const arrivals: string[] = [];
    let hangFrom = 10;
    let hung: (() => void) | null = null;
    let onHang: () => void = () => {};
    const receiver = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(req) {
        const id = req.headers.get("x-clickclack-event-id")!;
        arrivals.push(id);
        if (arrivals.length > hangFrom) {
          // Mid-delivery: hold this answer while the server is killed.
          onHang();
          await new Promise<void>((r) => (hung = r));
          return new Response("too late", { status: 200 });
        }
        acked.push(id);
        return new Response("ok");
      },
    });
    if (kind === "postgres") db = await createTestDatabase();
    const args = [...(db ? ["--db", db.url] : []), "--data", dir, "--dev-bootstrap", "--allow-private-webhooks"];
    let server = await spawnServe(args);
    let api = client(server.url);
    const ws = (await api.get("/api/workspaces")).body.workspaces[0].id;
    const channel = (await api.get(`/api/workspaces/${ws}/channels`)).body.channels.find((c: any) => c.name === "general").id;
    const sub = await api.post(`/api/workspaces/${ws}/event-subscriptions`, { event_types: ["message.created"], callback_url: `http://127.0.0.1:${receiver.port}/hook` });
    expect(sub.status).toBe(201);
    const posted: string[] = [];
    const hanging = new Promise<void>((r) => (onHang = r));
    for (let i = 0; i < 25; i++) posted.push((await api.post(`/api/channels/${channel}/messages`, { body: `m${i}` })).body.event.id);
    await hanging;
    await server.kill();
    hangFrom = Infinity;
    (hung as (() => void) | null)?.();

    server = await spawnServe(args);
    api = client(server.url);
    try {
      // The dead process's lease (30 s) runs out first.
      const end = Date.now() + 60_000;
      while (acked.length < posted.length && Date.now() < end) await Bun.sleep(50);
      expect(acked).toEqual(posted);
      expect(new Set(acked).size).toBe(acked.length);
    } finally {
      await server.stop();
      receiver.stop(true);
    }
  });
}));
