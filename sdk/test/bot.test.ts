// ClickClackBot against a real server: it starts from the tail, resumes from its saved cursor,
// survives a server restart, catches up after being offline, resyncs after a 4001, ignores its
// own messages, and never double-posts when a handler is retried.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/config.ts";
import { type RunningServer, startServer } from "../../src/server/serve.ts";
import { seedTeam, startTestServer, type TestServer } from "../../src/testing/harness.ts";
import { ClickClackBot, type ClickClackBotOptions, ClickClackClient, type RealtimeEvent } from "../src/index.ts";
import { FileCursorStore } from "../src/file-cursor-store.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;
let botUserId: string;
let ada: ClickClackClient;
let cursorDir: string;
const bots: ClickClackBot[] = [];

beforeAll(async () => {
  server = await startTestServer(["--no-limits"]); // posts 1,000 messages as one person: far past the per-person rate
  team = await seedTeam(server);
  botUserId = (await server.store.bots.create({ workspaceId: team.workspace.id, displayName: "Echo", handle: "echo" })).id;
  ada = new ClickClackClient({ baseUrl: server.url, userId: team.users[0]!.id });
});
afterAll(() => server.close());
afterEach(async () => {
  await Promise.all(bots.splice(0).map((b) => b.stop()));
  if (cursorDir) rmSync(cursorDir, { recursive: true, force: true });
});

function newBot(options: Partial<ClickClackBotOptions> & Pick<ClickClackBotOptions, "onEvent">, baseUrl = server.url) {
  cursorDir ||= mkdtempSync(join(tmpdir(), "clickclack-cursors-"));
  const bot = new ClickClackBot({
    baseUrl,
    userId: botUserId,
    workspaceId: team.workspace.id,
    cursorStore: new FileCursorStore(cursorDir),
    reconnect: { initialDelayMs: 40, maxDelayMs: 400 },
    ...options,
  });
  bots.push(bot);
  return bot;
}

