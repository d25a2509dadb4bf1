// The wire contract of every client method, checked against a recording fetch: the method, path,
// query and body it sends, the headers of the original SDK, and the envelope key it unwraps.
// (client.test.ts runs the same methods against a real server.)
import { describe, expect, test } from "bun:test";
import { ClickClackClient, ClickClackError } from "../src/index.ts";

interface Seen {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

function recorder(reply: (seen: Seen) => Response = () => Response.json({})) {
  const seen: Seen[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    const body = init.body instanceof FormData ? init.body : typeof init.body === "string" ? JSON.parse(init.body) : undefined;
    const s = { method: init.method ?? "GET", url: new URL(url), headers: new Headers(init.headers), body };
    seen.push(s);
    return reply(s);
  };
  return { seen, fetch };
}

const W = "wsp_1";
const file = new Blob(["hi"], { type: "text/plain" });

// [call, method, path (with query), body sent, envelope returned, expected result]
type Row = [string, (c: ClickClackClient) => Promise<unknown>, string, string, unknown, unknown, unknown];
const V = { v: 1 };
const rows: Row[] = [
  ["auth.requestMagicLink", (c) => c.auth.requestMagicLink({ email: "a@b.c" }), "POST", "/api/auth/magic/request", { email: "a@b.c" }, { ok: true, token: "mgt_x" }, { ok: true, token: "mgt_x" }],
  ["auth.logout", (c) => c.auth.logout(), "POST", "/api/auth/logout", {}, { ok: true }, undefined],
  ["health", (c) => c.health(), "GET", "/readyz", undefined, { status: "ready" }, { status: "ready" }],
  ["me", (c) => c.me(), "GET", "/api/me", undefined, { user: V }, V],
  ["updateMe", (c) => c.updateMe({ display_name: "A" }), "PATCH", "/api/me", { display_name: "A" }, { user: V }, V],
  ["workspaces.list", (c) => c.workspaces.list(), "GET", "/api/workspaces", undefined, { workspaces: [V] }, [V]],
  ["workspaces.create", (c) => c.workspaces.create({ name: "N" }), "POST", "/api/workspaces", { name: "N" }, { workspace: V }, V],
  ["workspaces.get", (c) => c.workspaces.get(W), "GET", `/api/workspaces/${W}`, undefined, { workspace: V }, V],
  ["workspaces.update", (c) => c.workspaces.update(W, { name: "M" }), "PATCH", `/api/workspaces/${W}`, { name: "M" }, { workspace: V, event: {} }, V],
  ["workspaces.transferOwnership", (c) => c.workspaces.transferOwnership(W, "usr_2"), "POST", `/api/workspaces/${W}/transfer-ownership`, { user_id: "usr_2" }, { workspace: V }, V],
  ["workspaces.delete", (c) => c.workspaces.delete(W), "DELETE", `/api/workspaces/${W}`, undefined, null, undefined],
  ["workspaces.members", (c) => c.workspaces.members(W, { q: "a" }), "GET", `/api/workspaces/${W}/members?q=a`, undefined, { members: [] }, { members: [] }],
  ["routes.resolve", (c) => c.routes.resolve("T1", "C 2"), "GET", "/api/routes/T1/C%202", undefined, { route: V }, V],
  ["topics.list", (c) => c.topics.list(W), "GET", `/api/workspaces/${W}/topics`, undefined, { topics: [V] }, [V]],
  ["topics.create", (c) => c.topics.create(W, { name: "t" }), "POST", `/api/workspaces/${W}/topics`, { name: "t" }, { topic: V }, V],
  ["bots.listMine", (c) => c.bots.listMine(), "GET", "/api/me/bots", undefined, { bots: [V] }, [V]],
  ["bots.list", (c) => c.bots.list(W), "GET", `/api/workspaces/${W}/bots`, undefined, { bots: [V] }, [V]],
  ["bots.listCommands", (c) => c.bots.listCommands(W), "GET", `/api/workspaces/${W}/bot-commands`, undefined, { bot_commands: [V] }, [V]],
  ["bots.setCommands", (c) => c.bots.setCommands([{ command: "roll", description: "d" }]), "PUT", "/api/bots/self/commands", { commands: [{ command: "roll", description: "d" }] }, { bot_commands: [V] }, [V]],
  ["bots.create", (c) => c.bots.create(W, { display_name: "B" }), "POST", `/api/workspaces/${W}/bots`, { display_name: "B" }, { bot: V, bot_token: V }, { bot: V, bot_token: V }],
  ["bots.removeMembership", (c) => c.bots.removeMembership(W, "usr_b"), "DELETE", `/api/workspaces/${W}/bots/usr_b/membership`, undefined, null, undefined],
  ["bots.listWorkspaceTokens", (c) => c.bots.listWorkspaceTokens(W, "usr_b"), "GET", `/api/workspaces/${W}/bots/usr_b/tokens`, undefined, { bot_tokens: [V] }, [V]],
  ["bots.createWorkspaceToken", (c) => c.bots.createWorkspaceToken(W, "usr_b", { name: "t" }), "POST", `/api/workspaces/${W}/bots/usr_b/tokens`, { name: "t" }, { bot_token: V }, V],
  ["bots.listTokens", (c) => c.bots.listTokens("usr_b"), "GET", "/api/bots/usr_b/tokens", undefined, { bot_tokens: [V] }, [V]],
  ["bots.createToken", (c) => c.bots.createToken("usr_b", {}), "POST", "/api/bots/usr_b/tokens", {}, { bot_token: V }, V],
  ["bots.revokeToken", (c) => c.bots.revokeToken("tok_1"), "POST", "/api/bot-tokens/tok_1/revoke", {}, { bot_token: V }, V],
  ["bots.delete", (c) => c.bots.delete("usr_b"), "DELETE", "/api/bots/usr_b", undefined, { deleted_bot: V }, V],
  ["bots.createSetupCode", (c) => c.bots.createSetupCode(W, "usr_b", { name: "gw" }), "POST", `/api/workspaces/${W}/bots/usr_b/setup-codes`, { name: "gw" }, { setup_code: V }, V],
  ["bots.claimSetupCode", (c) => c.bots.claimSetupCode("ABCD-EFGH-JKMN"), "POST", "/api/bot-setup-codes/claim", { code: "ABCD-EFGH-JKMN" }, { token: "ccb_x" }, { token: "ccb_x" }],
  ["apps.list", (c) => c.apps.list(W), "GET", `/api/workspaces/${W}/app-installations`, undefined, { app_installations: [V] }, [V]],
  ["apps.install", (c) => c.apps.install(W, { app_slug: "a", bot_user_id: "usr_b" }), "POST", `/api/workspaces/${W}/app-installations`, { app_slug: "a", bot_user_id: "usr_b" }, { app_installation: V }, V],
  ["apps.revoke", (c) => c.apps.revoke("app_1"), "POST", "/api/app-installations/app_1/revoke", {}, { installation: V, revoked: V }, { installation: V, revoked: V }],
  ["slashCommands.list", (c) => c.slashCommands.list(W), "GET", `/api/workspaces/${W}/slash-commands`, undefined, { slash_commands: [V] }, [V]],
  ["slashCommands.create", (c) => c.slashCommands.create(W, { command: "x", callback_url: "u", bot_user_id: "b" }), "POST", `/api/workspaces/${W}/slash-commands`, { command: "x", callback_url: "u", bot_user_id: "b" }, { slash_command: V }, V],
  ["slashCommands.revoke", (c) => c.slashCommands.revoke("s1"), "POST", "/api/slash-commands/s1/revoke", {}, { slash_command: V }, V],
  ["slashCommands.rotateSecret", (c) => c.slashCommands.rotateSecret("s1"), "POST", "/api/slash-commands/s1/rotate-secret", {}, { slash_command: V }, V],
  ["eventSubscriptions.list", (c) => c.eventSubscriptions.list(W), "GET", `/api/workspaces/${W}/event-subscriptions`, undefined, { event_subscriptions: [V] }, [V]],
  ["eventSubscriptions.create", (c) => c.eventSubscriptions.create(W, { event_types: ["message.created"], callback_url: "u" }), "POST", `/api/workspaces/${W}/event-subscriptions`, { event_types: ["message.created"], callback_url: "u" }, { event_subscription: V }, V],
  ["eventSubscriptions.revoke", (c) => c.eventSubscriptions.revoke("sub_1"), "POST", "/api/event-subscriptions/sub_1/revoke", {}, { event_subscription: V }, V],
  ["eventSubscriptions.rotateSecret", (c) => c.eventSubscriptions.rotateSecret("sub_1"), "POST", "/api/event-subscriptions/sub_1/rotate-secret", {}, { event_subscription: V }, V],
  ["eventSubscriptions.deliveries", (c) => c.eventSubscriptions.deliveries("sub_1", { limit: 5 }), "GET", "/api/event-subscriptions/sub_1/deliveries?limit=5", undefined, { deliveries: [], next_cursor: null }, { deliveries: [], next_cursor: null }],
  ["eventTypes.list", (c) => c.eventTypes.list(), "GET", "/api/event-types", undefined, { event_types: ["a"] }, ["a"]],
  ["auditLog.list", (c) => c.auditLog.list(W), "GET", `/api/workspaces/${W}/audit-log?limit=100`, undefined, { audit_log_entries: [V] }, [V]],
  ["connectedAccounts.list", (c) => c.connectedAccounts.list(W), "GET", `/api/workspaces/${W}/connected-accounts`, undefined, { connected_accounts: [V] }, [V]],
  ["connectedAccounts.create", (c) => c.connectedAccounts.create(W, { user_id: "u", provider: "p", provider_account_id: "x" }), "POST", `/api/workspaces/${W}/connected-accounts`, { user_id: "u", provider: "p", provider_account_id: "x" }, { connected_account: V }, V],
  ["connectedAccounts.revoke", (c) => c.connectedAccounts.revoke("ca1"), "POST", "/api/connected-accounts/ca1/revoke", {}, { connected_account: V }, V],
  ["channels.list", (c) => c.channels.list(W), "GET", `/api/workspaces/${W}/channels`, undefined, { channels: [V] }, [V]],
  ["channels.get", (c) => c.channels.get("chn_1"), "GET", "/api/channels/chn_1", undefined, { channel: V }, V],
  ["channels.create", (c) => c.channels.create(W, { name: "x" }), "POST", `/api/workspaces/${W}/channels`, { name: "x" }, { channel: V, event: {} }, V],
  ["channels.update", (c) => c.channels.update("chn_1", { archived: true }), "PATCH", "/api/channels/chn_1", { archived: true }, { channel: V }, V],
  ["channels.delete", (c) => c.channels.delete("chn_1"), "DELETE", "/api/channels/chn_1", undefined, null, undefined],
  ["channels.messages (default after_seq=0)", (c) => c.channels.messages("chn_1"), "GET", "/api/channels/chn_1/messages?after_seq=0", undefined, { messages: [V] }, [V]],
  ["channels.messages (number)", (c) => c.channels.messages("chn_1", 7), "GET", "/api/channels/chn_1/messages?after_seq=7", undefined, { messages: [] }, []],
  ["channels.messages (options)", (c) => c.channels.messages("chn_1", { beforeSeq: 9, limit: 2 }), "GET", "/api/channels/chn_1/messages?before_seq=9&limit=2", undefined, { messages: [] }, []],
  ["channels.sendMessage", (c) => c.channels.sendMessage("chn_1", { body: "b", nonce: "n" }), "POST", "/api/channels/chn_1/messages", { body: "b", nonce: "n" }, { message: V, event: {} }, V],
  ["channels.markRead", (c) => c.channels.markRead("chn_1", 3), "POST", "/api/channels/chn_1/read", { seq: 3 }, { receipt: V }, V],
  ["messages.get", (c) => c.messages.get("msg_1"), "GET", "/api/messages/msg_1", undefined, { message: V }, V],
  ["messages.findByNonce", (c) => c.messages.findByNonce(W, "n 1"), "GET", `/api/messages/by-nonce?workspace_id=${W}&nonce=n+1`, undefined, { message: V }, V],
  ["messages.update", (c) => c.messages.update("msg_1", { body: "e" }), "PATCH", "/api/messages/msg_1", { body: "e" }, { message: V, event: {} }, V],
  ["messages.delete", (c) => c.messages.delete("msg_1"), "DELETE", "/api/messages/msg_1", undefined, { message: V, event: {} }, V],
  ["threads.get", (c) => c.threads.get("msg_1"), "GET", "/api/messages/msg_1/thread?limit=100", undefined, { root: V, replies: [] }, { root: V, replies: [] }],
  ["threads.reply", (c) => c.threads.reply("msg_1", { body: "r" }), "POST", "/api/messages/msg_1/thread/replies", { body: "r" }, { message: V, thread_state: {}, events: [] }, V],
  ["reactions.add", (c) => c.reactions.add("msg_1", ":+1:"), "POST", "/api/messages/msg_1/reactions", { emoji: ":+1:" }, { event: {}, reactions: [V] }, [V]],
  ["reactions.remove", (c) => c.reactions.remove("msg_1", "👍"), "DELETE", `/api/messages/msg_1/reactions/${encodeURIComponent("👍")}`, undefined, { event: {}, reactions: [] }, []],
  ["pins.list", (c) => c.pins.list("chn_1"), "GET", "/api/channels/chn_1/pins", undefined, { messages: [V] }, [V]],
  ["pins.add", (c) => c.pins.add("chn_1", "msg_1"), "POST", "/api/channels/chn_1/pins", { message_id: "msg_1" }, { pinned_message: V, event: {} }, V],
  ["channels.pinMessage", (c) => c.channels.pinMessage("chn_1", "msg_1"), "POST", "/api/channels/chn_1/pins", { message_id: "msg_1" }, { pinned_message: V, event: {} }, V],
  ["channels.unpinMessage", (c) => c.channels.unpinMessage("chn_1", "msg_1"), "DELETE", "/api/channels/chn_1/pins/msg_1", undefined, { event: V }, V],
  ["channels.members", (c) => c.channels.members("chn_1"), "GET", "/api/channels/chn_1/members", undefined, { members: [V] }, [V]],
  ["channels.addMember", (c) => c.channels.addMember("chn_1", "usr_1"), "POST", "/api/channels/chn_1/members", { user_id: "usr_1" }, { event: V }, V],
  ["channels.removeMember", (c) => c.channels.removeMember("chn_1", "usr_1"), "DELETE", "/api/channels/chn_1/members/usr_1", undefined, null, undefined],
  ["channels.pins", (c) => c.channels.pins("chn_1"), "GET", "/api/channels/chn_1/pins", undefined, { messages: [V] }, [V]],
  ["channels.messagePage", (c) => c.channels.messagePage("chn_1", { beforeSeq: 9 }), "GET", "/api/channels/chn_1/messages?before_seq=9", undefined, { messages: [V], has_older: false }, { messages: [V], has_older: false }],
  ["messages.addReaction", (c) => c.messages.addReaction("msg_1", ":+1:"), "POST", "/api/messages/msg_1/reactions", { emoji: ":+1:" }, { event: {}, reactions: [V] }, [V]],
  ["messages.removeReaction", (c) => c.messages.removeReaction("msg_1", ":+1:"), "DELETE", "/api/messages/msg_1/reactions/%3A%2B1%3A", undefined, { event: {}, reactions: [V] }, [V]],
  ["homeLink", (c) => c.homeLink(), "GET", "/api/home-link", undefined, { url: "https://x", label: "L" }, { url: "https://x", label: "L" }],
  ["pins.remove", (c) => c.pins.remove("chn_1", "msg_1"), "DELETE", "/api/channels/chn_1/pins/msg_1", undefined, { event: V }, V],
  ["search", (c) => c.search(W, "hello world", { channelId: "chn_1", limit: 5 }), "GET", `/api/search?workspace_id=${W}&q=hello+world&channel_id=chn_1&limit=5`, undefined, { results: [], next_cursor: null }, { results: [], next_cursor: null }],
  ["uploads.findByNonce", (c) => c.uploads.findByNonce(W, "n"), "GET", `/api/uploads/by-nonce?workspace_id=${W}&nonce=n`, undefined, { upload: V }, V],
  ["uploads.attach", (c) => c.uploads.attach("msg_1", "upl_1"), "POST", "/api/messages/msg_1/attachments", { upload_id: "upl_1" }, { message: V }, undefined],
  ["dms.list", (c) => c.dms.list(W), "GET", `/api/dms?workspace_id=${W}`, undefined, { conversations: [V] }, [V]],
  ["dms.create", (c) => c.dms.create(W, ["usr_2"]), "POST", "/api/dms", { workspace_id: W, member_ids: ["usr_2"] }, { conversation: V }, V],
  ["dms.get", (c) => c.dms.get("dm_1"), "GET", "/api/dms/dm_1", undefined, { conversation: V }, V],
  ["dms.close", (c) => c.dms.close("dm_1"), "DELETE", "/api/dms/dm_1", undefined, { ok: true }, undefined],
  ["dms.open", (c) => c.dms.open("dm_1"), "POST", "/api/dms/dm_1/open", undefined, { conversation: V }, V],
  ["dms.messages", (c) => c.dms.messages("dm_1"), "GET", "/api/dms/dm_1/messages?after_seq=0", undefined, { messages: [V] }, [V]],
  ["dms.sendMessage", (c) => c.dms.sendMessage("dm_1", { body: "b" }), "POST", "/api/dms/dm_1/messages", { body: "b" }, { message: V }, V],
  ["dms.markRead", (c) => c.dms.markRead("dm_1", 1), "POST", "/api/dms/dm_1/read", { seq: 1 }, { receipt: V }, V],
  ["events.list", (c) => c.events.list(W, { afterCursor: "cur_1", includeTail: true }), "GET", `/api/realtime/events?workspace_id=${W}&after_cursor=cur_1&include_tail=true`, undefined, { events: [], next_cursor: "" }, { events: [], next_cursor: "" }],
  [
    "events.publishEphemeral",
    (c) => c.events.publishEphemeral({ workspaceId: W, channelId: "chn_1", type: "typing.started" }),
    "POST",
    "/api/realtime/ephemeral",
    { workspace_id: W, channel_id: "chn_1", type: "typing.started" },
    { event: V },
    V,
  ],
];

describe("every method sends the original SDK's request and unwraps its envelope key", () => {
  for (const [name, call, method, path, body, envelope, expected] of rows) {
    test(name, async () => {
      const { seen, fetch } = recorder(() => (envelope === null ? new Response(null, { status: 204 }) : Response.json(envelope, { status: method === "POST" ? 201 : 200 })));
      const result = await call(new ClickClackClient({ baseUrl: "http://chat.test/", token: "sst_t", fetch }));
      expect(seen).toHaveLength(1);
      const s = seen[0]!;
      expect(s.method).toBe(method);
      expect(s.url.pathname + s.url.search).toBe(path);
      expect(s.body).toEqual(body);
      expect(result).toEqual(expected as never);
    });
  }
});

test("uploads.create sends multipart with the file, workspace_id and nonce", async () => {
  const { seen, fetch } = recorder(() => Response.json({ upload: V }, { status: 201 }));
  const client = new ClickClackClient({ baseUrl: "http://chat.test", token: "sst_t", fetch });
  expect(await client.uploads.create(W, file, "a.txt", { nonce: "u1" })).toEqual(V as never);
  const s = seen[0]!;
  expect(s.url.pathname + s.url.search).toBe(`/api/uploads?workspace_id=${W}&nonce=u1`);
  expect(s.headers.get("content-type")).toBeNull(); // fetch sets the multipart boundary itself
  const form = s.body as FormData;
  expect((form.get("file") as File).name).toBe("a.txt");
  expect(await (form.get("file") as File).text()).toBe("hi");
});

test("consumeMagicLink stores the session token for later requests", async () => {
  const { seen, fetch } = recorder((s) => (s.url.pathname.endsWith("consume") ? Response.json({ user: V, session: { token: "sst_new" } }) : Response.json({ user: V })));
  const client = new ClickClackClient({ baseUrl: "http://chat.test", fetch });
  expect(await client.auth.consumeMagicLink("mgt_1")).toEqual({ user: V, session: { token: "sst_new" } } as never);
  expect(seen[0]!.body).toEqual({ token: "mgt_1" });
  await client.me();
  expect(seen[1]!.headers.get("authorization")).toBe("Bearer sst_new");
  client.auth.setToken("ccb_other");
  await client.me();
  expect(seen[2]!.headers.get("authorization")).toBe("Bearer ccb_other");
  expect(client.auth.githubStartUrl()).toBe("http://chat.test/api/auth/github/start");
});

describe("headers, as the original SDK sends them", () => {
  test("with a token: Bearer, no CSRF header, the dev user header too when given", async () => {
    const { seen, fetch } = recorder();
    const client = new ClickClackClient({ baseUrl: "http://chat.test", token: "ccb_x", userId: "usr_1", fetch });
    await client.channels.markRead("chn_1", 1);
    const h = seen[0]!.headers;
    expect(h.get("authorization")).toBe("Bearer ccb_x");
    expect(h.get("x-clickclack-user")).toBe("usr_1");
    expect(h.get("x-clickclack-csrf")).toBeNull();
    expect(h.get("accept")).toBe("application/json");
    expect(h.get("content-type")).toBe("application/json");
  });

  test("without a token: CSRF on unsafe methods only, no content type without a body", async () => {
    const { seen, fetch } = recorder();
    const client = new ClickClackClient({ baseUrl: "http://chat.test", fetch });
    await client.workspaces.list();
    await client.dms.open("dm_1");
    expect(seen[0]!.headers.get("x-clickclack-csrf")).toBeNull();
    expect(seen[1]!.headers.get("x-clickclack-csrf")).toBe("1");
    expect(seen[1]!.headers.get("content-type")).toBeNull();
    expect(seen[1]!.headers.get("authorization")).toBeNull();
  });
});

describe("errors", () => {
  test("non-2xx throws ClickClackError whose message is the raw body", async () => {
    const raw = '{"error":"channel not found","code":"not_found"}';
    const { fetch } = recorder(() => new Response(raw, { status: 404 }));
    const err = await new ClickClackClient({ baseUrl: "http://chat.test", fetch }).channels.get("chn_x").catch((e) => e);
    expect(err).toBeInstanceOf(ClickClackError);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe(raw);
    expect(err.status).toBe(404);
    expect(err.code).toBe("not_found");
    expect(err.detail).toBe("channel not found");
  });

  test("a body without a code (the Go server) gets one from the status", async () => {
    const { fetch } = recorder(() => new Response('{"error":"sql: no rows in result set"}', { status: 409 }));
    const err = await new ClickClackClient({ baseUrl: "http://chat.test", fetch }).me().catch((e) => e);
    expect(err.code).toBe("conflict");
    expect(err.message).toBe('{"error":"sql: no rows in result set"}');
  });

  test("a nonce lookup's 404 is undefined only with the 'supported' header", async () => {
    let header = true;
    const { fetch } = recorder(() => new Response('{"error":"message not found"}', { status: 404, headers: header ? { "X-ClickClack-Message-Nonce": "supported" } : {} }));
    const client = new ClickClackClient({ baseUrl: "http://chat.test", fetch });
    expect(await client.messages.findByNonce(W, "n")).toBeUndefined();
    header = false;
    expect((await client.messages.findByNonce(W, "n").catch((e) => e)).status).toBe(404);
  });

  test("an unreachable server is a ClickClackError with status 0", async () => {
    const err = await new ClickClackClient({ baseUrl: "http://127.0.0.1:1" }).me().catch((e) => e);
    expect(err).toBeInstanceOf(ClickClackError);
    expect(err.status).toBe(0);
    expect(err.code).toBe("network_error");
  });
});
