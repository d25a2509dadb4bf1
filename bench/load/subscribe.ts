// Subscriber process: opens N WebSockets and records when each frame carrying a message id
// arrives (wall clock in ms with sub-ms precision, comparable across processes on one machine).
// Prints "ready" once all are open, then on stdin "report" prints the arrivals and exits.
const [wsUrl, countArg, headersJson] = process.argv.slice(2);
const count = Number(countArg);
const headers = JSON.parse(headersJson ?? "{}") as Record<string, string>;
const now = () => performance.timeOrigin + performance.now();
const arrivals: Record<string, number[]> = {};
let frames = 0;
let opened = 0;
const sockets: WebSocket[] = [];
for (let i = 0; i < count; i++) {
  const ws = new WebSocket(wsUrl!, { headers } as any);
  ws.onopen = () => {
    if (++opened === count) console.log("ready");
  };
  ws.onmessage = (e) => {
    const t = now();
    frames++;
    const m = /"message_id":"([^"]+)"/.exec(String(e.data));
    if (m) (arrivals[m[1]!] ??= []).push(t);
  };
  sockets.push(ws);
  // Opening a thousand sockets at once is a storm of its own; pace it.
  if (i % 100 === 99) await Bun.sleep(20);
}
for await (const line of console) {
  if (line.trim() === "report") {
    console.log(JSON.stringify({ frames, arrivals }));
    for (const ws of sockets) ws.close();
    process.exit(0);
  }
}

export {};