async function until(predicate: () => boolean, timeoutMs = 15_000, what = "condition") {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

/** Message ids of message.created events, in the order the bot handled them. */
function recorder() {
  const ids: string[] = [];
  const onEvent = (e: RealtimeEvent) => {
    if (e.type === "message.created") ids.push(e.payload.message_id as string);
  };
  return { ids, onEvent };
}

const post = async (body: string, channelId = team.general.id) => (await ada.channels.sendMessage(channelId, { body })).id;
const dupes = (ids: string[]) => ids.filter((id, i) => ids.indexOf(id) !== i);

test("a first run starts at the tail, not at the beginning of history", async () => {
  await post("old 1");
  await post("old 2");
  const { ids, onEvent } = recorder();
  const bot = newBot({ onEvent });
  await bot.start();
  const fresh = await post("new");
  await until(() => ids.length >= 1);
  await Bun.sleep(100);
  expect(ids).toEqual([fresh]);
});

test("stopped and started again, it resumes after its saved cursor", async () => {
  const { ids, onEvent } = recorder();
  const first = newBot({ onEvent });
  await first.start();
  const a = await post("a");
  await until(() => ids.length === 1);
  await first.stop();
  const b = await post("b (while stopped)");
  const c = await post("c (while stopped)");
  const second = newBot({ onEvent });
  await second.start();
  const d = await post("d");
  await until(() => ids.length === 4);
  await Bun.sleep(100);
  expect(ids).toEqual([a, b, c, d]);
});

test("a bot offline while 1,000 messages were posted handles each exactly once, in order", async () => {
  const { ids, onEvent } = recorder();
  const first = newBot({ onEvent });
  await first.start();
  await first.stop();
  const posted: string[] = [];
  for (let batch = 0; batch < 20; batch++) {
    posted.push(...(await Promise.all(Array.from({ length: 50 }, (_, i) => post(`offline ${batch * 50 + i}`)))));
  }
  const second = newBot({ onEvent });
  await second.start();
  await until(() => ids.length >= 1000, 30_000, "1,000 events");
  await Bun.sleep(200);
  expect(ids.length).toBe(1000);
  expect(dupes(ids)).toEqual([]);
  expect(new Set(ids)).toEqual(new Set(posted));
  // Handled in log order, which for one channel is channel_seq order.
  const seqs = await Promise.all([ids[0]!, ids[499]!, ids[999]!].map(async (id) => (await ada.messages.get(id)).channel_seq!));
  expect(seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!).toBe(true);
}, 60_000);

test("it survives a server restart on the same data and port without losing or repeating an event", async () => {
  const dir = mkdtempSync(join(tmpdir(), "clickclack-restart-"));
  const config = () => loadConfig(["--data", dir, "--addr", `127.0.0.1:${port}`, "--dev"], {}).config;
  let port = 0;
  let live: RunningServer = await startServer(loadConfig(["--data", dir, "--addr", "127.0.0.1:0", "--dev"], {}).config, { quiet: true });
  port = live.port;
  try {
    const t = await seedTeam(live, ["owner"]);
    const bot = (await live.store.bots.create({ workspaceId: t.workspace.id, displayName: "R", handle: "restarter" })).id;
    const poster = new ClickClackClient({ baseUrl: live.url, userId: t.users[0]!.id });
    const ids: string[] = [];
    let connects = 0;
    const b = newBot(
      {
        userId: bot,
        workspaceId: t.workspace.id,
        onConnect: () => connects++,
        // Slow enough that the restart lands while events are still queued.
        onEvent: async (e) => {
          if (e.type === "message.created") ids.push(e.payload.message_id as string);
          await Bun.sleep(5);
        },
      },
      live.url,
    );
    await b.start();
    const posted: string[] = [];
    for (let i = 0; i < 40; i++) posted.push((await poster.channels.sendMessage(t.general.id, { body: `before ${i}` })).id);
    await live.stop();
    live = await startServer(config(), { quiet: true });
    for (let i = 0; i < 40; i++) posted.push((await poster.channels.sendMessage(t.general.id, { body: `after ${i}` })).id);
    await until(() => ids.length >= 80, 20_000, "80 events across the restart");
    await Bun.sleep(200);
    expect(connects).toBeGreaterThanOrEqual(2);
    expect(ids).toEqual(posted);
  } finally {
    await live.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

test("a cursor the server no longer knows (4001) resyncs from the tail and says so", async () => {
  const store = new FileCursorStore(mkdtempSync(join(tmpdir(), "clickclack-stale-")));
  await store.save(`${team.workspace.id}.${botUserId}`, "cur_00000000000000000000000000");
  const { ids, onEvent } = recorder();
  const resyncs: { from: string | null; to: string | null }[] = [];
  const bot = newBot({ onEvent, cursorStore: store, onResync: (r) => resyncs.push(r) });
  await bot.start();
  await until(() => resyncs.length === 1, 10_000, "the resync");
  expect(resyncs[0]!.from).toBe("cur_00000000000000000000000000");
  expect(resyncs[0]!.to).toMatch(/^cur_/);
  await until(() => bot.connected, 10_000, "the reconnect");
  const after = await post("after the resync");
  await until(() => ids.length === 1);
  expect(ids).toEqual([after]);
  rmSync(store.dir, { recursive: true, force: true });
});

test("stop() during start() leaves a bot that starts again cleanly", async () => {
  const { ids, onEvent } = recorder();
  const bot = newBot({ onEvent });
  const starting = bot.start();
  await bot.stop();
  await starting.catch(() => {});
  await bot.start();
  expect(bot.connected).toBe(true);
  // The first start's socket, if it opened at all, was closed: one socket, not two.
  await until(() => server.hub.connectionCount() === 1, 5000, "one socket");
  const id = await post("after a false start");
  await until(() => ids.length === 1);
  expect(ids).toEqual([id]);
});

test("a slow bot pauses its socket when its queue is full and resumes without losing or repeating", async () => {
  const ids: string[] = [];
  let connects = 0;
  const bot = newBot({
    maxQueue: 10,
    onConnect: () => connects++,
    onEvent: async (e) => {
      if (e.type === "message.created") ids.push(e.payload.message_id as string);
      await Bun.sleep(3);
    },
  });
  await bot.start();
  const posted: string[] = [];
  for (let i = 0; i < 4; i++) posted.push(...(await Promise.all(Array.from({ length: 15 }, (_, j) => post(`burst ${i * 15 + j}`)))));
  await until(() => ids.length >= posted.length, 20_000, "the burst");
  await Bun.sleep(100);
  expect(ids.length).toBe(posted.length);
  expect(new Set(ids)).toEqual(new Set(posted));
  expect(connects).toBeGreaterThan(1);
});

test("it ignores its own messages and replies in the thread", async () => {
  const seen: string[] = [];
  const bot = newBot({
    onEvent: async (e, _client, ctx) => {
      seen.push(e.type);
      if (e.type === "message.created" || e.type === "thread.reply_created") await ctx.reply(`echo`);
    },
  });
  await bot.start();
  const root = await post("hello bot");
  await until(() => seen.includes("message.created"));
  await Bun.sleep(300);
  const thread = await ada.threads.get(root);
  // One reply: the bot's own thread.reply_created did not trigger another echo.
  expect(thread.replies.map((r) => [r.author_id, r.body])).toEqual([[botUserId, "echo"]]);
  expect(seen.filter((t) => t === "thread.reply_created")).toEqual([]);
});

test("a retried handler never double-posts, even when its reply differs (nonce)", async () => {
  let attempts = 0;
  const bot = newBot({
    maxAttempts: 3,
    onEvent: async (e, _client, ctx) => {
      if (e.type !== "message.created") return;
      attempts++;
      await ctx.reply(`roll ${attempts}`);
      if (attempts === 1) throw new Error("crash after sending");
    },
  });
  await bot.start();
  const root = await post("/roll");
  await until(() => attempts === 2);
  await Bun.sleep(200);
  const thread = await ada.threads.get(root);
  expect(thread.replies.map((r) => r.body)).toEqual(["roll 1"]);
});

test("with concurrency, handlers overlap up to the bound and the cursor only moves past finished events", async () => {
  let active = 0;
  let peak = 0;
  const done: string[] = [];
  const bot = newBot({
    concurrency: 3,
    onEvent: async (e) => {
      if (e.type !== "message.created") return;
      active++;
      peak = Math.max(peak, active);
      await Bun.sleep(e.payload.message_id === first ? 300 : 10);
      active--;
      done.push(e.cursor!);
    },
  });
  await bot.start();
  const first = await post("slow");
  for (let i = 0; i < 8; i++) await post(`fast ${i}`);
  await until(() => done.length >= 2);
  // The slow first event holds the cursor back although later ones finished.
  expect(bot.cursor! < done[done.length - 1]!).toBe(true);
  await until(() => done.length === 9);
  await bot.stop();
  expect(peak).toBe(3);
  expect(bot.cursor).toBe(done.sort()[8]!);
});

test("with a real bot token: bearer subprotocol, replies, and agent.progress others can see", async () => {
  const owner = new ClickClackClient({ baseUrl: server.url, userId: team.users[0]!.id });
  const { bot: user, bot_token } = await owner.bots.create(team.workspace.id, { display_name: "Agent", handle: "agent", scopes: ["bot:write", "agent_activity:write"] });
  const watcher: RealtimeEvent[] = [];
  const { tail_cursor } = await owner.events.list(team.workspace.id, { includeTail: true, limit: 1 });
  const socket = owner.events.subscribe({ workspaceId: team.workspace.id, afterCursor: tail_cursor, onEvent: (e) => watcher.push(e) });
  await new Promise((resolve) => socket.addEventListener("open", resolve));
  const bot = newBot({
    userId: undefined,
    token: bot_token!.token,
    onEvent: async (e, _client, ctx) => {
      if (e.type !== "message.created") return;
      await ctx.progress("thinking");
      await ctx.reply("done");
    },
  });
  await bot.start();
  expect(bot.user?.id).toBe(user.id);
  const root = await post("agent, please");
  await until(() => watcher.some((e) => e.type === "thread.reply_created"), 10_000, "the reply");
  socket.close();
  const progress = watcher.find((e) => e.type === "agent.progress");
  expect(progress?.payload).toMatchObject({ text: "thinking", message_id: root, user_id: user.id, channel_id: team.general.id });
  expect((await ada.threads.get(root)).replies.map((r) => [r.author_id, r.body])).toEqual([[user.id, "done"]]);
});

test("a credential the server refuses makes start() reject with its 401", async () => {
  const dir = mkdtempSync(join(tmpdir(), "clickclack-nodev-"));
  // Not dev mode: no fallback user, so an unknown token is all there is.
  const strict = await startServer(loadConfig(["--data", dir, "--addr", "127.0.0.1:0"], {}).config, { quiet: true });
  try {
    const bot = new ClickClackBot({ baseUrl: strict.url, token: "ccb_nope", workspaceId: team.workspace.id, cursorStore: false, onEvent: () => {} });
    const err = await bot.start().then(
      () => null,
      (e) => e,
    );
    expect(err).toMatchObject({ status: 401 });
    expect(bot.connected).toBe(false);
  } finally {
    await strict.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
