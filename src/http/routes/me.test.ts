// Profiles: names and handles that cannot hide or reorder text or pose as a broadcast, and
// avatars that are pictures we keep (an upload of the person's), never a third party's URL.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { png } from "../../uploads/fixtures.ts";
import { client, seedTeam, startTestServer, type TestServer } from "../../testing/harness.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;
beforeAll(async () => {
  server = await startTestServer();
  team = await seedTeam(server);
});
afterAll(() => server.close());

describe("names and handles", () => {
  test("display names are NFC; control, invisible and text-direction characters are refused", async () => {
    const ada = team.clients[0]!;
    const decomposed = "Jose\u0301";
    const r = await ada.patch("/api/me", { display_name: decomposed });
    expect(r.status).toBe(200);
    expect(r.body.user.display_name).toBe("José".normalize("NFC"));
    expect(r.body.user.display_name).toHaveLength(4);
    for (const bad of ["ad\u200Bmin", "\u202Egnp.exe", "a\u2066b\u2069", "bell\u0007", "line\u2028break", "\u3164", "zero\uFEFFwidth", "tag\u{E0041}"]) {
      const res = await ada.patch("/api/me", { display_name: bad });
      expect({ bad, status: res.status, code: res.body.code }).toEqual({ bad, status: 400, code: "invalid_name" });
    }
    // Emoji sequences keep their joiner.
    expect((await ada.patch("/api/me", { display_name: "Ada 👩‍💻" })).status).toBe(200);
    // Bots are named by the same rule.
    const bot = await ada.post(`/api/workspaces/${team.workspace.id}/bots`, { display_name: "\u202Etob" });
    expect([bot.status, bot.body.code]).toEqual([400, "invalid_name"]);
  });

  test("broadcast words are never handles", async () => {
    const bob = team.clients[1]!;
    for (const word of ["here", "channel", "all", "everyone", "@All"]) {
      const r = await bob.patch("/api/me", { handle: word });
      expect({ word, status: r.status, code: r.body.code }).toEqual({ word, status: 400, code: "handle_reserved" });
    }
    const bot = await bob.post(`/api/workspaces/${team.workspace.id}/bots`, { display_name: "All", handle: "all" });
    expect([bot.status, bot.body.code]).toEqual([400, "handle_reserved"]);
  });
});

describe("avatars", () => {
  const uploadImage = async (c: ReturnType<typeof client>, bytes = png(8, 8)) => {
    const form = new FormData();
    form.append("file", new Blob([bytes]), "me.png");
    return (await c.post(`/api/uploads?workspace_id=${team.workspace.id}`, form)).body.upload;
  };

  test("a remote avatar URL is no longer stored", async () => {
    const r = await team.clients[0]!.patch("/api/me", { avatar_url: "https://tracker.example/pixel.png" });
    expect([r.status, r.body.code]).toEqual([400, "avatar_url_not_allowed"]);
    const bot = await team.clients[0]!.post(`/api/workspaces/${team.workspace.id}/bots`, { display_name: "Pic", avatar_url: "https://tracker.example/b.png" });
    expect([bot.status, bot.body.code]).toEqual([400, "avatar_url_not_allowed"]);
  });

  test("a remote avatar stored before is no longer shown to anyone", async () => {
    const old = await server.store.users.create({ kind: "human", displayName: "Old Timer", handle: "oldtimer", avatarUrl: "https://tracker.example/old.png" });
    const me = await client(server.url, { userId: old.id }).get("/api/me");
    expect(me.body.user.avatar_url).toBeNull();
  });

  test("an uploaded image becomes the avatar, served by us to anyone signed in", async () => {
    const [ada, bob] = team.clients;
    const upload = await uploadImage(ada!);
    const r = await ada!.patch("/api/me", { avatar_upload_id: upload.id });
    expect(r.status).toBe(200);
    expect(r.body.user.avatar_url).toBe(`/api/users/${team.users[0]!.id}/avatar?v=${upload.id}`);
    const seen = await bob!.get(r.body.user.avatar_url);
    expect(seen.status).toBe(200);
    expect(seen.headers.get("content-type")).toBe("image/png");
    // Sending the stored value back (a client saving its whole profile) changes nothing.
    expect((await ada!.patch("/api/me", { avatar_url: r.body.user.avatar_url, display_name: "Ada" })).status).toBe(200);
    // Clearing it.
    const cleared = await ada!.patch("/api/me", { avatar_upload_id: null });
    expect(cleared.body.user.avatar_url).toBeNull();
    expect((await bob!.get(`/api/users/${team.users[0]!.id}/avatar?v=${upload.id}`)).status).toBe(404);
  });

  test("a workspace icon is an image uploaded to the workspace, not a remote URL", async () => {
    const owner = team.clients[0]!;
    const path = `/api/workspaces/${team.workspace.id}`;
    const remote = await owner.patch(path, { icon_url: "https://tracker.example/icon.png" });
    expect([remote.status, remote.body.code]).toEqual([400, "icon_url_not_allowed"]);
    const image = await uploadImage(owner);
    const ok = await owner.patch(path, { icon_url: image.url });
    expect([ok.status, ok.body.workspace.icon_url]).toEqual([200, image.url]);
  });

  test("only your own image uploads: not someone else's, not a document", async () => {
    const [ada, bob] = team.clients;
    const adas = await uploadImage(ada!);
    const stolen = await bob!.patch("/api/me", { avatar_upload_id: adas.id });
    expect([stolen.status, stolen.body.code]).toEqual([403, "upload_not_owned"]);
    const form = new FormData();
    form.append("file", new Blob(["<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"]), "x.svg");
    const svg = (await bob!.post(`/api/uploads?workspace_id=${team.workspace.id}`, form)).body.upload;
    const r = await bob!.patch("/api/me", { avatar_upload_id: svg.id });
    expect([r.status, r.body.code]).toEqual([400, "invalid_avatar"]);
  });
});
