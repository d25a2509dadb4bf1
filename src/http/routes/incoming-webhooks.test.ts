// Secret-URL incoming webhooks through the real server: managed by managers, posted to with
// Slack's and Mattermost's JSON or a payload= form, seen live by a subscriber.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { seedTeam, startTestServer, Subscription, type TestServer } from "../../testing/harness.ts";
import { forEachStore } from "../../testing/stores.ts";

setDefaultTimeout(60_000);

forEachStore((kind) => {
  describe("incoming webhooks", () => {
    let server: TestServer;
    let team: Awaited<ReturnType<typeof seedTeam>>;
    beforeAll(async () => {
      server = await startTestServer([], { store: kind });
      team = await seedTeam(server);
    });
    afterAll(() => server?.close());

    const hook = (url: string, body: string, contentType: string | null) =>
      fetch(url, { method: "POST", body, headers: contentType ? { "content-type": contentType } : {} });
    async function make(name = "CI") {
      const [ada] = team.clients;
      const r = await ada!.post(`/api/channels/${team.general.id}/incoming-webhooks`, { name });
      expect(r.status).toBe(201);
      return r.body.incoming_webhook as { id: string; url: string; bot_user_id: string; name: string };
    }

    test("a manager makes one (URL shown once); Slack and Mattermost JSON and a payload= form each post as its bot, with a badge, seen live", async () => {
      const [ada, bob] = team.clients;
      const sub = new Subscription(server.url, { workspaceId: team.workspace.id, userId: team.users[1]!.id });
      await sub.opened;
      const w = await make();
      expect(w.url).toStartWith(`${server.url}/api/hooks/incoming/${w.id}/ccw_`);
      const listed = await ada!.get(`/api/workspaces/${team.workspace.id}/incoming-webhooks`);
      expect(listed.body.incoming_webhooks.map((x: any) => [x.id, x.url])).toEqual([[w.id, undefined]]);
      expect((await ada!.get(`/api/channels/${team.general.id}/incoming-webhooks`)).body.incoming_webhooks).toHaveLength(1);
      // Members neither see nor make them.
      expect((await bob!.get(`/api/workspaces/${team.workspace.id}/incoming-webhooks`)).status).toBe(403);
      expect((await bob!.post(`/api/channels/${team.general.id}/incoming-webhooks`, { name: "mine" })).status).toBe(403);

      // Slack: text with mrkdwn links, attachments with colour, title link and fields.
      const slack = await hook(w.url, JSON.stringify({
        text: "Build <https://ci.example.com/7|#7> finished",
        attachments: [{ fallback: "passed", color: "good", pretext: "main", title: "Passed", title_link: "https://ci.example.com/7", text: "all green", fields: [{ title: "Duration", value: "42 s", short: true }] }],
      }), "application/json");
      expect(slack.status).toBe(200);
      const m1 = ((await slack.json()) as any).message;
      expect(m1.author_id).toBe(w.bot_user_id);
      expect(m1.posted_by_webhook).toEqual({ id: w.id, name: "CI" });
      expect(m1.body).toBe("Build [#7](https://ci.example.com/7) finished\n\nmain\n🟢 **[Passed](https://ci.example.com/7)**\nall green\n**Duration**: 42 s");

      // Mattermost: text, a username (a badge label, never a handle) and an icon_url (ignored).
      const mm = await hook(w.url, JSON.stringify({ text: "#### Deploy done", username: "@ada", icon_url: "https://example.com/i.png" }), "application/json");
      expect(mm.status).toBe(200);
      const m2 = ((await mm.json()) as any).message;
      expect(m2).toMatchObject({ body: "#### Deploy done", author_id: w.bot_user_id, posted_by_webhook: { id: w.id, name: "ada" } });
      expect(m2.author.handle).not.toBe("ada");

      // payload= as a form, and with no Content-Type at all.
      for (const type of ["application/x-www-form-urlencoded", "text/plain;charset=UTF-8", null]) {
        const r = await hook(w.url, `payload=${encodeURIComponent(JSON.stringify({ text: `form ${type ?? "bare"}` }))}`, type);
        expect(r.status).toBe(200);
        expect(((await r.json()) as any).message.body).toBe(`form ${type ?? "bare"}`);
      }

      // The subscriber heard each post; a reader sees the badge in the channel's page.
      const ids = [m1.id, m2.id];
      await sub.until((evs) => ids.every((id) => evs.some((e) => e.type === "message.created" && e.payload.message_id === id)));
      sub.close();
      const page = await bob!.get(`/api/channels/${team.general.id}/messages`);
      expect(page.body.messages.find((m: any) => m.id === m2.id).posted_by_webhook).toEqual({ id: w.id, name: "ada" });
      expect(page.body.messages.filter((m: any) => m.author_id !== w.bot_user_id).every((m: any) => m.posted_by_webhook === undefined)).toBe(true);
    });

    test("a wrong secret, an unknown id and a deleted webhook are the same 404; rotation retires the old URL", async () => {
      const [ada] = team.clients;
      const w = await make("Rotating");
      const body = JSON.stringify({ text: "hi" });
      const base = w.url.slice(0, w.url.lastIndexOf("/"));
      const misses = [await hook(`${base}/ccw_wrong`, body, "application/json"), await hook(`${server.url}/api/hooks/incoming/whk_missing/ccw_x`, body, "application/json")];
      const answers = await Promise.all(misses.map(async (r) => [r.status, await r.json()]));
      expect(answers[0]).toEqual(answers[1]!);
      expect(answers[0]![0]).toBe(404);
      const rotated = await ada!.post(`/api/incoming-webhooks/${w.id}/rotate-secret`, {});
      expect(rotated.status).toBe(200);
      expect(rotated.body.incoming_webhook.url).not.toBe(w.url);
      expect((await hook(w.url, body, "application/json")).status).toBe(404);
      expect((await hook(rotated.body.incoming_webhook.url, body, "application/json")).status).toBe(200);
      expect((await ada!.delete(`/api/incoming-webhooks/${w.id}`)).status).toBe(200);
      const gone = await hook(rotated.body.incoming_webhook.url, body, "application/json");
      expect([gone.status, await gone.json()]).toEqual(answers[0]!);
      expect((await ada!.delete(`/api/incoming-webhooks/${w.id}`)).status).toBe(404);
      expect((await ada!.post(`/api/incoming-webhooks/${w.id}/rotate-secret`, {})).status).toBe(404);
    });

    test("bad payloads are a clear 400; an archived channel is refused; nothing is posted", async () => {
      const [ada] = team.clients;
      const w = await make("Strict");
      const before = (await ada!.get(`/api/channels/${team.general.id}/messages`)).body.messages.length;
      const cases: [string, string | null, string][] = [
        ["{}", "application/json", "empty_payload"],
        ['{"text":""}', "application/json", "empty_payload"],
        ['{"text":{"a":1}}', "application/json", "invalid_payload"],
        ['{"attachments":"nope"}', "application/json", "invalid_payload"],
        ['{"attachments":[1]}', "application/json", "invalid_payload"],
        ['{"attachments":[{"fields":[{"title":[]}]}]}', "application/json", "invalid_payload"],
        ["{not json", "application/json", "malformed_json"],
        ["payload=%7Bnot", "application/x-www-form-urlencoded", "invalid_payload"],
        ["payload=%5B1%5D", null, "invalid_payload"],
        [JSON.stringify({ text: "x".repeat(40_001) }), "application/json", "message_too_long"],
      ];
      for (const [body, type, code] of cases) {
        const r = await hook(w.url, body, type);
        expect([r.status, ((await r.json()) as any).code, body.slice(0, 40)]).toEqual([400, code, body.slice(0, 40)]);
      }
      expect((await ada!.get(`/api/channels/${team.general.id}/messages`)).body.messages.length).toBe(before);
      const archivedChannel = (await ada!.post(`/api/workspaces/${team.workspace.id}/channels`, { name: "old-news" })).body.channel;
      const wa = (await ada!.post(`/api/channels/${archivedChannel.id}/incoming-webhooks`, { name: "Old" })).body.incoming_webhook;
      expect((await ada!.patch(`/api/channels/${archivedChannel.id}`, { archived: true })).status).toBe(200);
      const r = await hook(wa.url, JSON.stringify({ text: "late" }), "application/json");
      expect([r.status, ((await r.json()) as any).code]).toEqual([403, "channel_archived"]);
      expect((await ada!.post(`/api/channels/${archivedChannel.id}/incoming-webhooks`, { name: "Again" })).status).toBe(403);
    });

    test("a webhook's posts are rate limited per webhook (429 with Retry-After)", async () => {
      const w = await make("Chatty");
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 61; i++) {
        const r = await hook(w.url, JSON.stringify({ text: `n${i}` }), "application/json");
        statuses.push(r.status);
        if (r.status === 429) retryAfter = r.headers.get("retry-after");
      }
      expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
      expect(statuses[60]).toBe(429);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      // Another webhook has its own allowance.
      const other = await make("Quiet");
      expect((await hook(other.url, JSON.stringify({ text: "fine" }), "application/json")).status).toBe(200);
    });
  });
});
