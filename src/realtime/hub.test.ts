import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { seedTeam, sleep, startTestServer, Subscription, type TestServer } from "../testing/harness.ts";
import { forEachStore } from "../testing/stores.ts";

forEachStore((store) => {
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;

  beforeAll(async () => {
    server = await startTestServer(["--no-limits"], { store });
    team = await seedTeam(server);
  });
  afterAll(() => server.close());

  const tailOf = async () => (await team.clients[0]!.get(`/api/realtime/events?workspace_id=${team.workspace.id}&include_tail=true&limit=1`)).body.tail_cursor as string;

  describe("realtime", () => {
    test("replay then live: every event once, in cursor order", async () => {
      const start = await tailOf();
      const posted: string[] = [];
      for (let i = 0; i < 5; i++) posted.push((await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: `before ${i}` })).body.message.id);
      const sub = new Subscription(server.url, { workspaceId: team.workspace.id, userId: team.users[1]!.id, afterCursor: start });
      await sub.opened;
      for (let i = 0; i < 5; i++) posted.push((await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: `after ${i}` })).body.message.id);
      await sub.until((es) => es.filter((e) => e.type === "message.created").length >= 10);
      const created = sub.events.filter((e) => e.type === "message.created").map((e) => e.payload.message_id);
      expect(created).toEqual(posted);
      const cursors = sub.durable.map((e) => e.cursor);
      expect([...cursors].sort()).toEqual(cursors);
      expect(new Set(cursors).size).toBe(cursors.length);
      sub.close();
    });

    test("sockets opening together share a replay page, and one opened after a post still replays it", async () => {
      const start = await tailOf();
      await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: "shared 1" });
      // Opened at once, these replay the same page (read once, src/realtime/hub.ts replayPage).
      const together = Array.from({ length: 4 }, () => new Subscription(server.url, { workspaceId: team.workspace.id, userId: team.users[1]!.id, afterCursor: start }));
      await Promise.all(together.map((s) => s.opened));
      for (const s of together) await s.until((es) => es.some((e) => e.type === "message.created"));
      // A post moves the log: a socket opening now from the same cursor must not get the page
      // read before it (it opened after the post was dispatched, so only replay can bring it).
      const second = (await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: "shared 2" })).body.message.id as string;
      const late = new Subscription(server.url, { workspaceId: team.workspace.id, userId: team.users[1]!.id, afterCursor: start });
      await late.opened;
      await late.until((es) => es.some((e) => e.type === "message.created" && e.payload.message_id === second));
      for (const s of [...together, late]) {
        const created = s.durable.filter((e) => e.type === "message.created").map((e) => e.payload.message_id);
        expect(new Set(created).size).toBe(created.length);
        s.close();
      }
    });

    test("a client that reconnects with its last cursor receives exactly the missed events, in order (property)", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(fc.constant<"post">("post"), fc.constant<"reconnect">("reconnect"), fc.constant<"burst">("burst")), { minLength: 3, maxLength: 12 }),
          async (steps) => {
            const start = await tailOf();
            const expected: string[] = [];
            let cursor: string | null = start;
            const seen: string[] = [];
            let sub = new Subscription(server.url, { workspaceId: team.workspace.id, userId: team.users[1]!.id, afterCursor: cursor });
            await sub.opened;
            const post = async (body: string) => {
              const r = await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body });
              expect(r.status).toBe(201);
              expect(r.body.event.cursor > (expected[expected.length - 1] ?? "")).toBe(true);
              expected.push(r.body.event.cursor);
            };
            for (const step of steps) {
              if (step === "post") await post("p");
              else if (step === "burst") await Promise.all([post("b1"), post("b2"), post("b3")]);
              else {
                // Drop the socket at an arbitrary point (possibly mid-stream), keep what arrived.
                seen.push(...sub.durable.map((e) => e.cursor));
                cursor = sub.lastCursor ?? cursor;
                sub.close();
                await sub.closed;
                sub = new Subscription(server.url, { workspaceId: team.workspace.id, userId: team.users[1]!.id, afterCursor: cursor });
                await sub.opened;
              }
            }
            const last = expected[expected.length - 1];
            if (last && !seen.includes(last)) await sub.until((es) => es.some((e) => e.cursor === last));
            seen.push(...sub.durable.map((e) => e.cursor));
            sub.close();
            expect(seen).toEqual(expected);
          },
        ),
        { numRuns: 25 },
      );
    }, 60_000);

    test("an unknown, foreign or future cursor closes the socket with 4001; the pull API answers 410", async () => {
      for (const cursor of ["cur_01zzzzzzzzzzzzzzzzzzzzzzzz", "cur_00000000000000000000000000", "garbage"]) {
        const sub = new Subscription(server.url, { workspaceId: team.workspace.id, userId: team.users[0]!.id, afterCursor: cursor });
        await sub.closed;
        expect(sub.closeCode).toBe(4001);
      }
      const pulled = await team.clients[0]!.get(`/api/realtime/events?workspace_id=${team.workspace.id}&after_cursor=cur_01zzzzzzzzzzzzzzzzzzzzzzzz`);
      expect(pulled.status).toBe(410);
      expect(pulled.body.code).toBe("resync_required");
      expect(pulled.body.tail_cursor).toStartWith("cur_");
    });

    test("the pull API pages in cursor order and reports the tail captured before the page", async () => {
      const start = await tailOf();
      for (let i = 0; i < 7; i++) await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: `pull ${i}` });
      const got: string[] = [];
      let after = start;
      for (;;) {
        const r = await team.clients[1]!.get(`/api/realtime/events?workspace_id=${team.workspace.id}&after_cursor=${after}&limit=3`);
        expect(r.status).toBe(200);
        got.push(...r.body.events.map((e: any) => e.cursor));
        after = r.body.next_cursor;
        if (!r.body.has_more) break;
      }
      expect(got).toHaveLength(7);
      expect([...got].sort()).toEqual(got);
    });

    test("the bearer subprotocol authenticates, and is selected and echoed", async () => {
      const { token } = await server.store.identity.createSession(team.users[2]!.id, 60_000);
      const sub = new Subscription(server.url, { workspaceId: team.workspace.id, protocols: ["chat", `clickclack.bearer.${token}`] });
      await sub.opened;
      expect(sub.protocol).toBe(`clickclack.bearer.${token}`);
      const posted = await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: "via subprotocol" });
      await sub.until((es) => es.some((e) => e.payload.message_id === posted.body.message.id));
      sub.close();
      const bad = new Subscription(server.url, { workspaceId: team.workspace.id, protocols: ["clickclack.bearer.sst_forged"] });
      await expect(bad.opened).rejects.toThrow();
    });

    test("guests see #guest events only; ephemeral typing reaches live sockets and is never stored", async () => {
      const guestUser = await server.store.users.create({ kind: "human", displayName: "Guest", handle: "guesty" });
      await server.store.workspaces.addMember(team.workspace.id, guestUser.id, "guest");
      const start = await tailOf();
      const guest = new Subscription(server.url, { workspaceId: team.workspace.id, userId: guestUser.id, afterCursor: start });
      const member = new Subscription(server.url, { workspaceId: team.workspace.id, userId: team.users[1]!.id, afterCursor: start });
      await Promise.all([guest.opened, member.opened]);
      await sleep(50);
      const inGeneral = await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: "members only" });
      const typing = await team.clients[0]!.post("/api/realtime/ephemeral", { workspace_id: team.workspace.id, type: "typing.started", channel_id: team.general.id });
      expect(typing.status).toBe(202);
      expect(typing.body.event).toMatchObject({ type: "typing.started", cursor: "", payload: { user_id: team.users[0]!.id, channel_id: team.general.id } });
      const inGuest = await team.clients[0]!.post(`/api/channels/${team.guest.id}/messages`, { body: "welcome" });
      await guest.until((es) => es.some((e) => e.payload.message_id === inGuest.body.message.id));
      await member.until((es) => es.some((e) => e.payload.message_id === inGuest.body.message.id));
      expect(guest.events.some((e) => e.payload.message_id === inGeneral.body.message.id)).toBe(false);
      expect(guest.events.some((e) => e.type === "typing.started")).toBe(false);
      expect(member.events.some((e) => e.type === "typing.started")).toBe(true);
      const log = await team.clients[0]!.get(`/api/realtime/events?workspace_id=${team.workspace.id}&after_cursor=${start}`);
      expect(log.body.events.some((e: any) => e.type === "typing.started")).toBe(false);
      expect((await team.clients[0]!.post("/api/realtime/ephemeral", { workspace_id: team.workspace.id, type: "message.created", channel_id: team.general.id })).status).toBe(400);
      expect((await team.clients[0]!.post("/api/realtime/ephemeral", { workspace_id: team.workspace.id, type: "agent.progress", channel_id: team.general.id })).status).toBe(403);
      guest.close();
      member.close();
    });

    test("a private channel's events reach its members only: removal stops them at its event, being added starts them; the pull fallback and a replay agree", async () => {
      const [ada, bob, cy] = team.clients as [typeof team.clients[0], typeof team.clients[0], typeof team.clients[0]];
      const [, bobId, cyId] = team.users.map((u) => u.id);
      const start = await tailOf();
      const bobSub = new Subscription(server.url, { workspaceId: team.workspace.id, userId: bobId!, afterCursor: start });
      const cySub = new Subscription(server.url, { workspaceId: team.workspace.id, userId: cyId!, afterCursor: start });
      await Promise.all([bobSub.opened, cySub.opened]);
      const created = await ada!.post(`/api/workspaces/${team.workspace.id}/channels`, { name: "hush", private: true });
      const secret = created.body.channel.id as string;
      expect(created.body.channel.private).toBe(true);
      expect((await ada!.post(`/api/channels/${secret}/members`, { user_id: bobId })).status).toBe(201);
      const first = (await ada!.post(`/api/channels/${secret}/messages`, { body: "while bob is in" })).body.message.id;
      const typing = await ada!.post("/api/realtime/ephemeral", { workspace_id: team.workspace.id, type: "typing.started", channel_id: secret });
      expect(typing.status).toBe(202);
      await bobSub.until((es) => es.some((e) => e.payload.message_id === first) && es.some((e) => e.type === "typing.started"));
      // bob leaves: he hears that, and nothing after it.
      expect((await bob!.delete(`/api/channels/${secret}/members/${bobId}`)).status).toBe(204);
      await bobSub.until((es) => es.some((e) => e.type === "channel.member_removed"));
      const second = (await ada!.post(`/api/channels/${secret}/messages`, { body: "after bob left" })).body.message.id;
      expect((await bob!.get(`/api/channels/${secret}/messages`)).status).toBe(404);
      // cy is added: from then on she hears it.
      expect((await ada!.post(`/api/channels/${secret}/members`, { user_id: cyId })).status).toBe(201);
      const third = (await ada!.post(`/api/channels/${secret}/messages`, { body: "cy is in" })).body.message.id;
      await cySub.until((es) => es.some((e) => e.payload.message_id === third));
      // A public marker both hear, after which nothing more can be on its way.
      const marker = (await ada!.post(`/api/channels/${team.general.id}/messages`, { body: "marker" })).body.message.id;
      await Promise.all([bobSub.until((es) => es.some((e) => e.payload.message_id === marker)), cySub.until((es) => es.some((e) => e.payload.message_id === marker))]);
      const about = <E extends { type: string; channel_id?: string | null; payload: Record<string, unknown> }>(es: E[]) => es.filter((e) => e.channel_id === secret || e.payload.channel_id === secret);
      const ids = (es: { payload: Record<string, unknown> }[]) => es.map((e) => e.payload.message_id).filter(Boolean);
      expect(ids(about(bobSub.events))).toEqual([first]);
      expect(about(bobSub.events).map((e) => e.type)).not.toContain("channel.created");
      expect(ids(about(cySub.events))).toEqual([third]);
      expect(about(cySub.events).map((e) => e.type)).toEqual(["channel.member_added", "message.created"]);
      // The pull fallback and a fresh socket replaying the same stretch say the same.
      const pulled = async (c: typeof ada) => about((await c!.get(`/api/realtime/events?workspace_id=${team.workspace.id}&after_cursor=${start}&limit=500`)).body.events);
      expect(ids(await pulled(bob))).toEqual([first]);
      expect(ids(await pulled(cy))).toEqual([third]);
      expect(ids(await pulled(ada))).toEqual([first, second, third]);
      const replay = new Subscription(server.url, { workspaceId: team.workspace.id, userId: bobId!, afterCursor: start });
      await replay.until((es) => es.some((e) => e.payload.message_id === marker));
      expect(ids(about(replay.events))).toEqual([first]);
      for (const sub of [bobSub, cySub, replay]) sub.close();
    });

    test("more than 5,000 events to replay closes with 4001", async () => {
      const start = await tailOf();
      const msgs = Array.from({ length: 2600 }, (_, i) => team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: `flood ${i}` }));
      const results = await Promise.all(msgs);
      const id = results[0]!.body.message.id;
      await Promise.all(results.slice(0, 2500).map((r) => team.clients[1]!.post(`/api/messages/${r.body.message.id}/reactions`, { emoji: "👀" })));
      void id;
      const sub = new Subscription(server.url, { workspaceId: team.workspace.id, userId: team.users[1]!.id, afterCursor: start });
      await sub.closed;
      expect(sub.closeCode).toBe(4001);
      expect(sub.durable.length).toBeLessThanOrEqual(5000);
      // 5,100 writes over HTTP as the fixture: generous, the machine may be shared.
    }, 240_000);
  });
});
