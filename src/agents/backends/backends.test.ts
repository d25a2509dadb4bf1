// Adapters in isolation: argv for each CLI (including what they must refuse) and the
// parsers over the recorded-style transcripts the fake CLIs replay.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AgentError } from "../errors.ts";
import { TRANSCRIPTS } from "../testing/fakes/core.ts";
import { claude } from "./claude.ts";
import { codex } from "./codex.ts";
import { gemini } from "./gemini.ts";
import type { AgentEvent, Backend, BuildRequest } from "./types.ts";

const W = "/tmp/work";

function replay(b: Backend, scenario: string, exitCode = 0, req: BuildRequest = { workdir: W }) {
  const parser = b.parser(req);
  const events: AgentEvent[] = [];
  const lines = readFileSync(join(TRANSCRIPTS, b.name, `${scenario}.jsonl`), "utf8").split("\n");
  let code = exitCode;
  for (const raw of lines) {
    if (raw.startsWith("#exit ")) code = Number(raw.slice(6));
    if (!raw.trim() || raw.startsWith("#")) continue;
    const line = raw
      .replaceAll("{{SESSION_ID}}", "sess-1")
      .replaceAll("{{CWD}}", W)
      .replaceAll("{{MODEL}}", "m-1")
      .replaceAll("{{PERMISSION_MODE}}", "default")
      .replaceAll("{{PROMPT_JSON}}", "hi")
      .replace(/\{\{BIG:\d+\}\}/, "big");
    events.push(...parser.line(line));
  }
  events.push(...parser.finish({ code, stderrTail: "", durationMs: 5 }));
  const text = events.flatMap((e) => (e.type === "text" ? [e.text] : [])).join("");
  const done = events.at(-1);
  if (done?.type !== "done") throw new Error("last event must be done");
  return { events, text, done };
}

function refuses(fn: () => unknown, kind: AgentError["kind"] = "config"): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AgentError);
    expect((e as AgentError).kind).toBe(kind);
    return;
  }
  throw new Error("expected a refusal");
}

