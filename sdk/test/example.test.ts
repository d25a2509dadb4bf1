// The example bot, run as its own process against a real server, answers in threads.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seedTeam, startTestServer, type TestServer } from "../../src/testing/harness.ts";
import { roll } from "../examples/echo-bot.ts";
import { ClickClackClient } from "../src/index.ts";

let server: TestServer;
let team: Awaited<ReturnType<typeof seedTeam>>;
let cursors: string;

beforeAll(async () => {
  server = await startTestServer();
  team = await seedTeam(server);
  cursors = mkdtempSync(join(tmpdir(), "clickclack-echo-"));
});
afterAll(async () => {
  await server.close();
  rmSync(cursors, { recursive: true, force: true });
});

async function replies(client: ClickClackClient, rootId: string, count: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const page = await client.threads.get(rootId);
    if (page.replies.length >= count) return page.replies.map((r) => r.body);
    if (Date.now() > deadline) throw new Error(`no reply to ${rootId}`);
    await Bun.sleep(25);
  }
}

test("roll parses NdM, refuses nonsense and leaves other text alone", () => {
  expect(roll("/roll 2d6", () => 0.5)).toBe("🎲 2d6: 4 + 4 = 8");
  expect(roll("/roll 0d6")).toStartWith("usage:");
  expect(roll("/roll lots")).toStartWith("usage:");
  expect(roll("hello")).toBeNull();
});

test("the echo bot echoes and rolls dice, in the thread", async () => {
  const bot = await server.store.bots.create({ workspaceId: team.workspace.id, displayName: "Echo", handle: "echo" });
  const proc = Bun.spawn(["bun", join(import.meta.dir, "../examples/echo-bot.ts")], {
    env: { ...process.env, CLICKCLACK_SERVER: server.url, CLICKCLACK_USER: bot.id, CLICKCLACK_WORKSPACE: team.workspace.id, CLICKCLACK_CURSOR_DIR: cursors },
    stdout: "pipe",
    stderr: "pipe",
  });
  try {
    const reader = proc.stdout.getReader();
    const ready = new TextDecoder().decode((await reader.read()).value);
    expect(ready).toContain("echo-bot: listening as @echo");
    const ada = new ClickClackClient({ baseUrl: server.url, userId: team.users[0]!.id });
    const hello = await ada.channels.sendMessage(team.general.id, { body: "hello there" });
    const dice = await ada.channels.sendMessage(team.general.id, { body: "/roll 3d6" });
    expect(await replies(ada, hello.id, 1)).toEqual(["echo: hello there"]);
    const [answer] = await replies(ada, dice.id, 1);
    const m = /^🎲 3d6: (\d) \+ (\d) \+ (\d) = (\d+)$/u.exec(answer!);
    expect(m).not.toBeNull();
    const [a, b, c, total] = m!.slice(1).map(Number) as [number, number, number, number];
    expect([a, b, c].every((d) => d >= 1 && d <= 6) && a + b + c === total).toBe(true);
    // Its own replies did not set it off again.
    await Bun.sleep(200);
    expect((await ada.threads.get(hello.id)).replies).toHaveLength(1);
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
  }
});
