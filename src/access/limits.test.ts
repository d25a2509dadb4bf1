// What one account can do, through the real server: per-person token buckets (429 with
// Retry-After), socket caps (close 1013), workspace creation rules and the per-person upload
// quota. Each limit is set low here so a handful of requests reaches it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadConfig } from "../config/config.ts";
import { client, seedTeam, startTestServer, Subscription, type TestServer } from "../testing/harness.ts";

const tight = [
  "--limit-posts-per-minute", "3",
  "--limit-edits-per-minute", "2",
  "--limit-reactions-per-minute", "2",
  "--limit-ephemeral-per-minute", "2",
  "--limit-uploads-per-minute", "2",
  "--limit-searches-per-minute", "2",
  "--limit-sockets-per-person", "3",
  "--limit-sockets-per-credential", "2",
  "--workspaces-per-person", "2",
];

function expectLimited(r: { status: number; body: any; headers: Headers }) {
  expect(r.status).toBe(429);
  expect(r.body.code).toBe("rate_limited");
  expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
}

describe("per-person limits", () => {
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;
  beforeAll(async () => {
    server = await startTestServer(tight);
    team = await seedTeam(server);
  });
  afterAll(() => server.close());

  test("posts: a burst past the bucket is 429 with Retry-After, and only for that person", async () => {
    const [ada, bob] = team.clients;
    const path = `/api/channels/${team.general.id}/messages`;
    const posts = await Promise.all(Array.from({ length: 6 }, (_, i) => ada!.post(path, { body: `burst ${i}` })));
    expect(posts.filter((r) => r.status === 201)).toHaveLength(3);
    expectLimited(posts.find((r) => r.status !== 201)!);
    // Thread replies and DMs draw from the same bucket.
    expectLimited(await ada!.post(`/api/messages/${posts.find((r) => r.status === 201)!.body.message.id}/thread/replies`, { body: "reply" }));
    // Someone else is unaffected: buckets are per person, not per address.
    expect((await bob!.post(path, { body: "mine" })).status).toBe(201);
  });

  test("a person's own bot draws from its owner's bucket: making bots does not multiply the rate", async () => {
    const ada = team.users[0]!;
    const bot = await server.store.bots.create({ workspaceId: team.workspace.id, displayName: "Ada's bot", ownerUserId: ada.id });
    const { token } = await server.store.bots.mintToken({ botUserId: bot.id, workspaceId: team.workspace.id, name: "t", scopes: ["messages:write"] });
    // Ada spent her bucket in the test above.
    expectLimited(await client(server.url, { token }).post(`/api/channels/${team.general.id}/messages`, { body: "from the bot" }));
  });

  test("edits, reactions, ephemeral events, uploads and searches each have their bucket", async () => {
    const cy = team.clients[2]!;
    const msg = (await cy.post(`/api/channels/${team.general.id}/messages`, { body: "to edit" })).body.message;
    expect((await cy.patch(`/api/messages/${msg.id}`, { body: "one" })).status).toBe(200);
    expect((await cy.patch(`/api/messages/${msg.id}`, { body: "two" })).status).toBe(200);
    expectLimited(await cy.patch(`/api/messages/${msg.id}`, { body: "three" }));

    expect((await cy.post(`/api/messages/${msg.id}/reactions`, { emoji: "👍" })).status).toBe(201);
    expect((await cy.post(`/api/messages/${msg.id}/reactions`, { emoji: "🎉" })).status).toBe(201);
    expectLimited(await cy.post(`/api/messages/${msg.id}/reactions`, { emoji: "👀" }));

    const typing = { workspace_id: team.workspace.id, type: "typing.started", channel_id: team.general.id };
    expect((await cy.post("/api/realtime/ephemeral", typing)).status).toBe(202);
    expect((await cy.post("/api/realtime/ephemeral", typing)).status).toBe(202);
    expectLimited(await cy.post("/api/realtime/ephemeral", typing));

    const upload = () => {
      const form = new FormData();
      form.append("file", new Blob(["bytes"]), "a.txt");
      return cy.post(`/api/uploads?workspace_id=${team.workspace.id}`, form);
    };
    expect((await upload()).status).toBe(201);
    expect((await upload()).status).toBe(201);
    expectLimited(await upload());

    const search = () => cy.get(`/api/search?workspace_id=${team.workspace.id}&q=edit`);
    expect((await search()).status).toBe(200);
    expect((await search()).status).toBe(200);
    expectLimited(await search());
  });

  test("sockets: a person past the cap, or a credential past its own, is closed with 1013", async () => {
    const bob = team.users[1]!;
    const token = (await server.store.identity.createSession(bob.id, 3_600_000)).token;
    const open = (opts: { userId?: string; token?: string }) => new Subscription(server.url, { workspaceId: team.workspace.id, ...opts });
    const viaSession = [open({ token }), open({ token })];
    await Promise.all(viaSession.map((s) => s.opened));
    const third = open({ token });
    await third.closed;
    expect(third.closeCode).toBe(1013);
    expect(third.closeReason).toContain("per session or token");

    // The dev header is no credential: it counts towards the person only.
    const another = open({ userId: bob.id });
    await another.opened;
    const over = open({ userId: bob.id });
    await over.closed;
    expect(over.closeCode).toBe(1013);
    expect(over.closeReason).toContain("per person");

    // Closing one frees a place.
    another.close();
    await another.closed;
    await Bun.sleep(50);
    const again = open({ userId: bob.id });
    await again.opened;
    for (const s of [...viaSession, again]) s.close();
  });

  test("workspaces: one person owns at most --workspaces-per-person", async () => {
    const dee = await server.store.users.create({ kind: "human", displayName: "Dee", handle: "dee" });
    const c = client(server.url, { userId: dee.id });
    expect((await c.post("/api/workspaces", { name: "One" })).status).toBe(201);
    expect((await c.post("/api/workspaces", { name: "Two" })).status).toBe(201);
    const third = await c.post("/api/workspaces", { name: "Three" });
    expect(third.status).toBe(403);
    expect(third.body.code).toBe("workspace_limit");
    // Concurrent attempts cannot overshoot: the count is checked inside the write.
    const eve = await server.store.users.create({ kind: "human", displayName: "Eve", handle: "eve" });
    const e = client(server.url, { userId: eve.id });
    const racing = await Promise.all(Array.from({ length: 6 }, (_, i) => e.post("/api/workspaces", { name: `Race ${i}` })));
    expect(racing.filter((r) => r.status === 201)).toHaveLength(2);
  });
});

