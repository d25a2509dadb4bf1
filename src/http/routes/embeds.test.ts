// The /embed/ pages through the real server: who may frame them (the configured sites, else
// nobody), while the app's own pages stay unframeable; and the status each caller gets.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { client, seedTeam, startTestServer, type TestServer } from "../../testing/harness.ts";

let server: TestServer;
let closed: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;
beforeAll(async () => {
  server = await startTestServer(["--embed-frame-ancestors", "https://intranet.example.com, https://*.example.org"]);
  team = await seedTeam(server, ["ada", "bob", "cy", "gus"]);
  await server.store.workspaces.addMember(team.workspace.id, team.users[3]!.id, "guest");
  // No dev mode, no configured sites: nobody is signed in by default and nobody may frame.
  closed = await startTestServer([], { dev: false });
});
afterAll(async () => {
  await server.close();
  await closed.close();
});

const page = (s: TestServer, path: string, userId?: string) => fetch(s.url + path, { headers: userId ? { "x-clickclack-user": userId } : {} });

describe("embed pages", () => {
  test("are framed by the configured sites only; the app and the API stay unframeable", async () => {
    const res = await page(server, `/embed/channel/${team.workspace.route_id}/${team.general.route_id}`, team.users[0]!.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/html");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors https://intranet.example.com https://*.example.org");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("x-frame-options")).toBeNull();
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
    for (const path of ["/app", `/app/c/${team.general.id}`, "/", "/api/me"]) {
      const other = await page(server, path, team.users[0]!.id);
      expect(other.headers.get("x-frame-options")).toBe("DENY");
      expect(other.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    }
    // Unset, embeds are framed by nobody; signed out, the page asks to sign in (401).
    const none = await page(closed, "/embed/channel/Tnope/Cnope");
    expect(none.status).toBe(401);
    expect(none.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(none.headers.get("x-frame-options")).toBeNull();
  });

  test("a channel or a thread opens for those who may read it; unknown and forbidden are the same 404", async () => {
    const [ada, bob] = team.clients;
    const [adaId, , cyId, gusId] = team.users.map((u) => u.id);
    const ws = team.workspace.route_id;
    const root = (await ada!.post(`/api/channels/${team.general.id}/messages`, { body: "root" })).body.message;
    const reply = (await bob!.post(`/api/messages/${root.id}/thread/replies`, { body: "reply" })).body.message;
    const secret = (await ada!.post(`/api/workspaces/${team.workspace.id}/channels`, { name: "secret-plans", private: true })).body.channel;
    const dm = (await ada!.post("/api/dms", { workspace_id: team.workspace.id, member_ids: [team.users[1]!.id] })).body.conversation;

    expect((await page(server, `/embed/channel/${ws}/${team.general.route_id}`, cyId)).status).toBe(200);
    expect((await page(server, `/embed/thread/${ws}/${root.route_id}`, cyId)).status).toBe(200);
    // A reply's link embeds its thread.
    expect((await page(server, `/embed/thread/${ws}/${reply.route_id}`, cyId)).status).toBe(200);
    expect((await page(server, `/embed/channel/${ws}/${secret.route_id}`, adaId)).status).toBe(200);

    const notAvailable = [
      [`/embed/channel/${ws}/Cnonsense`, adaId], // unknown
      [`/embed/channel/Tnonsense/${team.general.route_id}`, adaId], // unknown workspace
      [`/embed/channel/${ws}/${secret.route_id}`, cyId], // a private channel cy is not in
      [`/embed/channel/${ws}/${team.general.route_id}`, gusId], // a guest outside #general
      [`/embed/thread/${ws}/${root.route_id}`, gusId],
      [`/embed/channel/${ws}/${root.route_id}`, adaId], // a message is not a channel
      [`/embed/thread/${ws}/${team.general.route_id}`, adaId], // nor a channel a thread
      [`/embed/channel/${ws}/${dm.route_id}`, adaId], // DMs are not embedded
    ] as const;
    const unknown = await page(server, notAvailable[0][0], notAvailable[0][1]);
    const unknownBody = await unknown.text();
    for (const [path, who] of notAvailable) {
      const res = await page(server, path, who);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.headers.get("x-frame-options")).toBeNull();
      // The same page whatever the reason: nothing of the channel's name or content.
      const body = await res.text();
      expect(body).toBe(unknownBody);
      expect(body).not.toContain("secret-plans");
    }
  });
});
