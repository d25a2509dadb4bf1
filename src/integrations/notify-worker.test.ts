// Pushover through the real server: the worker follows the event log and pushes each new message
// to people with a user key, never the author, by preference and do-not-disturb hours, and resumes
// from its stored position after a restart (nothing twice, nothing lost).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { loadConfig } from "../config/config.ts";
import { startServer } from "../server/serve.ts";
import { openStore } from "../store/open.ts";
import { startFakePushover } from "../testing/fake-pushover.ts";
import { client, seedTeam, startTestServer, type TestServer } from "../testing/harness.ts";
import { forEachStore } from "../testing/stores.ts";

const TOKEN = "a".repeat(30);
const keyOf = (handle: string) => `${handle}${"k".repeat(30 - handle.length)}`;

forEachStore((kind) => {
  const pushover = startFakePushover({ token: TOKEN, users: ["ada", "bob", "cy", "dee"].map(keyOf) });
  // Every message pushed (no coalescing window): these tests follow each message to its recipients.
  const pushArgs = ["--pushover-api-token", TOKEN, "--pushover-api-url", pushover.url, "--push-coalesce-seconds", "0"];
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;

  beforeAll(async () => {
    server = await startTestServer(pushArgs, { store: kind });
    team = await seedTeam(server, ["ada", "bob", "cy", "dee"]);
    for (const i of [0, 1, 2]) expect((await team.clients[i]!.patch("/api/me", { pushover_user_key: keyOf(team.users[i]!.handle) })).status).toBe(200);
    // cy wants only mentions in #general; dee has no Pushover key.
    expect((await team.clients[2]!.patch(`/api/channels/${team.general.id}/notification-settings`, { preference: "mentions" })).status).toBe(200);
  });
  afterAll(async () => {
    await server.close();
    pushover.stop();
  });

  const post = async (i: number, body: string) => {
    const r = await team.clients[i]!.post(`/api/channels/${team.general.id}/messages`, { body });
    expect(r.status).toBe(201);
    return r.body.message;
  };
  const to = (handle: string, text: string) => pushover.received.filter((p) => p.user === keyOf(handle) && p.message === text);

  test("a new message reaches members who want everything, not its author nor those who want mentions only", async () => {
    await post(0, "hello team");
    await pushover.until(() => to("bob", "hello team").length === 1);
    expect(to("bob", "hello team")[0]!.title).toBe("ada in #general");
    // The next message is pushed after this one: once it arrives, the first is settled.
    await post(0, "@cy over to you");
    await pushover.until(() => to("cy", "@cy over to you").length === 1);
    expect(to("ada", "hello team")).toHaveLength(0);
    expect(to("cy", "hello team")).toHaveLength(0);
    expect(to("bob", "@cy over to you")).toHaveLength(1);
  });

  test("muted channels and do-not-disturb hours push nothing", async () => {
    expect((await team.clients[1]!.patch(`/api/channels/${team.general.id}/notification-settings`, { preference: "muted" })).status).toBe(200);
    const minute = new Date().getUTCHours() * 60 + new Date().getUTCMinutes();
    expect((await team.clients[0]!.patch("/api/me/notification-settings", { dnd_start_minute: minute, dnd_end_minute: (minute + 120) % 1440 })).status).toBe(200);
    await post(2, "@bob @ada quiet please");
    await post(1, "@cy marker");
    await pushover.until(() => to("cy", "@cy marker").length === 1);
    expect(to("bob", "@bob @ada quiet please")).toHaveLength(0);
    expect(to("ada", "@bob @ada quiet please")).toHaveLength(0);
    await team.clients[1]!.patch(`/api/channels/${team.general.id}/notification-settings`, { preference: "all" });
    await team.clients[0]!.patch("/api/me/notification-settings", { dnd_start_minute: null, dnd_end_minute: null });
  });

  test("a user key must be 30 letters and digits; an empty one stops the pushes", async () => {
    for (const bad of ["short", "x".repeat(31), `${"k".repeat(29)}!`]) {
      const r = await team.clients[3]!.patch("/api/me", { pushover_user_key: bad });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe("invalid_pushover_user_key");
    }
    expect((await team.clients[2]!.patch("/api/me", { pushover_user_key: "" })).status).toBe(200);
    await post(0, "@cy no key now");
    await post(2, "@bob marker 2");
    await pushover.until(() => to("bob", "@bob marker 2").length === 1);
    expect(to("cy", "@cy no key now")).toHaveLength(0);
    await team.clients[2]!.patch("/api/me", { pushover_user_key: keyOf("cy") });
  });

  test("after a restart the worker resumes from its stored position: messages posted while it was away arrive once, earlier ones not again", async () => {
    await post(0, "before restart");
    await pushover.until(() => to("bob", "before restart").length === 1);
    await server.stop();
    // While no server runs (the admin CLI, another tool), a message is committed to the log.
    const offline = await openStore(loadConfig([...server.dbArgs], {}).config);
    await offline.messages.post({ scope: { kind: "channel", id: team.general.id, workspaceId: team.workspace.id }, authorId: team.users[0]!.id, body: "while away" });
    await offline.close();
    const before = pushover.received.length;
    const again = await startServer(loadConfig([...server.dbArgs, "--addr", "127.0.0.1:0", "--dev", ...pushArgs], {}).config, { quiet: true });
    try {
      await pushover.until(() => to("bob", "while away").length === 1);
      await Bun.sleep(300);
      expect(to("bob", "before restart")).toHaveLength(1);
      expect(pushover.received.length - before).toBe(1);
    } finally {
      await again.stop();
    }
  });

  test("a Pushover outage is retried", async () => {
    const restarted = await startServer(loadConfig([...server.dbArgs, "--addr", "127.0.0.1:0", "--dev", ...pushArgs], {}).config, { quiet: true });
    try {
      pushover.failNext(2);
      expect((await client(restarted.url, { userId: team.users[0]!.id }).post(`/api/channels/${team.general.id}/messages`, { body: "through an outage" })).status).toBe(201);
      await pushover.until(() => to("bob", "through an outage").length === 1);
    } finally {
      await restarted.stop();
    }
  });
});
