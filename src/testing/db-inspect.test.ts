// The digest that proves "a refused request changed nothing" must see every kind of change, on
// every store.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { countRows, databaseDigest, queryNumbers } from "./db-inspect.ts";
import { seedTeam, startTestServer, type TestServer } from "./harness.ts";
import { forEachStore } from "./stores.ts";

forEachStore((store) => {
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;
  beforeAll(async () => {
    server = await startTestServer([], { store });
    team = await seedTeam(server);
  });
  afterAll(() => server.close());

  test("an insert, an update and a delete each change the digest; reads do not", async () => {
    const digest = () => databaseDigest(server.store);
    const start = await digest();
    expect(start).toContain("messages (0):");
    await team.clients[0]!.get(`/api/channels/${team.general.id}/messages`);
    expect(await digest()).toBe(start);
    const posted = await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: "x" });
    const afterInsert = await digest();
    expect(afterInsert).not.toBe(start);
    await team.clients[0]!.patch(`/api/messages/${posted.body.message.id}`, { body: "y" });
    const afterUpdate = await digest();
    expect(afterUpdate).not.toBe(afterInsert);
    await server.store.events.prune(team.workspace.id, { olderThan: new Date(Date.now() + 60_000).toISOString(), keepLatest: 0 });
    expect(await digest()).not.toBe(afterUpdate);
  });

  test("ignored columns are left out; counts and sums come back as numbers", async () => {
    const { token } = await server.store.identity.createSession(team.users[0]!.id, 60_000);
    const ignoring = () => databaseDigest(server.store, { ignore: ["last_used_at"] });
    const [quiet, full] = [await ignoring(), await databaseDigest(server.store)];
    // A credential check touches last_used_at (after the request, in its own write).
    expect(await server.store.identity.sessionByToken(token)).not.toBeNull();
    for (let i = 0; i < 50 && (await databaseDigest(server.store)) === full; i++) await Bun.sleep(20);
    expect(await databaseDigest(server.store)).not.toBe(full);
    expect(await ignoring()).toBe(quiet);
    expect(await countRows(server.store, "users", "handle = ?", ["ada"])).toBe(1);
    expect(await queryNumbers(server.store, "SELECT count(*) AS n, coalesce(sum(last_seq), 0) AS s FROM channels")).toEqual({ n: 2, s: 1 });
  });
});
