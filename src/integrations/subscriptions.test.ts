// Event subscriptions through the real server, delivering to real local receivers (Bun.serve).
import { afterAll, afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { seedTeam, startTestServer, type TestServer } from "../testing/harness.ts";
import { forEachStore } from "../testing/stores.ts";
import { signatureOf } from "./signing.ts";

process.env.CLICKCLACK_WEBHOOK_RETRY_BASE_MS = "200";
// Each Postgres case creates and drops its own database.
setDefaultTimeout(60_000);

interface Received { body: string; headers: Headers }

/** A local receiver: `answer` decides the reply to each request (by its index). */
function receiver(answer: (i: number, req: Request) => Response | Promise<Response> = () => new Response("ok")) {
  const got: Received[] = [];
  let i = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const body = await req.text();
      const n = i++;
      got.push({ body, headers: req.headers });
      return answer(n, req);
    },
  });
  return { url: `http://127.0.0.1:${server.port}/hook`, got, stop: () => server.stop(true) };
}

async function until<T>(fn: () => T | undefined | false, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out waiting");
    await Bun.sleep(25);
  }
}

forEachStore((kind) => {
  describe("event subscriptions", () => {
    const servers: TestServer[] = [];
    const stops: (() => void)[] = [];
    afterEach(() => stops.splice(0).forEach((s) => s()));
    afterAll(async () => {
      for (const s of servers) await s.close();
    });
    async function start(args: string[] = ["--allow-private-webhooks"]) {
      const s = await startTestServer(args, { store: kind });
      servers.push(s);
      return { s, ...(await seedTeam(s)) };
    }

    test("delivers signed events the receiver can verify", async () => {
      const { clients, workspace, general } = await start();
      const [ada] = clients;
      const r = receiver();
      stops.push(r.stop);
      const created = await ada!.post(`/api/workspaces/${workspace.id}/event-subscriptions`, { event_types: ["message.created"], callback_url: r.url });
      expect(created.status).toBe(201);
      const secret = created.body.event_subscription.signing_secret as string;
      expect(secret).toMatch(/^ccs_/);
      const listed = await ada!.get(`/api/workspaces/${workspace.id}/event-subscriptions`);
      expect(listed.body.event_subscriptions[0].signing_secret).toBeUndefined();
      const posted = await ada!.post(`/api/channels/${general.id}/messages`, { body: "hello hooks" });
      await until(() => r.got.length >= 1);
      const { body, headers } = r.got[0]!;
      const ts = headers.get("x-clickclack-timestamp")!;
      expect(headers.get("x-clickclack-signature")).toBe(signatureOf(secret, ts, body));
      expect(headers.get("x-clickclack-event-id")).toBe(posted.body.event.id);
      const parsed = JSON.parse(body);
      expect(parsed.subscription_id).toBe(created.body.event_subscription.id);
      expect(parsed.event.type).toBe("message.created");
      expect(parsed.event.recipients).toBeUndefined();
      const deliveries = await ada!.get(`/api/event-subscriptions/${created.body.event_subscription.id}/deliveries?limit=10`);
      expect(deliveries.status).toBe(200);
    });

    test("a receiver failing 3 times then succeeding gets each event once, in order", async () => {
      const { clients, workspace, general } = await start();
      const [ada] = clients;
      const r = receiver((i) => new Response(i < 3 ? "down" : "ok", { status: i < 3 ? 503 : 200 }));
      stops.push(r.stop);
      const sub = (await ada!.post(`/api/workspaces/${workspace.id}/event-subscriptions`, { event_types: ["*"], callback_url: r.url })).body.event_subscription;
      const ids: (string | undefined)[] = [];
      for (let n = 0; n < 5; n++) ids.push((await ada!.post(`/api/channels/${general.id}/messages`, { body: `m${n}` })).body.event.id);
      await until(() => new Set(r.got.map((g) => g.headers.get("x-clickclack-event-id"))).size >= 5 && r.got.length >= 8);
      const succeeded = r.got.slice(3).map((g) => g.headers.get("x-clickclack-event-id") ?? undefined);
      expect(succeeded).toEqual(ids);
      expect(r.got.slice(0, 3).map((g) => g.headers.get("x-clickclack-event-id") ?? undefined)).toEqual([ids[0], ids[0], ids[0]]);
      await Bun.sleep(300);
      expect(r.got.length).toBe(8);
      const page = await ada!.get(`/api/event-subscriptions/${sub.id}/deliveries?limit=3`);
      expect(page.body.deliveries).toHaveLength(3);
      expect(page.body.next_cursor).toBeTruthy();
      const rest = await ada!.get(`/api/event-subscriptions/${sub.id}/deliveries?limit=50&before=${page.body.next_cursor}`);
      const all = [...page.body.deliveries, ...rest.body.deliveries];
      expect(all.map((d: any) => d.outcome).filter((o: string) => o === "failed")).toHaveLength(3);
      // Redeliver: one more signed attempt, logged as such.
      const again = await ada!.post(`/api/event-subscriptions/${sub.id}/deliveries/${all[0].id}/redeliver`);
      expect(again.status).toBe(200);
      expect(again.body.delivery.redelivery).toBe(true);
      expect(r.got.length).toBe(9);
    });

    test("garbage, redirects, hanging and 10 MB answers are logged failures, never a 500", async () => {
      const { clients, workspace, general } = await start();
      const [ada] = clients;
      const big = "x".repeat(10 * 1024 * 1024);
      const r = receiver((i) => {
        if (i === 0) return new Response(null, { status: 302, headers: { location: "http://169.254.169.254/" } });
        if (i === 1) return new Response(big, { status: 500 });
        if (i === 2) return new Response("\u0000garbage", { status: 200 });
        return new Response("ok");
      });
      stops.push(r.stop);
      const sub = (await ada!.post(`/api/workspaces/${workspace.id}/event-subscriptions`, { event_types: ["message.created"], callback_url: r.url })).body.event_subscription;
      await ada!.post(`/api/channels/${general.id}/messages`, { body: "one" });
      await until(() => r.got.length >= 3);
      await Bun.sleep(200);
      const d = (await ada!.get(`/api/event-subscriptions/${sub.id}/deliveries`)).body.deliveries.reverse();
      expect(d[0].outcome).toBe("failed");
      expect(d[0].error).toContain("redirect");
      expect(d[1].response_status).toBe(500);
      expect(d[2].outcome).toBe("succeeded");
      expect(r.got.length).toBe(3);
    });

    test("a private address is refused unless the operator allows it", async () => {
      const { clients, workspace } = await start([]);
      const r = receiver();
      stops.push(r.stop);
      for (const url of [r.url, "http://10.0.0.5/x", "http://169.254.169.254/latest", "http://[::1]:9/x", "http://100.64.1.1/", "ftp://example.com/"]) {
        const res = await clients[0]!.post(`/api/workspaces/${workspace.id}/event-subscriptions`, { event_types: ["message.created"], callback_url: url });
        expect(res.status).toBe(400);
      }
      const bad = await clients[0]!.post(`/api/workspaces/${workspace.id}/event-subscriptions`, { event_types: ["message.nope"], callback_url: "http://example.com/" });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe("invalid_event_type");
      // Members are not managers.
      const member = await clients[1]!.post(`/api/workspaces/${workspace.id}/event-subscriptions`, { event_types: ["*"], callback_url: r.url });
      expect(member.status).toBe(403);
      const allowed = await startTestServer(["--webhook-allow-cidrs", "127.0.0.0/8"], { store: kind });
      servers.push(allowed);
      const team = await seedTeam(allowed);
      const ok = await team.clients[0]!.post(`/api/workspaces/${team.workspace.id}/event-subscriptions`, { event_types: ["*"], callback_url: r.url });
      expect(ok.status).toBe(201);
    });

    test("a slow receiver does not slow posting", async () => {
      const { clients, workspace, general } = await start();
      const r = receiver(() => new Promise(() => {}));
      stops.push(r.stop);
      await clients[0]!.post(`/api/workspaces/${workspace.id}/event-subscriptions`, { event_types: ["*"], callback_url: r.url });
      const t0 = performance.now();
      for (let n = 0; n < 20; n++) expect((await clients[0]!.post(`/api/channels/${general.id}/messages`, { body: `p${n}` })).status).toBe(201);
      expect(performance.now() - t0).toBeLessThan(5000);
      // The first delivery is under way (the worker runs off the request path: on a quiet machine
      // twenty posts can commit before it starts), and it holds the subscription's queue.
      for (let waited = 0; r.got.length === 0 && waited < 5000; waited += 20) await Bun.sleep(20);
      await Bun.sleep(200);
      expect(r.got.length).toBe(1);
    });
  });
});
