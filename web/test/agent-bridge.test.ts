// An agent in the browser: the chat bridge (`clickclack agent bridge`, with a fake `claude` first on
// PATH) answers an @mention; the person who asked sees the agent's live activity line under their
// message while it works, then the answer in the thread pane.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { type Fakes, setupFakes } from "../../src/agents/testing/harness.ts";
import { admin, cleanup, clickclack, ensureBinary, hasChromium, launchBrowser, ROOT, screenshot, serve, type ServerProcess, signIn, tempDir } from "./support.ts";

setDefaultTimeout(45_000);

describe.skipIf(!hasChromium)("agent in the browser", () => {
  let dir: string;
  let server: ServerProcess;
  let fakes: Fakes;
  let bridge: ReturnType<typeof Bun.spawn> | undefined;
  let bridgeLog = "";
  let browser: Browser;
  let ada: Page;

  beforeAll(async () => {
    ensureBinary();
    dir = tempDir("agent");
    const boot = await admin(dir, "bootstrap", "--name", "Ada Lovelace", "--email", "ada@example.com", "--workspace", "Acme");
    const bot = await admin(dir, "bot", "create", "--workspace", boot.workspace.id, "--name", "Claude", "--handle", "claude", "--scopes", "bot:write,agent_activity:write");
    server = await serve({ args: ["--data", dir] });

    fakes = setupFakes(["claude"]);
    const proc = Bun.spawn(
      [...clickclack(), "agent", "bridge", "--server", server.url, "--workspace", boot.workspace.id, "--workdir", fakes.work, "--state-dir", join(dir, "bridge"), "--approvals-in-chat", "--approval-timeout", "30s"],
      { cwd: ROOT, env: { ...fakes.env, CLICKCLACK_TOKEN: bot.bot_token.token }, stdout: "pipe", stderr: "pipe" },
    );
    bridge = proc;
    void proc.stderr.pipeTo(new WritableStream({ write: (c) => void (bridgeLog += new TextDecoder().decode(c)) }));
    const reader = proc.stdout.getReader();
    let out = "";
    while (!out.includes("bridge ready")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`bridge exited: ${out}\n${bridgeLog}`);
      out += new TextDecoder().decode(value);
    }
    reader.releaseLock();

    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    ada = await signIn(context, server.url, (await admin<{ token: string }>(dir, "magic-link", "create", "--email", "ada@example.com")).token);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    bridge?.kill("SIGTERM");
    await bridge?.exited;
    await server?.stop();
    fakes?.cleanup();
    if (dir) cleanup(dir);
  });

  test("the agent's live activity line, then its answer in the thread", async () => {
    const box = ada.getByRole("textbox", { name: /^Message #/ });
    await box.fill("@claude scenario:steps the release build fails, can you fix it?");
    await box.press("Enter");
    const asked = ada.locator("[data-message-id]", { hasText: "can you fix it?" }).first();

    // While the CLI runs: the activity line under the message names the tool it is running.
    await asked.locator(".agent-activity", { hasText: "Bash: bun test src/build" }).waitFor();
    await screenshot(ada, "agent-working");

    // The answer arrives in the thread; the activity line turns into "finished".
    await asked.getByRole("button", { name: /repl(y|ies)/ }).click();
    const pane = ada.getByRole("complementary", { name: "Thread" });
    await pane.getByText("Fixed: the bundler lost its minify flag; the build tests pass.", { exact: true }).waitFor();
    await asked.locator(".agent-activity.done").waitFor();
    await pane.getByText("bun test src/build").first().waitFor(); // the recorded tool activity
    await screenshot(ada, "agent-answered");
    expect(bridgeLog).not.toContain("could not post");
  });

  test("approvals in chat: the agent asks in the thread, a member answers there, the CLI gets the decision", async () => {
    const box = ada.getByRole("textbox", { name: /^Message #/ });
    await box.fill("@claude scenario:permission please clean the build directory");
    await box.press("Enter");
    const asked = ada.locator("[data-message-id]", { hasText: "clean the build directory" }).first();
    await asked.getByRole("button", { name: /repl(y|ies)/ }).waitFor();
    await asked.getByRole("button", { name: /repl(y|ies)/ }).click();
    const pane = ada.getByRole("complementary", { name: "Thread" });
    await pane.getByText(/wants to use/).first().waitFor();
    await screenshot(ada, "agent-asks-permission");
    const reply = pane.getByRole("textbox", { name: /Reply in thread/ });
    await reply.fill("allow");
    await reply.press("Enter");
    await pane.getByText("Decision: allow", { exact: true }).waitFor();
    await pane.getByText(/Allowed by @/).first().waitFor();
    await screenshot(ada, "agent-permission-answered");
  });
});
