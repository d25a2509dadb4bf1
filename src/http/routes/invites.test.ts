// Invite links through the real server: managers hand them out; a signed-in person joins; a new
// person joins with a name of their own (no mail) or through a mailed sign-in link (with mail);
// expired, revoked and used-up links say so.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeSmtp } from "../../testing/fake-smtp.ts";
import { client, startTestServer, type TestServer } from "../../testing/harness.ts";
import { forEachStore } from "../../testing/stores.ts";

async function team(server: TestServer) {
  const s = server.store;
  const tag = Math.random().toString(36).slice(2, 7);
  const [owner, member, outsider] = await Promise.all(["own", "mem", "out"].map((n) => s.users.create({ kind: "human", displayName: n, handle: `${n}${tag}` })));
  const { workspace } = await s.workspaces.create({ name: `Crew ${tag}`, ownerId: owner!.id });
  await s.workspaces.addMember(workspace.id, member!.id, "member");
  const as = async (u: { id: string }) => client(server.url, { token: (await s.identity.createSession(u.id, 3_600_000)).token });
  return { workspace, owner: owner!, member: member!, outsider: outsider!, ownerApi: await as(owner!), memberApi: await as(member!), outsiderApi: await as(outsider!) };
}

forEachStore((store) => {
  describe("invites without mail delivery", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(["--public-url", "http://chat.example.test"], { dev: false, store });
    });
    afterAll(() => server.close());

    test("a manager creates, lists and revokes; members and bots may not", async () => {
      const t = await team(server);
      const made = await t.ownerApi.post(`/api/workspaces/${t.workspace.id}/invites`, { role: "guest", expires_in_hours: 24, max_uses: 5 });
      expect(made.status).toBe(201);
      expect(made.body.invite).toMatchObject({ role: "guest", max_uses: 5, uses: 0, uses_left: 5, status: "active" });
      expect(made.body.url).toBe(`http://chat.example.test/app/invite#token=${encodeURIComponent(made.body.token)}`);
      const listed = await t.ownerApi.get(`/api/workspaces/${t.workspace.id}/invites`);
      expect(listed.body.invites.map((i: any) => i.id)).toEqual([made.body.invite.id]);
      expect(JSON.stringify(listed.body)).not.toContain(made.body.token);
      expect((await t.memberApi.post(`/api/workspaces/${t.workspace.id}/invites`, {})).status).toBe(403);
      expect((await t.memberApi.get(`/api/workspaces/${t.workspace.id}/invites`)).status).toBe(403);
      expect((await t.outsiderApi.get(`/api/workspaces/${t.workspace.id}/invites`)).status).toBe(403);
      const revoked = await t.ownerApi.delete(`/api/workspaces/${t.workspace.id}/invites/${made.body.invite.id}`);
      expect(revoked.body.invite.status).toBe("revoked");
      const preview = await client(server.url).post("/api/invites/preview", { token: made.body.token });
      expect(preview.body.invite).toMatchObject({ status: "revoked", role: "guest", workspace: { id: t.workspace.id }, email_sign_in: false });
      const refused = await client(server.url).post("/api/invites/accept", { token: made.body.token, display_name: "Late" });
      expect([refused.status, refused.body.code]).toEqual([410, "invite_revoked"]);
      // An invite of another workspace cannot be revoked through this one.
      const other = await team(server);
      const foreign = await other.ownerApi.post(`/api/workspaces/${other.workspace.id}/invites`, {});
      expect((await t.ownerApi.delete(`/api/workspaces/${t.workspace.id}/invites/${foreign.body.invite.id}`)).status).toBe(404);
    });

    test("a new person chooses a name and is signed in and joined; a signed-in person joins; nobody joins twice", async () => {
      const t = await team(server);
      const { token } = (await t.ownerApi.post(`/api/workspaces/${t.workspace.id}/invites`, { max_uses: 2 })).body;
      const anon = client(server.url);
      const preview = await anon.post("/api/invites/preview", { token });
      expect(preview.body.invite).toMatchObject({ status: "active", role: "member", uses_left: 2, workspace: { name: t.workspace.name } });
      expect((await anon.post("/api/invites/accept", { token })).body.code).toBe("display_name_required");
      const joined = await anon.post("/api/invites/accept", { token, display_name: "  Nia Newcomer " });
      expect(joined.status).toBe(201);
      expect(joined.body).toMatchObject({ workspace_id: t.workspace.id, role: "member", joined: true, created: true, user: { display_name: "Nia Newcomer" } });
      expect(joined.headers.get("set-cookie")).toContain("cc_session=");
      const nia = client(server.url, { token: joined.body.token });
      expect((await nia.get("/api/workspaces")).body.workspaces.map((w: any) => w.id)).toEqual([t.workspace.id]);
      // Signed in already: opening it again spends nothing.
      const again = await nia.post("/api/invites/accept", { token });
      expect([again.status, again.body.joined]).toEqual([200, false]);
      const outsider = await t.outsiderApi.post("/api/invites/accept", { token });
      expect([outsider.status, outsider.body.joined, outsider.body.role]).toEqual([200, true, "member"]);
      const full = await anon.post("/api/invites/accept", { token, display_name: "Third" });
      expect([full.status, full.body.code]).toEqual([410, "invite_used_up"]);
      expect((await t.ownerApi.get(`/api/workspaces/${t.workspace.id}/invites`)).body.invites[0]).toMatchObject({ uses: 2, uses_left: 0, status: "used_up" });
    });

    test("expired and unknown links say so; bots cannot use links; mail-only routes answer 501", async () => {
      const t = await team(server);
      const { token, invite } = (await t.ownerApi.post(`/api/workspaces/${t.workspace.id}/invites`, { expires_in_hours: 1 })).body;
      expect((await client(server.url).post("/api/invites/accept", { token: "inv_nothing", display_name: "X" })).body.code).toBe("invite_not_found");
      expect((await client(server.url).post("/api/invites/preview", { token: "inv_nothing" })).status).toBe(404);
      const bot = await server.store.bots.create({ workspaceId: t.workspace.id, displayName: "Joiner" });
      const botToken = (await server.store.bots.mintToken({ botUserId: bot.id, workspaceId: t.workspace.id, name: "x", scopes: ["bot:write"] })).token;
      expect((await client(server.url, { token: botToken }).post("/api/invites/accept", { token })).body.code).toBe("bot_forbidden");
      expect((await client(server.url).post("/api/invites/email", { token, email: "x@example.test" })).status).toBe(501);
      expect((await t.ownerApi.post(`/api/workspaces/${t.workspace.id}/invites`, { email: "x@example.test" })).status).toBe(501);
      // Time passes (the row's expiry moved into the past, as the clock would).
      const { sql } = await import("drizzle-orm");
      const s = server.store as any;
      const past = new Date(Date.now() - 1000).toISOString();
      if (s.dialect === "sqlite") s.raw.query("UPDATE invites SET expires_at = ? WHERE id = ?").run(past, invite.id);
      else await s.db.execute(sql`UPDATE invites SET expires_at = ${past} WHERE id = ${invite.id}`);
      const expired = await client(server.url).post("/api/invites/accept", { token, display_name: "Slow" });
      expect([expired.status, expired.body.code]).toEqual([410, "invite_expired"]);
    });
  });
});