describe("claude adapter", () => {
  test("argv: print mode, stream-json, prompt only on stdin", () => {
    const inv = claude.build({ workdir: W }, "--dangerously-skip-permissions please");
    expect(inv.argv).toEqual(["claude", "-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages"]);
    expect(inv.stdin).toBe("--dangerously-skip-permissions please");
  });

  test("argv maps model, approval, turns, system prompt, resume and fork", () => {
    const inv = claude.build(
      { workdir: W, model: "opus", approval: "auto", maxTurns: 3, systemPrompt: "-be brief", resumeId: "abc-1", fork: true, ephemeral: true, scratchDir: "/tmp/s" },
      "x",
    );
    expect(inv.argv.slice(6)).toEqual([
      "--model", "opus", "--permission-mode", "acceptEdits", "--max-turns", "3",
      "--append-system-prompt-file", "/tmp/s/system-prompt.md", "--resume", "abc-1", "--fork-session", "--no-session-persistence",
    ]);
    // The system prompt travels in a file, never in argv (E2BIG over 128 KiB).
    expect(inv.files).toEqual([{ path: "/tmp/s/system-prompt.md", content: "-be brief" }]);
    expect(claude.build({ workdir: W, approval: "never-ask", sandbox: "full" }, "x").argv).toContain("bypassPermissions");
    const readOnly = claude.build({ workdir: W, approval: "never-ask", sandbox: "read-only" }, "x").argv;
    expect(readOnly).toContain("plan");
    expect(readOnly).toContain("--disallowedTools=ExitPlanMode");
  });

  test("approvals from chat: a permission-prompt MCP tool for claude; the others have no such hook", () => {
    const argv = claude.build({ workdir: W, permissionPromptTool: "mcp__clickclack__approve", mcpServers: { clickclack: { command: "cc" } } }, "x").argv;
    expect(argv.slice(argv.indexOf("--permission-prompt-tool"), argv.indexOf("--permission-prompt-tool") + 2)).toEqual(["--permission-prompt-tool", "mcp__clickclack__approve"]);
    refuses(() => codex.build({ workdir: W, permissionPromptTool: "mcp__x__y" }, "x"));
    refuses(() => gemini.build({ workdir: W, permissionPromptTool: "mcp__x__y" }, "x"));
  });

  test("sandbox workspace turns on Claude Code's native sandbox through --settings", () => {
    const argv = claude.build({ workdir: W, approval: "auto", sandbox: "workspace", bubblewrap: true }, "x").argv;
    const settings = JSON.parse(argv[argv.indexOf("--settings") + 1] as string);
    expect(settings).toEqual({ sandbox: { enabled: true, autoAllowBashIfSandboxed: true, allowUnsandboxedCommands: false } });
    expect(claude.build({ workdir: W, sandbox: "full" }, "x").argv).not.toContain("--settings");
    // Without bubblewrap and socat Claude Code would run commands unsandboxed: refused.
    if (process.platform === "linux") refuses(() => claude.build({ workdir: W, sandbox: "workspace", bubblewrap: false }, "x"));
  });

  test("refuses what it cannot honour", () => {
    refuses(() => claude.build({ workdir: W, approval: "never-ask", sandbox: "workspace", bubblewrap: true }, "x"));
    refuses(() => claude.build({ workdir: W, fork: true }, "x"));
    refuses(() => claude.build({ workdir: W, model: "--evil" }, "x"));
  });

  test("hello: deltas stream once, not again from the full message; usage counts cache as input", () => {
    const { events, text, done } = replay(claude, "hello");
    expect(events[0]).toMatchObject({ type: "init", backend_session_id: "sess-1", model: "m-1", cwd: W });
    expect(text).toBe("Hello from fake Claude.");
    expect(events.filter((e) => e.type === "text")).toHaveLength(3);
    expect(done).toMatchObject({ ok: true, turns: 1, cost_usd: 0.0119853, duration_ms: 2419 });
    expect(done.type === "done" && done.usage).toEqual({ input_tokens: 3 + 1820 + 12001, cached_tokens: 12001, output_tokens: 9, reasoning_tokens: 0 });
  });

  test("tools: thinking, tool_use with full input, tool_result, answer", () => {
    const { events, text, done } = replay(claude, "tools");
    const kinds = events.map((e) => e.type);
    expect(kinds.filter((k) => k === "thinking")).toHaveLength(2);
    expect(events.find((e) => e.type === "tool_use")).toEqual({
      type: "tool_use", id: "toolu_01LsCall", name: "Bash", input: { command: "ls", description: "List files" },
    });
    expect(events.find((e) => e.type === "tool_result")).toEqual({ type: "tool_result", id: "toolu_01LsCall", output: "README.md\nsrc", is_error: false });
    expect(kinds.indexOf("tool_result")).toBeLessThan(kinds.lastIndexOf("text"));
    expect(text).toBe("The directory has README.md and src.");
    expect(done).toMatchObject({ ok: true, turns: 2 });
  });

  test("a whole message without deltas is not lost", () => {
    expect(replay(claude, "nodelta").text).toBe("Only the whole message arrived.");
  });

  test("is_error and error subtypes fail with the CLI's own message", () => {
    const err = replay(claude, "error");
    expect(err.done).toMatchObject({ ok: false });
    expect(err.done.type === "done" && err.done.error).toContain("API Error: 529");
    const turns = replay(claude, "max-turns");
    expect(turns.done).toMatchObject({ ok: false, turns: 2 });
    expect(turns.done.type === "done" && turns.done.error).toContain("error_max_turns");
    expect(turns.events.find((e) => e.type === "tool_result")).toMatchObject({ is_error: true, output: "<tool_use_error>File does not exist.</tool_use_error>" });
  });

  test("a clean result followed by a non-zero exit is a failure; so is no result", () => {
    expect(replay(claude, "hello", 2).done).toMatchObject({ ok: false, error: "claude exited with code 2" });
    const p = claude.parser({ workdir: W });
    const [err, done] = p.finish({ code: 0, stderrTail: "", durationMs: 1 });
    expect(err).toMatchObject({ type: "error", fatal: true });
    expect(done).toMatchObject({ type: "done", ok: false });
    const q = claude.parser({ workdir: W });
    expect(q.finish({ code: 3, stderrTail: "boom\nError: ENOSPC\n", durationMs: 1 }).at(-1)).toMatchObject({ error: "boom\nError: ENOSPC" });
  });
});

