// Two `clickclack serve` processes on one Postgres, clients on each: realtime crosses processes,
// in cursor order, once, through crashes and a lost LISTEN connection.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import postgres from "postgres";
import type { ChatEvent } from "../chat/types.ts";
import { loadConfig } from "../config/config.ts";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/store.ts";
import { type Client, client, sleep, Subscription } from "../testing/harness.ts";
import { createTestDatabase, type TestDatabase } from "../testing/postgres.ts";
import { type ServeProcess, spawnServe } from "../testing/process.ts";
import { CLUSTER_CHANNEL } from "./cluster.ts";

let db: TestDatabase;
let store: Store;
let a: ServeProcess;
let b: ServeProcess;
const team = {} as {
  workspaceId: string;
  general: string;
  guest: string;
  dm: string;
  /** ada (owner), bob (member), cy (member), gus (guest) */
  ids: Record<"ada" | "bob" | "cy" | "gus", string>;
};

beforeAll(async () => {
  db = await createTestDatabase();
  store = await openStore(loadConfig(["--db", db.url], {}).config);
  const ids = {} as typeof team.ids;
  for (const n of ["ada", "bob", "cy", "gus"] as const) ids[n] = (await store.users.create({ kind: "human", displayName: n, handle: n })).id;
  const { workspace, channels } = await store.workspaces.create({ name: "Team", ownerId: ids.ada });
  await store.workspaces.addMember(workspace.id, ids.bob, "member");
  await store.workspaces.addMember(workspace.id, ids.cy, "member");
  await store.workspaces.addMember(workspace.id, ids.gus, "guest");
  const dm = await store.dms.open(workspace.id, [ids.ada, ids.bob], ids.ada);
  Object.assign(team, {
    workspaceId: workspace.id,
    general: channels.find((c) => c.name === "general")!.id,
    guest: channels.find((c) => c.name === "guest")!.id,
    dm: dm.conversation.id,
    ids,
  });
  // A load test by design (hundreds of posts by two people): the per-person limits are off, as in the
  // other reliability suites.
  [a, b] = await Promise.all([spawnServe(["--db", db.url, "--dev", "--no-limits"]), spawnServe(["--db", db.url, "--dev", "--no-limits"])]);
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.kill(), b?.kill()]);
  await store?.close();
  await db?.drop();
});

const as = (url: string, user: keyof typeof team.ids): Client => client(url, { userId: team.ids[user] });
const subscribe = (url: string, user: keyof typeof team.ids, afterCursor: string | null) =>
  new Subscription(url, { workspaceId: team.workspaceId, userId: team.ids[user], afterCursor });
const tail = async () => (await store.events.tail(team.workspaceId)) ?? "";
const durable = (events: ChatEvent[]) => events.filter((e) => e.cursor !== "");

/** Who may see a post, by where it was posted. */
const AUDIENCE = {
  general: ["ada", "bob", "cy"],
  guest: ["ada", "bob", "cy", "gus"],
  dm: ["ada", "bob"],
} as const;
type Place = keyof typeof AUDIENCE;

async function post(url: string, place: Place, body: string): Promise<string> {
  const path = place === "dm" ? `/api/dms/${team.dm}/messages` : `/api/channels/${team[place]}/messages`;
  const r = await as(url, "ada").post(path, { body });
  expect(r.status).toBe(201);
  return r.body.event.cursor as string;
}

