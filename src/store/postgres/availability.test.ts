// Postgres going away and coming back, seen from a running server: /readyz says 503 while the
// database cannot be reached and 200 again once it can, with no restart. The server is a real
// `clickclack serve` process, so the test also sees that nothing in it dies of the outage. The outage is made by
// a TCP relay in front of the real server (the shared test server itself must keep running):
// closing the relay drops every connection and refuses new ones, as a network cut does.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Socket, TCPSocketListener } from "bun";
import { ConfigError, loadConfig } from "../../config/config.ts";
import { createTestDatabase, TEST_POSTGRES, type TestDatabase } from "../../testing/postgres.ts";
import { spawnServe, type ServeProcess } from "../../testing/process.ts";
import { openStore } from "../open.ts";

type Pair = { peer?: Socket<Pair>; pending: Uint8Array[] };

/** A relay from a local port to the test Postgres that can be cut and restored. */
function relay(port = 0) {
  const target = new URL(TEST_POSTGRES);
  let listener: TCPSocketListener<Pair> | null = null;
  const open = new Set<Socket<Pair>>();
  let boundPort = port;
  const start = () => {
    listener = Bun.listen<Pair>({
      hostname: "127.0.0.1",
      port: boundPort,
      socket: {
        async open(client) {
          client.data = { pending: [] };
          open.add(client);
          const upstream = await Bun.connect<Pair>({
            hostname: target.hostname,
            port: Number(target.port || 5432),
            socket: {
              open(s) {
                s.data = { peer: client, pending: [] };
                open.add(s);
              },
              data(s, d) {
                s.data.peer?.write(d);
              },
              close(s) {
                open.delete(s);
                s.data.peer?.end();
              },
              error(s) {
                s.data.peer?.end();
              },
            },
          });
          client.data.peer = upstream;
          for (const chunk of client.data.pending) upstream.write(chunk);
        },
        data(client, d) {
          if (client.data.peer) client.data.peer.write(d);
          else client.data.pending.push(new Uint8Array(d));
        },
        close(client) {
          open.delete(client);
          client.data.peer?.end();
        },
        error(client) {
          client.data.peer?.end();
        },
      },
    });
    boundPort = listener.port;
  };
  start();
  return {
    get port() {
      return boundPort;
    },
    cut() {
      listener?.stop(true);
      listener = null;
      for (const s of open) s.terminate();
      open.clear();
    },
    restore() {
      if (!listener) start();
    },
  };
}

let db: TestDatabase;
let server: ServeProcess;
let net: ReturnType<typeof relay>;

beforeAll(async () => {
  db = await createTestDatabase();
  net = relay();
  const url = new URL(db.url);
  url.host = `127.0.0.1:${net.port}`;
  server = await spawnServe(["--db", url.toString(), "--db-pool", "3", "--dev", "--dev-bootstrap"], { CLICKCLACK_LOG_LEVEL: "warn" });
});

afterAll(async () => {
  net.restore();
  await server?.stop();
  await db?.drop();
}, 30_000);

async function readyz(): Promise<number> {
  return (await fetch(`${server.url}/readyz`)).status;
}

async function until(status: number, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if ((await readyz()) === status) return;
    if (Date.now() > deadline) throw new Error(`/readyz never answered ${status}`);
    await Bun.sleep(100);
  }
}

test("/readyz is 503 while Postgres is unreachable and 200 again when it is back, without a restart", async () => {
  expect(await readyz()).toBe(200);
  net.cut();
  await until(503);
  // Still down: it keeps saying so (and answers; it does not hang).
  expect(await readyz()).toBe(503);
  net.restore();
  await until(200);
  // The same process is still there, and writes work again.
  expect(server.proc.exitCode).toBeNull();
  const res = await fetch(`${server.url}/api/me`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ display_name: "After the outage" }) });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { user: { display_name: string } }).user.display_name).toBe("After the outage");
}, 60_000);

test("starting against a server that does not answer is a clear configuration error", async () => {
  const { config } = loadConfig(["--db", "postgres://postgres@127.0.0.1:1/nowhere"], {});
  const err = await openStore(config).catch((e: Error) => e);
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as Error).message).toContain("cannot reach Postgres at postgres://postgres@127.0.0.1:1/nowhere");
});

test("--db-pool must leave a connection for reads beside the writer", () => {
  expect(() => loadConfig(["--db", "postgres://x@h/db", "--db-pool", "1"], {})).toThrow(ConfigError);
  expect(loadConfig(["--db", "postgres://x@h/db", "--db-pool", "4"], {}).config.db).toEqual({ kind: "postgres", url: "postgres://x@h/db", pool: 4 });
});
