// The fan-out baseline: a bare Bun pub/sub server. POST /publish relays a frame of the same size
// as a ClickClack message.created event to every subscriber of one topic. Nothing else.
let seq = 0;
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.argv[2] ?? 0),
  async fetch(req, srv) {
    const url = new URL(req.url);
    if (url.pathname === "/ws") return srv.upgrade(req) ? undefined : new Response("no", { status: 400 });
    if (url.pathname === "/publish") {
      const id = `msg_${(++seq).toString().padStart(26, "0")}`;
      const frame = JSON.stringify({ id: `evt_${id}`, cursor: `cur_${id}`, type: "message.created", workspace_id: "wsp_x", channel_id: "chn_x", seq, created_at: new Date().toISOString(), payload: { message_id: id, author_id: "usr_x" } });
      srv.publish("w", frame);
      return Response.json({ message: { id } }, { status: 201 });
    }
    if (url.pathname === "/subscribers") return Response.json({ n: srv.subscriberCount("w") });
    return new Response("ok");
  },
  websocket: { open: (ws) => void ws.subscribe("w"), message() {} },
});
console.log(`listening on http://127.0.0.1:${server.port}`);

export {};