describe("codex adapter", () => {
  test("argv: exec --json … - with every option before the resume subcommand", () => {
    expect(codex.build({ workdir: W }, "hi").argv).toEqual(["codex", "exec", "--json", "--skip-git-repo-check", "-C", W, "-"]);
    const inv = codex.build(
      { workdir: W, model: "gpt-5.5", sandbox: "read-only", approval: "never-ask", systemPrompt: 'say "hi"\n', resumeId: "t-1", ephemeral: true },
      "-x",
    );
    // No approval_policy override: exec ignores it, so sending it would only pretend.
    expect(inv.argv).toEqual([
      "codex", "exec", "--json", "--skip-git-repo-check", "-C", W, "--model", "gpt-5.5", "--sandbox", "read-only",
      "-c", 'developer_instructions="say \\"hi\\"\\n"', "--ephemeral", "resume", "t-1", "-",
    ]);
    expect(inv.stdin).toBe("-x");
  });

  test("refuses max turns, fork, and approvals exec never asks for", () => {
    refuses(() => codex.build({ workdir: W, maxTurns: 2 }, "x"));
    refuses(() => codex.build({ workdir: W, resumeId: "a", fork: true }, "x"));
    refuses(() => codex.build({ workdir: W, approval: "ask", sandbox: "read-only" }, "x"));
    refuses(() => codex.build({ workdir: W, approval: "auto", sandbox: "full" }, "x"));
    expect(codex.build({ workdir: W, approval: "auto", sandbox: "workspace" }, "x").argv).toContain("workspace-write");
    expect(codex.build({ workdir: W, approval: "never-ask", sandbox: "full" }, "x").argv).toContain("danger-full-access");
  });

  test("a system prompt too large for one argv string goes on stdin instead", () => {
    const big = "r".repeat(200 * 1024);
    const inv = codex.build({ workdir: W, systemPrompt: big }, "question");
    expect(inv.argv.some((a) => a.length > 100 * 1024)).toBe(false);
    expect(inv.stdin.startsWith("<developer_instructions>")).toBe(true);
    expect(inv.stdin.endsWith("question")).toBe(true);
  });

  test("usage on a resumed thread is this run's share of codex's running totals", () => {
    const p = codex.parser({ workdir: W, resumeId: "t", priorUsage: { input_tokens: 8192, cached_tokens: 6144, output_tokens: 42, reasoning_tokens: 16 } });
    p.line('{"type":"turn.started"}');
    p.line('{"type":"turn.completed","usage":{"input_tokens":16384,"cached_input_tokens":12288,"output_tokens":84,"reasoning_output_tokens":32}}');
    expect(p.finish({ code: 0, stderrTail: "", durationMs: 1 }).at(-1)).toMatchObject({
      usage: { input_tokens: 8192, cached_tokens: 6144, output_tokens: 42, reasoning_tokens: 16 },
    });
  });

  test("tools: commands, failures, file changes; usage is the running total with cached inside input", () => {
    const { events, text, done } = replay(codex, "tools", 0, { workdir: W, model: "gpt-5.5" });
    expect(events[0]).toMatchObject({ type: "init", backend_session_id: "sess-1", model: "gpt-5.5", cwd: W });
    expect(events.filter((e) => e.type === "tool_use").map((e) => e.type === "tool_use" && e.name)).toEqual(["shell", "shell", "apply_patch"]);
    expect(events.filter((e) => e.type === "tool_result").map((e) => e.type === "tool_result" && e.is_error)).toEqual([false, true, false]);
    expect(events.some((e) => e.type === "thinking")).toBe(true);
    expect(text).toBe("I listed the files and wrote NOTES.md.");
    expect(done).toMatchObject({ ok: true, turns: 1, usage: { input_tokens: 24000, cached_tokens: 20000, output_tokens: 300, reasoning_tokens: 128 } });

    const p = codex.parser({ workdir: W });
    for (const l of [
      '{"type":"turn.started"}', '{"type":"turn.completed","usage":{"input_tokens":10,"cached_input_tokens":4,"output_tokens":2}}',
      '{"type":"turn.started"}', '{"type":"turn.completed","usage":{"input_tokens":20,"cached_input_tokens":8,"output_tokens":3}}',
    ]) p.line(l);
    // turn.completed carries running totals: the last one is the whole run, not a sum.
    expect(p.finish({ code: 0, stderrTail: "", durationMs: 1 }).at(-1)).toMatchObject({ turns: 2, usage: { input_tokens: 20, cached_tokens: 8, output_tokens: 3 } });
  });

  test("turn.failed fails with codex's message, transient errors are warnings", () => {
    const { events, done } = replay(codex, "error");
    expect(events.find((e) => e.type === "error" && !e.fatal)).toBeDefined();
    expect(done).toMatchObject({ ok: false, error: "unexpected status 401 Unauthorized: Your authentication token has expired. Please sign in again." });
  });
});

