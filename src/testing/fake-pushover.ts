// A local stand-in for Pushover's messages API: checks the app token and the user key as
// Pushover does (400 with an errors list for an unknown key) and keeps what it accepted.

export interface ReceivedPush {
  user: string;
  title: string;
  message: string;
  url: string | null;
}

export function startFakePushover(opts: { token: string; users: string[] }) {
  const received: ReceivedPush[] = [];
  /** Answer 500 to the next n requests (a Pushover outage). */
  let failNext = 0;
  let requests = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      requests++;
      if (new URL(req.url).pathname !== "/1/messages.json" || req.method !== "POST") return new Response("not found", { status: 404 });
      if (failNext > 0) {
        failNext--;
        return Response.json({ status: 0, errors: ["internal error"] }, { status: 500 });
      }
      const form = new URLSearchParams(await req.text());
      if (form.get("token") !== opts.token) return Response.json({ token: "invalid", errors: ["application token is invalid"], status: 0 }, { status: 400 });
      const user = form.get("user") ?? "";
      if (!opts.users.includes(user)) return Response.json({ user: "invalid", errors: ["user identifier is not a valid user"], status: 0 }, { status: 400 });
      received.push({ user, title: form.get("title") ?? "", message: form.get("message") ?? "", url: form.get("url") });
      return Response.json({ status: 1, request: crypto.randomUUID() });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/1/messages.json`,
    received,
    get requests() {
      return requests;
    },
    failNext(n: number) {
      failNext = n;
    },
    async until(pred: (r: ReceivedPush[]) => boolean, timeoutMs = 10_000): Promise<ReceivedPush[]> {
      const end = Date.now() + timeoutMs;
      while (!pred(received)) {
        if (Date.now() > end) throw new Error(`timed out waiting for pushes; got ${JSON.stringify(received)}`);
        await Bun.sleep(20);
      }
      return received;
    },
    stop: () => server.stop(true),
  };
}
