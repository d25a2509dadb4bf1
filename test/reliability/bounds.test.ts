// Resource bounds: a consumer that stops reading is cut loose (1013) instead of growing the
// server's memory, and an oversized body is refused with 413 before it is read.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { seedTeam, startTestServer, type TestServer } from "../../src/testing/harness.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;
beforeAll(async () => {
  server = await startTestServer(["--no-limits"]); // a load test: per-person rates are tested in src/access/limits.test.ts
  team = await seedTeam(server);
});
afterAll(() => server.close());

/**
 * A WebSocket client that completes the handshake and then never reads: a separate python3
 * process with a tiny receive buffer, so the kernel cannot soak the frames up for it.
 */
let startDrain!: () => void;
const drainSignal = new Promise<void>((r) => (startDrain = r));

async function stalledSubscriber(userId: string): Promise<{ closedByServer: Promise<void> }> {
  const { hostname, port } = new URL(server.url);
  const script = `
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect((${JSON.stringify(hostname)}, ${port}))
s.sendall(b"GET /api/realtime/ws?workspace_id=${team.workspace.id} HTTP/1.1\\r\\nHost: x\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\nX-ClickClack-User: ${userId}\\r\\n\\r\\n")
print(s.recv(4096).split(b"\\r\\n")[0].decode(), flush=True)
sys.stdin.readline()
# Drain: if the server closed us, the stream ends with a close frame and EOF.
s.settimeout(5)
data = b""
try:
    while True:
        chunk = s.recv(1 << 20)
        if not chunk: break
        data += chunk
except Exception:
    print("open", flush=True); sys.exit(0)
# The last frame is the server's close frame: opcode 0x88, then the code 1013 (0x03f5).
print("closed" + (" 1013" if b"\\x88" in data[-200:] and b"\\x03\\xf5" in data[-200:] else ""), flush=True)
`;
  const proc = Bun.spawn(["python3", "-c", script], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  if (!first.includes("101")) throw new Error(`handshake failed: ${first}`);
  const closedByServer = (async () => {
    // Told to drain only when the test has finished publishing.
    await drainSignal;
    proc.stdin.write("drain\n");
    await proc.stdin.end();
    let out = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    if (!out.includes("closed 1013")) throw new Error(`the stalled socket was not closed with 1013: ${out}`);
  })();
  return { closedByServer };
}

test("a subscriber that stops reading is disconnected without unbounded server memory", async () => {
  const stalled = await stalledSubscriber(team.users[1]!.id);
  await Bun.sleep(100);
  const before = process.memoryUsage().rss;
  // Events carry ids, not bodies, so large ephemeral payloads make the big frames: up to ~24 MB
  // for that one subscriber, far above the slow-consumer limit.
  const payload = { text: "x".repeat(15_000) };
  for (let i = 0; i < 1600 && server.hub.stats.slowClosed === 0; i += 20) {
    await Promise.all(Array.from({ length: 20 }, () => team.clients[0]!.post("/api/realtime/ephemeral", { workspace_id: team.workspace.id, type: "typing.started", channel_id: team.general.id, payload })));
  }
  await Bun.sleep(400);
  expect(server.hub.stats.slowClosed).toBe(1);
  startDrain();
  await stalled.closedByServer;
  const grown = process.memoryUsage().rss - before;
  expect(grown).toBeLessThan(200 * 1024 * 1024);
}, 60_000);

test("a body over the limit is refused with 413 before it is sent", async () => {
  const { hostname, port } = new URL(server.url);
  let response = "";
  const got = new Promise<void>((resolve) => {
    void Bun.connect({
      hostname,
      port: Number(port),
      socket: {
        open(sock) {
          // Declares 50 MB and sends none of it: a server that read before refusing would hang.
          sock.write(`POST /api/channels/${team.general.id}/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 52428800\r\nX-ClickClack-User: ${team.users[0]!.id}\r\n\r\n`);
        },
        data(_s, d) {
          response += d.toString();
          if (response.includes("\r\n\r\n")) resolve();
        },
        close: () => resolve(),
      },
    });
  });
  const started = Date.now();
  await Promise.race([got, Bun.sleep(5000)]);
  expect(response).toStartWith("HTTP/1.1 413");
  expect(Date.now() - started).toBeLessThan(2000);
  // A chunked body without a length is cut off at the limit too.
  const chunked = await fetch(`${server.url}/api/channels/${team.general.id}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-clickclack-user": team.users[0]!.id },
    body: new ReadableStream({
      start(c) {
        for (let i = 0; i < 40; i++) c.enqueue(new TextEncoder().encode("x".repeat(64 * 1024)));
        c.close();
      },
    }),
  });
  expect(chunked.status).toBe(413);
}, 30_000);
