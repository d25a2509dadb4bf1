// The chat bridge end to end: a real server, a real bot token, the bridge as a subprocess
// (`bun src/main.ts agent bridge …`) with a fake `claude` first on PATH, and people talking to it
// through the SDK and a WebSocket subscriber.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ClickClackClient, type Message, type User } from "../../../sdk/src/index.ts";
import { expandScopes } from "../../access/scopes.ts";
import { seedTeam, startTestServer, Subscription, type TestServer } from "../../testing/harness.ts";
import { type Fakes, isDead, setupFakes, spawnCli } from "../testing/harness.ts";
import { turnIdFor } from "./triggers.ts";

let fakes: Fakes;
let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;
let botUser: User;
let token: string;
let stateDir: string;
let ada: ClickClackClient;
let bob: ClickClackClient;
let gus: ClickClackClient;
let sub: Subscription;
let bridge: Bridge;
let reviewRoom: { id: string };

interface Bridge {
  proc: ReturnType<typeof spawnCli>;
  stderr: () => string;
  stop: () => Promise<number>;
}

/** The bridge as a subprocess; `viaEnv` passes server, token and workspace (by slug) in the environment instead. */
async function startBridge(viaEnv = false): Promise<Bridge> {
  const common = ["--workdir", fakes.work, "--state-dir", stateDir, "--max-concurrent", "1", "--approvals-in-chat", "--approval-timeout", "4s"];
  const proc = viaEnv
    ? spawnCli(["bridge", ...common], fakes, { env: { CLICKCLACK_SERVER: server.url, CLICKCLACK_TOKEN: token, CLICKCLACK_WORKSPACE: team.workspace.slug } })
    : spawnCli(["bridge", "--server", server.url, "--token", token, "--workspace", team.workspace.id, ...common], fakes);
  let err = "";
  void proc.stderr.pipeTo(new WritableStream({ write: (chunk) => void (err += new TextDecoder().decode(chunk)) }));
  const reader = proc.stdout.getReader();
  let out = "";
  while (!out.includes("bridge ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`bridge exited before it was ready: ${out}\n${err}`);
    out += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return {
    proc,
    stderr: () => err,
    stop: async () => {
      proc.kill("SIGTERM");
      return await proc.exited;
    },
  };
}

async function eventually<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nbridge stderr:\n${bridge?.stderr()}`);
    await Bun.sleep(50);
  }
}

const general = () => team.general.id;
const botReplies = async (rootId: string, kind = "message") =>
  (await ada.threads.get(rootId)).replies.filter((m) => m.author_id === botUser.id && (m.kind ?? "message") === kind);
const answerIn = (rootId: string, what = "the answer") => eventually(async () => (await botReplies(rootId))[0], `${what} in ${rootId}`);
/** Fake CLI runs whose question (the part after "wrote to you") contains `text`. */
const runsFor = (text: string) => fakes.calls().filter((c) => (c.prompt.split("wrote to you:\n")[1] ?? "").includes(text));

beforeAll(async () => {
  fakes = setupFakes(["claude"]);
  stateDir = join(fakes.root, "bridge-state");
  server = await startTestServer();
  team = await seedTeam(server, ["ada", "bob"]);
  const [adaUser, bobUser] = team.users as [User, User];
  const gusUser = await server.store.users.create({ kind: "human", displayName: "Gus", handle: "gus" });
  await server.store.workspaces.addMember(team.workspace.id, gusUser.id, "guest");
  botUser = (await server.store.bots.create({ workspaceId: team.workspace.id, displayName: "Claude", handle: "claude", ownerUserId: adaUser.id })) as unknown as User;
  token = (await server.store.bots.mintToken({ botUserId: botUser.id, workspaceId: team.workspace.id, name: "bridge", scopes: expandScopes(["bot:write", "agent_activity:write"]) })).token;
  ada = new ClickClackClient({ baseUrl: server.url, userId: adaUser.id });
  bob = new ClickClackClient({ baseUrl: server.url, userId: bobUser.id });
  gus = new ClickClackClient({ baseUrl: server.url, userId: gusUser.id });
  sub = new Subscription(server.url, { workspaceId: team.workspace.id, userId: adaUser.id });
  await sub.opened;
  // The team's checked-in profiles: turns in #review-room run under "review".
  reviewRoom = await ada.channels.create(team.workspace.id, { name: "review-room" });
  mkdirSync(join(fakes.work, ".clickclack"), { recursive: true });
  writeFileSync(
    join(fakes.work, ".clickclack", "agents.json"),
    JSON.stringify({ profiles: { review: { backend: "claude", allowed_tools: ["Read", "Grep"], max_budget_usd: 0.5 } }, channels: { "review-room": "review" } }),
  );
  bridge = await startBridge();
  // Starting a subprocess bridge outlasts the default 5 s on a loaded machine.
}, 60_000);

afterAll(async () => {
  if (process.env.BRIDGE_DEBUG) console.log(bridge?.stderr());
  sub?.close();
  await bridge?.stop();
  await server?.close();
  fakes?.cleanup();
});

describe("agent bridge", () => {
  test("approvals in chat: the agent's permission request becomes a question in the thread; a guest's answer is refused, a member's reaches the CLI", async () => {
    // The guest channel: a guest can read and post there, but may not answer for the team.
    const ask = await bob.channels.sendMessage(team.guest.id, { body: "@claude scenario:permission clean the build" });
    const question = await eventually(async () => (await botReplies(ask.id)).find((m) => m.body.includes("wants to use")), "the approval question");
    expect(question.body).toContain("`Bash` `rm -rf build/`");
    await gus.threads.reply(ask.id, { body: "allow" });
    await Bun.sleep(500);
    expect((await botReplies(ask.id)).some((m) => m.body.startsWith("✅"))).toBe(false);
    await ada.threads.reply(ask.id, { body: "allow" });
    const answer = await eventually(async () => (await botReplies(ask.id)).find((m) => m.body.startsWith("Decision:")), "the answer");
    expect(answer.body).toBe("Decision: allow");
    expect((await botReplies(ask.id)).some((m) => m.body.startsWith("✅ Allowed by @ada"))).toBe(true);
    // The question came as a card for bob (who started the turn); ada's typed answer is recorded on it.
    expect(question.question?.responder_user_ids).toEqual([team.users[1]!.id]);
    const closed = await eventually(async () => {
      const q = (await ada.messages.get(question.id)).question;
      return q?.status === "answered" ? q : null;
    }, "the card closed");
    expect(closed.response).toMatchObject({ answers: { approval: ["Allow once"] }, source: "external" });

    // A click: bob picks "Deny" on the card; a guest may not answer it.
    const clicked = await bob.channels.sendMessage(team.guest.id, { body: "@claude scenario:permission by card" });
    const card = await eventually(async () => (await botReplies(clicked.id)).find((m) => m.question?.status === "open"), "the approval card");
    await expect(gus.questions.answer(card.id, { answers: { approval: ["Allow once"] } })).rejects.toMatchObject({ status: 403 });
    expect(await bob.questions.answer(card.id, { answers: { approval: ["Deny"] } })).toMatchObject({ status: "submitted" });
    const refused = await eventually(async () => (await botReplies(clicked.id)).find((m) => m.body.startsWith("Decision:")), "the card's answer");
    expect(refused.body).toContain("Decision: deny");
    expect((await botReplies(clicked.id)).some((m) => m.body.startsWith("🚫 Denied by @bob"))).toBe(true);
    // Nobody answers: the request expires and the CLI is told no.
    const lonely = await bob.channels.sendMessage(team.guest.id, { body: "@claude scenario:permission again" });
    const denied = await eventually(async () => (await botReplies(lonely.id)).find((m) => m.body.startsWith("Decision:")), "the expired answer", 20_000);
    expect(denied.body).toContain("Decision: deny (Nobody in the chat approved this in time.)");
  }, 60_000);

  test("a channel mapped to a team profile runs its turns under that profile", async () => {
    const ask = await bob.channels.sendMessage(reviewRoom.id, { body: "@claude please review profiled-turn" });
    await answerIn(ask.id);
    const [run] = runsFor("profiled-turn");
    expect(run?.argv).toContain("--allowedTools=Read,Grep");
    expect(run?.argv).toContain("--max-budget-usd");
    const plain = await bob.channels.sendMessage(general(), { body: "@claude unprofiled-turn" });
    const plainAnswer = await answerIn(plain.id);
    expect(plainAnswer.body).toBe("Hello from fake Claude.");
    expect(runsFor("unprofiled-turn")[0]?.argv.some((a) => a.startsWith("--allowedTools"))).toBe(false);
  });

  test("answers a mention in its thread, with the channel's context, live progress first and tool activity recorded", async () => {
    await ada.channels.sendMessage(general(), { body: "the build fails on line 3 of main.ts" });
    const ask = await bob.channels.sendMessage(general(), { body: "@claude scenario:tools can you fix the bug described above?" });
    const answer = await answerIn(ask.id);
    expect(answer.body).toBe("The directory has README.md and src.");

    // The agent heard the channel before the mention, and who was speaking.
    const [run] = runsFor("can you fix the bug");
    expect(run?.prompt).toContain("Recent messages before this one (#general), oldest first:\n");
    expect(run?.prompt).toContain("@ada: the build fails on line 3 of main.ts");
    expect(run?.prompt).toContain("@bob wrote to you:\n@claude scenario:tools can you fix the bug described above?");

    // Tool use is recorded in the thread, tied to the turn.
    const tools = await botReplies(ask.id, "agent_tool");
    expect(tools.length).toBe(1);
    expect(tools[0]?.turn_id).toBe(turnIdFor(ask.id));
    expect(tools[0]?.body).toContain("**Bash** `ls`");

    // agent.progress reached a subscriber before the answer did.
    const events = await sub.until((es) => es.some((e) => e.type === "thread.reply_created" && e.payload.message_id === answer.id));
    const firstProgress = events.findIndex((e) => e.type === "agent.progress" && e.payload.turn_id === turnIdFor(ask.id));
    const answered = events.findIndex((e) => e.type === "thread.reply_created" && e.payload.message_id === answer.id);
    expect(firstProgress).toBeGreaterThanOrEqual(0);
    expect(firstProgress).toBeLessThan(answered);
    const progress = events.filter((e) => e.type === "agent.progress" && e.payload.turn_id === turnIdFor(ask.id)).map((e) => e.payload);
    expect(progress[0]).toMatchObject({ message_id: ask.id, root_message_id: ask.id, user_id: botUser.id });
    expect(progress.map((p) => p.status)).toContain("tool");
    expect(progress.at(-1)).toMatchObject({ status: "done", done: true });
  });

  test("a follow-up in the thread, without a mention, resumes the same backend session", async () => {
    const root = await ada.channels.sendMessage(general(), { body: "@claude scenario:memory remember the number 42" });
    const first = await answerIn(root.id);
    const session = /^session (\S+) \(new\)$/.exec(first.body)?.[1];
    expect(session).toBeTruthy();

    await bob.threads.reply(root.id, { body: "scenario:memory which number was it?" });
    const second = await eventually(async () => (await botReplies(root.id))[1], "the follow-up answer");
    expect(second.body).toBe(`session ${session} (resumed ${session})`);
    const [run] = runsFor("which number was it");
    expect(run?.argv.join(" ")).toContain(`--resume ${session}`);
    // The session remembers the thread; the follow-up prompt does not repeat it.
    expect(run?.prompt).not.toContain("remember the number 42");
  });

  test("stop cancels a slow run and kills its processes; a turn waiting for the slot says it is queued, then runs", async () => {
    const slow = await ada.channels.sendMessage(general(), { body: "@claude scenario:slow take your time" });
    const run = await eventually(async () => runsFor("take your time")[0], "the slow run to start");
    await sub.until((es) => es.some((e) => e.type === "agent.progress" && e.payload.turn_id === turnIdFor(slow.id)));

    const next = await bob.channels.sendMessage(general(), { body: "@claude scenario:echo next please" });
    const queued = await eventually(async () => (await botReplies(next.id, "agent_commentary"))[0], "the queued notice");
    expect(queued.body).toBe("Queued — 1 turn ahead");

    await ada.threads.reply(slow.id, { body: "stop" });
    const stopped = await answerIn(slow.id, "the stop notice");
    expect(stopped.body).toBe("Stopped by @ada.");
    // The CLI and the grandchild it spawned in its process group are gone.
    const children = fakes.pids().filter((pid) => readFileSync(join(fakes.root, "pids", String(pid)), "utf8") === "claude-child");
    expect(children.length).toBe(1);
    for (const pid of [run.pid, ...children]) expect(isDead(pid)).toBe(true);

    const echoed = await answerIn(next.id, "the queued turn's answer");
    expect(echoed.body).toContain("echo:");
    expect(echoed.body).toContain("@claude scenario:echo next please");
  });

  test("a ✋ reaction on the message cancels its turn", async () => {
    const slow = await bob.channels.sendMessage(general(), { body: "@claude scenario:slow raise a hand" });
    const run = await eventually(async () => runsFor("raise a hand")[0], "the slow run to start");
    await ada.reactions.add(slow.id, "✋");
    const stopped = await answerIn(slow.id, "the stop notice");
    expect(stopped.body).toBe("Stopped by @ada.");
    expect(isDead(run.pid)).toBe(true);
  });

  test("cancelling a waiting turn lets the next one in its thread move up", async () => {
    const slow = await ada.channels.sendMessage(general(), { body: "@claude scenario:slow hold the slot" });
    await eventually(async () => runsFor("hold the slot")[0], "the slow run to start");
    const root = await bob.channels.sendMessage(general(), { body: "a thread about the release" });
    const first = await bob.threads.reply(root.id, { body: "@claude scenario:echo first in line" });
    const second = await bob.threads.reply(root.id, { body: "scenario:echo second in line" });
    const notices = await eventually(async () => {
      const found = await botReplies(root.id, "agent_commentary");
      return found.length === 2 && found;
    }, "two queued notices");
    expect(notices.map((m) => [m.turn_id, m.body])).toEqual([
      [turnIdFor(first.id), "Queued — 1 turn ahead"],
      [turnIdFor(second.id), "Queued — 1 turn ahead"],
    ]);

    await ada.reactions.add(first.id, "✋");
    const cancelled = await answerIn(root.id, "the cancel notice");
    expect(cancelled).toMatchObject({ body: "Cancelled by @ada before it started.", quoted_message_id: first.id });
    await ada.threads.reply(slow.id, { body: "@claude stop" });
    const answered = await eventually(async () => (await botReplies(root.id))[1], "the second turn's answer");
    expect(answered.body).toContain("second in line");
    expect(runsFor("first in line")).toEqual([]);
  });

  test("one bridge per bot and state directory", async () => {
    const second = spawnCli(["bridge", "--server", server.url, "--token", token, "--workspace", team.workspace.id, "--workdir", fakes.work, "--state-dir", stateDir], fakes);
    expect(await second.exited).toBe(7);
    expect(await new Response(second.stderr).text()).toContain("another bridge for this bot");
  });

  test("@channel does not wake it, and neither a guest nor another bot can drive it", async () => {
    const broadcast = await ada.channels.sendMessage(general(), { body: "@channel scenario:echo broadcast news" });
    const fromGuest = await gus.channels.sendMessage(team.guest.id, { body: "@claude scenario:echo guest here" });
    const other = await server.store.bots.create({ workspaceId: team.workspace.id, displayName: "Other", handle: "other-bot" });
    const otherToken = (await server.store.bots.mintToken({ botUserId: other.id, workspaceId: team.workspace.id, name: "t", scopes: expandScopes(["bot:write"]) })).token;
    const fromBot = await new ClickClackClient({ baseUrl: server.url, token: otherToken }).channels.sendMessage(general(), { body: "@claude scenario:echo bots talking" });
    // Events are handled in order: once a later mention is answered, the earlier ones were judged.
    const marker = await ada.channels.sendMessage(general(), { body: "@claude scenario:echo marker" });
    await answerIn(marker.id);
    for (const m of [broadcast, fromGuest, fromBot]) expect(await botReplies(m.id)).toEqual([]);
    expect(runsFor("broadcast news")).toEqual([]);
    expect(runsFor("guest here")).toEqual([]);
    expect(runsFor("bots talking")).toEqual([]);
  });

  test("answers a direct message in the conversation", async () => {
    const dm = await ada.dms.create(team.workspace.id, [botUser.id]);
    const hello = await ada.dms.sendMessage(dm.id, { body: "scenario:echo hi in private" });
    const answer = await eventually(
      async () => (await ada.dms.messages(dm.id, {})).find((m: Message) => m.author_id === botUser.id && m.kind === "message"),
      "the DM answer",
    );
    expect(answer.body).toContain("hi in private");
    expect(answer.nonce).toBe(`bridge:${hello.id}:answer`);
  });

  test("a restarted bridge does not answer an old mention twice, even when its cursor and state are lost", async () => {
    const { tail_cursor: before } = await ada.events.list(team.workspace.id, { includeTail: true, limit: 1 });
    const once = await ada.channels.sendMessage(general(), { body: "@claude scenario:echo only once" });
    await answerIn(once.id);
    // A turn still running at shutdown is interrupted, and says so in its thread.
    const slow = await bob.channels.sendMessage(general(), { body: "@claude scenario:slow cut short" });
    const run = await eventually(async () => runsFor("cut short")[0], "the slow run to start");
    expect(await bridge.stop()).toBe(0);
    expect((await botReplies(slow.id))[0]?.body).toStartWith("⚠️ Interrupted");
    expect(isDead(run.pid)).toBe(true);

    // Roll the cursor back to before the mention (a crash before it was saved) and, the worst
    // case, lose the state file too: only the answer's nonce stands between us and a double post.
    const cursorFile = join(stateDir, "cursors", `${team.workspace.id}.${botUser.id}.json`);
    expect(JSON.parse(readFileSync(cursorFile, "utf8")).cursor > String(before)).toBe(true);
    writeFileSync(cursorFile, JSON.stringify({ cursor: before }));
    for (const f of ["bridge.db", "bridge.db-wal", "bridge.db-shm"]) rmSync(join(stateDir, f), { force: true });

    bridge = await startBridge(true);
    const marker = await ada.channels.sendMessage(general(), { body: "@claude scenario:env after the restart" });
    // The agent runs arbitrary commands: the bridge's credentials are not in its environment.
    expect((await answerIn(marker.id)).body).toBe("token=[] server=[]");
    expect((await botReplies(once.id)).length).toBe(1);
    expect(runsFor("only once").length).toBe(1);
    expect((await botReplies(slow.id)).length).toBe(1);
    expect(runsFor("cut short").length).toBe(1);
  });
});
