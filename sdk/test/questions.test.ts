// questions.* against the real server: a bot asks, a person answers, the bot hears
// question.submitted over its WebSocket, reconciles with list() and resolves.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { seedTeam, startTestServer, type TestServer } from "../../src/testing/harness.ts";
import { ClickClackClient, ClickClackError, type RealtimeEvent } from "../src/index.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;

beforeAll(async () => {
  server = await startTestServer(["--no-limits"]);
  team = await seedTeam(server);
});
afterAll(() => server.close());

test("ask, answer, question.submitted, list, resolve", async () => {
  const ada = new ClickClackClient({ baseUrl: server.url, userId: team.users[0]!.id });
  const bob = new ClickClackClient({ baseUrl: server.url, userId: team.users[1]!.id });
  const made = await ada.bots.create(team.workspace.id, { display_name: "Asker", handle: "sdk-asker", scopes: ["bot:write"] } as never);
  const bot = new ClickClackClient({ baseUrl: server.url, token: (made as any).bot_token.token });

  const heard: RealtimeEvent[] = [];
  let opened!: () => void;
  const open = new Promise<void>((r) => (opened = r));
  const sub = bot.events.subscribe({ workspaceId: team.workspace.id, onEvent: (e) => heard.push(e), onOpen: () => opened() });
  await open;

  const message = await bot.questions.ask(team.general.id, {
    body: "Which region?",
    question: { items: [{ id: "region", header: "Region", prompt: "Where to?", options: [{ label: "eu" }, { label: "us" }], allow_other: true }], expires_at: new Date(Date.now() + 60_000).toISOString() },
  });
  expect(message.question?.status).toBe("open");
  expect((await bob.questions.get(message.id))?.version).toBe(1);

  const answered = await bob.questions.answer(message.id, { answers: { region: ["eu"] }, expected_version: 1 });
  expect(answered).toMatchObject({ status: "submitted", version: 2 });
  const late = await ada.questions.answer(message.id, { answers: { region: ["us"] } }).catch((e) => e);
  expect(late).toBeInstanceOf(ClickClackError);
  expect((late as ClickClackError).status).toBe(409);

  for (let i = 0; i < 200 && !heard.some((e) => e.type === "question.submitted"); i++) await Bun.sleep(25);
  const submitted = heard.find((e) => e.type === "question.submitted")!;
  expect(submitted.payload).toMatchObject({ message_id: message.id, answers: { region: ["eu"] } });

  const pending = await bot.questions.list({ status: "submitted" });
  expect(pending.questions.map((q) => q.message_id)).toEqual([message.id]);
  expect(await bot.questions.resolve(message.id, { status: "answered", note: "eu it is" })).toMatchObject({ status: "answered", version: 3 });
  expect((await bot.questions.list({ status: "pending" })).questions).toEqual([]);
  sub.close();
});
