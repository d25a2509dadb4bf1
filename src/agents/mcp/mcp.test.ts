// `clickclack agent mcp` as a subprocess, driven by the official MCP SDK client over stdio,
// with the fake CLIs on PATH.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { join } from "node:path";
import { type Fakes, REPO, setupFakes } from "../testing/harness.ts";

let f: Fakes;
let client: Client;

type ToolResult = { content: Array<{ type: string; text: string }>; isError?: boolean };
const call = async (name: string, args: Record<string, unknown>) => {
  const r = (await client.callTool({ name, arguments: args })) as ToolResult;
  return { isError: r.isError === true, text: r.content[0]?.text ?? "", json: () => JSON.parse(r.content[0]?.text ?? "null") };
};

beforeAll(async () => {
  f = setupFakes(undefined, { sandboxes: true });
  client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [join(REPO, "src/main.ts"), "agent", "mcp", "--workdir", f.work],
      env: f.env,
      cwd: f.work,
      stderr: "ignore",
    }),
  );
});
afterAll(async () => {
  await client?.close();
  f.cleanup();
});

describe("agent mcp", () => {
  test("lists its tools", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["chain", "compare", "parallel", "run", "sessions"]);
    const run = tools.find((t) => t.name === "run");
    expect(run?.inputSchema.required).toEqual(["prompt"]);
  });

  test("run answers and records a session that can be resumed; sessions lists it with a short id", async () => {
    const first = await call("run", { prompt: "hi", backend: "codex" });
    expect(first.isError).toBe(false);
    const result = first.json();
    expect(result).toMatchObject({ ok: true, text: "Hello from fake Codex.", backend: "codex" });
    const again = (await call("run", { prompt: "scenario:echo more", session_id: result.session_id })).json();
    expect(again.session_id).toBe(result.session_id);
    expect(f.calls().at(-1)?.argv).toContain("resume");
    const list = (await call("sessions", { action: "list" })).json();
    const listed = list.sessions.find((s: { id: string }) => s.id === result.session_id);
    expect(result.session_id.startsWith(listed.short_id)).toBe(true);
    expect(listed.short_id.length).toBeLessThan(result.session_id.length);
    expect((await call("sessions", { action: "show", id: listed.short_id })).json().id).toBe(result.session_id);
  });

  test("parallel, compare and chain", async () => {
    const par = (await call("parallel", { tasks: [{ prompt: "scenario:echo 1" }, { prompt: "scenario:echo 2", backend: "codex" }] })).json();
    expect(par.tasks.map((t: { text: string }) => t.text)).toEqual(["echo: scenario:echo 1", "echo: scenario:echo 2"]);
    const cmp = (await call("compare", { prompt: "scenario:echo c", backends: ["claude", "codex"] })).json();
    expect(cmp.tasks.map((t: { backend: string }) => t.backend).sort()).toEqual(["claude", "codex"]);
    const ch = (await call("chain", { steps: [{ name: "a", prompt: "scenario:echo A" }, { prompt: "scenario:echo got {{previous}}" }] })).json();
    expect(ch.tasks[1].text).toBe("echo: scenario:echo got echo: scenario:echo A");
  });

  test("the server's ceilings hold for a delegating agent; failures are tool errors", async () => {
    const loose = await call("run", { prompt: "x", sandbox: "full", approval: "never-ask" });
    expect(loose.isError).toBe(true);
    expect(loose.text).toContain("exceeds this server's maximum");
    const outside = await call("run", { prompt: "x", workdir: "/" });
    expect(outside.isError).toBe(true);
    const failed = await call("run", { prompt: "scenario:error", backend: "codex" });
    expect(failed.isError).toBe(true);
    expect(failed.json()).toMatchObject({ status: "failed" });
  });
});
