// Search through the real server: what each caller may see, edits and deletes, partial words,
// Japanese, phrases, filters, ordering and paging, and hostile queries (fuzzed: always 200).
import type { SqliteStore } from "../../store/sqlite/index.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { countRows } from "../../testing/db-inspect.ts";
import { client, type Client, seedTeam, startTestServer, type TestServer } from "../../testing/harness.ts";
import { forEachStore } from "../../testing/stores.ts";

forEachStore((store) => {
  let server: TestServer;
  let team: Awaited<ReturnType<typeof seedTeam>>;
  let other: Awaited<ReturnType<typeof seedTeam>>;
  let ops: string;
  let dm: string;
  type Name = "finished" | "deploying" | "tokyo" | "opsDeploy" | "dmDeploy" | "guestDeploy" | "foreignDeploy" | "budgetRoot" | "budgetReply" | "agent" | "agentPlain";
  const ids = {} as Record<Name, string>;
  const ada = () => team.clients[0]!;
  const bob = () => team.clients[1]!;
  const cy = () => team.clients[2]!;
  const gus = () => team.clients[3]!;

  async function say(c: Client, path: string, body: string, name?: Name): Promise<string> {
    const r = await c.post(path, { body });
    expect(r.status).toBe(201);
    if (name) ids[name] = r.body.message.id;
    return r.body.message.id;
  }

  function search(c: Client, q: string, extra = "", workspaceId = team.workspace.id) {
    return c.get(`/api/search?workspace_id=${workspaceId}&q=${encodeURIComponent(q)}${extra}`);
  }

  async function found(c: Client, q: string, extra = ""): Promise<string[]> {
    const r = await search(c, q, extra);
    expect(r.status).toBe(200);
    return r.body.results.map((x: any) => x.message.id);
  }

  beforeAll(async () => {
    server = await startTestServer(["--no-limits"], { store });
    team = await seedTeam(server, ["ada", "bob", "cy", "gus"]);
    await server.store.workspaces.addMember(team.workspace.id, team.users[3]!.id, "guest");
    other = await seedTeam(server, ["zed"]);
    ops = (await ada().post(`/api/workspaces/${team.workspace.id}/channels`, { name: "ops" })).body.channel.id;
    dm = (await ada().post("/api/dms", { workspace_id: team.workspace.id, member_ids: [team.users[1]!.id] })).body.conversation.id;
    const general = `/api/channels/${team.general.id}/messages`;
    await say(ada(), general, "The deployment finished without errors", "finished");
    await say(bob(), general, "Deploying the new build tomorrow morning", "deploying");
    await say(ada(), general, "東京タワーに行きました", "tokyo");
    await say(bob(), `/api/channels/${ops}/messages`, "ops deployment checklist: deployment, rollback, deployment review", "opsDeploy");
    await say(ada(), `/api/dms/${dm}/messages`, "our secret deployment plan", "dmDeploy");
    await say(ada(), `/api/channels/${team.guest.id}/messages`, "welcome guests, deployment notes inside", "guestDeploy");
    await say(other.clients[0]!, `/api/channels/${other.general.id}/messages`, "deployment in another workspace", "foreignDeploy");
    const root = await say(ada(), general, "thread about the budget", "budgetRoot");
    const reply = await ada().post(`/api/messages/${root}/thread/replies`, { body: "budget reply in the thread" });
    ids.budgetReply = reply.body.message.id;
    // Agent activity is never searchable.
    const bot = await server.store.bots.create({ workspaceId: team.workspace.id, displayName: "Agent", handle: "agent" });
    const token = await server.store.bots.mintToken({ botUserId: bot.id, workspaceId: team.workspace.id, name: "t", scopes: ["messages:read", "messages:write", "agent_activity:write"] });
    const agent = client(server.url, { token: token.token });
    const act = await agent.post(general, { body: "agent deployment progress", kind: "agent_commentary", turn_id: "turn-1" });
    expect([act.status, act.body.error]).toEqual([201, undefined]);
    ids.agent = act.body.message.id;
    ids.agentPlain = await say(agent, general, "plain deployment note from a bot");
  });
  afterAll(() => server.close());

  describe("scope", () => {
    test("a member finds their channels and their DMs, never another workspace", async () => {
      const r = await found(ada(), "deployment");
      expect(new Set(r)).toEqual(new Set([ids.finished, ids.opsDeploy, ids.dmDeploy, ids.guestDeploy, ids.agentPlain]));
    });

    test("outside a DM, its messages do not exist", async () => {
      expect(await found(cy(), "deployment")).not.toContain(ids.dmDeploy);
      expect((await search(cy(), "deployment", `&direct_conversation_id=${dm}`)).status).toBe(404);
      expect(await found(bob(), "deployment", `&direct_conversation_id=${dm}`)).toEqual([ids.dmDeploy]);
    });

    test("guests find #guest only", async () => {
      expect(await found(gus(), "deployment")).toEqual([ids.guestDeploy]);
      expect((await search(gus(), "deployment", `&channel_id=${team.general.id}`)).status).toBe(404);
    });

    test("another workspace is refused; its channels are not found", async () => {
      const zed = other.clients[0]!;
      expect((await search(zed, "deployment")).status).toBe(403);
      expect(await found(ada(), "another")).toEqual([]);
      expect((await search(ada(), "deployment", `&channel_id=${other.general.id}`)).status).toBe(403);
      expect((await search(zed, "deployment", "", other.workspace.id)).body.results.map((x: any) => x.message.id)).toEqual([ids.foreignDeploy]);
    });

    test("a bot without dms:read does not see DMs", async () => {
      const bot = await server.store.bots.create({ workspaceId: team.workspace.id, displayName: "Reader" });
      await server.store.dms.open(team.workspace.id, [team.users[0]!.id, bot.id], team.users[0]!.id);
      const token = await server.store.bots.mintToken({ botUserId: bot.id, workspaceId: team.workspace.id, name: "r", scopes: ["messages:read"] });
      const r = await found(client(server.url, { token: token.token }), "deployment");
      expect(r).toContain(ids.finished);
      expect(r).not.toContain(ids.dmDeploy);
    });

    test("agent activity is left out", async () => {
      expect(await found(ada(), "progress")).toEqual([]);
    });
  });

  describe("matching", () => {
    test("partial words, prefixes, any case", async () => {
      expect(await found(ada(), "ploy", `&channel_id=${team.general.id}`)).toEqual(expect.arrayContaining([ids.finished, ids.deploying]));
      expect(await found(ada(), "DEPLOYMENT", `&channel_id=${team.general.id}`)).not.toContain(ids.deploying);
      expect(await found(ada(), "to", `&channel_id=${team.general.id}`)).toEqual([ids.deploying]);
    });

    test("Japanese: two characters, three, and a whole phrase", async () => {
      for (const q of ["東京", "タワー", "行きました", '"東京タワー"']) expect(await found(ada(), q)).toEqual([ids.tokyo]);
      const hit = (await search(ada(), "東京")).body.results[0];
      expect(hit.snippet.slice(hit.highlights[0].start, hit.highlights[0].end)).toBe("東京");
    });

    test("one or two characters anywhere: at the start, inside, at the very end", async () => {
      const path = `/api/channels/${ops}/messages`;
      const inside = await say(ada(), path, "今日は大阪に行く");
      const end = await say(ada(), path, "来週は大阪");
      const start = await say(ada(), path, "大阪");
      expect(new Set(await found(ada(), "大阪"))).toEqual(new Set([inside, end, start]));
      expect(new Set(await found(ada(), "阪"))).toEqual(new Set([inside, end, start]));
      expect(await found(ada(), "大阪 来週")).toEqual([end]);
      expect(await found(ada(), "京都")).toEqual([]);
    });

    test("phrases are exact; words are ANDed", async () => {
      expect(await found(ada(), '"deployment finished"')).toEqual([ids.finished]);
      expect(await found(ada(), '"finished deployment"')).toEqual([]);
      expect(await found(ada(), "deployment errors")).toEqual([ids.finished]);
    });

    test("an edit is re-indexed; a deleted message is gone", async () => {
      const id = await say(ada(), `/api/channels/${team.general.id}/messages`, "temporary wording about kangaroos");
      expect(await found(ada(), "kangaroos")).toEqual([id]);
      await ada().patch(`/api/messages/${id}`, { body: "temporary wording about wombats" });
      expect(await found(ada(), "kangaroos")).toEqual([]);
      expect(await found(ada(), "wombats")).toEqual([id]);
      await ada().delete(`/api/messages/${id}`);
      expect(await found(ada(), "wombats")).toEqual([]);
    });

    test("a post refused inside the write (here: a bad upload) leaves nothing in the index", async () => {
      const general = `/api/channels/${team.general.id}/messages`;
      const missing = "upl_00000000000000000000000000";
      // Refused alone, and refused in the same group commit as a post that succeeds.
      expect((await ada().post(general, { body: "ghostword one", upload_id: missing })).status).toBe(404);
      const [a, b] = await Promise.all([ada().post(general, { body: "ghostword two", upload_id: missing }), ada().post(general, { body: "ghostword three" })]);
      expect([a.status, b.status]).toEqual([404, 201]);
      expect(await found(ada(), "ghostword")).toEqual([b.body.message.id]);
      if (server.store.dialect === "postgres") {
        // Postgres: one indexed document for the one message that was written.
        expect(await countRows(server.store, "message_search_docs", "folded LIKE '%ghostword%'")).toBe(1);
      }
      // SQLite's FTS5 tables can drift from their content tables; check them whole.
      if (server.store.dialect === "sqlite") {
        const db = (server.store as SqliteStore).raw;
        db.exec("INSERT INTO message_search(message_search, rank) VALUES('integrity-check', 0)");
        db.exec("INSERT INTO message_search_trigram(message_search_trigram, rank) VALUES('integrity-check', 0)");
        expect(db.query("SELECT count(*) AS n FROM message_search_trigram WHERE message_search_trigram MATCH '\"ghostword\"'").get()).toEqual({ n: 1 });
      }
    });

    test("snippets and highlights", async () => {
      const r = (await search(ada(), "checklist ploy", `&channel_id=${ops}`)).body.results[0];
      expect(r.snippet).toBe("ops deployment checklist: deployment, rollback, deployment review");
      expect(r.highlights.map((h: any) => r.snippet.slice(h.start, h.end))).toEqual(["ploy", "checklist", "ploy", "ploy"]);
      expect(r.channel_id).toBe(ops);
      expect(r.direct_conversation_id).toBeNull();
      expect(r.score).toBeGreaterThan(0);
    });
  });

  describe("filters", () => {
    test("from:, in:#channel, in:thread, has:file, dates", async () => {
      expect(new Set(await found(ada(), "from:@bob deployment"))).toEqual(new Set([ids.opsDeploy]));
      expect(new Set(await found(ada(), "from:bob"))).toEqual(new Set([ids.deploying, ids.opsDeploy]));
      expect(await found(ada(), "in:#ops deployment")).toEqual([ids.opsDeploy]);
      expect(await found(ada(), "in:#nowhere deployment")).toEqual([]);
      expect(new Set(await found(ada(), "budget in:thread"))).toEqual(new Set([ids.budgetRoot, ids.budgetReply]));
      const today = new Date().toISOString().slice(0, 10);
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      expect(await found(ada(), `deployment before:${today}`)).toEqual([]);
      expect((await found(ada(), `deployment before:${tomorrow} after:${yesterday}`)).length).toBe(5);
      expect(await found(ada(), `deployment after:${today}`)).toEqual([]);

      const form = new FormData();
      form.append("file", new Blob(["report"]), "report.txt");
      const up = await ada().post(`/api/uploads?workspace_id=${team.workspace.id}`, form);
      const withFile = await ada().post(`/api/channels/${ops}/messages`, { body: "quarterly report attached", upload_id: up.body.upload.id });
      expect(await found(ada(), "has:file")).toEqual([withFile.body.message.id]);
      expect(await found(ada(), "report has:file from:@ada")).toEqual([withFile.body.message.id]);
    });
  });

  describe("ordering and paging", () => {
    test("relevance puts the most matching first; recent puts the newest first", async () => {
      const rel = await found(ada(), "deployment");
      expect(rel[0]).toBe(ids.opsDeploy);
      const recent = (await search(ada(), "deployment", "&sort=recent")).body.results.map((x: any) => x.message.created_at);
      expect(recent).toEqual([...recent].sort().reverse());
    });

    test("cursors walk every result once, in both orders, and belong to their query", async () => {
      for (const sort of ["relevance", "recent"]) {
        const all = await found(ada(), "deployment", `&sort=${sort}`);
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const r: any = await search(ada(), "deployment", `&sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
          expect(r.status).toBe(200);
          expect(r.body.results.length).toBeLessThanOrEqual(2);
          seen.push(...r.body.results.map((x: any) => x.message.id));
          cursor = r.body.next_cursor;
        } while (cursor);
        expect(seen).toEqual(all);
      }
      const first = await search(ada(), "deployment", "&limit=1");
      const misuse = await search(ada(), "budget", `&limit=1&cursor=${first.body.next_cursor}`);
      expect([misuse.status, misuse.body.code]).toEqual([400, "invalid_cursor"]);
      expect((await search(ada(), "deployment", "&cursor=garbage")).status).toBe(400);
    });
  });

  describe("hostile queries", () => {
    test("quotes, operators, wildcards, parentheses, colons, empty: 200 with results or none", async () => {
      const queries = ['"', '""', '"deployment', "AND", "deployment AND", "OR OR", "NOT", "*", "deploy*", "NEAR(", "NEAR(deployment finished, 2)", "(", ")", "((deployment", "-", "-deployment", "^", "^deployment", ":", "body:deployment", "{body}: x", "'", "\\", "%", "_", "\u0000", " ", "", "a".repeat(5000)];
      for (const q of queries) {
        const r = await search(ada(), q);
        expect([q, r.status]).toEqual([q, 200]);
        expect(Array.isArray(r.body.results)).toBe(true);
      }
      expect((await found(ada(), "-deployment")).length).toBeGreaterThan(0);
      expect(await found(ada(), "")).toEqual([]);
    });

    test("fuzzed: any string is a 200", async () => {
      const piece = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('"', "*", "^", ":", "(", ")", "-", "+", "AND", "OR", "NOT", "NEAR(", "東京", "from:@", "in:#", "before:", "has:file", "\\", "'", "{", "}"));
      await fc.assert(
        fc.asyncProperty(fc.array(piece, { maxLength: 10 }).map((a) => a.join(fc.sample(fc.constantFrom(" ", ""), 1)[0])), async (q) => {
          const r = await search(ada(), q, "&limit=3");
          if (r.status !== 200) throw new Error(`${JSON.stringify(q)} → ${r.status} ${JSON.stringify(r.body)}`);
        }),
        { numRuns: 300 },
      );
    }, 60_000);
  });
});
