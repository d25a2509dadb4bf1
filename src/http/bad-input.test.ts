// Every route in the OpenAPI document is sent malformed JSON, wrong types, missing fields, huge
// bodies, unknown ids and another workspace's ids. Each must answer 4xx with {error, code}, and
// every data table must hold the same rows afterwards. Runs on each store (src/testing/stores.ts).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { databaseDigest } from "../testing/db-inspect.ts";
import { seedTeam, startTestServer, type TestServer } from "../testing/harness.ts";
import { forEachStore } from "../testing/stores.ts";

forEachStore((store) => {
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;
  let foreign: { workspace: string; channel: string; message: string; dm: string; user: string };

  beforeAll(async () => {
    // Password sign-in on, so its routes check their input rather than answer 404 disabled.
    server = await startTestServer(["--password-auth"], { store });
    team = await seedTeam(server);
    // Another team the caller (ada) does not belong to.
    const other = await seedTeam(server, ["zed", "yan"]);
    const msg = await other.clients[0]!.post(`/api/channels/${other.general.id}/messages`, { body: "theirs" });
    const dm = await other.clients[0]!.post("/api/dms", { workspace_id: other.workspace.id, member_ids: [other.users[1]!.id] });
    foreign = { workspace: other.workspace.id, channel: other.general.id, message: msg.body.message.id, dm: dm.body.conversation.id, user: other.users[0]!.id };
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
    return foreign.workspace;
  }

  test("every route refuses bad input with a 4xx {error, code} and writes nothing", async () => {
    const doc = (await team.clients[0]!.get("/openapi/json")).body;
    const ada = team.clients[0]!;
    const before = await databaseDigest(server.store);
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
    expect4xx("followed threads with limit 0", await ada.get(`/api/workspaces/${team.workspace.id}/threads?limit=0`));
    expect4xx("a thread read with a negative seq", await ada.post(`/api/messages/${foreign.message}/thread/read`, { seq: -1 }));

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
    expect(await databaseDigest(server.store)).toBe(before);
  }, 60_000);
});