describe("invites with mail delivery", () => {
  let smtp: Awaited<ReturnType<typeof startFakeSmtp>>;
  let server: TestServer;
  beforeAll(async () => {
    smtp = await startFakeSmtp();
    server = await startTestServer(["--smtp-url", smtp.url, "--mail-from", "ClickClack <chat@example.test>", "--public-url", "http://chat.example.test"], { dev: false });
  });
  afterAll(async () => {
    await server.close();
    await smtp.close();
  });

  test("a new person enters their email, the mailed link signs them in, and the invite joins them", async () => {
    const t = await team(server);
    const { token } = (await t.ownerApi.post(`/api/workspaces/${t.workspace.id}/invites`, { max_uses: 1 })).body;
    const anon = client(server.url);
    expect((await anon.post("/api/invites/preview", { token })).body.invite.email_sign_in).toBe(true);
    // The link alone does not make an account when addresses can be checked.
    expect((await anon.post("/api/invites/accept", { token, display_name: "Sneaky" })).body.code).toBe("email_sign_in_required");
    expect((await anon.post("/api/invites/email", { token, email: "New.Person@Example.test" })).status).toBe(202);
    const mail = await smtp.mailTo("new.person@example.test");
    expect(mail.subject).toContain(t.workspace.name);
    const link = /http:\/\/chat\.example\.test\/app\/invite#token=([\w%-]+)&magic=([\w%-]+)/.exec(mail.text);
    expect(link).not.toBeNull();
    expect(mail.html).toContain(`href="${link![0].replace("&", "&#38;")}"`);
    expect(decodeURIComponent(link![1]!)).toBe(token);
    const signedIn = await anon.post("/api/auth/magic/consume", { token: decodeURIComponent(link![2]!) });
    expect(signedIn.status).toBe(200);
    const person = client(server.url, { token: signedIn.body.token });
    const joined = await person.post("/api/invites/accept", { token });
    expect(joined.body).toMatchObject({ joined: true, role: "member", workspace_id: t.workspace.id });
    // Used up now: asking for another sign-in link through it says so.
    expect((await anon.post("/api/invites/email", { token, email: "other@example.test" })).body.code).toBe("invite_used_up");
  });

  test("an invite made for an address is mailed there, in plain text and HTML", async () => {
    const t = await team(server);
    const made = await t.ownerApi.post(`/api/workspaces/${t.workspace.id}/invites`, { email: "friend@example.test", expires_in_hours: 48 });
    expect(made.body.invite.email).toBe("friend@example.test");
    const mail = await smtp.mailTo("friend@example.test");
    expect(mail.subject).toBe(`own invited you to ${t.workspace.name} on ClickClack`);
    expect(mail.text).toContain(made.body.url);
    expect(mail.html).toContain(`href="${made.body.url.replace(/&/g, "&#38;")}"`);
  });
});
