// Slash commands through the real server, with a real local callback (Bun.serve).
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { seedTeam, startTestServer, type TestServer } from "../testing/harness.ts";
import { forEachStore } from "../testing/stores.ts";
import { signatureOf } from "./signing.ts";

setDefaultTimeout(60_000);

forEachStore((kind) => {
  describe("slash commands", () => {
    let server: TestServer;
    afterAll(() => server?.close());

    test("register, invoke (form and JSON), reply in channel or to the caller, rotate, revoke", async () => {
      server = await startTestServer(["--allow-private-webhooks"], { store: kind });
      const { clients, workspace, general, users } = await seedTeam(server);
      const [ada, bob] = clients;
      const got: { body: string; headers: Headers }[] = [];
      let answer: () => Response = () => Response.json({ response_type: "in_channel", text: "deployed main" });
      const cb = Bun.serve({ port: 0, hostname: "127.0.0.1", async fetch(req) {
        got.push({ body: await req.text(), headers: req.headers });
        return answer();
      } });
      try {
        const bot = (await ada!.post(`/api/workspaces/${workspace.id}/bots`, { display_name: "Deployer" })).body.bot;
        const made = await ada!.post(`/api/workspaces/${workspace.id}/slash-commands`, { command: "Deploy", description: "Ship it", callback_url: `http://127.0.0.1:${cb.port}/slash`, bot_user_id: bot.id });
        expect(made.status).toBe(201);
        expect(made.body.slash_command.command).toBe("/deploy");
        const secret = made.body.slash_command.signing_secret;
        expect(secret).toMatch(/^ccs_/);
        expect((await ada!.post(`/api/workspaces/${workspace.id}/slash-commands`, { command: "/deploy", callback_url: `http://127.0.0.1:${cb.port}/x`, bot_user_id: bot.id })).status).toBe(409);
        expect((await bob!.post(`/api/workspaces/${workspace.id}/slash-commands`, { command: "/other", callback_url: `http://127.0.0.1:${cb.port}/x`, bot_user_id: bot.id })).status).toBe(403);
        const listed = await bob!.get(`/api/workspaces/${workspace.id}/slash-commands`);
        expect(listed.body.slash_commands.map((c: any) => c.command)).toEqual(["/deploy"]);
        expect(listed.body.slash_commands[0].signing_secret).toBeUndefined();

        // Mattermost-shaped: form-encoded.
        const res = await fetch(`${server.url}/api/hooks/slash/${general.id}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-clickclack-user": users[1]!.id }, body: "command=%2Fdeploy&text=main" });
        expect(res.status).toBe(200);
        const out = (await res.json()) as any;
        expect(out.response_type).toBe("in_channel");
        expect(out.message.author_id).toBe(bot.id);
        expect(out.message.body).toBe("deployed main");
        const sent = got[0]!;
        expect(sent.headers.get("x-clickclack-signature")).toBe(signatureOf(secret, sent.headers.get("x-clickclack-timestamp")!, sent.body));
        const payload = JSON.parse(sent.body);
        expect(payload).toMatchObject({ command_id: made.body.slash_command.id, command: "/deploy", text: "main", workspace_id: workspace.id, channel_id: general.id, user_id: users[1]!.id, bot_user_id: bot.id });
        expect(payload.trigger_id).toBeTruthy();

        answer = () => Response.json({ response_type: "ephemeral", text: "only you see this" });
        const eph = await bob!.post(`/api/hooks/slash/${general.id}`, { command: "/deploy", text: "" });
        expect(eph.body).toMatchObject({ response_type: "ephemeral", text: "only you see this" });
        expect(eph.body.message).toBeUndefined();

        // A callback that answers garbage, redirects or fails: reported to the caller, never a 500.
        for (const bad of [() => new Response("{not json", { status: 500 }), () => new Response(null, { status: 302, headers: { location: "http://169.254.169.254/" } }), () => Response.json([1, 2])]) {
          answer = bad;
          const r = await bob!.post(`/api/hooks/slash/${general.id}`, { command: "/deploy", text: "x" });
          expect(r.status).toBe(200);
          expect(r.body.response_type).toBe("ephemeral");
          expect(r.body.text).toContain("failed");
        }

        // Unknown commands post as text, as the original does.
        const unknown = await bob!.post(`/api/hooks/slash/${general.id}`, { command: "/shrug", text: "oh well" });
        expect(unknown.body.message.body).toBe("/shrug oh well");
        expect(unknown.body.message.author_id).toBe(users[1]!.id);

        const rotated = await ada!.post(`/api/slash-commands/${made.body.slash_command.id}/rotate-secret`);
        expect(rotated.body.slash_command.signing_secret).not.toBe(secret);
        answer = () => Response.json({ response_type: "in_channel", text: "again" });
        await bob!.post(`/api/hooks/slash/${general.id}`, { command: "/deploy", text: "" });
        const last = got.at(-1)!;
        expect(last.headers.get("x-clickclack-signature")).toBe(signatureOf(rotated.body.slash_command.signing_secret, last.headers.get("x-clickclack-timestamp")!, last.body));

        expect((await ada!.post(`/api/slash-commands/${made.body.slash_command.id}/revoke`)).body.slash_command.revoked_at).toBeTruthy();
        const after = await bob!.post(`/api/hooks/slash/${general.id}`, { command: "/deploy", text: "now" });
        expect(after.body.message.body).toBe("/deploy now");
      } finally {
        cb.stop(true);
      }
    });

    test("a guest's invocations spend their post budget; concurrent ones cannot overshoot it", async () => {
      const s = await startTestServer(["--allow-private-webhooks"], { store: kind });
      let calls = 0;
      const cb = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => (calls++, Response.json({ response_type: "ephemeral", text: "ok" })) });
      try {
        const { clients, workspace, guest, users } = await seedTeam(s, ["ada", "gus"]);
        await s.store.moderation.update(workspace.id, users[1]!.id, { role: "guest" }, users[0]!.id);
        const bot = (await clients[0]!.post(`/api/workspaces/${workspace.id}/bots`, { display_name: "Budget" })).body.bot;
        expect((await clients[0]!.post(`/api/workspaces/${workspace.id}/slash-commands`, { command: "/spend", callback_url: `http://127.0.0.1:${cb.port}/`, bot_user_id: bot.id })).status).toBe(201);
        expect((await clients[1]!.post(`/api/channels/${guest.id}/messages`, { body: "one post" })).status).toBe(201);
        const results = await Promise.all(Array.from({ length: 6 }, () => clients[1]!.post(`/api/hooks/slash/${guest.id}`, { command: "/spend", text: "" })));
        const budget = (await s.store.moderation.entry(workspace.id, users[1]!.id))!.post_limit!;
        expect(results.filter((r) => r.status === 200)).toHaveLength(budget - 1);
        expect(results.filter((r) => r.status === 429).every((r) => r.body.code === "guest_post_limit")).toBe(true);
        // Refused invocations never reached the callback; the budget is spent for posts too.
        expect(calls).toBe(budget - 1);
        expect((await clients[1]!.post(`/api/channels/${guest.id}/messages`, { body: "over" })).status).toBe(429);
      } finally {
        cb.stop(true);
        await s.close();
      }
    });

    test("the Mattermost incoming hook posts {text} as the caller", async () => {
      const s = await startTestServer([], { store: kind });
      try {
        const { clients, general, users } = await seedTeam(s);
        const r = await clients[1]!.post(`/api/hooks/mattermost/${general.id}`, { text: "build #12 passed" });
        expect(r.status).toBe(201);
        expect(r.body.message).toMatchObject({ body: "build #12 passed", author_id: users[1]!.id });
      } finally {
        await s.close();
      }
    });
  });
});
