// Web Push through the real server: subscriptions per device, payloads encrypted for the device
// (the local push service decrypts them with the subscription's keys), VAPID keys generated once
// and kept, an expired subscription (410) removed; no push to people with the app open, and at
// most one per device per coalescing window.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { countRows } from "../testing/db-inspect.ts";
import { startFakePushService } from "../testing/fake-push-service.ts";
import { seedTeam, startTestServer, Subscription, type TestServer } from "../testing/harness.ts";
import { forEachStore } from "../testing/stores.ts";

forEachStore((kind) => {
  const pushService = startFakePushService();
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;

  beforeAll(async () => {
    // Every message pushed: the coalescing window has its own server below.
    server = await startTestServer(["--push-coalesce-seconds", "0"], { store: kind });
    team = await seedTeam(server, ["ada", "bob", "cy"]);
  });
  afterAll(async () => {
    await server.close();
    pushService.stop();
  });

  test("the VAPID public key is generated once and kept in the database", async () => {
    const a = await team.clients[0]!.get("/api/push/vapid-public-key");
    expect(a.status).toBe(200);
    expect(Buffer.from(a.body.public_key, "base64url")).toHaveLength(65);
    expect((await team.clients[1]!.get("/api/push/vapid-public-key")).body.public_key).toBe(a.body.public_key);
    expect(await countRows(server.store, "vapid_keys")).toBe(1);
  });

  test("a message is pushed, encrypted, to each subscribed device of the people it reaches, not the author's", async () => {
    const [bobPhone, bobLaptop, adaPhone] = [pushService.subscribe(), pushService.subscribe(), pushService.subscribe()];
    for (const [i, s] of [[1, bobPhone], [1, bobLaptop], [0, adaPhone]] as const) {
      const r = await team.clients[i]!.post("/api/me/push-subscriptions", s.json);
      expect(r.status).toBe(201);
    }
    const posted = await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: "deploy at five" });
    expect(posted.status).toBe(201);
    const got = await pushService.until((r) => r.filter((p) => p.payload.includes("deploy at five")).length === 2);
    const mine = got.filter((p) => p.payload.includes("deploy at five"));
    expect(mine.map((p) => p.id).sort()).toEqual([bobPhone.id, bobLaptop.id].sort());
    expect(JSON.parse(mine[0]!.payload)).toEqual({
      title: "ada in #general", body: "deploy at five", message_id: posted.body.message.id, workspace_id: team.workspace.id,
      channel_id: team.general.id, direct_conversation_id: null, thread_root_id: null,
    });
    // Signed with the server's VAPID key (RFC 8292).
    const key = (await team.clients[0]!.get("/api/push/vapid-public-key")).body.public_key;
    expect(mine[0]!.authorization).toMatch(new RegExp(`^vapid t=[^,]+, k=${key}$`));
    // One token per push service origin while it is valid, not one signature per request.
    expect(mine[1]!.authorization).toBe(mine[0]!.authorization);
    expect(pushService.errors).toEqual([]);
  });

  test("an expired subscription (410) is removed; an unsubscribed device gets nothing", async () => {
    const [phone, tablet] = [pushService.subscribe(), pushService.subscribe()];
    await team.clients[2]!.post("/api/me/push-subscriptions", phone.json);
    await team.clients[2]!.post("/api/me/push-subscriptions", tablet.json);
    pushService.expire(phone.id);
    const del = await team.clients[2]!.delete(`/api/me/push-subscriptions?endpoint=${encodeURIComponent(tablet.json.endpoint)}`);
    expect(del.status).toBe(204);
    expect((await team.clients[2]!.delete(`/api/me/push-subscriptions?endpoint=${encodeURIComponent(tablet.json.endpoint)}`)).status).toBe(404);
    await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: "after expiry" });
    // bob's devices still receive: once they have it, cy's were tried.
    await pushService.until((r) => r.filter((p) => p.payload.includes("after expiry")).length === 2);
    const deadline = Date.now() + 5_000;
    while ((await countRows(server.store, "push_subscriptions", "endpoint = ?", [phone.json.endpoint])) > 0 && Date.now() < deadline) await Bun.sleep(50);
    expect(await countRows(server.store, "push_subscriptions", "endpoint = ?", [phone.json.endpoint])).toBe(0);
    expect(pushService.received.some((p) => p.id === tablet.id || p.id === phone.id)).toBe(false);
  });

  test("someone with the app open gets no push: they hear it in the app", async () => {
    const cyTablet = pushService.subscribe();
    expect((await team.clients[2]!.post("/api/me/push-subscriptions", cyTablet.json)).status).toBe(201);
    const bobOnline = new Subscription(server.url, { workspaceId: team.workspace.id, userId: team.users[1]!.id });
    await bobOnline.opened;
    const deadline = Date.now() + 5_000;
    while (!(await server.store.presence.isConnected(team.users[1]!.id)) && Date.now() < deadline) await Bun.sleep(20);
    const before = pushService.received.length;
    await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: "@bob @cy while bob looks" });
    // The worker finishes one message's pushes before the next: cy's marker settles the first.
    await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: "marker for cy" });
    await pushService.until((r) => r.some((p) => p.id === cyTablet.id && p.payload.includes("marker for cy")));
    const since = pushService.received.slice(before);
    expect(since.filter((p) => p.id === cyTablet.id).map((p) => JSON.parse(p.payload).body)).toEqual(["@bob @cy while bob looks", "marker for cy"]);
    expect(since.filter((p) => p.id !== cyTablet.id)).toEqual([]);
    bobOnline.close();
    await bobOnline.closed;
  });

  test("pushes to a device are coalesced: the first at once, the rest of the window folded into one", async () => {
    const coalescing = await startTestServer(["--push-coalesce-seconds", "3"], { store: kind });
    try {
      const t = await seedTeam(coalescing, ["ann", "ben"]);
      const phone = pushService.subscribe();
      expect((await t.clients[1]!.post("/api/me/push-subscriptions", phone.json)).status).toBe(201);
      for (const body of ["first news", "second news", "third news"]) expect((await t.clients[0]!.post(`/api/channels/${t.general.id}/messages`, { body })).status).toBe(201);
      await pushService.until((r) => r.some((p) => p.id === phone.id && p.payload.includes("third news")));
      const got = pushService.received.filter((p) => p.id === phone.id).map((p) => JSON.parse(p.payload));
      expect(got.map((p) => [p.title, p.body])).toEqual([["ann in #general", "first news"], ["2 new messages in #general", "ann: third news"]]);
      // A click on the summary opens the latest message.
      const latest = (await t.clients[1]!.get(`/api/channels/${t.general.id}/messages`)).body.messages.find((m: { body: string }) => m.body === "third news");
      expect(got[1]).toMatchObject({ message_id: latest.id, channel_id: t.general.id, workspace_id: t.workspace.id });
    } finally {
      await coalescing.close();
    }
  });

  test("a subscription must be the browser's JSON: an https endpoint and P-256 keys", async () => {
    const good = pushService.subscribe().json;
    for (const bad of [
      { ...good, endpoint: "ftp://push.example/x" },
      { ...good, keys: { ...good.keys, p256dh: "AAAA" } },
      { ...good, keys: { ...good.keys, auth: Buffer.alloc(8).toString("base64url") } },
    ]) {
      const r = await team.clients[0]!.post("/api/me/push-subscriptions", bad);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe("invalid_push_subscription");
    }
  });

  test("the service worker is served at the root (its scope covers /app) and handles push and notification clicks", async () => {
    const res = await fetch(`${server.url}/sw.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("javascript");
    const text = await res.text();
    expect(text).toContain('addEventListener("push"');
    expect(text).toContain('addEventListener("notificationclick"');
  });
});