describe("two serve processes on one Postgres", () => {
  test("every client receives exactly the events it may see, once, in cursor order, across random posts on either process and reconnects that switch process (property)", async () => {
    const users = ["bob", "cy", "gus"] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant("post" as const), on: fc.integer({ min: 0, max: 1 }), place: fc.constantFrom<Place>("general", "guest", "dm") }),
            fc.record({ kind: fc.constant("burst" as const), on: fc.integer({ min: 0, max: 1 }) }),
            fc.record({ kind: fc.constant("reconnect" as const), who: fc.integer({ min: 0, max: users.length - 1 }) }),
          ),
          { minLength: 3, maxLength: 14 },
        ),
        async (steps) => {
          const servers = [a.url, b.url];
          const start = await tail();
          const posted: { cursor: string; place: Place }[] = [];
          // Client i starts on process i % 2, so the two processes always both have sockets.
          const clients = users.map((user, i) => ({ user, on: i % 2, seen: [] as ChatEvent[], sub: subscribe(servers[i % 2]!, user, start) }));
          await Promise.all(clients.map((c) => c.sub.opened));
          for (const step of steps) {
            if (step.kind === "post") posted.push({ cursor: await post(servers[step.on]!, step.place, "p"), place: step.place });
            else if (step.kind === "burst") {
              const places: Place[] = ["general", "guest", "dm", "general"];
              // Both processes at once: their commits interleave in the log.
              const cursors = await Promise.all(places.map((place, i) => post(servers[(step.on + i) % 2]!, place, "b")));
              cursors.forEach((cursor, i) => posted.push({ cursor, place: places[i]! }));
            } else {
              const c = clients[step.who]!;
              c.seen.push(...durable(c.sub.events));
              const resume = c.seen[c.seen.length - 1]?.cursor ?? start;
              c.sub.close();
              await c.sub.closed;
              c.on = 1 - c.on;
              c.sub = subscribe(servers[c.on]!, c.user, resume);
              await c.sub.opened;
            }
          }
          posted.sort((x, y) => (x.cursor < y.cursor ? -1 : 1));
          for (const c of clients) {
            const expected = posted.filter((p) => (AUDIENCE[p.place] as readonly string[]).includes(c.user)).map((p) => p.cursor);
            const last = expected[expected.length - 1];
            const already = c.seen.map((e) => e.cursor);
            if (last && !already.includes(last)) await c.sub.until((es) => es.some((e) => e.cursor === last), 10_000);
            // Anything else that might still be in flight would show up now.
            await sleep(30);
            c.sub.close();
            const got = [...already, ...durable(c.sub.events).map((e) => e.cursor)];
            expect({ user: c.user, got }).toEqual({ user: c.user, got: expected });
          }
        },
      ),
      { numRuns: 15 },
    );
  }, 180_000);

  test("two processes writing the same channels at once: every post is acknowledged, none fails on a lock cycle", async () => {
    const channels = [team.general];
    for (let i = 0; i < 7; i++) channels.push((await store.channels.create({ workspaceId: team.workspaceId, name: `busy-${i}`, createdBy: team.ids.ada })).channel.id);
    const statuses = new Map<number, number>();
    const deadline = Date.now() + 3000;
    await Promise.all(
      Array.from({ length: 20 }, async (_, w) => {
        for (let i = 0; Date.now() < deadline; i++) {
          // Writers on both processes spread over the channels: batches hold several channel rows.
          const r = await as(w % 2 ? b.url : a.url, w % 3 ? "ada" : "bob").post(`/api/channels/${channels[(w >> 1) % channels.length]}/messages`, { body: `both ${w}/${i}` });
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        }
      }),
    );
    expect(Object.fromEntries(statuses)).toEqual({ 201: expect.any(Number) });
  }, 30_000);

  test("ephemeral events cross processes (a large agent.progress included); private ones only to their recipients", async () => {
    // From the tail: a socket without a cursor first replays the whole retained log, thousands of
    // posts by now, which on a loaded machine outlasts the wait for the live typing event.
    const start = await tail();
    const onB = subscribe(b.url, "bob", start);
    const cyOnB = subscribe(b.url, "cy", start);
    await Promise.all([onB.opened, cyOnB.opened]);
    const typing = await as(a.url, "ada").post("/api/realtime/ephemeral", { workspace_id: team.workspaceId, type: "typing.started", channel_id: team.general });
    expect(typing.status).toBe(202);
    await onB.until((es) => es.some((e) => e.type === "typing.started" && e.payload.user_id === team.ids.ada));
    const dmTyping = await as(a.url, "ada").post("/api/realtime/ephemeral", { workspace_id: team.workspaceId, type: "typing.started", direct_conversation_id: team.dm });
    expect(dmTyping.status).toBe(202);
    await onB.until((es) => es.some((e) => e.type === "typing.started" && e.payload.direct_conversation_id === team.dm));
    // Larger than NOTIFY's 8000-byte payload, in multi-byte characters.
    const { token } = await store.bots
      .create({ workspaceId: team.workspaceId, displayName: "Helper" })
      .then((bot) => store.bots.mintToken({ botUserId: bot.id, workspaceId: team.workspaceId, name: "t", scopes: ["messages:write", "channels:read", "realtime:read", "agent_activity:write"] }));
    const text = "進捗🙂".repeat(1500);
    const progress = await client(a.url, { token }).post("/api/realtime/ephemeral", { workspace_id: team.workspaceId, type: "agent.progress", channel_id: team.general, payload: { text } });
    expect(progress.status).toBe(202);
    await onB.until((es) => es.some((e) => e.type === "agent.progress" && e.payload.text === text));
    await cyOnB.until((es) => es.some((e) => e.type === "agent.progress"));
    expect(cyOnB.events.some((e) => e.payload.direct_conversation_id === team.dm)).toBe(false);
    onB.close();
    cyOnB.close();
  }, 30_000);

  test("presence crosses processes: a socket on one makes the person online for a watcher on the other, and offline when it closes", async () => {
    const statusOf = (es: ChatEvent[]) => es.filter((e) => e.type === "presence.changed" && e.payload.user_id === team.ids.cy).map((e) => e.payload.status);
    // Only a change is announced: cy's sockets of the tests above must be gone first, and stay
    // gone. A process writes the sockets that opened and closed since its last write together, a
    // moment later, so under load the opening of a socket closed at the end of the last test may
    // still be written after a first look found cy offline (and its closing after that).
    const listedCy = async () => ((await as(b.url, "bob").get(`/api/workspaces/${team.workspaceId}/presence`)).body.presence as { user_id: string }[]).some((p) => p.user_id === team.ids.cy);
    let offlineFor = 0;
    for (let i = 0; i < 200 && offlineFor < 5; i++) {
      offlineFor = (await listedCy()) ? 0 : offlineFor + 1;
      await Bun.sleep(100);
    }
    expect(offlineFor).toBe(5);
    const bobOnB = subscribe(b.url, "bob", await tail());
    await bobOnB.opened;
    const cyOnA = subscribe(a.url, "cy", await tail());
    await cyOnA.opened;
    await bobOnB.until((es) => statusOf(es).at(-1) === "online");
    const listed = await as(b.url, "bob").get(`/api/workspaces/${team.workspaceId}/presence`);
    expect(listed.body.presence).toContainEqual({ user_id: team.ids.cy, status: "online" });
    cyOnA.close();
    await bobOnB.until((es) => statusOf(es).at(-1) === "offline");
    bobOnB.close();
  }, 30_000);

  test("a private channel across processes: members on either process hear it, a removal made on one stops it on the other, an addition starts it", async () => {
    const start = await tail();
    const bobOnB = subscribe(b.url, "bob", start);
    const cyOnA = subscribe(a.url, "cy", start);
    await Promise.all([bobOnB.opened, cyOnA.opened]);
    const created = await as(a.url, "ada").post(`/api/workspaces/${team.workspaceId}/channels`, { name: "cluster-hush", private: true });
    const secret = created.body.channel.id as string;
    expect((await as(b.url, "ada").post(`/api/channels/${secret}/members`, { user_id: team.ids.bob })).status).toBe(201);
    const said = async (url: string, body: string) => (await as(url, "ada").post(`/api/channels/${secret}/messages`, { body })).body.message.id as string;
    const first = await said(a.url, "bob is in");
    await bobOnB.until((es) => es.some((e) => e.payload.message_id === first), 10_000);
    // Removed through process A; bob listens on B.
    expect((await as(a.url, "ada").delete(`/api/channels/${secret}/members/${team.ids.bob}`)).status).toBe(204);
    await bobOnB.until((es) => es.some((e) => e.type === "channel.member_removed"), 10_000);
    const second = await said(b.url, "bob is out");
    // Added through process B; cy listens on A.
    expect((await as(b.url, "ada").post(`/api/channels/${secret}/members`, { user_id: team.ids.cy })).status).toBe(201);
    const third = await said(b.url, "cy is in");
    await cyOnA.until((es) => es.some((e) => e.payload.message_id === third), 10_000);
    const marker = await post(a.url, "general", "marker");
    await Promise.all([bobOnB.until((es) => es.some((e) => e.cursor === marker), 10_000), cyOnA.until((es) => es.some((e) => e.cursor === marker), 10_000)]);
    const heard = (sub: Subscription) => sub.events.filter((e) => e.channel_id === secret || e.payload.channel_id === secret).map((e) => e.payload.message_id).filter(Boolean);
    expect(heard(bobOnB)).toEqual([first]);
    expect(heard(cyOnA)).toEqual([third]);
    expect(heard(bobOnB)).not.toContain(second);
    bobOnB.close();
    cyOnA.close();
  }, 30_000);

  test("a sign-out on one process closes the session's sockets on the other; a role change does too", async () => {
    const { token } = await store.identity.createSession(team.ids.cy, 60_000);
    const session = new Subscription(b.url, { workspaceId: team.workspaceId, token });
    const bobOnB = subscribe(b.url, "bob", await tail());
    await Promise.all([session.opened, bobOnB.opened]);
    expect((await client(a.url, { token }).post("/api/auth/logout")).status).toBe(200);
    await session.closed;
    expect(session.closeCode).toBe(1008);

    const demoted = await as(a.url, "ada").patch(`/api/workspaces/${team.workspaceId}/moderation/members/${team.ids.bob}`, { role: "guest" });
    expect(demoted.status).toBe(200);
    await bobOnB.closed;
    expect(bobOnB.closeCode).toBe(1008);
    expect((await as(a.url, "ada").patch(`/api/workspaces/${team.workspaceId}/moderation/members/${team.ids.bob}`, { role: "member" })).status).toBe(200);
  }, 30_000);

  test("the LISTEN connection of a process is terminated: it listens again and its sockets miss nothing", async () => {
    const admin = postgres(db.url, { max: 1, onnotice: () => {} });
    const listeners = async () =>
      (await admin`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE ${`listen%${CLUSTER_CHANNEL}%`}`).map((r) => r.pid as number);
    try {
      const start = await tail();
      // cy: bob's role changed just before, and that close may still be on its way to B.
      const sub = subscribe(b.url, "cy", start);
      await sub.opened;
      const before = await listeners();
      expect(before.length).toBe(2);
      await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY(${before})`;
      const cursors: string[] = [];
      for (let i = 0; i < 20; i++) cursors.push(await post(i % 2 ? a.url : b.url, "general", `while relistening ${i}`));
      await sub.until((es) => es.some((e) => e.cursor === cursors[cursors.length - 1]), 10_000);
      expect(durable(sub.events).map((e) => e.cursor)).toEqual(cursors);
      // Both processes listen again, on new connections.
      for (let i = 0; i < 50 && (await listeners()).filter((p) => !before.includes(p)).length < 2; i++) await sleep(100);
      expect((await listeners()).filter((p) => !before.includes(p)).length).toBe(2);
      const after = await post(a.url, "general", "after relisten");
      await sub.until((es) => es.some((e) => e.cursor === after));
      sub.close();
    } finally {
      await admin.end();
    }
  }, 30_000);

  test("kill -9 of one process during a burst loses no acknowledged message; its clients reconnect to the other and catch up", async () => {
    const start = await tail();
    const c = spawnServe(["--db", db.url, "--dev", "--no-limits"]);
    const doomed = await c;
    const onDoomed = subscribe(doomed.url, "bob", start);
    const onB = subscribe(b.url, "cy", start);
    await Promise.all([onDoomed.opened, onB.opened]);
    const acked: string[] = [];
    let stop = false;
    const writer = async (w: number) => {
      const url = w % 2 ? doomed.url : b.url;
      for (let i = 0; !stop; i++) {
        try {
          const r = await as(url, "ada").post(`/api/channels/${team.general}/messages`, { body: `w${w} #${i}`, nonce: `kill-${w}-${i}` });
          if (r.status === 201) acked.push(r.body.event.cursor);
        } catch {
          if (w % 2) return; // the killed process is gone
        }
      }
    };
    const writers = Array.from({ length: 12 }, (_, w) => writer(w));
    while (acked.length < 150) await sleep(5);
    await doomed.kill();
    await sleep(100);
    stop = true;
    await Promise.all(writers);
    await onDoomed.closed;
    // Reconnect to the survivor with the last cursor received.
    const seenBefore = durable(onDoomed.events).map((e) => e.cursor);
    const resumed = subscribe(b.url, "bob", seenBefore[seenBefore.length - 1] ?? start);
    await resumed.opened;
    acked.sort();
    const last = acked[acked.length - 1]!;
    await resumed.until((es) => es.some((e) => e.cursor === last), 15_000);
    await onB.until((es) => es.some((e) => e.cursor === last), 15_000);
    for (const got of [[...seenBefore, ...durable(resumed.events).map((e) => e.cursor)], durable(onB.events).map((e) => e.cursor)]) {
      // Once each, in cursor order, every acknowledged message among them.
      expect([...got].sort()).toEqual(got);
      expect(new Set(got).size).toBe(got.length);
      const have = new Set(got);
      expect(acked.filter((x) => !have.has(x))).toEqual([]);
    }
    resumed.close();
    onB.close();
  }, 60_000);
});
