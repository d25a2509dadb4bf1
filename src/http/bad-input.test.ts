// Every route in the OpenAPI document is sent malformed JSON, wrong types, missing fields, huge
// bodies, unknown ids and another workspace's ids. Each must answer 4xx with {error, code}, and
// every data table must hold the same rows afterwards. Runs on each store (src/testing/stores.ts).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { databaseDigest } from "../testing/db-inspect.ts";
import { client, type Client, seedTeam, startTestServer, type TestServer } from "../testing/harness.ts";
import { forEachStore } from "../testing/stores.ts";

forEachStore((store) => {
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;
  let foreign: { workspace: string; channel: string; message: string; dm: string; user: string; webhook: string };
  let hookUrl: string;
  let botClient: Client;
  let questionId: string;
  let vault: string;

  beforeAll(async () => {
    // Password sign-in on, so its routes check their input rather than answer 404 disabled.
    server = await startTestServer(["--password-auth"], { store });
    team = await seedTeam(server);
    // Another team the caller (ada) does not belong to.
    const other = await seedTeam(server, ["zed", "yan"]);
    const msg = await other.clients[0]!.post(`/api/channels/${other.general.id}/messages`, { body: "theirs" });
    const dm = await other.clients[0]!.post("/api/dms", { workspace_id: other.workspace.id, member_ids: [other.users[1]!.id] });
    vault = (await team.clients[0]!.post(`/api/workspaces/${team.workspace.id}/channels`, { name: "vault", private: true })).body.channel.id;
    const theirHook = await other.clients[0]!.post(`/api/channels/${other.general.id}/incoming-webhooks`, { name: "Theirs" });
    foreign = { workspace: other.workspace.id, channel: other.general.id, message: msg.body.message.id, dm: dm.body.conversation.id, user: other.users[0]!.id, webhook: theirHook.body.incoming_webhook.id };
    hookUrl = (await team.clients[0]!.post(`/api/channels/${team.general.id}/incoming-webhooks`, { name: "Ours" })).body.incoming_webhook.url;
    // A bot of the team with a question on #general, for the question routes' own bad inputs.
    const bot = await server.store.bots.create({ workspaceId: team.workspace.id, displayName: "Asker", handle: "asker" });
    botClient = client(server.url, { token: (await server.store.bots.mintToken({ botUserId: bot.id, workspaceId: team.workspace.id, name: "t", scopes: ["messages:read", "messages:write"] })).token });
    const asked = await server.store.messages.post({ scope: { kind: "channel", id: team.general.id, workspaceId: team.workspace.id }, authorId: bot.id, body: "Go?", question: { items: [{ id: "go", header: "Go", prompt: "Go?", options: [{ label: "Yes" }, { label: "No" }] }] } });
    questionId = asked.message.id;
  });
  afterAll(() => server.close());

  function wrongValue(schema: any): unknown {
    const type = schema?.type ?? (schema?.anyOf ? schema.anyOf.find((s: any) => s.type && s.type !== "null")?.type : undefined);
    switch (type) {
      case "string":
        return { not: "a string" };
      case "integer":
      case "number":
        return "not a number";
      case "boolean":
        return "not a boolean";
      case "array":
        return "not an array";
      case "object":
        return 42;
      default:
        return [[["?"]]];
    }
  }

  const UNKNOWN: Record<string, string> = {
    id: "chn_00000000000000000000000000",
    message_id: "msg_00000000000000000000000000",
    emoji: "%F0%9F%91%8D",
  };

  function foreignIdFor(path: string, param: string): string {
    if (param === "message_id") return foreign.message;
    if (param === "emoji") return "%F0%9F%91%8D";
    if (path.startsWith("/api/workspaces/")) return foreign.workspace;
    if (path.startsWith("/api/channels/")) return foreign.channel;
    if (path.startsWith("/api/messages/")) return foreign.message;
    if (path.startsWith("/api/dms/")) return foreign.dm;
    if (path.startsWith("/api/incoming-webhooks/") || path.startsWith("/api/hooks/incoming/")) return param === "secret" ? "ccw_guess" : foreign.webhook;
    return foreign.workspace;
  }

  test("every route refuses bad input with a 4xx {error, code} and writes nothing", async () => {
    const doc = (await team.clients[0]!.get("/openapi/json")).body;
    const ada = team.clients[0]!;
    // A bot of the team, for the routes only bots may call.
    const made = (await ada.post(`/api/workspaces/${team.workspace.id}/bots`, { display_name: "Matrix Bot" })).body;
    const asBot = client(server.url, { token: made.bot_token.token });
    // A bot's calls stamp its token's last_used_at: bookkeeping, not a write of the call.
    const digest = () => databaseDigest(server.store, { ignore: ["last_used_at"] });
    const before = await digest();
    const failures: string[] = [];
    let checked = 0;

    const expect4xx = (label: string, r: { status: number; body: any }) => {
      checked++;
      const ok = r.status >= 400 && r.status < 500 && typeof r.body?.error === "string" && typeof r.body?.code === "string";
      if (!ok) failures.push(`${label} → ${r.status} ${JSON.stringify(r.body)?.slice(0, 160)}`);
    };

    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      if (!path.startsWith("/api/")) continue;
      for (const [method, op] of Object.entries<any>(ops)) {
        const M = method.toUpperCase();
        const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
        const bodySchema = op.requestBody?.content?.["application/json"]?.schema;
        const validBodyish = bodySchema?.properties ? Object.fromEntries(Object.entries<any>(bodySchema.properties).map(([k, s]) => [k, s.type === "string" ? "x" : s.type === "array" ? [] : s.type === "boolean" ? true : s.type === "integer" ? 1 : "x"])) : undefined;

        const variants: [string, string][] = params.length
          ? [["unknown ids", path.replace(/\{(\w+)\}/g, (_, p) => UNKNOWN[p] ?? "xyz_00000000000000000000000000")], ["foreign ids", path.replace(/\{(\w+)\}/g, (_, p) => foreignIdFor(path, p))]]
          : [["no params", path]];

        for (const [label, concrete] of variants) {
          const withQuery = path === "/api/messages/by-nonce" ? `${concrete}?workspace_id=${foreign.workspace}&nonce=x` : path.includes("realtime/events") ? `${concrete}?workspace_id=${foreign.workspace}` : concrete;
          if (params.length) {
            // With unknown or foreign ids, even a well-formed request must be refused.
            expect4xx(`${M} ${withQuery} (${label}, plausible body)`, await ada.call(M, withQuery, M === "GET" || M === "DELETE" ? undefined : validBodyish ?? {}));
          }
          if (M === "GET" || M === "DELETE") continue;
          expect4xx(`${M} ${concrete} (${label}, malformed JSON)`, await ada.call(M, concrete, "{not json"));
          expect4xx(`${M} ${concrete} (${label}, huge body)`, await ada.call(M, concrete, JSON.stringify({ body: "x".repeat(1_200_000) })));
          expect4xx(`${M} ${concrete} (${label}, array body)`, await ada.call(M, concrete, "[1,2,3]"));
          if (bodySchema?.properties) {
            const required: string[] = bodySchema.required ?? [];
            if (required.length) expect4xx(`${M} ${concrete} (${label}, missing fields)`, await ada.call(M, concrete, {}));
            for (const [prop, schema] of Object.entries<any>(bodySchema.properties)) {
              expect4xx(`${M} ${concrete} (${label}, wrong type for ${prop})`, await ada.call(M, concrete, { ...validBodyish, [prop]: wrongValue(schema) }));
            }
          }
        }
      }
    }
    // Query strings of the wrong type, and a missing required query.
    expect4xx("pages with a non-numeric seq", await ada.get(`/api/channels/${team.general.id}/messages?before_seq=abc`));
    expect4xx("events without workspace_id", await ada.get(`/api/realtime/events`));
    expect4xx("by-nonce without nonce", await ada.get(`/api/messages/by-nonce?workspace_id=${team.workspace.id}`));
    expect4xx("members with limit 0", await ada.get(`/api/workspaces/${team.workspace.id}/members?limit=0`));
    expect4xx("an unknown notification preference", await ada.patch(`/api/channels/${team.general.id}/notification-settings`, { preference: "loud" }));
    expect4xx("an unknown default preference", await ada.patch("/api/me/notification-settings", { preference: "sometimes" }));
    expect4xx("do-not-disturb with one end", await ada.patch("/api/me/notification-settings", { dnd_start_minute: 60 }));
    expect4xx("do-not-disturb past the day", await ada.patch("/api/me/notification-settings", { dnd_start_minute: 60, dnd_end_minute: 1440 }));
    expect4xx("a Pushover user key of the wrong length", await ada.patch("/api/me", { pushover_user_key: "tooshort" }));
    expect4xx("a Pushover user key with punctuation", await ada.patch("/api/me", { pushover_user_key: `${"k".repeat(29)}-` }));
    expect4xx("a push subscription without keys", await ada.post("/api/me/push-subscriptions", { endpoint: "https://push.example/x" }));
    expect4xx("a push subscription with a short key", await ada.post("/api/me/push-subscriptions", { endpoint: "https://push.example/x", keys: { p256dh: "AAAA", auth: "AAAA" } }));
    expect4xx("an unsubscribe without an endpoint", await ada.delete("/api/me/push-subscriptions"));
    const invites = `/api/workspaces/${team.workspace.id}/invites`;
    expect4xx("an invite for owners", await ada.post(invites, { role: "owner" }));
    expect4xx("an invite with no uses", await ada.post(invites, { max_uses: 0 }));
    expect4xx("an invite with a fractional use count", await ada.post(invites, { max_uses: 1.5 }));
    expect4xx("an invite that expired before it was made", await ada.post(invites, { expires_in_hours: -1 }));
    expect4xx("an invite lasting over a year", await ada.post(invites, { expires_in_hours: 24 * 366 }));
    expect4xx("an invite for a non-address", await ada.post(invites, { email: "not-an-address" }));
    expect4xx("an unknown invite id", await ada.delete(`${invites}/inv_00000000000000000000000000`));
    expect4xx("an unknown invite link", await ada.post("/api/invites/accept", { token: "inv_nope" }));
    expect4xx("an empty invite link", await ada.post("/api/invites/preview", { token: "" }));
    expect4xx("a digest unsubscribe without a token", await ada.post("/api/digest/unsubscribe"));
    expect4xx("a digest unsubscribe with a forged token", await ada.post("/api/digest/unsubscribe?token=dXNy.AAAA"));
    expect4xx("followed threads with limit 0", await ada.get(`/api/workspaces/${team.workspace.id}/threads?limit=0`));
    expect4xx("a webhook with a blank name", await ada.post(`/api/channels/${team.general.id}/incoming-webhooks`, { name: "   " }));
    expect4xx("a webhook with a name too long", await ada.post(`/api/channels/${team.general.id}/incoming-webhooks`, { name: "n".repeat(81) }));
    for (const [label, body, type] of [["no text", "{}", "application/json"], ["text of the wrong type", '{"text":[1]}', "application/json"], ["attachments not a list", '{"attachments":{}}', "application/json"], ["a payload that is not JSON", "payload=%7B", ""], ["a bare body that is not a form", "text=hi", ""], ["a huge body", JSON.stringify({ text: "x".repeat(1_200_000) }), "application/json"]] as const) {
      const r = await fetch(hookUrl, { method: "POST", body, headers: type ? { "content-type": type } : {} });
      expect4xx(`the incoming hook, ${label}`, { status: r.status, body: await r.json() });
    }
    const setupCodes = `/api/workspaces/${team.workspace.id}/bots/${made.bot.id}/setup-codes`;
    expect4xx("a setup code with an unknown scope", await ada.post(setupCodes, { scopes: ["everything"] }));
    expect4xx("a setup code whose default target is not one", await ada.post(setupCodes, { defaults: { defaultTo: "somewhere else" } }));
    expect4xx("a claim without a code", await client(server.url).post("/api/bot-setup-codes/claim", {}));
    expect4xx("a setup nonce that is too short", await ada.post(`/api/workspaces/${team.workspace.id}/bots`, { display_name: "Short", setup_nonce: "short" }));
    expect4xx("a token nonce that is too short", await ada.post(`/api/workspaces/${team.workspace.id}/bots/${made.bot.id}/tokens`, { setup_nonce: "short" }));
    for (const [label, commands] of Object.entries({
      "a command with a space": [{ command: "bad name", description: "d" }],
      "a command without a description": [{ command: "ok", description: " " }],
      "a command name over 32 characters": [{ command: "x".repeat(33), description: "d" }],
      "a description over 100 characters": [{ command: "ok", description: "d".repeat(101) }],
      "a repeated command": [{ command: "dup", description: "a" }, { command: "/DUP", description: "b" }],
      "101 commands": Array.from({ length: 101 }, (_, i) => ({ command: `c${i}`, description: "d" })),
    })) expect4xx(`a bot menu with ${label}`, await asBot.put("/api/bots/self/commands", { commands }));
    expect4xx("a channel whose privacy is not a boolean", await ada.post(`/api/workspaces/${team.workspace.id}/channels`, { name: "half-private", private: "yes" }));
    expect4xx("making a public channel private", await ada.patch(`/api/channels/${team.general.id}`, { private: true }));
    expect4xx("making a private channel public", await ada.patch(`/api/channels/${vault}`, { private: false }));
    expect4xx("a member list of a public channel", await ada.get(`/api/channels/${team.general.id}/members`));
    expect4xx("adding someone to a public channel", await ada.post(`/api/channels/${team.general.id}/members`, { user_id: team.users[1]!.id }));
    expect4xx("adding someone of another workspace", await ada.post(`/api/channels/${vault}/members`, { user_id: foreign.user }));
    expect4xx("adding an unknown user", await ada.post(`/api/channels/${vault}/members`, { user_id: "usr_00000000000000000000000000" }));
    expect4xx("adding nobody", await ada.post(`/api/channels/${vault}/members`, { user_id: "" }));
    expect4xx("adding a number", await ada.post(`/api/channels/${vault}/members`, { user_id: 42 }));
    expect4xx("a thread read with a negative seq", await ada.post(`/api/messages/${foreign.message}/thread/read`, { seq: -1 }));

    // Questions: cards only bots attach, answers that do not fit the card, filters that do not exist.
    const answer = (answers: unknown, extra: Record<string, unknown> = {}) => ada.post(`/api/messages/${questionId}/question/answers`, { answers, ...extra });
    expect4xx("a question attached by a person", await ada.post(`/api/channels/${team.general.id}/messages`, { body: "q", question: { items: [{ id: "a", header: "A", prompt: "A?" }] } }));
    for (const [label, q] of Object.entries<unknown>({
      "no items": { items: [] }, "a bad item id": { items: [{ id: "1x", header: "A", prompt: "A?" }] }, "an empty prompt": { items: [{ id: "a", header: "A", prompt: " " }] },
      "eleven options": { items: [{ id: "a", header: "A", prompt: "A?", options: Array.from({ length: 11 }, (_, i) => ({ label: `o${i}` })) }] },
      "a past expiry": { items: [{ id: "a", header: "A", prompt: "A?" }], expires_at: "2001-01-01T00:00:00Z" }, "a ftp url": { items: [{ id: "a", header: "A", prompt: "A?", url: "ftp://x" }] },
      "51 responders": { items: [{ id: "a", header: "A", prompt: "A?" }], responder_user_ids: Array.from({ length: 51 }, (_, i) => `usr_${i}`) }, "a long title": { items: [{ id: "a", header: "A", prompt: "A?" }], title: "t".repeat(301) },
    })) expect4xx(`a bot's question with ${label}`, await botClient.post(`/api/channels/${team.general.id}/messages`, { body: "q", question: q }));
    for (const [label, answers] of Object.entries<unknown>({ "no answers": {}, "an unknown item": { go: ["Yes"], nope: ["x"] }, "an unknown option": { go: ["Maybe"] }, "two answers to one": { go: ["Yes", "No"] }, "a string": { go: "Yes" } })) {
      expect4xx(`an answer with ${label}`, await answer(answers));
    }
    expect4xx("an answer at version 0", await answer({ go: ["Yes"] }, { expected_version: 0 }));
    expect4xx("an answer at another version", await answer({ go: ["Yes"] }, { expected_version: 9 }));
    expect4xx("a resolution by a person", await ada.post(`/api/messages/${questionId}/question/resolution`, { status: "cancelled" }));
    expect4xx("a resolution to an unknown status", await botClient.post(`/api/messages/${questionId}/question/resolution`, { status: "done" }));
    expect4xx("a resolution with a long note", await botClient.post(`/api/messages/${questionId}/question/resolution`, { status: "cancelled", note: "n".repeat(201) }));
    expect4xx("an open question resolved as answered without answers", await botClient.post(`/api/messages/${questionId}/question/resolution`, { status: "answered" }));
    expect4xx("questions of a person", await ada.get("/api/bots/self/questions"));
    expect4xx("questions by an unknown status", await botClient.get("/api/bots/self/questions?status=later"));
    // Administration: handing over to nobody, to oneself, to a bot; a log page out of range or of an unknown action; deleting what must stay.
    const transfer = `/api/workspaces/${team.workspace.id}/transfer-ownership`;
    expect4xx("a transfer to nobody", await ada.post(transfer, { user_id: "usr_00000000000000000000000000" }));
    expect4xx("a transfer to oneself", await ada.post(transfer, { user_id: team.users[0]!.id }));
    expect4xx("a transfer to someone of another workspace", await ada.post(transfer, { user_id: foreign.user }));
    expect4xx("a transfer with an empty id", await ada.post(transfer, { user_id: "" }));
    expect4xx("the audit log with limit 0", await ada.get(`/api/workspaces/${team.workspace.id}/audit-log?limit=0`));
    expect4xx("the audit log with limit 201", await ada.get(`/api/workspaces/${team.workspace.id}/audit-log?limit=201`));
    expect4xx("the audit log of an unknown action", await ada.get(`/api/workspaces/${team.workspace.id}/audit-log?action=everything`));
    expect4xx("deleting the last public channel", await ada.delete(`/api/channels/${team.general.id}`));
    expect4xx("deleting #guest", await ada.delete(`/api/channels/${team.guest.id}`));
    const accounts = `/api/workspaces/${team.workspace.id}/connected-accounts`;
    expect4xx("a connected account of an unnamed provider", await ada.post(accounts, { user_id: team.users[0]!.id, provider: "9 lives", provider_account_id: "1" }));
    expect4xx("a connected account with a blank account id", await ada.post(accounts, { user_id: team.users[0]!.id, provider: "github", provider_account_id: "   " }));
    expect4xx("a connected account for someone outside", await ada.post(accounts, { user_id: foreign.user, provider: "github", provider_account_id: "1" }));
    expect4xx("a connected account with huge metadata", await ada.post(accounts, { user_id: team.users[0]!.id, provider: "github", provider_account_id: "1", metadata: { blob: "x".repeat(20_000) } }));

    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(120);
    expect(await digest()).toBe(before);
  }, 60_000);
});
