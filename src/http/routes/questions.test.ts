// Questions through the real server, on each store: a bot asks with a card, people answer once,
// the bot hears question.submitted and resolves; every broken rule is a 4xx with its own code.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { client, seedTeam, startTestServer, Subscription, type Client, type TestServer } from "../../testing/harness.ts";
import { forEachStore } from "../../testing/stores.ts";

const inAMinute = () => new Date(Date.now() + 60_000).toISOString();
const card = (extra: Record<string, unknown> = {}) => ({
  title: "Deploy?",
  items: [{ id: "deploy", header: "Deploy", prompt: "Ship build 42?", options: [{ label: "Ship it" }, { label: "Wait", description: "until Monday" }] }],
  expires_at: inAMinute(),
  ...extra,
});

forEachStore((store) => {
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;
  let bot: Client;
  let botId: string;
  let botToken: string;
  beforeAll(async () => {
    server = await startTestServer(["--no-limits"], { store });
    team = await seedTeam(server);
    const made = await team.clients[0]!.post(`/api/workspaces/${team.workspace.id}/bots`, { display_name: "Asker", handle: "asker", scopes: ["bot:write"] });
    botId = made.body.bot.id;
    botToken = made.body.bot_token.token;
    bot = client(server.url, { token: botToken });
  });
  afterAll(() => server.close());

  const ask = async (extra: Record<string, unknown> = {}, body = "Shall I deploy?") => {
    const r = await bot.post(`/api/channels/${team.general.id}/messages`, { body, question: card(extra) });
    expect(r.status).toBe(201);
    return r.body.message;
  };
  const answer = (who: number, id: string, body: Record<string, unknown>) => team.clients[who]!.post(`/api/messages/${id}/question/answers`, body);

  describe("asking", () => {
    test("the question is stored with the message and comes back everywhere the message does", async () => {
      const msg = await ask();
      expect(msg.question).toMatchObject({ message_id: msg.id, status: "open", version: 1, title: "Deploy?" });
      expect(msg.question.items[0].options).toEqual([{ label: "Ship it" }, { label: "Wait", description: "until Monday" }]);
      const got = await team.clients[1]!.get(`/api/messages/${msg.id}`);
      expect(got.body.message.question.status).toBe("open");
      const page = await team.clients[1]!.get(`/api/channels/${team.general.id}/messages?mode=latest`);
      expect(page.body.messages.find((m: any) => m.id === msg.id).question.version).toBe(1);
      // A plain message has no question key at all (omitted, not null).
      const plain = await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: "hi" });
      expect("question" in plain.body.message).toBe(false);
    });

    test("people cannot attach questions; bad cards get 400 with a code", async () => {
      const human = await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: "q", question: card() });
      expect([human.status, human.body.code]).toEqual([403, "question_forbidden"]);
      const bad = async (q: Record<string, unknown>) => {
        const r = await bot.post(`/api/channels/${team.general.id}/messages`, { body: "q", question: q });
        return [r.status, r.body.code];
      };
      const item = { id: "a", header: "H", prompt: "P" };
      expect(await bad({ items: [] })).toEqual([400, "invalid_question"]);
      expect(await bad({ items: Array.from({ length: 6 }, (_, i) => ({ ...item, id: `a${i}` })) })).toEqual([400, "invalid_question"]);
      expect(await bad({ items: [{ ...item, id: "Bad-Id" }] })).toEqual([400, "invalid_question"]);
      expect(await bad({ items: [{ ...item, header: "x".repeat(25) }] })).toEqual([400, "invalid_question"]);
      expect(await bad({ items: [{ ...item, multi_select: true, options: [{ label: "one" }] }] })).toEqual([400, "invalid_question"]);
      expect(await bad({ items: [item, item] })).toEqual([400, "invalid_question"]);
      expect(await bad({ items: [item], expires_at: new Date(Date.now() + 5_000).toISOString() })).toEqual([400, "invalid_question_expiry"]);
      expect(await bad({ items: [item], expires_at: new Date(Date.now() + 8 * 86400_000).toISOString() })).toEqual([400, "invalid_question_expiry"]);
      expect(await bad({ items: [item], expires_at: "tomorrow" })).toEqual([400, "invalid_question_expiry"]);
      expect(await bad({ items: [item], responder_user_ids: ["usr_nobody"] })).toEqual([400, "invalid_responders"]);
      expect(await bad({ items: [item], responder_user_ids: [botId] })).toEqual([400, "invalid_responders"]);
      const activity = await bot.post(`/api/channels/${team.general.id}/messages`, { body: "q", kind: "agent_tool", question: card() });
      expect(activity.status).toBeGreaterThanOrEqual(400);
      expect(activity.status).toBeLessThan(500);
    });

    test("a nonce retry with the same card replays; another card under the nonce is 409", async () => {
      const q = card();
      const first = await bot.post(`/api/channels/${team.general.id}/messages`, { body: "n", nonce: "ask-1", question: q });
      const again = await bot.post(`/api/channels/${team.general.id}/messages`, { body: "n", nonce: "ask-1", question: q });
      expect([first.status, again.status]).toEqual([201, 200]);
      expect(again.body.message.question.message_id).toBe(first.body.message.id);
      const other = await bot.post(`/api/channels/${team.general.id}/messages`, { body: "n", nonce: "ask-1", question: { ...q, title: "Other" } });
      expect(other.status).toBe(409);
    });
  });

  describe("answering", () => {
    test("the first valid answer wins; the bot hears question.submitted, everyone message.updated", async () => {
      const msg = await ask();
      const botSocket = new Subscription(server.url, { workspaceId: team.workspace.id, token: botToken });
      const cySocket = new Subscription(server.url, { workspaceId: team.workspace.id, userId: team.users[2]!.id });
      await Promise.all([botSocket.opened, cySocket.opened]);
      const r = await answer(1, msg.id, { answers: { deploy: ["Ship it"] }, expected_version: 1 });
      expect(r.status).toBe(200);
      expect(r.headers.get("x-clickclack-questions")).toBe("supported");
      expect(r.body.question).toMatchObject({ status: "submitted", version: 2, response: { answers: { deploy: ["Ship it"] }, answered_by: team.users[1]!.id, source: "web" } });
      expect(r.body.events.map((e: any) => e.type)).toEqual(["question.submitted", "message.updated"]);
      const events = await botSocket.until((es) => es.some((e) => e.type === "question.submitted"));
      const submitted = events.find((e) => e.type === "question.submitted")!;
      expect(submitted.payload).toMatchObject({ message_id: msg.id, answers: { deploy: ["Ship it"] }, answered_by: team.users[1]!.id, version: 2 });
      await cySocket.until((es) => es.some((e) => e.type === "message.updated" && e.payload.message_id === msg.id));
      // The answer is the bot's: other people see the card move, not the question.submitted event.
      expect(cySocket.events.some((e) => e.type === "question.submitted")).toBe(false);
      botSocket.close();
      cySocket.close();

      const second = await answer(2, msg.id, { answers: { deploy: ["Wait"] } });
      expect([second.status, second.body.code]).toEqual([409, "question_closed"]);
    });

    test("concurrent answers: exactly one wins, the rest get 409", async () => {
      const msg = await ask();
      const results = await Promise.all([0, 1, 2, 1, 2, 0].map((who, i) => answer(who, msg.id, { answers: { deploy: [i % 2 ? "Ship it" : "Wait"] } })));
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 409)).toHaveLength(5);
      const events = await server.store.events.replayAfter(team.workspace.id, null, 5000);
      expect(events.events.filter((e) => e.type === "question.submitted" && e.payload.message_id === msg.id)).toHaveLength(1);
    });

    test("expected_version, nonce replay, bad answers, responders and expiry", async () => {
      const msg = await ask({ responder_user_ids: [team.users[1]!.id] });
      const stale = await answer(1, msg.id, { answers: { deploy: ["Wait"] }, expected_version: 7 });
      expect([stale.status, stale.body.code]).toEqual([409, "version_conflict"]);
      const outsider = await answer(2, msg.id, { answers: { deploy: ["Wait"] } });
      expect([outsider.status, outsider.body.code]).toEqual([403, "not_a_responder"]);
      for (const answers of [{}, { deploy: [] }, { deploy: ["Nope"] }, { deploy: ["Wait", "Ship it"] }, { other: ["x"] }, { deploy: [""] }]) {
        const r = await answer(1, msg.id, { answers });
        expect({ answers, status: r.status, code: r.body.code }).toEqual({ answers, status: 400, code: "invalid_answer" });
      }
      const ok = await answer(1, msg.id, { answers: { deploy: ["Wait"] }, nonce: "tap-1" });
      const replay = await answer(1, msg.id, { answers: { deploy: ["Wait"] }, nonce: "tap-1" });
      expect([ok.status, replay.status]).toEqual([200, 200]);
      expect(replay.body.events).toEqual([]);
      expect(replay.body.question.version).toBe(ok.body.question.version);
      const reused = await answer(1, msg.id, { answers: { deploy: ["Ship it"] }, nonce: "tap-1" });
      expect([reused.status, reused.body.code]).toEqual([409, "nonce_conflict"]);
      // Bots do not answer.
      const byBot = await bot.post(`/api/messages/${msg.id}/question/answers`, { answers: { deploy: ["Wait"] } });
      expect(byBot.status).toBe(403);
      const none = await answer(1, (await team.clients[0]!.post(`/api/channels/${team.general.id}/messages`, { body: "plain" })).body.message.id, { answers: { deploy: ["Wait"] } });
      expect(none.status).toBe(404);
    });

    test("multi-select and other: several labels plus one typed answer", async () => {
      const msg = await ask({
        items: [
          { id: "envs", header: "Where", prompt: "Which?", options: [{ label: "eu" }, { label: "us" }, { label: "ap" }], multi_select: true, allow_other: true, other_placeholder: "another region" },
          { id: "why", header: "Why", prompt: "Say why" },
        ],
      });
      const r = await answer(2, msg.id, { answers: { envs: ["eu", "ap", "mars"], why: ["because"] } });
      expect(r.status).toBe(200);
      expect(r.body.question.response.answers).toEqual({ envs: ["eu", "ap", "mars"], why: ["because"] });
    });
  });

  describe("resolving and reconciling", () => {
    test("the asking bot resolves; others cannot; resolving twice is a no-op", async () => {
      const msg = await ask({ external_id: "job-7" });
      await answer(1, msg.id, { answers: { deploy: ["Ship it"] } });
      const byPerson = await team.clients[0]!.post(`/api/messages/${msg.id}/question/resolution`, { status: "answered" });
      expect([byPerson.status, byPerson.body.code]).toEqual([403, "not_the_asker"]);
      const done = await bot.post(`/api/messages/${msg.id}/question/resolution`, { status: "answered", note: "deploying", expected_version: 2 });
      expect(done.status).toBe(200);
      expect(done.body.question).toMatchObject({ status: "answered", version: 3, resolution_note: "deploying" });
      expect(done.body.event.type).toBe("message.updated");
      const again = await bot.post(`/api/messages/${msg.id}/question/resolution`, { status: "answered" });
      expect(again.status).toBe(200);
      expect(again.body.event).toBeUndefined();
      const late = await bot.post(`/api/messages/${msg.id}/question/resolution`, { status: "cancelled" });
      expect([late.status, late.body.code]).toEqual([409, "question_closed"]);
      const longNote = await bot.post(`/api/messages/${(await ask()).id}/question/resolution`, { status: "cancelled", note: "x".repeat(201) });
      expect([longNote.status, longNote.body.code]).toEqual([400, "invalid_note"]);
    });

    test("an open question is cancelled, or answered with the answer given elsewhere", async () => {
      const a = await ask();
      const cancelled = await bot.post(`/api/messages/${a.id}/question/resolution`, { status: "cancelled" });
      expect(cancelled.body.question.status).toBe("cancelled");
      expect((await answer(1, a.id, { answers: { deploy: ["Wait"] } })).status).toBe(409);
      const b = await ask();
      const bare = await bot.post(`/api/messages/${b.id}/question/resolution`, { status: "answered" });
      expect([bare.status, bare.body.code]).toEqual([400, "invalid_answer"]);
      const external = await bot.post(`/api/messages/${b.id}/question/resolution`, { status: "answered", answers: { deploy: ["Wait"] } });
      expect(external.body.question.response).toMatchObject({ answers: { deploy: ["Wait"] }, source: "external" });
    });

    test("GET /api/bots/self/questions pages the bot's questions and filters them", async () => {
      const all: any[] = [];
      let cursor: string | null = null;
      do {
        const r: any = await bot.get(`/api/bots/self/questions?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
        expect(r.status).toBe(200);
        all.push(...r.body.questions);
        cursor = r.body.next_cursor;
      } while (cursor);
      expect(all.length).toBeGreaterThan(5);
      expect(new Set(all.map((q) => q.message_id)).size).toBe(all.length);
      expect(all[0]).toMatchObject({ workspace_id: team.workspace.id, channel_id: team.general.id });
      const pending = (await bot.get("/api/bots/self/questions?status=pending")).body.questions;
      expect(pending.every((q: any) => q.status === "open" || q.status === "submitted")).toBe(true);
      const since = new Date(Date.now() - 1000).toISOString();
      const fresh = await ask();
      const changed = (await bot.get(`/api/bots/self/questions?updated_after=${encodeURIComponent(since)}`)).body.questions;
      expect(changed.map((q: any) => q.message_id)).toContain(fresh.id);
      expect((await team.clients[0]!.get("/api/bots/self/questions")).status).toBe(403);
      expect((await bot.get("/api/bots/self/questions?status=bogus")).status).toBe(400);
    });
  });
});