test("upload quota: files in one workspace count in every other", async () => {
  const server = await startTestServer(["--upload-quota-files", "2"]);
  try {
    const fay = await server.store.users.create({ kind: "human", displayName: "Fay", handle: "fay" });
    const c = client(server.url, { userId: fay.id });
    const upload = (ws: string) => {
      const form = new FormData();
      form.append("file", new Blob(["bytes"]), "a.txt");
      return c.post(`/api/uploads?workspace_id=${ws}`, form);
    };
    const w1 = (await c.post("/api/workspaces", { name: "Fay 1" })).body.workspace.id;
    const w2 = (await c.post("/api/workspaces", { name: "Fay 2" })).body.workspace.id;
    expect((await upload(w1)).status).toBe(201);
    expect((await upload(w1)).status).toBe(201);
    const elsewhere = await upload(w2);
    expect(elsewhere.status).toBe(413);
    expect(elsewhere.body.code).toBe("upload_quota_exceeded");
  } finally {
    await server.close();
  }
});

test("--workspace-creators owners: only owners of the instance's first workspace create workspaces", async () => {
  const server = await startTestServer(["--workspace-creators", "owners"]);
  try {
    const team = await seedTeam(server);
    const [owner, member] = team.clients;
    const refused = await member!.post("/api/workspaces", { name: "Mine" });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("workspace_creation_restricted");
    expect((await owner!.post("/api/workspaces", { name: "Second" })).status).toBe(201);
  } finally {
    await server.close();
  }
});

test("--no-limits turns the rates and socket caps off", async () => {
  const server = await startTestServer(["--no-limits", "--limit-posts-per-minute", "1"]);
  try {
    const team = await seedTeam(server);
    const path = `/api/channels/${team.general.id}/messages`;
    const posts = await Promise.all(Array.from({ length: 5 }, (_, i) => team.clients[0]!.post(path, { body: `free ${i}` })));
    expect(posts.every((r) => r.status === 201)).toBe(true);
  } finally {
    await server.close();
  }
});

test("bad limit settings stop start-up with a message naming the key and its source", () => {
  const bad: [string[], Record<string, string>, RegExp][] = [
    [["--limit-posts-per-minute", "0"], {}, /limitPostsPerMinute \(from --limit-posts-per-minute\): must be a whole number/],
    [[], { CLICKCLACK_LIMIT_SOCKETS_PER_PERSON: "1.5" }, /limitSocketsPerPerson \(from CLICKCLACK_LIMIT_SOCKETS_PER_PERSON\)/],
    [["--workspace-creators", "nobody"], {}, /workspaceCreators .*expected anyone or owners/],
    [["--search-budget-ms", "soon"], {}, /searchBudgetMs .*expected a number/],
  ];
  for (const [args, env, message] of bad) expect(() => loadConfig(args, env)).toThrow(message);
  const { limits } = loadConfig([], { CLICKCLACK_LIMITS: "false", CLICKCLACK_LIMIT_POSTS_PER_MINUTE: "42" }).config;
  expect(limits).toMatchObject({ enabled: false, posts: { perMinute: 42 }, workspaceCreators: "anyone" });
});
