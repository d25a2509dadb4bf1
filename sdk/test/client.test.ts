// Every client method against a real server (dev mode: `userId` acts as a seeded user). Routes
// the server does not serve yet must fail as a clean ClickClackError, never as a crash.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { seedTeam, startTestServer, type TestServer } from "../../src/testing/harness.ts";
import { ClickClackClient, ClickClackError, type RealtimeEvent } from "../src/index.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;
let ada: ClickClackClient;
let bob: ClickClackClient;

beforeAll(async () => {
  server = await startTestServer();
  team = await seedTeam(server);
  ada = new ClickClackClient({ baseUrl: server.url, userId: team.users[0]!.id });
  bob = new ClickClackClient({ baseUrl: server.url, userId: team.users[1]!.id });
});
afterAll(() => server.close());

const W = () => team.workspace.id;

test("me and updateMe", async () => {
  expect((await ada.me()).id).toBe(team.users[0]!.id);
  const user = await bob.updateMe({ display_name: "Bob B", handle: "@bobb" });
  expect(user).toMatchObject({ id: team.users[1]!.id, display_name: "Bob B", handle: "bobb" });
});

test("workspaces: list, create, get, update, members, delete", async () => {
  expect((await ada.workspaces.list()).map((w) => w.id)).toContain(W());
  const made = await ada.workspaces.create({ name: "Side project" });
  expect(made).toMatchObject({ name: "Side project", role: "owner" });
  expect((await ada.workspaces.get(made.id)).id).toBe(made.id);
  expect((await ada.workspaces.update(made.id, { name: "Renamed" })).name).toBe("Renamed");
  const page = await ada.workspaces.members(W());
  expect(page.members.map((m) => m.user.id).sort()).toEqual(team.users.map((u) => u.id).sort());
  expect(await ada.workspaces.delete(made.id)).toBeUndefined();
  expect((await ada.workspaces.list()).map((w) => w.id)).not.toContain(made.id);
});

test("channels: list, get, create, update, sendMessage, messages, markRead, delete", async () => {
  expect((await ada.channels.list(W())).map((c) => c.name)).toContain("general");
  const ch = await ada.channels.create(W(), { name: "Release Plans" });
  expect(ch.name).toBe("release-plans");
  expect((await ada.channels.get(ch.id)).id).toBe(ch.id);
  expect((await ada.channels.update(ch.id, { display_title: "Releases" })).display_title).toBe("Releases");
  const first = await bob.channels.sendMessage(ch.id, { body: "one" });
  await bob.channels.sendMessage(ch.id, { body: "two" });
  await bob.channels.sendMessage(ch.id, { body: "three" });
  expect(first).toMatchObject({ body: "one", channel_seq: 1, author_id: team.users[1]!.id });
  // The original's default is after_seq=0: the oldest page, ascending.
  expect((await ada.channels.messages(ch.id)).map((m) => m.body)).toEqual(["one", "two", "three"]);
  expect((await ada.channels.messages(ch.id, 1)).map((m) => m.body)).toEqual(["two", "three"]);
  expect((await ada.channels.messages(ch.id, { beforeSeq: 3, limit: 1 })).map((m) => m.body)).toEqual(["two"]);
  expect(await ada.channels.markRead(ch.id, 2)).toMatchObject({ scope_id: ch.id, last_read_seq: 2 });
  expect((await ada.channels.get(ch.id)).unread_count).toBe(1);
  expect(await ada.channels.delete(ch.id)).toBeUndefined();
});

test("messages: get, findByNonce, update, delete; a nonce replays", async () => {
  const sent = await ada.channels.sendMessage(team.general.id, { body: "draft", nonce: "sdk-nonce-1" });
  const again = await ada.channels.sendMessage(team.general.id, { body: "draft", nonce: "sdk-nonce-1" });
  expect(again.id).toBe(sent.id);
  expect((await ada.messages.get(sent.id)).body).toBe("draft");
  expect((await ada.messages.findByNonce(W(), "sdk-nonce-1"))?.id).toBe(sent.id);
  expect(await ada.messages.findByNonce(W(), "never-used")).toBeUndefined();
  expect((await ada.messages.update(sent.id, { body: "final" })).edited_at).toBeTruthy();
  const deleted = await ada.messages.delete(sent.id);
  expect(deleted.deleted_at).toBeTruthy();
  const conflict = await ada.channels.sendMessage(team.general.id, { body: "other", nonce: "sdk-nonce-1" }).catch((e) => e);
  expect(conflict).toMatchObject({ status: 409 });
});

test("threads, reactions and pins", async () => {
  const root = await ada.channels.sendMessage(team.general.id, { body: "root" });
  const reply = await bob.threads.reply(root.id, { body: "a reply" });
  expect(reply).toMatchObject({ parent_message_id: root.id, thread_seq: 1 });
  const page = await ada.threads.get(root.id);
  expect(page.root.id).toBe(root.id);
  expect(page.replies.map((r) => r.body)).toEqual(["a reply"]);
  expect(page.thread_state.reply_count).toBe(1);

  expect(await bob.reactions.add(root.id, "👍")).toEqual([{ emoji: "👍", count: 1, reacted_by_me: true }]);
  expect(await bob.reactions.remove(root.id, "👍")).toEqual([]);

  expect((await ada.pins.add(team.general.id, root.id)).id).toBe(root.id);
  expect((await ada.pins.list(team.general.id)).map((m) => m.id)).toEqual([root.id]);
  expect((await ada.pins.remove(team.general.id, root.id))?.type).toBe("pin.removed");
  expect(await ada.pins.list(team.general.id)).toEqual([]);
});