describe("gemini adapter", () => {
  test("argv: stream-json, prompt on stdin, approval and sandbox mapping", () => {
    expect(gemini.build({ workdir: W }, "hi").argv).toEqual(["gemini", "--output-format", "stream-json"]);
    expect(
      gemini.build({ workdir: W, model: "gemini-2.5-pro", approval: "never-ask", sandbox: "workspace", resumeId: "g-1", containerRuntime: "docker" }, "x").argv,
    ).toEqual(["gemini", "--output-format", "stream-json", "--model", "gemini-2.5-pro", "--approval-mode", "yolo", "--sandbox", "--resume", "g-1"]);
    expect(gemini.build({ workdir: W, approval: "auto", sandbox: "full" }, "x").argv).toEqual([
      "gemini", "--output-format", "stream-json", "--approval-mode", "auto_edit",
    ]);
  });

  test("refuses read-only (plan mode is not enforced) and a sandbox with no container runtime", () => {
    refuses(() => gemini.build({ workdir: W, approval: "auto", sandbox: "read-only" }, "x"));
    if (process.platform === "linux") refuses(() => gemini.build({ workdir: W, sandbox: "workspace", containerRuntime: null }, "x"));
  });

  test("refuses max turns, system prompt and fork", () => {
    refuses(() => gemini.build({ workdir: W, maxTurns: 2 }, "x"));
    refuses(() => gemini.build({ workdir: W, systemPrompt: "s" }, "x"));
    refuses(() => gemini.build({ workdir: W, resumeId: "a", fork: true }, "x"));
  });

  test("tools: deltas, tool calls and failed tool results", () => {
    const { events, text, done } = replay(gemini, "tools");
    expect(events[0]).toMatchObject({ type: "init", backend_session_id: "sess-1", model: "m-1" });
    expect(text).toBe("Let me look at the files. There are two entries; missing.txt does not exist.");
    expect(events.filter((e) => e.type === "tool_result")).toEqual([
      { type: "tool_result", id: "list_directory-1731405601100-0a1b2c", output: "Listed 2 item(s).", is_error: false },
      { type: "tool_result", id: "read_file-1731405601300-3d4e5f", output: "File not found: missing.txt", is_error: true },
    ]);
    expect(done).toMatchObject({ ok: true, turns: 2, usage: { input_tokens: 20500, cached_tokens: 16000, output_tokens: 180 } });
  });

  test("status error fails with gemini's message", () => {
    const { done } = replay(gemini, "error");
    expect(done).toMatchObject({ ok: false });
    expect(done.type === "done" && done.error).toContain("exhausted your capacity");
  });
});
