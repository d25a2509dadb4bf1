// Workspace administration through the real server, on each store: handing the workspace over,
// deleting channels and workspaces after a preview, and the audit log that every administrative
// route writes to.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { POLICY } from "../../access/policy.ts";
import { client, seedTeam, startTestServer, Subscription, type TestServer } from "../../testing/harness.ts";
import { forEachStore } from "../../testing/stores.ts";

forEachStore((store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer([], { store });
  });
  afterAll(() => server.close());

  const unique = () => Math.random().toString(36).slice(2, 8);
  const team = (names = ["ada", "bob", "cy"]) => seedTeam(server, names.map((n) => `${n}${unique()}`));

  describe("transfer ownership", () => {
    test("the owner hands over: roles swap, everyone hears it, the changed roles' sockets are re-checked", async () => {
      const t = await team();
      const [ada, bob, cy] = t.clients as [typeof t.clients[0], typeof t.clients[0], typeof t.clients[0]];
      const watcher = new Subscription(server.url, { workspaceId: t.workspace.id, userId: t.users[2]!.id });
      const heir = new Subscription(server.url, { workspaceId: t.workspace.id, userId: t.users[1]!.id });
      await Promise.all([watcher.opened, heir.opened]);
      const path = `/api/workspaces/${t.workspace.id}/transfer-ownership`;

      expect((await bob.post(path, { user_id: t.users[2]!.id })).body.code).toBe("owner_required");
      expect((await ada.post(path, { user_id: "usr_00000000000000000000000000" })).status).toBe(404);
      expect((await ada.post(path, { user_id: t.users[0]!.id })).body.code).toBe("already_owner");

      const r = await ada.post(path, { user_id: t.users[1]!.id });
      expect(r.status).toBe(200);
      expect(r.body.workspace).toMatchObject({ id: t.workspace.id, role: "moderator" });
      expect(r.body.event).toMatchObject({ type: "workspace.ownership_transferred", payload: { previous_owner_id: t.users[0]!.id, new_owner_id: t.users[1]!.id } });
      await watcher.until((es) => es.some((e) => e.type === "workspace.ownership_transferred"));
      // The heir's socket was granted as a member: it is closed so that it reconnects as the owner.
      await heir.closed;
      expect(heir.closeCode).toBe(1008);
      expect((await bob.get(`/api/workspaces/${t.workspace.id}`)).body.workspace.role).toBe("owner");
      expect((await ada.get(`/api/workspaces/${t.workspace.id}`)).body.workspace.role).toBe("moderator");
      // The former owner manages still (reads the audit log) but owns no more.
      expect((await ada.get(`/api/workspaces/${t.workspace.id}/delete-preview`)).body.code).toBe("owner_required");
      const log = await ada.get(`/api/workspaces/${t.workspace.id}/audit-log`);
      expect(log.body.audit_log_entries[0]).toMatchObject({ action: "workspace.ownership_transferred", actor_user_id: t.users[0]!.id, target_id: t.workspace.id });
      expect((await cy.get(`/api/workspaces/${t.workspace.id}/audit-log`)).body.code).toBe("not_manager");
      watcher.close();
    });
  });

  describe("deleting with a preview", () => {
    test("a channel: the preview counts what goes, the delete is 204, the last public channel stays", async () => {
      const t = await team(["ada", "bob"]);
      const ada = t.clients[0]!;
      const made = await ada.post(`/api/workspaces/${t.workspace.id}/channels`, { name: "scratch" });
      const id = made.body.channel.id;
      const root = await ada.post(`/api/channels/${id}/messages`, { body: "root" });
      await t.clients[1]!.post(`/api/messages/${root.body.message.id}/thread/replies`, { body: "reply" });
      await ada.post(`/api/channels/${id}/pins`, { message_id: root.body.message.id });
      const preview = await ada.get(`/api/channels/${id}/delete-preview`);
      expect(preview.body.delete_preview).toEqual({ channel_id: id, name: "scratch", messages: 2, threads: 1, replies: 1, pins: 1, uploads: 0, upload_bytes: 0, blockers: [], can_delete: true });
      expect((await t.clients[1]!.get(`/api/channels/${id}/delete-preview`)).body.code).toBe("owner_required");
      expect((await ada.delete(`/api/channels/${id}`)).status).toBe(204);
      expect((await ada.get(`/api/channels/${id}`)).status).toBe(404);
      const general = await ada.get(`/api/channels/${t.general.id}/delete-preview`);
      expect(general.body.delete_preview).toMatchObject({ can_delete: false, blockers: [{ code: "last_channel" }] });
      const refused = await ada.delete(`/api/channels/${t.general.id}`);
      expect([refused.status, refused.body.code]).toEqual([409, "last_channel"]);
      expect((await ada.delete(`/api/channels/${t.guest.id}`)).body.code).toBe("channel_name_reserved");
    });

    test("a workspace: the owner sees what goes, deletes (204), and the log keeps the deletion", async () => {
      const t = await team(["ada", "bob"]);
      const ada = t.clients[0]!;
      await ada.post(`/api/channels/${t.general.id}/messages`, { body: "soon gone" });
      const preview = await ada.get(`/api/workspaces/${t.workspace.id}/delete-preview`);
      expect(preview.body.delete_preview).toMatchObject({ workspace_id: t.workspace.id, members: 2, channels: 2, messages: 1, uploads: 0, bots: 0 });
      expect((await t.clients[1]!.delete(`/api/workspaces/${t.workspace.id}`)).body.code).toBe("owner_required");
      const r = await ada.delete(`/api/workspaces/${t.workspace.id}`);
      expect(r.status).toBe(204);
      expect((await ada.get(`/api/workspaces/${t.workspace.id}`)).status).toBe(404);
      const { entries } = await server.store.audit.list(t.workspace.id, { limit: 5 });
      expect(entries[0]).toMatchObject({ action: "workspace.deleted", actor_user_id: t.users[0]!.id });
    });
  });

  describe("the original's pin record and message routes", () => {
    test("a pin answers its record beside the message; the list carries the records; POST …/route gives the route id", async () => {
      const t = await team(["ada", "bob"]);
      const [ada, bob] = [t.clients[0]!, t.clients[1]!];
      const m = (await ada.post(`/api/channels/${t.general.id}/messages`, { body: "pin me" })).body.message;
      const pinned = await bob.post(`/api/channels/${t.general.id}/pins`, { message_id: m.id });
      expect(pinned.status).toBe(201);
      expect(pinned.body.pin).toEqual({ channel_id: t.general.id, message_id: m.id, pinned_by: t.users[1]!.id, pinned_at: expect.any(String) });
      expect(Date.parse(pinned.body.pin.pinned_at)).toBeGreaterThan(0);
      expect(pinned.body.event.payload).toMatchObject({ channel_id: t.general.id, message_id: m.id, pinned_by: t.users[1]!.id });
      const list = await ada.get(`/api/channels/${t.general.id}/pins`);
      expect(list.body.messages.map((x: any) => x.id)).toEqual([m.id]);
      expect(list.body.pins).toEqual([pinned.body.pin]);
      const routed = await bob.post(`/api/messages/${m.id}/route`, {});
      expect(routed.status).toBe(200);
      expect(routed.body.message).toMatchObject({ id: m.id, route_id: m.route_id });
      expect(routed.body.message.route_id).toMatch(/^M[0-9A-Z]{16}$/);
      await ada.delete(`/api/messages/${m.id}`);
      expect((await bob.post(`/api/messages/${m.id}/route`, {})).status).toBe(404);
      expect((await ada.get(`/api/channels/${t.general.id}/pins`)).body).toEqual({ messages: [], pins: [] });
    });
  });

  describe("connected accounts", () => {
    test("a member connects their own, managers anyone's; one active record per account; revoking frees it", async () => {
      const t = await team(["ada", "bob", "cy"]);
      const [ada, bob, cy] = [t.clients[0]!, t.clients[1]!, t.clients[2]!];
      const path = `/api/workspaces/${t.workspace.id}/connected-accounts`;
      const mine = await bob.post(path, { user_id: t.users[1]!.id, provider: "GitHub", provider_account_id: "583231", display_name: "bob-gh", scopes: ["repo"], metadata: { login: "bob-gh" } });
      expect(mine.status).toBe(201);
      expect(mine.body.connected_account).toMatchObject({ user_id: t.users[1]!.id, provider: "github", provider_account_id: "583231", display_name: "bob-gh", scopes: ["repo"], metadata: { login: "bob-gh" } });
      expect(mine.body.connected_account.revoked_at).toBeUndefined();
      expect((await cy.post(path, { user_id: t.users[1]!.id, provider: "github", provider_account_id: "1" })).body.code).toBe("not_manager");
      const again = await ada.post(path, { user_id: t.users[2]!.id, provider: "github", provider_account_id: "583231" });
      expect([again.status, again.body.code]).toEqual([409, "account_already_connected"]);
      expect((await ada.post(path, { user_id: "usr_00000000000000000000000000", provider: "github", provider_account_id: "2" })).status).toBe(404);
      // Members see their own; managers see everyone's.
      expect((await cy.get(path)).body.connected_accounts).toEqual([]);
      expect((await ada.get(path)).body.connected_accounts.map((a: any) => a.id)).toEqual([mine.body.connected_account.id]);
      // Someone else's record is not theirs to revoke (nor to know of).
      expect((await cy.post(`/api/connected-accounts/${mine.body.connected_account.id}/revoke`, {})).status).toBe(404);
      const revoked = await bob.post(`/api/connected-accounts/${mine.body.connected_account.id}/revoke`, {});
      expect(revoked.body.connected_account.revoked_at).toBeString();
      expect((await bob.post(`/api/connected-accounts/${mine.body.connected_account.id}/revoke`, {})).body.connected_account.revoked_at).toBe(revoked.body.connected_account.revoked_at);
      expect((await ada.post(path, { user_id: t.users[2]!.id, provider: "github", provider_account_id: "583231" })).status).toBe(201);
    });
  });

  describe("sign-in methods", () => {
    test("GitHub is unlinked unless it is the last way in", async () => {
      const t = await team(["ada", "bob"]);
      const [ada, bob] = [t.clients[0]!, t.clients[1]!];
      await server.store.identity.linkGithub(t.users[0]!.id, `gh-${unique()}`);
      const withMail = await server.store.users.create({ kind: "human", displayName: "Mae", handle: `mae${unique()}`, email: `mae-${unique()}@example.com` });
      await server.store.identity.linkGithub(withMail.id, `gh-${unique()}`);
      const mae = client(server.url, { userId: withMail.id });
      expect((await ada.get("/api/me/sign-in-methods")).body.sign_in_methods).toEqual([{ provider: "github", provider_account_id: expect.any(String), removable: false }]);
      const last = await ada.delete("/api/me/sign-in-methods/github");
      expect([last.status, last.body.code]).toEqual([409, "last_sign_in_method"]);
      expect((await bob.delete("/api/me/sign-in-methods/github")).status).toBe(404);
      expect((await mae.get("/api/me/sign-in-methods")).body.sign_in_methods.map((m: any) => [m.provider, m.removable])).toEqual([["github", true], ["email", false]]);
      const unlinked = await mae.delete("/api/me/sign-in-methods/github");
      expect(unlinked.body.sign_in_methods.map((m: any) => m.provider)).toEqual(["email"]);
      expect((await server.store.identity.signInFacts(withMail.id))?.githubId).toBeNull();
    });
  });

  describe("audit log", () => {
    // Every administrative route, what it is called with, and the entry it must leave.
    type Step = { route: string; call: (ctx: Ctx) => Promise<{ status: number; body: any }>; action: string; target?: (ctx: Ctx) => string };
    type Ctx = Record<string, any>;
    const hook = "http://93.184.215.14/hook";
    const STEPS: Step[] = [
      { route: "POST /api/workspaces/:id/channels", call: async (c) => { const r = await c.ada.post(`/api/workspaces/${c.w}/channels`, { name: "ops" }); c.channel = r.body.channel?.id; return r; }, action: "channel.created", target: (c) => c.channel },
      { route: "PATCH /api/channels/:id", call: (c) => c.ada.patch(`/api/channels/${c.channel}`, { name: "ops2" }), action: "channel.renamed", target: (c) => c.channel },
      { route: "PATCH /api/channels/:id", call: (c) => c.ada.patch(`/api/channels/${c.channel}`, { archived: true }), action: "channel.archived" },
      { route: "PATCH /api/channels/:id", call: (c) => c.ada.patch(`/api/channels/${c.channel}`, { archived: false }), action: "channel.unarchived" },
      { route: "DELETE /api/channels/:id", call: (c) => c.ada.delete(`/api/channels/${c.channel}`), action: "channel.deleted", target: (c) => c.channel },
      { route: "PATCH /api/workspaces/:id", call: (c) => c.ada.patch(`/api/workspaces/${c.w}`, { name: "Renamed" }), action: "workspace.renamed" },
      { route: "PATCH /api/workspaces/:id/moderation/members/:user_id", call: (c) => c.ada.patch(`/api/workspaces/${c.w}/moderation/members/${c.cy}`, { role: "moderator" }), action: "member.role_changed", target: (c) => c.cy },
      { route: "PATCH /api/workspaces/:id/moderation/members/:user_id", call: (c) => c.ada.patch(`/api/workspaces/${c.w}/moderation/members/${c.bob}`, { timeout_minutes: 5 }), action: "member.timed_out" },
      { route: "PATCH /api/workspaces/:id/moderation/members/:user_id", call: (c) => c.ada.patch(`/api/workspaces/${c.w}/moderation/members/${c.bob}`, { blocked: true }), action: "member.blocked" },
      { route: "POST /api/workspaces/:id/bots", call: async (c) => { const r = await c.ada.post(`/api/workspaces/${c.w}/bots`, { display_name: "Helper" }); c.bot = r.body.bot?.id; c.firstToken = r.body.bot_token?.id; return r; }, action: "bot.created", target: (c) => c.bot },
      { route: "POST /api/workspaces/:id/bots/:bot_user_id/tokens", call: async (c) => { const r = await c.ada.post(`/api/workspaces/${c.w}/bots/${c.bot}/tokens`, { name: "second", scopes: ["bot:read"] }); c.token = r.body.bot_token?.id; return r; }, action: "bot_token.minted", target: (c) => c.token },
      { route: "POST /api/bots/:bot_user_id/tokens", call: (c) => c.ada.post(`/api/bots/${c.bot}/tokens`, { name: "legacy", scopes: ["bot:read"] }), action: "bot_token.minted" },
      { route: "POST /api/workspaces/:id/bots/:bot_user_id/setup-codes", call: (c) => c.ada.post(`/api/workspaces/${c.w}/bots/${c.bot}/setup-codes`, { name: "ci" }), action: "bot_setup_code.minted" },
      { route: "POST /api/bot-tokens/:token_id/revoke", call: (c) => c.ada.post(`/api/bot-tokens/${c.token}/revoke`, {}), action: "bot_token.revoked", target: (c) => c.token },
      { route: "POST /api/workspaces/:id/slash-commands", call: async (c) => { const r = await c.ada.post(`/api/workspaces/${c.w}/slash-commands`, { command: "/deploy", callback_url: hook, bot_user_id: c.bot }); c.command = r.body.slash_command?.id; return r; }, action: "slash_command.created", target: (c) => c.command },
      { route: "POST /api/slash-commands/:id/rotate-secret", call: (c) => c.ada.post(`/api/slash-commands/${c.command}/rotate-secret`, {}), action: "slash_command.secret_rotated" },
      { route: "POST /api/slash-commands/:id/revoke", call: (c) => c.ada.post(`/api/slash-commands/${c.command}/revoke`, {}), action: "slash_command.revoked" },
      { route: "POST /api/workspaces/:id/event-subscriptions", call: async (c) => { const r = await c.ada.post(`/api/workspaces/${c.w}/event-subscriptions`, { event_types: ["message.created"], callback_url: hook }); c.sub = r.body.event_subscription?.id; return r; }, action: "event_subscription.created", target: (c) => c.sub },
      { route: "POST /api/event-subscriptions/:id/rotate-secret", call: (c) => c.ada.post(`/api/event-subscriptions/${c.sub}/rotate-secret`, {}), action: "event_subscription.secret_rotated" },
      { route: "POST /api/event-subscriptions/:id/enable", call: (c) => c.ada.post(`/api/event-subscriptions/${c.sub}/enable`, {}), action: "event_subscription.enabled" },
      { route: "POST /api/event-subscriptions/:id/revoke", call: (c) => c.ada.post(`/api/event-subscriptions/${c.sub}/revoke`, {}), action: "event_subscription.revoked" },
      { route: "POST /api/workspaces/:id/app-installations", call: async (c) => { const r = await c.ada.post(`/api/workspaces/${c.w}/app-installations`, { app_slug: "deployer", bot_user_id: c.bot }); c.app = r.body.app_installation?.id; return r; }, action: "app.installed", target: (c) => c.app },
      { route: "POST /api/app-installations/:id/revoke", call: (c) => c.ada.post(`/api/app-installations/${c.app}/revoke`, {}), action: "app.revoked" },
      { route: "DELETE /api/workspaces/:id/bots/:bot_user_id/membership", call: async (c) => { const r = await c.ada.post(`/api/workspaces/${c.w}/bots`, { display_name: "Leaver", create_token: false }); c.leaver = r.body.bot.id; return c.ada.delete(`/api/workspaces/${c.w}/bots/${c.leaver}/membership`); }, action: "bot.removed_from_workspace", target: (c) => c.leaver },
      { route: "DELETE /api/bots/:bot_user_id", call: (c) => c.ada.delete(`/api/bots/${c.bot}`), action: "bot.retired", target: (c) => c.bot },
      { route: "POST /api/workspaces/:id/connected-accounts", call: async (c) => { const r = await c.ada.post(`/api/workspaces/${c.w}/connected-accounts`, { user_id: c.bob, provider: "github", provider_account_id: "42" }); c.account = r.body.connected_account?.id; return r; }, action: "connected_account.linked", target: (c) => c.account },
      { route: "POST /api/connected-accounts/:id/revoke", call: (c) => c.ada.post(`/api/connected-accounts/${c.account}/revoke`, {}), action: "connected_account.revoked", target: (c) => c.account },
      { route: "POST /api/channels/:id/incoming-webhooks", call: async (c) => { const r = await c.ada.post(`/api/channels/${c.general}/incoming-webhooks`, { name: "CI" }); c.webhook = r.body.incoming_webhook?.id; return r; }, action: "incoming_webhook.created", target: (c) => c.webhook },
      { route: "POST /api/incoming-webhooks/:id/rotate-secret", call: (c) => c.ada.post(`/api/incoming-webhooks/${c.webhook}/rotate-secret`, {}), action: "incoming_webhook.secret_rotated", target: (c) => c.webhook },
      { route: "DELETE /api/incoming-webhooks/:id", call: (c) => c.ada.delete(`/api/incoming-webhooks/${c.webhook}`), action: "incoming_webhook.revoked", target: (c) => c.webhook },
      { route: "POST /api/workspaces/:id/transfer-ownership", call: (c) => c.ada.post(`/api/workspaces/${c.w}/transfer-ownership`, { user_id: c.cy }), action: "workspace.ownership_transferred" },
    ];
    // Routes that only read, or act for oneself (not on the workspace's administration).
    const NOT_ADMINISTRATIVE = /^(GET |POST \/api\/event-subscriptions\/:id\/deliveries\/|POST \/api\/hooks\/)/;
    const ADMIN_PREFIXES = ["/api/workspaces/:id/moderation", "/api/workspaces/:id/bots", "/api/bots/:bot_user_id", "/api/bot-tokens", "/api/workspaces/:id/slash-commands", "/api/slash-commands", "/api/workspaces/:id/event-subscriptions", "/api/event-subscriptions", "/api/workspaces/:id/app-installations", "/api/app-installations", "/api/workspaces/:id/transfer-ownership", "/api/workspaces/:id/connected-accounts", "/api/connected-accounts", "/api/channels/:id/incoming-webhooks", "/api/incoming-webhooks"];

    test("every administrative route leaves one entry, in order, readable by managers page by page", async () => {
      const t = await team(["ada", "bob", "cy"]);
      const ctx: Ctx = { ada: t.clients[0], w: t.workspace.id, general: t.general.id, bob: t.users[1]!.id, cy: t.users[2]!.id };
      const failures: string[] = [];
      for (const step of STEPS) {
        const before = (await server.store.audit.list(t.workspace.id, { limit: 200 })).entries.length;
        const r = await step.call(ctx);
        if (r.status >= 300) failures.push(`${step.route} (${step.action}) → ${r.status} ${JSON.stringify(r.body)}`);
        const after = (await server.store.audit.list(t.workspace.id, { limit: 200 })).entries;
        const fresh = after.slice(0, after.length - before);
        if (!fresh.some((e) => e.action === step.action)) failures.push(`${step.route}: no ${step.action} entry (got ${fresh.map((e) => e.action).join(", ") || "none"})`);
        const want = step.target?.(ctx);
        if (want && !fresh.some((e) => e.action === step.action && e.target_id === want)) failures.push(`${step.route}: ${step.action} is not about ${want}`);
      }
      expect(failures).toEqual([]);

      // Every mutating route of the administrative families is in the table above.
      const covered = new Set(STEPS.map((s) => s.route));
      const missing = Object.keys(POLICY).filter((k) => !NOT_ADMINISTRATIVE.test(k) && ADMIN_PREFIXES.some((p) => k.split(" ")[1]!.startsWith(p)) && !covered.has(k));
      expect(missing).toEqual([]);

      // The former owner (a moderator now) reads it, newest first, page by page.
      const ada = t.clients[0]!;
      const seen: any[] = [];
      let cursor: string | undefined;
      do {
        const page = await ada.get(`/api/workspaces/${t.workspace.id}/audit-log?limit=7${cursor ? `&before=${cursor}` : ""}`);
        expect(page.status).toBe(200);
        seen.push(...page.body.audit_log_entries);
        cursor = page.body.next_cursor;
      } while (cursor);
      const all = (await server.store.audit.list(t.workspace.id, { limit: 200 })).entries;
      expect(seen.map((e) => e.id)).toEqual(all.map((e) => e.id));
      expect(seen[0].action).toBe("workspace.ownership_transferred");
      expect(seen.at(-1).action).toBe("channel.created");
      // Secrets never reach the log.
      expect(JSON.stringify(seen)).not.toMatch(/ccb_|signing_secret/);
      const bots = await ada.get(`/api/workspaces/${t.workspace.id}/audit-log?action=bot.created`);
      expect(bots.body.audit_log_entries.map((e: any) => e.action)).toEqual(["bot.created", "bot.created"]);
      const byBob = await ada.get(`/api/workspaces/${t.workspace.id}/audit-log?actor_user_id=${t.users[1]!.id}`);
      expect(byBob.body.audit_log_entries).toEqual([]);
    }, 60_000);
  });
});
