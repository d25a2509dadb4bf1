// Presence through the real server: sockets make a person online, "away" is theirs to say, the
// last socket closing makes them offline, and every member's socket hears each change. Guests
// are not told who is around.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ChatEvent } from "../chat/types.ts";
import { client, seedTeam, startTestServer, Subscription, type TestServer } from "../testing/harness.ts";
import { forEachStore } from "../testing/stores.ts";

forEachStore((kind) => {
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;
  let gus: { id: string };
  beforeAll(async () => {
    server = await startTestServer([], { store: kind });
    team = await seedTeam(server);
    gus = await server.store.users.create({ kind: "human", displayName: "Gus", handle: "gus" });
    await server.store.workspaces.addMember(team.workspace.id, gus.id, "guest");
  });
  afterAll(() => server?.close());

  const as = (userId: string) => client(server.url, { userId });
  const watch = (userId: string) => new Subscription(server.url, { workspaceId: team.workspace.id, userId });
  const presenceOf = (events: ChatEvent[], userId: string) => events.filter((e) => e.type === "presence.changed" && e.payload.user_id === userId).map((e) => e.payload.status);
  const listed = async (asUser: string) => Object.fromEntries(((await as(asUser).get(`/api/workspaces/${team.workspace.id}/presence`)).body.presence as { user_id: string; status: string }[]).map((p) => [p.user_id, p.status]));

  describe("presence", () => {
    test("a socket makes a person online, away is theirs to say, the last socket closing makes them offline", async () => {
      const [ada, bob] = team.users.map((u) => u.id) as [string, string];
      const bobWatches = watch(bob);
      const gusWatches = watch(gus.id);
      await Promise.all([bobWatches.opened, gusWatches.opened]);
      // The socket is open before its presence is written (a batch a moment later): bob hears himself.
      await bobWatches.until((es) => presenceOf(es, bob).includes("online"));
      expect(await listed(bob)).toMatchObject({ [bob]: "online" });
      expect((await listed(bob))[ada]).toBeUndefined();

      const phone = watch(ada);
      const laptop = watch(ada);
      await Promise.all([phone.opened, laptop.opened]);
      await bobWatches.until((es) => presenceOf(es, ada).includes("online"));
      expect(await listed(bob)).toMatchObject({ [ada]: "online", [bob]: "online" });
      // A third device of someone online changes nothing, so nobody is told anything: only changes
      // are announced (presence writes gather for 50 ms; this waits well past that).
      const tablet = watch(ada);
      await tablet.opened;
      await Bun.sleep(300);
      expect(presenceOf(bobWatches.events, ada)).toEqual(["online"]);

      const away = await as(ada).post("/api/realtime/ephemeral", { workspace_id: team.workspace.id, type: "presence.changed", payload: { status: "away" } });
      expect(away.status).toBe(202);
      expect(away.body.event.payload).toEqual({ user_id: ada, status: "away" });
      await bobWatches.until((es) => presenceOf(es, ada).at(-1) === "away");
      expect((await listed(bob))[ada]).toBe("away");

      // One device closes: still connected on the others, still away, and nothing is announced.
      phone.close();
      await phone.closed;
      await Bun.sleep(300);
      expect(presenceOf(bobWatches.events, ada)).toEqual(["online", "away"]);
      tablet.close();
      await tablet.closed;
      laptop.close();
      await laptop.closed;
      await bobWatches.until((es) => presenceOf(es, ada).at(-1) === "offline");
      expect((await listed(bob))[ada]).toBeUndefined();
      expect(presenceOf(bobWatches.events, ada).at(-1)).toBe("offline");

      // Guests are not told who is around.
      const refused = await as(gus.id).get(`/api/workspaces/${team.workspace.id}/presence`);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe("guest_restricted");
      expect(gusWatches.events.filter((e) => e.type === "presence.changed")).toEqual([]);
      bobWatches.close();
      gusWatches.close();
    });

    test("a profile's time zone is kept, shown to others, cleared with an empty string, and refused when unknown", async () => {
      const [ada, bob] = team.users.map((u) => u.id) as [string, string];
      const set = await as(ada).patch("/api/me", { time_zone: "europe/berlin" });
      expect(set.status).toBe(200);
      expect(set.body.user.time_zone).toBe("Europe/Berlin");
      const members = await as(bob).get(`/api/workspaces/${team.workspace.id}/members?q=ada`);
      expect(members.body.members[0].user.time_zone).toBe("Europe/Berlin");
      const bad = await as(ada).patch("/api/me", { time_zone: "Mars/Olympus_Mons" });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe("invalid_time_zone");
      expect((await as(ada).get("/api/me")).body.user.time_zone).toBe("Europe/Berlin");
      const cleared = await as(ada).patch("/api/me", { time_zone: "" });
      expect("time_zone" in cleared.body.user).toBe(false);
    });
  });
});
