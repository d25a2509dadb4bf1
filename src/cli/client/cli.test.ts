// The chat CLI, driven as a subprocess against real servers (the compiled binary, built if stale;
// the source tree with CLICKCLACK_WEB_TEST_SOURCE=1): output for programs, exit codes, stored
// credentials, and the live tail.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClickClackClient } from "../../../sdk/src/index.ts";
import { loadConfig } from "../../config/config.ts";
import { type RunningServer, startServer } from "../../server/serve.ts";
import { clickclack, ensureBinary } from "../../testing/binary.ts";
import { seedTeam, startTestServer, type TestServer } from "../../testing/harness.ts";

const CLICKCLACK = clickclack();

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;
let home: string;

beforeAll(async () => {
  ensureBinary();
  server = await startTestServer();
  team = await seedTeam(server);
  home = mkdtempSync(join(tmpdir(), "clickclack-cli-"));
});
afterAll(async () => {
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as ada (dev header) against the test server unless env says otherwise. */
async function cli(args: string[], opts: { env?: Record<string, string | undefined>; stdin?: string } = {}): Promise<Run> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    CLICKCLACK_SERVER: server.url,
    CLICKCLACK_USER: team.users[0]!.id,
    CLICKCLACK_CONFIG_DIR: join(home, "config"),
    CLICKCLACK_TOKEN: undefined,
    CLICKCLACK_WORKSPACE: undefined,
    ...opts.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const proc = Bun.spawn([...CLICKCLACK, ...args], { env: env as Record<string, string>, stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

const json = (r: Run) => {
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
};

/** A server without dev mode: no fallback user, so credentials are all that count. */
async function strictServer(): Promise<RunningServer & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "clickclack-strict-"));
  return { ...(await startServer(loadConfig(["--data", dir, "--addr", "127.0.0.1:0"], {}).config, { quiet: true })), dir };
}

test("send reads the body from stdin, and messages list returns it as JSON", async () => {
  const sent = json(await cli(["send", "--channel", "#general", "--stdin", "--json"], { stdin: "deploy finished\nall green\n" }));
  expect(sent.message).toMatchObject({ body: "deploy finished\nall green", channel_id: team.general.id, author_id: team.users[0]!.id });
  const listed = json(await cli(["messages", "list", "--channel", "general", "--json", "--limit", "5"]));
  expect(listed.channel_id).toBe(team.general.id);
  expect(listed.messages.map((m: { id: string }) => m.id)).toContain(sent.message.id);
  const plain = await cli(["messages", "list", "--channel", team.general.id, "--plain", "--after-seq", String(sent.message.channel_seq - 1)]);
  expect(plain.code).toBe(0);
  expect(plain.stdout.trim().split("\t")).toEqual([sent.message.id, String(sent.message.channel_seq), "ada", sent.message.created_at, "deploy finished all green"]);
});

test("--file, --reply-to, threads, reactions and a nonce that makes a retry safe", async () => {
  const file = join(home, "note.md");
  writeFileSync(file, "from a **file**\n");
  const root = json(await cli(["send", "--channel", "#general", "--file", file, "--json", "--nonce", "cli-1"])).message;
  expect(root.body).toBe("from a **file**");
  const again = json(await cli(["send", "--channel", "#general", "--file", file, "--json", "--nonce", "cli-1"])).message;
  expect(again.id).toBe(root.id);
  const clash = await cli(["send", "--channel", "#general", "other text", "--nonce", "cli-1"]);
  expect(clash.code).toBe(5);

  // --reply-to quotes, as the Go CLI does; a thread reply is `threads reply`.
  const quote = json(await cli(["send", "--reply-to", root.id, "quoting you", "--json"])).message;
  expect(quote).toMatchObject({ quoted_message_id: root.id, channel_id: root.channel_id, quoted_body_snapshot: "from a **file**" });
  expect(quote.parent_message_id).toBeUndefined();
  expect((await cli(["threads", "reply", root.id, "first reply"])).code).toBe(0);
  expect((await cli(["threads", "reply", root.id, "second", "reply"], { env: { CLICKCLACK_USER: team.users[1]!.id } })).code).toBe(0);
  const thread = json(await cli(["threads", "open", root.id, "--json"]));
  expect(thread.replies.map((r: { body: string }) => r.body)).toEqual(["first reply", "second reply"]);
  // Quoting a thread reply stays in that thread.
  const inThread = json(await cli(["send", "--reply-to", thread.replies[0].id, "quoting the reply", "--json"])).message;
  expect(inThread).toMatchObject({ parent_message_id: root.id, quoted_message_id: thread.replies[0].id });
  expect(json(await cli(["reactions", "add", root.id, "🎉", "--json"])).reactions).toEqual([{ emoji: "🎉", count: 1, reacted_by_me: true }]);
  expect(json(await cli(["reactions", "remove", root.id, "🎉", "--json"])).reactions).toEqual([]);
});

test("messages tail prints, as JSON lines, a message another user posts", async () => {
  const proc = Bun.spawn([...CLICKCLACK, "messages", "tail", "--channel", "#general", "--json", "--count", "2"], {
    env: { ...process.env, CLICKCLACK_SERVER: server.url, CLICKCLACK_USER: team.users[0]!.id, CLICKCLACK_CONFIG_DIR: join(home, "config") },
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = proc.stderr.getReader();
  let banner = "";
  while (!banner.includes("watching")) {
    const chunk = await reader.read();
    if (chunk.done) break;
    banner += new TextDecoder().decode(chunk.value);
  }
  expect(banner).toContain("watching #general");
  const bob = new ClickClackClient({ baseUrl: server.url, userId: team.users[1]!.id });
  const noise = await bob.channels.create(team.workspace.id, { name: "elsewhere" });
  await bob.channels.sendMessage(noise.id, { body: "not in general" });
  const posted = await bob.channels.sendMessage(team.general.id, { body: "hello, watcher" });
  const reply = await bob.threads.reply(posted.id, { body: "and a reply" });
  const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  expect(code).toBe(0);
  const lines = stdout.trim().split("\n").map((l) => JSON.parse(l));
  expect(lines.map((l) => [l.event.type, l.message.id, l.message.body])).toEqual([
    ["message.created", posted.id, "hello, watcher"],
    ["thread.reply_created", reply.id, "and a reply"],
  ]);
});

describe("exit codes", () => {
  test("a wrong token exits 3 and says how to sign in", async () => {
    const strict = await strictServer();
    try {
      const r = await cli(["whoami", "--token", "ccb_wrong"], { env: { CLICKCLACK_SERVER: strict.url, CLICKCLACK_USER: undefined } });
      expect(r.code).toBe(3);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("clickclack login");
    } finally {
      await strict.stop();
      rmSync(strict.dir, { recursive: true, force: true });
    }
  });

  test("an unknown channel exits 4 and points at channels list", async () => {
    const r = await cli(["send", "--channel", "#no-such-channel", "hello"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("no channel #no-such-channel");
    expect(r.stderr).toContain("clickclack channels list");
    expect((await cli(["messages", "list", "--channel", "chn_00000000000000000000000000"])).code).toBe(4);
  });

  test("an unreachable server exits 6; with --json the error is JSON on stderr", async () => {
    const r = await cli(["whoami", "--json"], { env: { CLICKCLACK_SERVER: "http://127.0.0.1:1" } });
    expect(r.code).toBe(6);
    expect(r.stdout).toBe("");
    expect(JSON.parse(r.stderr).error).toMatchObject({ code: "network_error", exit_code: 6 });
  });

  test("usage mistakes exit 2", async () => {
    for (const args of [["send", "--channel", "#general"], ["send", "--bogus"], ["channels"], ["channels", "frobnicate"], ["messages", "list", "--channel", "#general", "--limit", "many"], ["whoami", "--json", "--plain"]]) {
      const r = await cli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(args.includes("--json") ? /^\{"error":/ : /^clickclack: /);
    }
  });
});

test("login with a magic token stores the session 0600 for that server only; logout revokes it", async () => {
  const env = { CLICKCLACK_USER: undefined, CLICKCLACK_CONFIG_DIR: join(home, "login") };
  const magic = await new ClickClackClient({ baseUrl: server.url }).auth.requestMagicLink({ email: "zed@example.com", display_name: "Zed" });
  const login = json(await cli(["login", "--magic-token", String(magic.token), "--json"], { env }));
  expect(login.user.handle).toBeTruthy();
  const path = join(home, "login", "credentials.json");
  expect(login.credentials).toBe(path);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  const stored = JSON.parse(readFileSync(path, "utf8"));
  const token: string = stored.servers[server.url].token;
  expect(token).toStartWith("sst_");
  expect(stored.default_server).toBe(server.url);

  // The stored session is used (no dev header), and the default server is the one logged into.
  expect(json(await cli(["whoami", "--json"], { env: { ...env, CLICKCLACK_SERVER: undefined } }))).toMatchObject({ auth: "stored", user: { id: login.user.id } });

  // Another server never sees that token.
  const seen: (string | null)[] = [];
  const spy = Bun.serve({ port: 0, fetch: (req) => (seen.push(req.headers.get("authorization")), Response.json({ error: "who are you", code: "unauthenticated" }, { status: 401 })) });
  try {
    expect((await cli(["whoami"], { env: { ...env, CLICKCLACK_SERVER: `http://127.0.0.1:${spy.port}` } })).code).toBe(3);
    expect(seen).toEqual([null]);
  } finally {
    spy.stop(true);
  }

  // A magic token works once.
  const reused = await cli(["login", "--magic-token", String(magic.token), "--json"], { env });
  expect(reused.code).toBe(3);
  expect(JSON.parse(reused.stderr).error.hint).toContain("ask for a new link");

  expect(json(await cli(["logout", "--json"], { env }))).toEqual({ server: server.url, removed: true, revoked: true });
  expect(JSON.parse(readFileSync(path, "utf8")).servers).toEqual({});
  const revoked = await new ClickClackClient({ baseUrl: server.url, token }).me().catch((e) => e);
  expect(revoked.status).toBe(401);
});

test("login --token keeps a bot token after checking it; login without one and --no-input is a usage error", async () => {
  const env = { CLICKCLACK_USER: undefined, CLICKCLACK_CONFIG_DIR: join(home, "bot-login") };
  const ada = new ClickClackClient({ baseUrl: server.url, userId: team.users[0]!.id });
  const { bot, bot_token } = await ada.bots.create(team.workspace.id, { display_name: "Cli Bot", handle: "clibot", scopes: ["bot:write"] });
  expect(json(await cli(["login", "--token", bot_token!.token!, "--json"], { env })).user.id).toBe(bot.id);
  const who = await cli(["whoami"], { env });
  expect(who.stdout).toContain("@clibot");
  expect(who.stdout).toContain("[bot]");
  const sent = json(await cli(["send", "--channel", "#general", "from the bot", "--json"], { env }));
  expect(sent.message.author_id).toBe(bot.id);
  expect((await cli(["login", "--token", "ccb_not_a_token"], { env })).code).toBe(3);
  expect((await cli(["login", "--no-input"], { env })).code).toBe(2);
});

test("workspaces, channels, dms and status for people and programs", async () => {
  const ws = json(await cli(["workspaces", "list", "--json"])).workspaces;
  expect(ws.map((w: { id: string }) => w.id)).toEqual([team.workspace.id]);
  const created = json(await cli(["channels", "create", "Ops", "Room", "--json"])).channel;
  expect(created.name).toBe("ops-room");
  const plain = await cli(["channels", "list", "--plain"]);
  expect(plain.stdout.split("\n").map((l) => l.split("\t")[1])).toContain("ops-room");
  const human = await cli(["channels", "list"]);
  expect(human.stdout).toContain("#ops-room");

  const dm = json(await cli(["dms", "open", "@bob", "--json"])).conversation;
  expect(dm.members.map((m: { handle: string }) => m.handle).sort()).toEqual(["ada", "bob"]);
  const sent = json(await cli(["dms", "send", "@bob", "psst", "--json"]));
  expect(sent).toMatchObject({ conversation_id: dm.id, message: { body: "psst", direct_conversation_id: dm.id } });
  expect((await cli(["dms", "send", "@nobody", "hi"])).code).toBe(4);

  const status = json(await cli(["status", "--json"]));
  expect(status).toMatchObject({ server: server.url, reachable: true, ready: true, auth: "dev-user", user: { id: team.users[0]!.id }, workspaces: 1 });
  const whoami = await cli(["whoami"]);
  expect(whoami.stdout).toContain(`@ada (ada) ${team.users[0]!.id}`);
});

test("search and upload fail cleanly (exit 4, 'does not support') on a server without those routes", async () => {
  // A server that only knows the workspace list, as an older server would.
  const old = Bun.serve({
    port: 0,
    fetch: (req) =>
      new URL(req.url).pathname === "/api/workspaces"
        ? Response.json({ workspaces: [{ id: "wsp_1", slug: "old", name: "Old", route_id: "T1", icon_url: null, created_at: "" }] })
        : Response.json({ error: "no such route", code: "not_found" }, { status: 404 }),
  });
  try {
    const env = { CLICKCLACK_SERVER: `http://127.0.0.1:${old.port}` };
    const search = await cli(["search", "hello"], { env });
    expect(search.code).toBe(4);
    expect(search.stderr).toContain("does not support search");
    const file = join(home, "up.txt");
    writeFileSync(file, "bytes");
    const upload = await cli(["upload", file, "--json"], { env });
    expect(upload.code).toBe(4);
    expect(JSON.parse(upload.stderr).error).toMatchObject({ code: "unsupported", exit_code: 4 });
  } finally {
    old.stop(true);
  }
  // Against the real server: success, or the same clean refusal while the routes are being built.
  const real = await cli(["search", "deploy", "--json"]);
  expect([0, 4]).toContain(real.code);
  if (real.code === 0) expect(JSON.parse(real.stdout)).toHaveProperty("results");
  expect((await cli(["upload", join(home, "missing.bin")])).code).toBe(4);
});
