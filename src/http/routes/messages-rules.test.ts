// The message rules that bound what one person can make everyone else load: what a reaction
// may be and how many kinds a message holds, one body limit for posts and edits, and deleted
// words gone from the row, from quotes of it and from the export.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { exportData } from "../../cli/ops.ts";
import { LIMITS } from "../../chat/rules.ts";
import { seedTeam, startTestServer, type TestServer } from "../../testing/harness.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;
beforeAll(async () => {
  server = await startTestServer(["--no-limits"]);
  team = await seedTeam(server);
});
afterAll(() => server.close());

const post = async (body: string, extra: Record<string, unknown> = {}) =>
  (await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body, ...extra })).body.message;

describe("reactions", () => {
  test("one emoji (skin tones, flags, ZWJ sequences) or a known :shortcode:, nothing else", async () => {
    const msg = await post("react to me");
    const react = (emoji: string) => team.clients[1]!.post(`/api/messages/${msg.id}/reactions`, { emoji });
    for (const ok of ["👍", "👍🏽", "🇫🇷", "👩‍💻", "❤", "❤️", "1️⃣", ":thumbsup:", ":+1:", ":tada:"]) expect({ ok, status: (await react(ok)).status }).toEqual({ ok, status: 201 });
    for (const bad of ["lol", "👍👍", "👍 and text", ":not_a_real_shortcode_xyz:", "a", "<b>", "👍\u200b", " "]) {
      const r = await react(bad);
      expect({ bad, status: r.status, code: r.body.code }).toEqual({ bad, status: 400, code: "invalid_emoji" });
    }
  });

  test(`a message holds at most ${LIMITS.reactionsPerMessage} different reactions; existing ones can still be added to`, async () => {
    const msg = await post("popular");
    const shortcodes = ["smile", "tada", "rocket", "eyes", "fire", "heart", "star", "sparkles", "wave", "clap", "pray", "muscle", "100", "ok_hand", "thinking", "joy", "sob", "sunglasses", "heart_eyes", "wink",
      "cry", "angry", "laughing", "grin", "sweat_smile", "rofl", "upside_down_face", "relieved", "yum", "sleeping", "zap", "boom", "snowflake", "sun_with_face", "moon", "rainbow", "coffee", "pizza", "beer", "cake",
      "gift", "trophy", "soccer", "basketball", "car", "airplane", "house", "computer", "bulb", "lock", "key", "bell"];
    const results = [];
    for (const code of shortcodes) results.push((await team.clients[1]!.post(`/api/messages/${msg.id}/reactions`, { emoji: `:${code}:` })).status);
    expect(results.filter((s) => s === 201)).toHaveLength(LIMITS.reactionsPerMessage);
    const over = await team.clients[1]!.post(`/api/messages/${msg.id}/reactions`, { emoji: "👀" });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe("reaction_limit");
    // Joining a reaction that is already there is fine.
    expect((await team.clients[2]!.post(`/api/messages/${msg.id}/reactions`, { emoji: ":smile:" })).status).toBe(201);
  });
});

describe("bodies", () => {
  test("an edit is held to the same limit as a post", async () => {
    const msg = await post("short");
    const long = "x".repeat(LIMITS.bodyMaxChars + 1);
    const posted = await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: long });
    const edited = await team.clients[0]!.patch(`/api/messages/${msg.id}`, { body: long });
    expect([posted.status, posted.body.code]).toEqual([400, "body_too_long"]);
    expect([edited.status, edited.body.code]).toEqual([400, "body_too_long"]);
    expect((await team.clients[0]!.patch(`/api/messages/${msg.id}`, { body: "x".repeat(LIMITS.bodyMaxChars) })).status).toBe(200);
  });
});

describe("deleting", () => {
  test("clears the body and every quote of it, in the rows and in the export", async () => {
    const secret = `the launch code is ${crypto.randomUUID()}`;
    const original = await post(secret);
    const quoting = await post("quoting it", { quoted_message_id: original.id });
    expect(quoting.quoted_body_snapshot).toBe(secret);
    expect((await team.clients[0]!.delete(`/api/messages/${original.id}`)).status).toBe(200);

    const shown = (await team.clients[1]!.get(`/api/messages/${quoting.id}`)).body.message;
    expect(shown.quoted_body_snapshot).toBeNull();
    const db = new Database(server.dbPath, { readonly: true });
    const rows = db.query("SELECT body, quoted_body_snapshot FROM messages WHERE id IN (?, ?)").all(original.id, quoting.id);
    db.close();
    expect(JSON.stringify(rows)).not.toContain(secret);
    const out = join(server.dir, "export.json");
    await exportData(server.dbPath, out);
    expect(await Bun.file(out).text()).not.toContain(secret);
  });
});
