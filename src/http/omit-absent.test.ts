// The Go server omits absent optional fields (omitempty); a bot checking
// `m.edited_at !== undefined` must work here too. This walks every GET route of the OpenAPI
// document with real ids, and the responses of the common writes, and fails on any null where the
// schema makes the key optional. Runs on each store.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { seedTeam, startTestServer, type Client, type TestServer } from "../testing/harness.ts";
import { forEachStore } from "../testing/stores.ts";
import { optionalNulls } from "./omit-absent.ts";

function deref(doc: any, schema: any, seen = new Set<any>()): any {
  if (!schema || typeof schema !== "object" || seen.has(schema)) return schema;
  if (schema.$ref) return deref(doc, doc.components?.schemas?.[String(schema.$ref).split("/").pop()!], seen);
  seen.add(schema);
  const out: any = Array.isArray(schema) ? [] : {};
  for (const [k, v] of Object.entries(schema)) out[k] = deref(doc, v, seen);
  seen.delete(schema);
  return out;
}

forEachStore((store) => {
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;
  let doc: any;
  const ids: Record<string, string> = {};
  const seen: { method: string; path: string; status: number; body: unknown }[] = [];

  /** Calls a route by its OpenAPI path template, recording the response. */
  async function call(c: Client, method: string, template: string, concrete: string, body?: unknown) {
    const r = await c.call(method, concrete, body);
    seen.push({ method, path: template, status: r.status, body: r.body });
    return r;
  }

  beforeAll(async () => {
    server = await startTestServer([], { store });
    team = await seedTeam(server);
    doc = (await team.clients[0]!.get("/openapi/json")).body;
    const [ada, bob] = team.clients as [Client, Client];
    const ch = team.general.id;
    const root = await call(ada, "POST", "/api/channels/{id}/messages", `/api/channels/${ch}/messages`, { body: "plain, unedited" });
    ids.message = root.body.message.id;
    await call(bob, "POST", "/api/messages/{id}/thread/replies", `/api/messages/${ids.message}/thread/replies`, { body: "a reply" });
    await call(bob, "POST", "/api/messages/{id}/reactions", `/api/messages/${ids.message}/reactions`, { emoji: "👍" });
    await call(ada, "POST", "/api/channels/{id}/pins", `/api/channels/${ch}/pins`, { message_id: ids.message });
    await call(ada, "POST", "/api/channels/{id}/read", `/api/channels/${ch}/read`, {});
    const dm = await call(ada, "POST", "/api/dms", "/api/dms", { workspace_id: team.workspace.id, member_ids: [team.users[1]!.id] });
    ids.dm = dm.body.conversation.id;
    await call(ada, "POST", "/api/dms/{id}/messages", `/api/dms/${ids.dm}/messages`, { body: "psst" });
    await call(ada, "POST", "/api/workspaces/{id}/channels", `/api/workspaces/${team.workspace.id}/channels`, { name: "random" });
    const bot = await call(ada, "POST", "/api/workspaces/{id}/bots", `/api/workspaces/${team.workspace.id}/bots`, { display_name: "Helper", handle: "helper" });
    ids.bot = bot.body.bot.id;
    await call(ada, "POST", "/api/workspaces/{id}/bots/{bot_user_id}/tokens", `/api/workspaces/${team.workspace.id}/bots/${ids.bot}/tokens`, { token_name: "t" });
    await call(ada, "PATCH", "/api/workspaces/{id}", `/api/workspaces/${team.workspace.id}`, { name: "Team Two" });
    await call(ada, "POST", "/api/workspaces/{id}/topics", `/api/workspaces/${team.workspace.id}/topics`, { name: "later" });
  });
  afterAll(() => server.close());

  test("no response carries null for a key its schema makes optional", async () => {
    const ada = team.clients[0]!;
    const value: Record<string, string> = { workspace_id: team.workspace.id, message_id: ids.message!, bot_user_id: ids.bot!, user_id: team.users[1]!.id };
    const idFor = (path: string) => (path.startsWith("/api/workspaces/") ? team.workspace.id : path.startsWith("/api/channels/") ? team.general.id : path.startsWith("/api/messages/") ? ids.message! : path.startsWith("/api/dms/") ? ids.dm! : "");
    const query: Record<string, string> = {
      "/api/messages/by-nonce": `?workspace_id=${team.workspace.id}&nonce=none`,
      "/api/realtime/events": `?workspace_id=${team.workspace.id}`,
      "/api/search": `?workspace_id=${team.workspace.id}&q=plain`,
      "/api/dms": `?workspace_id=${team.workspace.id}`,
    };
    let walked = 0;
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      if (!path.startsWith("/api/") || !ops.get || path.includes("/realtime/ws") || path.includes("/auth/github") || path.includes("/routes/") || path.includes("/uploads/")) continue;
      const concrete = path.replace(/\{(\w+)\}/g, (_, p: string) => (p === "id" ? idFor(path) : value[p] ?? "x")) + (query[path] ?? "");
      const r = await call(ada, "GET", path, concrete);
      if (r.status < 300) walked++;
    }
    expect(walked).toBeGreaterThan(15);

    const problems: string[] = [];
    for (const r of seen) {
      const schema = deref(doc, doc.paths[r.path]?.[r.method.toLowerCase()]?.responses?.[r.status]?.content?.["application/json"]?.schema);
      if (r.status >= 300) continue;
      if (!schema) problems.push(`${r.method} ${r.path} ${r.status}: no schema`);
      for (const p of optionalNulls(schema, r.body)) problems.push(`${r.method} ${r.path}: ${p} is null`);
    }
    expect(problems).toEqual([]);
  });

  test("an unedited message has no edited_at key, and strings the original always sends are strings", async () => {
    const ada = team.clients[0]!;
    const m = (await ada.get(`/api/messages/${ids.message}`)).body.message;
    expect("edited_at" in m).toBe(false);
    expect("deleted_at" in m).toBe(false);
    expect("parent_message_id" in m).toBe(false);
    expect("direct_conversation_id" in m).toBe(false);
    expect(m.author?.avatar_url).toBe("");
    const w = (await ada.get(`/api/workspaces/${team.workspace.id}`)).body.workspace;
    expect(w.icon_url).toBe("");
    const page = (await ada.get(`/api/realtime/events?workspace_id=${team.workspace.id}`)).body;
    const dmEvent = page.events.find((e: any) => e.payload.direct_conversation_id);
    expect(dmEvent && "channel_id" in dmEvent).toBe(false);
  });
});
