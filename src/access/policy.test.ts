// The authorization matrix: every API route × every kind of caller. Expectations come from the
// policy table and the role rules; forbidden calls are made first and must change no row.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { databaseDigest } from "../testing/db-inspect.ts";
import { client, type Client, startTestServer, type TestServer } from "../testing/harness.ts";
import { forEachStore } from "../testing/stores.ts";
import type { Scope } from "./actor.ts";
import { policyFor, POLICY } from "./policy.ts";
import { SCOPES, scopeCeiling } from "./scopes.ts";
import { createECDH, randomBytes } from "node:crypto";

const MATRIX_PUSH_KEYS = (() => {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString("base64url"), auth: randomBytes(16).toString("base64url") };
})();

forEachStore((store) => {
  let server: TestServer;
  const ids: Record<string, string> = {};
  const actors: Record<string, Client> = {};

  async function sessionFor(userId: string) {
    return (await server.store.identity.createSession(userId, 3_600_000)).token;
  }

  beforeAll(async () => {
    server = await startTestServer([], { dev: false, store });
    const s = server.store;
    const mk = (name: string) => s.users.create({ kind: "human", displayName: name, handle: name });
    const [owner, member, guest, timedOut, blocked, peer] = await Promise.all(["owner", "member", "guest", "timedout", "blocked", "peer"].map(mk)) as any[];
    const { workspace, channels } = await s.workspaces.create({ name: "Matrix", ownerId: owner.id });
    for (const [u, role] of [[member, "member"], [guest, "guest"], [timedOut, "member"], [blocked, "member"], [peer, "member"]] as const) await s.workspaces.addMember(workspace.id, u.id, role);
    await s.moderation.update(workspace.id, timedOut.id, { timeoutUntil: new Date(Date.now() + 3_600_000).toISOString() }, owner.id);
    await s.moderation.update(workspace.id, blocked.id, { blocked: true }, owner.id);
    const general = channels.find((c) => c.name === "general")!;
    const guestChannel = channels.find((c) => c.name === "guest")!;
    const msg = await s.messages.post({ scope: { kind: "channel", id: general.id, workspaceId: workspace.id }, authorId: member.id, body: "hello", nonce: "fixture" });
    const dm = await s.dms.open(workspace.id, [member.id, owner.id], member.id);
    const bot = await s.bots.create({ workspaceId: workspace.id, displayName: "Bot", handle: "fixture-bot" });
    // A bot's question on the fixture channel: the question routes act on it.
    const asked = await s.messages.post({ scope: { kind: "channel", id: general.id, workspaceId: workspace.id }, authorId: bot.id, body: "Deploy?", question: { items: [{ id: "go", header: "Go", prompt: "Deploy?", options: [{ label: "Yes" }, { label: "No" }] }] } });
    ids.question = asked.message.id;
    const botToken = await s.bots.mintToken({ botUserId: bot.id, workspaceId: workspace.id, name: "fixture", scopes: ["messages:read"] });
    Object.assign(ids, { workspace: workspace.id, general: general.id, guest: guestChannel.id, message: msg.message.id, dm: dm.conversation.id, bot: bot.id, token: botToken.id, member: member.id, peer: peer.id });
    // An upload of the member's, attached to the fixture message.
    const form = new FormData();
    form.append("file", new Blob(["fixture bytes"]), "fixture.txt");
    const up = await client(server.url, { token: await sessionFor(member.id) }).post(`/api/uploads?workspace_id=${workspace.id}&nonce=fixture`, form);
    ids.upload = up.body.upload.id;
    await s.uploads.attach(msg.message.id, ids.upload!, member.id);
    const sub = await s.integrations.createSubscription({ workspaceId: workspace.id, callbackUrl: "http://192.0.2.1/hook", eventTypes: ["*"], createdBy: owner.id });
    // Deliveries write in the background: this matrix diffs the database around each call.
    await server.subscriptions.stop();
    ids.subscription = sub.id;
    ids.invite = (await s.invites.create({ workspaceId: workspace.id, role: "member", createdBy: owner.id, expiresAt: null, maxUses: null })).invite.id;
    ids.app = (await s.integrations.installApp({ workspaceId: workspace.id, appSlug: "fixture", displayName: "Fixture", botUserId: bot.id, config: {}, createdBy: owner.id })).installation.id;
    ids.command = (await s.integrations.createSlashCommand({ workspaceId: workspace.id, command: "/fixture", description: "", callbackUrl: "http://192.0.2.1/slash", botUserId: bot.id, createdBy: owner.id })).id;
    ids.webhook = (await s.integrations.createIncomingWebhook({ workspaceId: workspace.id, channelId: general.id, name: "Fixture hook", createdBy: owner.id })).webhook.id;
    ids.connected = (await s.connectedAccounts.connect({ workspaceId: workspace.id, userId: member.id, provider: "github", providerAccountId: "fixture", displayName: "fixture", scopes: [], metadata: {}, createdBy: member.id })).id;
    ids.delivery = (await s.integrations.logDelivery(sub.id, { event_id: "evt_pruned", event_type: "message.created", event_cursor: "cur_x", attempt: 1, outcome: "failed", response_status: 500, error: "fixture", duration_ms: 1, redelivery: false })).id;

    for (const [name, u] of Object.entries({ owner, member, guest, timedOut, blocked })) actors[name] = client(server.url, { token: await sessionFor((u as any).id) });
    actors.none = client(server.url);
    for (const scope of SCOPES) {
      const b = await s.bots.create({ workspaceId: workspace.id, displayName: `Scope ${scope}` });
      actors[`bot:${scope}`] = client(server.url, { token: (await s.bots.mintToken({ botUserId: b.id, workspaceId: workspace.id, name: scope, scopes: [scope] })).token });
    }
    const other = await s.workspaces.create({ name: "Other", ownerId: peer.id });
    const foreignBot = await s.bots.create({ workspaceId: other.workspace.id, displayName: "Foreign" });
    actors.foreignBot = client(server.url, { token: (await s.bots.mintToken({ botUserId: foreignBot.id, workspaceId: other.workspace.id, name: "all", scopes: [...SCOPES] })).token });
    // Bots people own, each holding every scope (minted straight into the store, as if before a
    // role change): what they may use is bounded by their owner's role and moderation now.
    const ownedBot = async (name: string, owner: { id: string }) => {
      const b = await s.bots.create({ workspaceId: workspace.id, displayName: name, ownerUserId: owner.id });
      return client(server.url, { token: (await s.bots.mintToken({ botUserId: b.id, workspaceId: workspace.id, name: "broad", scopes: [...SCOPES] })).token });
    };
    actors.memberBot = await ownedBot("Member's bot", member);
    actors.blockedOwnerBot = await ownedBot("Blocked member's bot", blocked);
    actors.guestBot = await ownedBot("Guest's bot", guest);
    const revoked = await s.bots.mintToken({ botUserId: bot.id, workspaceId: workspace.id, name: "revoked", scopes: [...SCOPES] });
    await s.bots.revokeToken(revoked.id);
    actors.revoked = client(server.url, { token: revoked.token });
    // Some fifty fixture writes: on Postgres, on a loaded machine, more than the default 5 s.
  }, 60_000);
  afterAll(() => server.close());

  // A private channel nobody of `actors` is in (the workspace's owner included): its insider, a
  // bot added to it, a thread, a pin and an attached file.
  const secret: Record<string, string> = {};
  const insiders: Record<string, Client> = {};
  beforeAll(async () => {
    const s = server.store;
    const insider = await s.users.create({ kind: "human", displayName: "insider", handle: "insider" });
    await s.workspaces.addMember(ids.workspace!, insider.id, "member");
    const { channel } = await s.channels.create({ workspaceId: ids.workspace!, name: "secret-plans", createdBy: insider.id, private: true });
    const scope = { kind: "channel" as const, id: channel.id, workspaceId: ids.workspace! };
    const root = await s.messages.post({ scope, authorId: insider.id, body: "zanzibar launch", nonce: "secret" });
    await s.messages.post({ scope, authorId: insider.id, body: "zanzibar reply", parentMessageId: root.message.id });
    await s.messages.pin(channel.id, root.message.id, insider.id);
    insiders.insider = client(server.url, { token: await sessionFor(insider.id) });
    const form = new FormData();
    form.append("file", new Blob(["secret bytes"]), "secret.txt");
    const up = await insiders.insider.post(`/api/uploads?workspace_id=${ids.workspace}&nonce=secret`, form);
    await s.uploads.attach(root.message.id, up.body.upload.id, insider.id);
    const bot = await s.bots.create({ workspaceId: ids.workspace!, displayName: "Insider bot" });
    await s.channels.addMember(channel.id, bot.id, insider.id);
    insiders.bot = client(server.url, { token: (await s.bots.mintToken({ botUserId: bot.id, workspaceId: ids.workspace!, name: "all", scopes: [...SCOPES] })).token });
    // The question routes point at the private channel too (its root is no question: outsiders must not learn that either).
    Object.assign(secret, { general: channel.id, message: root.message.id, question: root.message.id, upload: up.body.upload.id, name: channel.name, route: channel.route_id });
  });

  /** A request that a permitted caller could make successfully. */
  function requestFor(key: string, over: Record<string, string> = {}): { path: string; body?: unknown } | null {
    const use = { ...ids, ...over };
    const [method, route] = key.split(" ") as [string, string];
    const path = route
      .replace("/api/workspaces/:id", `/api/workspaces/${use.workspace}`)
      .replace("/api/channels/:id", `/api/channels/${use.general}`)
      .replace("/api/messages/:id", `/api/messages/${use.message}`)
      .replace("/api/uploads/:id", `/api/uploads/${use.upload}`)
      .replace("/api/dms/:id", `/api/dms/${use.dm}`)
      .replace("/api/event-subscriptions/:id", `/api/event-subscriptions/${use.subscription}`)
      .replace(":delivery_id", use.delivery!)
      .replace(":invite_id", use.invite!)
      .replace("/api/slash-commands/:id", `/api/slash-commands/${use.command}`)
      .replace(":channel_id", use.general!)
      .replace("/api/app-installations/:id", `/api/app-installations/${use.app}`)
      .replace("/api/incoming-webhooks/:id", `/api/incoming-webhooks/${use.webhook}`)
      .replace("/api/connected-accounts/:id", `/api/connected-accounts/${use.connected}`)
    .replace("/api/users/:id", `/api/users/${use.member}`)
      .replace(":bot_user_id", use.bot!)
      .replace(":token_id", use.token!)
      .replace(":message_id", use.message!)
      .replace(":user_id", use.peer!)
      .replace(":workspace_route_id", use.workspace!)
      .replace(":target_route_id", use.general!)
      .replace(":emoji", encodeURIComponent("👍"))
      .replace(`/api/messages/${use.message}/question`, `/api/messages/${use.question}/question`);
    const bodies: Record<string, unknown> = {
      "POST /api/channels/:id/messages": { body: "matrix" },
      "POST /api/dms/:id/messages": { body: "matrix" },
      "POST /api/messages/:id/thread/replies": { body: "matrix" },
      "PATCH /api/messages/:id": { body: "edited" },
      "POST /api/messages/:id/reactions": { emoji: "👍" },
      "POST /api/channels/:id/pins": { message_id: use.message },
      "POST /api/workspaces/:id/transfer-ownership": { user_id: use.peer },
      "POST /api/workspaces/:id/connected-accounts": { user_id: use.member, provider: "github", provider_account_id: `m-${Math.random().toString(36).slice(2, 8)}` },
      "POST /api/channels/:id/read": { seq: 1 },
      "POST /api/dms/:id/read": { seq: 1 },
      "POST /api/workspaces/:id/channels": { name: `m-${Math.random().toString(36).slice(2, 8)}` },
      "PATCH /api/channels/:id": { display_title: "Matrix" },
      "PATCH /api/workspaces/:id": { name: "Matrix" },
      "PATCH /api/me": { display_name: "Someone" },
      "POST /api/workspaces": { name: "New" },
      "POST /api/dms": { workspace_id: use.workspace, member_ids: [use.peer] },
      "POST /api/realtime/ephemeral": { workspace_id: use.workspace, type: "typing.started", channel_id: use.general },
      "POST /api/workspaces/:id/bots": { display_name: "Another" },
      "POST /api/workspaces/:id/bots/:bot_user_id/tokens": { scopes: ["bot:read"] },
      "POST /api/bots/:bot_user_id/tokens": { scopes: ["bot:read"] },
      "POST /api/workspaces/:id/bots/:bot_user_id/setup-codes": { scopes: ["bot:read"] },
      "PUT /api/bots/self/commands": { commands: [{ command: "matrix", description: "matrix" }] },
      "PATCH /api/workspaces/:id/moderation/members/:user_id": { moderation_note: "matrix" },
      "POST /api/workspaces/:id/topics": { name: `topic-${Math.random().toString(36).slice(2, 8)}`, channel_id: use.general },
      "POST /api/channels/:id/members": { user_id: use.peer },
      "POST /api/messages/:id/attachments": { upload_id: use.upload },
      "PATCH /api/channels/:id/notification-settings": { preference: "mentions" },
      "PATCH /api/me/notification-settings": { preference: "all" },
      "POST /api/messages/:id/thread/read": { seq: 0 },
      "POST /api/auth/password/change": { current: "matrix password", new: "another matrix password" },
      "POST /api/workspaces/:id/slash-commands": { command: `/m-${Math.random().toString(36).slice(2, 8)}`, callback_url: "http://93.184.215.14/slash", bot_user_id: use.bot },
      "POST /api/hooks/slash/:channel_id": { command: "/unregistered", text: "matrix" },
      "POST /api/hooks/mattermost/:channel_id": { text: "matrix" },
      "POST /api/workspaces/:id/app-installations": { app_slug: "matrix", bot_user_id: use.bot },
      "POST /api/channels/:id/incoming-webhooks": { name: "Matrix hook" },
      "POST /api/workspaces/:id/event-subscriptions": { event_types: ["message.created"], callback_url: "http://93.184.215.14/hook" },
      "POST /api/me/push-subscriptions": { endpoint: "https://push.example/matrix", keys: MATRIX_PUSH_KEYS },
      "POST /api/messages/:id/question/answers": { answers: { go: ["Yes"] } },
      "POST /api/messages/:id/question/resolution": { status: "cancelled" },
      "POST /api/workspaces/:id/invites": { role: "guest", max_uses: 1 },
    };
    if (key === "POST /api/uploads") {
      const form = new FormData();
      form.append("file", new Blob(["matrix"]), "matrix.txt");
      return { path: `${path}?workspace_id=${use.workspace}`, body: form };
    }
    const queries: Record<string, string> = {
      "GET /api/uploads/by-nonce": `?workspace_id=${use.workspace}&nonce=fixture`,
      "GET /api/search": `?workspace_id=${use.workspace}&q=hello`,
      "DELETE /api/me/push-subscriptions": `?endpoint=${encodeURIComponent("https://push.example/matrix")}`,
    };
    if (queries[key]) return { path: path + queries[key], body: undefined };
    if (route === "/api/realtime/ws") return null;
    const query = route === "/api/messages/by-nonce" ? `?workspace_id=${use.workspace}&nonce=fixture` : route === "/api/realtime/events" ? `?workspace_id=${use.workspace}` : route === "/api/dms" && method === "GET" ? `?workspace_id=${use.workspace}` : "";
    return { path: path + query, body: bodies[key] ?? (method === "GET" || method === "DELETE" ? undefined : {}) };
  }

  // Calls that would tear the fixtures down are checked for refusals only.
  // Changing a password needs the current one and password sign-in switched on: refusals only.
  const DESTRUCTIVE = new Set(["DELETE /api/incoming-webhooks/:id", "POST /api/event-subscriptions/:id/revoke", "POST /api/slash-commands/:id/revoke", "POST /api/app-installations/:id/revoke", "DELETE /api/workspaces/:id", "DELETE /api/channels/:id", "DELETE /api/bots/:bot_user_id", "DELETE /api/workspaces/:id/bots/:bot_user_id/membership", "POST /api/bot-tokens/:token_id/revoke", "DELETE /api/messages/:id", "POST /api/auth/logout", "POST /api/auth/logout-everywhere", "POST /api/auth/magic/consume", "POST /api/auth/magic/request", "POST /api/auth/password/change", "POST /api/connected-accounts/:id/revoke", "POST /api/workspaces/:id/transfer-ownership"]);
  // Owners only (transfer, delete previews), owners and moderators (the audit log): the matrix has no moderator.
  const MANAGER_ONLY = new Set(["GET /api/workspaces/:id/event-subscriptions", "POST /api/workspaces/:id/event-subscriptions", "GET /api/event-subscriptions/:id", "POST /api/event-subscriptions/:id/revoke", "POST /api/event-subscriptions/:id/enable", "POST /api/event-subscriptions/:id/rotate-secret", "GET /api/event-subscriptions/:id/deliveries", "POST /api/event-subscriptions/:id/deliveries/:delivery_id/redeliver", "POST /api/workspaces/:id/slash-commands", "POST /api/slash-commands/:id/rotate-secret", "POST /api/slash-commands/:id/revoke", "GET /api/workspaces/:id/app-installations", "POST /api/workspaces/:id/app-installations", "POST /api/app-installations/:id/revoke", "PATCH /api/workspaces/:id", "GET /api/workspaces/:id/moderation/members", "GET /api/workspaces/:id/moderation/members/:user_id", "PATCH /api/workspaces/:id/moderation/members/:user_id", "DELETE /api/workspaces/:id", "DELETE /api/channels/:id", "PATCH /api/channels/:id", "GET /api/workspaces/:id/incoming-webhooks", "GET /api/channels/:id/incoming-webhooks", "POST /api/channels/:id/incoming-webhooks", "POST /api/incoming-webhooks/:id/rotate-secret", "DELETE /api/incoming-webhooks/:id", "GET /api/workspaces/:id/invites", "POST /api/workspaces/:id/invites", "DELETE /api/workspaces/:id/invites/:invite_id", "POST /api/workspaces/:id/transfer-ownership", "GET /api/workspaces/:id/delete-preview", "GET /api/channels/:id/delete-preview", "GET /api/workspaces/:id/audit-log"]);
  const GUEST_OK = new Set(["GET /api/push/vapid-public-key", "POST /api/me/push-subscriptions", "DELETE /api/me/push-subscriptions", "GET /api/workspaces/:id/slash-commands", "POST /api/auth/password/change", "GET /api/me/bots", "GET /api/home-link", "GET /api/workspaces/:id/topics", "GET /api/me", "GET /api/users/:id/avatar", "PATCH /api/me", "POST /api/auth/logout-everywhere", "GET /api/workspaces", "POST /api/workspaces", "GET /api/workspaces/:id", "GET /api/workspaces/:id/channels", "GET /api/event-types", "GET /api/realtime/events", "GET /api/dms", "GET /api/messages/by-nonce", "GET /api/uploads/by-nonce", "GET /api/search", "GET /api/me/notification-settings", "PATCH /api/me/notification-settings", "GET /api/workspaces/:id/threads", "GET /api/workspaces/:id/channel-preferences", "GET /api/workspaces/:id/bot-commands", "GET /api/workspaces/:id/connected-accounts", "GET /api/me/sign-in-methods", "DELETE /api/me/sign-in-methods/github"]);
  // Reads a timed-out or blocked member may still make; every other chat write is refused.
  const MODERATED_OK = new Set(["DELETE /api/me/sign-in-methods/github", "POST /api/messages/:id/route", "PATCH /api/me", "POST /api/auth/logout-everywhere", "POST /api/workspaces", "POST /api/channels/:id/read", "POST /api/dms/:id/read", "GET /api/messages/by-nonce", "POST /api/realtime/ephemeral",
    // One's own notification state is not a chat write.
    "PATCH /api/me/notification-settings", "PATCH /api/channels/:id/notification-settings", "PUT /api/channels/:id/star", "DELETE /api/channels/:id/star", "POST /api/messages/:id/thread/follow", "DELETE /api/messages/:id/thread/follow", "POST /api/messages/:id/thread/read",
    // One's own password neither.
    "POST /api/auth/password/change", "POST /api/me/push-subscriptions", "DELETE /api/me/push-subscriptions"]);

  // Permitted calls whose answer depends on the caller's own data (your nonce) or on an earlier
  // caller (the pin someone already removed): a 404 there is the right answer, not a refusal.
  const LOOKUPS = new Set(["DELETE /api/me/sign-in-methods/github", "DELETE /api/me/push-subscriptions", "GET /api/users/:id/avatar", "GET /api/messages/by-nonce", "POST /api/event-subscriptions/:id/deliveries/:delivery_id/redeliver", "DELETE /api/channels/:id/pins/:message_id", "GET /api/uploads/by-nonce"]);

  type Expect = "allow" | "deny" | "skip";

  /** A bot holding these scopes, in this workspace, with no rank of its own. */
  function botExpectation(scopes: ReadonlySet<Scope>, key: string): Expect {
    const policy = policyFor(...(key.split(" ") as [string, string]))!;
    if (policy.kind === "humans") return "deny";
    if (policy.kind === "authenticated" && policy.scope && !scopes.has(policy.scope)) return "deny";
    // A DM's messages need the DM scopes too; the fixture message is in a channel.
    if (key === "POST /api/dms" || key === "GET /api/dms") return "allow";
    if (key === "POST /api/realtime/ephemeral" || key === "GET /api/event-types" || key === "GET /api/home-link") return "allow";
    // Only a message's author edits it or attaches files to it; the fixture's author is a person.
    if (key === "PATCH /api/messages/:id" || key === "POST /api/messages/:id/attachments") return "deny";
    // The link resolver checks the scope its target needs: the fixture links to a channel.
    if (key === "GET /api/routes/:workspace_route_id/:target_route_id") return scopes.has("channels:read") ? "allow" : "deny";
    return key.includes("/dms/") ? "skip" : "allow";
  }

  function expectation(actor: string, key: string): Expect {
    const policy = policyFor(...(key.split(" ") as [string, string]))!;
    const write = !key.startsWith("GET ");
    if (policy.kind === "public") return "skip";
    if (actor === "none" || actor === "revoked") return "deny";
    // Only the bot that asked resolves a question, and none of these callers asked the fixture's.
    if (key === "POST /api/messages/:id/question/resolution") return "deny";
    // A bot of another workspace may know itself and its own workspace, nothing of this one.
    // (Its own command menu lives in its own workspace.)
    if (actor === "foreignBot") return ["GET /api/me", "GET /api/workspaces", "GET /api/event-types", "GET /api/home-link", "PUT /api/bots/self/commands", "GET /api/bots/self/questions"].includes(key) ? "allow" : "deny";
    if (actor.startsWith("bot:")) return botExpectation(new Set([actor.slice(4) as Scope]), key);
    // A person's bot uses no scope beyond its owner's role, whatever its token holds.
    if (actor === "memberBot") return botExpectation(scopeCeiling("member"), key);
    if (actor === "blockedOwnerBot") {
      const asBot = botExpectation(scopeCeiling("member"), key);
      return asBot === "allow" && write && !MODERATED_OK.has(key) ? "deny" : asBot;
    }
    if (actor === "guestBot") {
      const asBot = botExpectation(scopeCeiling("guest"), key);
      return asBot === "allow" && !GUEST_OK.has(key) && key !== "GET /api/bots/self/questions" ? "deny" : asBot;
    }
    // A command menu is a bot's own: people have none to publish.
    if (key === "PUT /api/bots/self/commands") return "deny";
    // A person has no questions of their own: only bots ask.
    if (key === "GET /api/bots/self/questions") return "deny";
    if (MANAGER_ONLY.has(key) && actor !== "owner") return "deny";
    if (actor === "guest") return GUEST_OK.has(key) ? "allow" : "deny";
    if (key.includes("/dms/") && actor !== "member" && actor !== "owner") return "deny";
    if ((actor === "timedOut" || actor === "blocked") && write) return MODERATED_OK.has(key) ? "allow" : "deny";
    if ((key === "PATCH /api/messages/:id" || key === "POST /api/messages/:id/attachments") && actor !== "member") return "deny";
    // Members list bots and create bots of their own; only managers (or a bot's owner) handle the rest.
    if (key === "GET /api/workspaces/:id/bots") return "allow";
    if (key === "POST /api/workspaces/:id/bots") return "allow";
    // Everyone may list the bots they own (an empty list when none).
    if (key === "GET /api/me/bots") return "allow";
    if ((key.includes("/bots") || key.includes("bot-tokens")) && actor !== "owner") return "deny";
    return "allow";
  }

  // last_used_at is bookkeeping of a successful credential check, not a change made by the call.
  const snapshot = () => databaseDigest(server.store, { ignore: ["last_used_at"] });

  test("every route × every caller gets the status the policy says; refusals change nothing", async () => {
    const doc = (await actors.owner!.get("/openapi/json")).body;
    const keys = Object.entries<any>(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ":$1")}`)).filter((k) => k.split(" ")[1]!.startsWith("/api/"));
    // Every API route has a policy, and every policy names a real route.
    expect(keys.filter((k) => !POLICY[k])).toEqual([]);
    const failures: string[] = [];
    const before = await snapshot();
    let denials = 0;
    for (const key of keys) {
      const req = requestFor(key);
      if (!req) continue;
      for (const actor of Object.keys(actors)) {
        if (expectation(actor, key) !== "deny") continue;
        const r = await actors[actor]!.call(key.split(" ")[0]!, req.path, req.body);
        denials++;
        // A revoked token is 401, and 429 once its failures pass the per-address limit.
        const expected = actor === "none" ? [401] : actor === "revoked" ? [401, 429] : [403, 404];
        if (!expected.includes(r.status) || typeof r.body?.code !== "string") failures.push(`${actor} ${key}: expected ${expected.join("/")}, got ${r.status} ${JSON.stringify(r.body).slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toBe(before);
    expect(denials).toBeGreaterThan(400);

    let allowed = 0;
    for (const key of keys) {
      if (DESTRUCTIVE.has(key)) continue;
      const req = requestFor(key);
      if (!req) continue;
      for (const actor of Object.keys(actors)) {
        if (expectation(actor, key) !== "allow") continue;
        const r = await actors[actor]!.call(key.split(" ")[0]!, req.path, req.body);
        allowed++;
        const fine = r.status < 400 || r.status === 409 || (r.status === 404 && LOOKUPS.has(key));
        if (!fine) failures.push(`${actor} ${key}: expected success, got ${r.status} ${JSON.stringify(r.body).slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(allowed).toBeGreaterThan(80);
    // Thousands of calls: on Postgres on a busy machine a minute was not always enough.
  }, 180_000);

  /** Routes that name a channel, a message, a file or a link: pointed at the private channel's. */
  const reachesChannel = (key: string) =>
    /^\w+ \/api\/(channels|messages|uploads)\/:id|^\w+ \/api\/(hooks|routes)\/|^POST \/api\/(realtime\/ephemeral|workspaces\/:id\/topics)$/.test(key);
  /** The workspace's managers see a private channel's member list (and change it); nothing else of it. */
  const MANAGERS_MAY = new Set(["GET /api/channels/:id/members", "POST /api/channels/:id/members", "DELETE /api/channels/:id/members/:user_id"]);

  test("a private channel: every route that reaches it refuses everyone outside it, the owner included, and changes nothing; no read shows it", async () => {
    const doc = (await actors.owner!.get("/openapi/json")).body;
    const keys = Object.entries<any>(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ":$1")}`)).filter((k) => k.split(" ")[1]!.startsWith("/api/"));
    const reaching = keys.filter(reachesChannel);
    expect(reaching.length).toBeGreaterThan(25);
    const outsiders = Object.keys(actors).filter((a) => !["none", "revoked", "foreignBot"].includes(a));
    const failures: string[] = [];
    const before = await snapshot();
    for (const key of reaching) {
      const req = requestFor(key, secret)!;
      for (const actor of outsiders) {
        if (actor === "owner" && MANAGERS_MAY.has(key)) continue;
        const r = await actors[actor]!.call(key.split(" ")[0]!, req.path, req.body);
        if (![403, 404].includes(r.status) || typeof r.body?.code !== "string") failures.push(`${actor} ${key}: expected 403/404, got ${r.status} ${JSON.stringify(r.body).slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toBe(before);

    // Every read anyone outside may make (lists, search, the pull fallback, threads, topics…)
    // leaves the channel out: not its id, not its name, not a word of it.
    const marks = [secret.general!, secret.name!, secret.message!, secret.upload!, "zanzibar"];
    for (const key of keys.filter((k) => k.startsWith("GET ") && !reachesChannel(k))) {
      const req = requestFor(key);
      if (!req) continue;
      for (const actor of outsiders) {
        if (expectation(actor, key) !== "allow") continue;
        const path = key === "GET /api/search" ? `/api/search?workspace_id=${ids.workspace}&q=zanzibar` : req.path;
        const r = await actors[actor]!.call("GET", path);
        const text = typeof r.body === "string" ? r.body : JSON.stringify(r.body);
        for (const mark of marks) if (text?.includes(mark)) failures.push(`${actor} ${key}: shows ${mark}`);
      }
    }
    expect(failures).toEqual([]);

    // Its members (a bot among them) reach it all, so the refusals above are about membership.
    for (const key of reaching.filter((k) => k.startsWith("GET "))) {
      for (const [name, c] of Object.entries(insiders)) {
        if (key.includes("notification-settings") && name === "bot") continue;
        // Managers' reads (its webhooks, its delete preview) are not a member's, private or not.
        if (MANAGER_ONLY.has(key)) continue;
        const r = await c.get(requestFor(key, secret)!.path);
        if (r.status >= 400) failures.push(`${name} ${key}: expected success, got ${r.status} ${JSON.stringify(r.body).slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
    expect((await insiders.bot!.get(`/api/search?workspace_id=${ids.workspace}&q=zanzibar`)).body.results.length).toBeGreaterThan(0);
    // The owner manages who is in it without reading it.
    expect((await actors.owner!.get(`/api/channels/${secret.general}/members`)).body.members.map((u: { handle: string }) => u.handle)).toContain("insider");
  }, 120_000);
});
