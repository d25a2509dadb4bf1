// Opens N WebSockets and holds them idle. Prints "ready" when all are open; on stdin "cursor"
// prints each socket's last cursor; "close" closes them and exits. Used for memory per idle
// connection and for the reconnect storm (with reconnect=1 it reconnects each socket with its
// last cursor when the server drops it, and reports when every socket has caught up to a
// given message id).
const [wsUrl, countArg, headersJson, mode] = process.argv.slice(2);
const count = Number(countArg);
const headers = JSON.parse(headersJson ?? "{}") as Record<string, string>;
const reconnect = mode === "reconnect";
interface Conn { ws: WebSocket | null; cursor: string | null; seen: Set<string>; dupes: number; reconnectedAt: number }
const conns: Conn[] = [];
let opened = 0;

function connect(c: Conn) {
  const url = c.cursor ? `${wsUrl}&after_cursor=${c.cursor}` : wsUrl!;
  const ws = new WebSocket(url, { headers } as any);
  c.ws = ws;
  ws.onopen = () => {
    if (c.reconnectedAt === 0 && ++opened === count) console.log("ready");
  };
  ws.onmessage = (e) => {
    const ev = JSON.parse(String(e.data));
    if (ev.cursor) c.cursor = ev.cursor;
    const id = ev.payload?.message_id;
    if (id) {
      if (c.seen.has(id)) c.dupes++;
      c.seen.add(id);
    }
  };
  ws.onclose = () => {
    if (!reconnect) return;
    // Jittered retry while the server is down.
    setTimeout(() => {
      c.reconnectedAt = Date.now();
      connect(c);
    }, 50 + Math.random() * 250);
  };
}

for (let i = 0; i < count; i++) {
  const c: Conn = { ws: null, cursor: null, seen: new Set(), dupes: 0, reconnectedAt: 0 };
  conns.push(c);
  connect(c);
  if (i % 200 === 199) await Bun.sleep(30);
}

for await (const line of console) {
  const [cmd, arg] = line.trim().split(" ");
  if (cmd === "wait") {
    // Wait until every socket has seen message `arg`; report the time it took.
    const t0 = Date.now();
    while (conns.some((c) => !c.seen.has(arg!)) && Date.now() - t0 < 60_000) await Bun.sleep(20);
    console.log(JSON.stringify({ ms: Date.now() - t0, caughtUp: conns.filter((c) => c.seen.has(arg!)).length, dupes: conns.reduce((n, c) => n + c.dupes, 0), seen: conns.map((c) => c.seen.size) }));
  } else if (cmd === "close") {
    for (const c of conns) c.ws?.close();
    process.exit(0);
  }
}

export {};