test("dms: create, list, get, sendMessage, messages, markRead, close, open", async () => {
  const dm = await ada.dms.create(W(), [team.users[1]!.id]);
  expect(dm.members.map((m) => m.id).sort()).toEqual([team.users[0]!.id, team.users[1]!.id].sort());
  expect((await ada.dms.list(W())).map((c) => c.id)).toContain(dm.id);
  expect((await bob.dms.get(dm.id)).id).toBe(dm.id);
  await ada.dms.sendMessage(dm.id, { body: "psst" });
  expect((await bob.dms.messages(dm.id)).map((m) => m.body)).toEqual(["psst"]);
  expect(await bob.dms.markRead(dm.id, 1)).toMatchObject({ last_read_seq: 1 });
  expect(await bob.dms.close(dm.id)).toBeUndefined();
  expect((await bob.dms.list(W())).map((c) => c.id)).not.toContain(dm.id);
  expect((await bob.dms.open(dm.id)).id).toBe(dm.id);
  expect((await bob.dms.list(W())).map((c) => c.id)).toContain(dm.id);
});

test("events: list with the tail, subscribe, publishEphemeral; eventTypes.list", async () => {
  expect(await ada.eventTypes.list()).toContain("message.created");
  const { tail_cursor } = await ada.events.list(W(), { includeTail: true, limit: 1 });
  expect(tail_cursor).toMatch(/^cur_/);

  const got: RealtimeEvent[] = [];
  // Presence (bob's own socket coming online) is announced too; this test follows the rest.
  const socket = bob.events.subscribe({ workspaceId: W(), afterCursor: tail_cursor, onEvent: (e) => e.type !== "presence.changed" && got.push(e) });
  await new Promise((resolve) => socket.addEventListener("open", resolve));
  const sent = await ada.channels.sendMessage(team.general.id, { body: "live" });
  const typing = await ada.events.publishEphemeral({ workspaceId: W(), channelId: team.general.id, type: "typing.started" });
  expect(typing).toMatchObject({ type: "typing.started", cursor: "" });
  const deadline = Date.now() + 5000;
  while (got.length < 2 && Date.now() < deadline) await Bun.sleep(20);
  socket.close();
  expect(got.map((e) => e.type)).toEqual(["message.created", "typing.started"]);
  expect(got[0]!.payload.message_id).toBe(sent.id);

  const page = await ada.events.list(W(), { afterCursor: tail_cursor });
  expect(page.events.map((e) => e.type)).toEqual(["message.created"]);
  const gone = await ada.events.list(W(), { afterCursor: "cur_00000000000000000000000000" }).catch((e) => e);
  expect(gone).toMatchObject({ status: 410, code: "resync_required" });
});

test("bots: create with a token, list, tokens, a token that works, revoke, remove", async () => {
  const { bot, bot_token } = await ada.bots.create(W(), { display_name: "Helper", handle: "helper", owner_user_id: team.users[0]!.id, scopes: ["bot:write"] });
  expect(bot.kind).toBe("bot");
  expect(bot_token?.token).toStartWith("ccb_");
  expect(bot_token?.scopes).toContain("messages:write");
  expect((await ada.bots.list(W())).map((b) => b.bot.id)).toContain(bot.id);
  const extra = await ada.bots.createWorkspaceToken(W(), bot.id, { name: "second", scopes: ["bot:read"] });
  expect((await ada.bots.listWorkspaceTokens(W(), bot.id)).map((t) => t.id).sort()).toEqual([bot_token!.id, extra.id].sort());
  const asBot = new ClickClackClient({ baseUrl: server.url, token: bot_token!.token });
  expect((await asBot.me()).id).toBe(bot.id);
  expect((await asBot.channels.sendMessage(team.general.id, { body: "beep" })).author_id).toBe(bot.id);
  expect((await ada.bots.revokeToken(bot_token!.id)).revoked_at).toBeTruthy();
  expect(await asBot.me().catch((e) => e.status)).toBe(401);
  await ada.bots.removeMembership(W(), bot.id);
  expect((await ada.bots.list(W())).map((b) => b.bot.id)).not.toContain(bot.id);
  expect((await ada.bots.delete(bot.id)).id).toBe(bot.id);
});

describe("routes the wire contract names but this server may not serve yet fail cleanly", () => {
  const calls: [string, () => Promise<unknown>][] = [
    ["search", () => ada.search(W(), "hello")],
    ["uploads.create", () => ada.uploads.create(W(), new Blob(["x"]), "x.txt")],
    ["topics.list", () => ada.topics.list(W())],
    ["routes.resolve", () => ada.routes.resolve(team.workspace.route_id, team.general.route_id)],
    ["bots.listMine", () => ada.bots.listMine()],
    ["workspaces.transferOwnership", () => ada.workspaces.transferOwnership(W(), team.users[1]!.id)],
  ];
  for (const [name, call] of calls) {
    test(name, async () => {
      const result = await call().then(
        () => "ok",
        (e) => e,
      );
      // Served: fine. Not served yet: a typed 404, not a crash or a 500.
      if (result !== "ok") {
        expect(result).toBeInstanceOf(ClickClackError);
        expect(result.status).toBe(404);
      }
    });
  }
});

test("errors from the real server keep the raw body as the message", async () => {
  const err = await ada.channels.get("chn_00000000000000000000000000").catch((e) => e);
  expect(err).toBeInstanceOf(ClickClackError);
  expect(err.status).toBe(404);
  expect(err.code).toBe("not_found");
  expect(JSON.parse(err.message)).toMatchObject({ code: "not_found" });
});
