// Every `clickclack agent …` command, run as a real subprocess (`bun src/main.ts agent …`)
// against fake claude/codex/gemini executables that check their argv and replay transcripts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SessionStore } from "./sessions.ts";
import { type Fakes, isDead, runCli, setupFakes, spawnCli, waitFor } from "./testing/harness.ts";

let f: Fakes;
beforeAll(() => {
  f = setupFakes();
});
afterAll(() => f.cleanup());

const sessionOf = (stderr: string) => /session: (ags_[0-9a-z]+)/.exec(stderr)?.[1] ?? "";
const lastCall = () => f.calls().at(-1);

async function readUntil(stream: ReadableStream<Uint8Array>, needle: string, timeoutMs = 10_000): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + timeoutMs;
  while (!text.includes(needle)) {
    if (Date.now() > deadline) throw new Error(`never saw ${needle} in ${text}`);
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended before ${needle}: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

describe("agent run", () => {
  test("streams each backend's answer as text and records a session", async () => {
    const expected = { claude: "Hello from fake Claude.", codex: "Hello from fake Codex.", gemini: "Hello from fake Gemini." };
    for (const [backend, text] of Object.entries(expected)) {
      const r = await runCli(["run", "-b", backend, "say hello"], f);
      expect(r.stderr).toContain("(completed)");
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${text}\n`);
      expect(lastCall()).toMatchObject({ cli: backend, prompt: "say hello", cwd: realpathSync(f.work) });
      expect(lastCall()?.argv).not.toContain("say hello");
    }
    const list = await runCli(["sessions", "list", "--json"], f);
    expect(JSON.parse(list.stdout).slice(0, 3).map((s: { backend: string }) => s.backend)).toEqual(["gemini", "codex", "claude"]);
  });

  test("a prompt starting with -- reaches the CLI on stdin, never as a flag", async () => {
    const viaSeparator = await runCli(["run", "--", "--dangerously-skip-permissions scenario:echo"], f);
    expect(viaSeparator.code).toBe(0);
    expect(viaSeparator.stdout).toBe("echo: --dangerously-skip-permissions scenario:echo\n");
    expect(lastCall()?.argv).toEqual(["-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages"]);

    const viaStdin = await runCli(["run", "-b", "codex", "-"], f, { stdin: "--help\nscenario:echo multi-line" });
    expect(viaStdin.code).toBe(0);
    expect(viaStdin.stdout).toBe("echo: --help\nscenario:echo multi-line\n");
    expect(lastCall()?.argv.at(-1)).toBe("-");

    const unquoted = await runCli(["run", "--oops"], f);
    expect(unquoted.code).toBe(2);
    expect(unquoted.stderr).toContain("after --");
  });

  test("stream-json prints unified events; json prints one result", async () => {
    const r = await runCli(["run", "-o", "stream-json", "scenario:tools"], f);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual([
      "init", "usage", "thinking", "thinking", "tool_use", "tool_result", "text", "text", "done", "result",
    ]);
    expect(events[0].session_id).toMatch(/^ags_/);
    expect(events.at(-1)).toMatchObject({ status: "completed", text: "The directory has README.md and src.", turns: 2 });

    const j = await runCli(["run", "-b", "gemini", "-o", "json", "scenario:tools"], f);
    const result = JSON.parse(j.stdout);
    expect(result).toMatchObject({ ok: true, backend: "gemini", model: "gemini-2.5-pro", usage: { input_tokens: 20500, cached_tokens: 16000 } });
  });

  test("a 2 MB event line amid a stderr flood streams through intact", async () => {
    const r = await runCli(["run", "scenario:bigline"], f);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(2_000_000 + "END\n".length);
    expect(r.stdout.endsWith("xEND\n")).toBe(true);
  });

  test("options map onto each CLI's flags; impossible combinations are refused", async () => {
    const r = await runCli(
      ["run", "-m", "fast", "--approval", "auto", "--sandbox", "read-only", "--max-turns", "3", "--system-prompt=-terse", "x"],
      f,
    );
    expect(r.code).toBe(0);
    expect(lastCall()?.argv).toEqual([
      "-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages",
      "--model", "haiku", "--permission-mode", "plan", "--max-turns", "3",
      "--append-system-prompt-file", expect.stringMatching(/system-prompt\.md$/), "--disallowedTools=ExitPlanMode",
    ]);
    expect(lastCall()?.vars.SYSTEM_PROMPT_BYTES).toBe("6");
    const c = await runCli(["run", "-b", "codex", "-m", "gpt-5.5", "--approval", "never-ask", "--sandbox", "workspace", "x"], f);
    expect(c.code).toBe(0);
    expect(lastCall()?.argv.some((a) => a.startsWith("approval_policy"))).toBe(false);
    expect(lastCall()?.argv).toContain("workspace-write");

    const before = f.calls().length;
    const refused = await runCli(["run", "-b", "gemini", "--max-turns", "2", "x"], f);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toContain("turn limit");
    const noBypass = await runCli(["run", "--approval", "never-ask", "--sandbox", "workspace", "x"], f);
    expect(noBypass.code).toBe(7);
    // codex exec never asks: "ask" cannot be honoured, and "auto" needs a sandbox to mean anything.
    const codexAsk = await runCli(["run", "-b", "codex", "--approval", "ask", "--sandbox", "full", "x"], f);
    expect(codexAsk.code).toBe(7);
    expect(codexAsk.stderr).toContain("never asks for approval");
    // Gemini's plan mode is not enforced, and its sandbox needs docker/podman (none here).
    const geminiReadOnly = await runCli(["run", "-b", "gemini", "--sandbox", "read-only", "x"], f);
    expect(geminiReadOnly.stderr).toContain("no enforced read-only");
    const geminiSandbox = await runCli(["run", "-b", "gemini", "--sandbox", "workspace", "x"], f);
    expect(geminiSandbox.code).toBe(7);
    expect(geminiSandbox.stderr).toContain("docker or podman");
    // Claude Code's sandbox needs bubblewrap and socat on Linux (none here): refused, not run unsandboxed.
    const claudeSandbox = await runCli(["run", "--approval", "auto", "--sandbox", "workspace", "x"], f);
    expect(claudeSandbox.code).toBe(process.platform === "linux" ? 7 : 0);
    if (process.platform === "linux") expect(claudeSandbox.stderr).toContain("bubblewrap and socat");
    expect(f.calls().length).toBe(before);
  });

  test("--profile runs under a team profile from .clickclack/agents.json", async () => {
    mkdirSync(join(f.work, ".clickclack"), { recursive: true });
    writeFileSync(
      join(f.work, ".clickclack", "agents.json"),
      JSON.stringify({ profiles: { backend: { backend: "claude", allowed_tools: ["Read", "Edit"], denied_tools: ["Bash"], add_dirs: [".."], mcp_servers: { docs: { command: "docs-mcp" } }, max_budget_usd: 3 } } }),
    );
    try {
      const r = await runCli(["run", "--profile", "backend", "x"], f);
      expect(r.code).toBe(0);
      const argv = lastCall()?.argv ?? [];
      expect(argv).toContain("--allowedTools=Read,Edit");
      expect(argv).toContain("--disallowedTools=Bash");
      expect(argv).toContain(`--add-dir=${f.work}`); // ".." from .clickclack/
      expect(argv.find((a) => a.startsWith("--mcp-config="))).toContain('"docs"');
      expect(argv.slice(argv.indexOf("--max-budget-usd"), argv.indexOf("--max-budget-usd") + 2)).toEqual(["--max-budget-usd", "3"]);
      const codex = await runCli(["run", "--profile", "backend", "-b", "codex", "x"], f);
      expect(codex.code).toBe(2);
      const none = await runCli(["run", "--profile", "nope", "x"], f);
      expect(none.stderr).toContain('no profile named "nope"');
    } finally {
      rmSync(join(f.work, ".clickclack"), { recursive: true, force: true });
    }
  });

  test("--dry-run shows the command and runs nothing; --ephemeral keeps no session", async () => {
    const before = f.calls().length;
    const dry = await runCli(["run", "--dry-run", "-b", "codex", "--sandbox", "full", "-w", f.work, "do it"], f);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(`codex exec --json --skip-git-repo-check -C ${realpathSync(f.work)} --sandbox danger-full-access -\n`);
    expect(dry.stderr).toContain("stdin: prompt (5 bytes)");
    expect(f.calls().length).toBe(before);

    const count = async () => JSON.parse((await runCli(["sessions", "list", "--json", "--limit", "1000"], f)).stdout).length;
    const n = await count();
    const eph = await runCli(["run", "--ephemeral", "-o", "json", "hi"], f);
    expect(eph.code).toBe(0);
    expect(JSON.parse(eph.stdout).session_id).toBeNull();
    expect(lastCall()?.argv).toContain("--no-session-persistence");
    expect(await count()).toBe(n);
  });

  test("failures carry the CLI's message and distinct exit codes", async () => {
    const err = await runCli(["run", "scenario:error"], f);
    expect(err.code).toBe(1);
    expect(err.stderr).toContain("overloaded_error");
    const crash = await runCli(["run", "scenario:crash"], f);
    expect(crash.code).toBe(1);
    expect(crash.stderr).toContain("ENOSPC");
    const codex = await runCli(["run", "-b", "codex", "scenario:error"], f);
    expect(codex.code).toBe(1);
    expect(codex.stderr).toContain("authentication token has expired");
    const missing = await runCli(["run", "hi"], f, { env: { PATH: "/usr/bin:/bin" } });
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain("claude is not available");
    const badDir = await runCli(["run", "-w", "/nonexistent/dir", "hi"], f);
    expect(badDir.code).toBe(7);
    const usage = await runCli(["run", "-b", "nope", "hi"], f);
    expect(usage.code).toBe(2);
  });

  test("timeout exits 124 and leaves no process behind", async () => {
    const before = new Set(f.pids());
    const r = await runCli(["run", "-b", "gemini", "--timeout", "700ms", "scenario:slow"], f);
    expect(r.code).toBe(124);
    expect(r.stderr).toContain("timed out");
    const started = f.pids().filter((p) => !before.has(p));
    expect(started.length).toBe(2); // the fake and the grandchild it spawned
    for (const pid of started) expect(isDead(pid)).toBe(true);
  });

  test("Ctrl-C mid-stream exits 130 and kills the agent's whole process group", async () => {
    const before = new Set(f.pids());
    const proc = spawnCli(["run", "scenario:slow"], f);
    const seen = await readUntil(proc.stdout, "Working on it");
    expect(seen).toContain("Working on it");
    await waitFor(() => f.pids().filter((p) => !before.has(p)).length === 2, 5000, "fake pids");
    const started = f.pids().filter((p) => !before.has(p));
    for (const pid of started) expect(isDead(pid)).toBe(false);
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(130);
    for (const pid of started) expect(isDead(pid)).toBe(true);
    const list = JSON.parse((await runCli(["sessions", "list", "--json", "--limit", "1"], f)).stdout);
    expect(list[0].status).toBe("cancelled");
  });
});

describe("agent resume", () => {
  test("by id prefix, --last and --here continue the backend session", async () => {
    for (const backend of ["claude", "codex", "gemini"]) {
      const first = await runCli(["run", "-b", backend, "-o", "json", "first"], f);
      const { session_id: id, backend_session_id: bid } = JSON.parse(first.stdout);
      const again = await runCli(["resume", id.slice(0, 14), "scenario:echo second"], f);
      expect(again.code).toBe(0);
      expect(again.stdout).toBe("echo: scenario:echo second\n");
      const argv = lastCall()?.argv ?? [];
      if (backend === "codex") expect(argv.slice(-3)).toEqual(["resume", bid, "-"]);
      else expect(argv.slice(argv.indexOf("--resume"), argv.indexOf("--resume") + 2)).toEqual(["--resume", bid]);
      expect(sessionOf(again.stderr)).toBe(id);
    }
    // A newer session a gateway key made is not "my last": the operator's own is resumed.
    const store = new SessionStore(f.db);
    const theirs = store.createRunning({ backend: "claude", workdir: f.work, owner: "key-0123456789ab" });
    store.setBackendSession(theirs.session.id, "theirs-1");
    store.finishRun(theirs.session.id, theirs.lock, { status: "completed", usage: { input_tokens: 0, output_tokens: 0, cached_tokens: 0, reasoning_tokens: 0 }, turns: 1 });
    store.close();
    const last = await runCli(["resume", "--last", "third"], f);
    expect(last.code).toBe(0);
    expect(lastCall()?.cli).toBe("gemini");

    const here = join(f.root, "elsewhere");
    mkdirSync(here);
    const there = await runCli(["run", "-b", "codex", "in elsewhere"], f, { cwd: here });
    const id = sessionOf(there.stderr);
    await runCli(["run", "-b", "claude", "in work"], f);
    const r = await runCli(["resume", "--here", "-"], f, { cwd: here, stdin: "follow up" });
    expect(r.code).toBe(0);
    expect(sessionOf(r.stderr)).toBe(id);
    expect(lastCall()).toMatchObject({ cli: "codex", prompt: "follow up", cwd: realpathSync(here) });
  }, 30_000); // a dozen CLI processes one after another: generous on a loaded machine

  test("--auto-resume continues the latest session of this backend and directory (opt-in)", async () => {
    const dir = join(f.root, "auto");
    mkdirSync(dir);
    const first = await runCli(["run", "-b", "gemini", "--auto-resume", "one"], f, { cwd: dir });
    expect(lastCall()?.argv).not.toContain("--resume");
    const second = await runCli(["run", "-b", "gemini", "--auto-resume", "two"], f, { cwd: dir });
    expect(lastCall()?.argv).toContain("--resume");
    expect(sessionOf(second.stderr)).toBe(sessionOf(first.stderr));
    await runCli(["run", "-b", "gemini", "three"], f, { cwd: dir });
    expect(lastCall()?.argv).not.toContain("--resume");
  });

  test("fork starts a child session (claude); unknown ids and busy sessions are refused", async () => {
    const first = JSON.parse((await runCli(["run", "-o", "json", "root"], f)).stdout);
    const fork = await runCli(["resume", first.session_id, "--fork", "-o", "json", "branch"], f);
    expect(fork.code).toBe(0);
    const child = JSON.parse(fork.stdout);
    expect(child.session_id).not.toBe(first.session_id);
    expect(lastCall()?.argv).toContain("--fork-session");
    const show = JSON.parse((await runCli(["sessions", "show", child.session_id, "--json"], f)).stdout);
    expect(show.parent_id).toBe(first.session_id);

    expect((await runCli(["resume", "ags_zzzzzzzz", "x"], f)).code).toBe(4);
    expect((await runCli(["resume", first.session_id, "-b", "codex", "x"], f)).code).toBe(7);

    const busy = spawnCli(["resume", first.session_id, "scenario:slow"], f);
    await readUntil(busy.stdout, "Working on it");
    const second = await runCli(["resume", first.session_id, "x"], f);
    expect(second.code).toBe(5);
    expect(second.stderr).toContain("already running");
    busy.kill("SIGINT");
    expect(await busy.exited).toBe(130);
  });
});

describe("agent sessions", () => {
  test("list, show, delete, clean --older-than", async () => {
    const made = JSON.parse((await runCli(["run", "-o", "json", "--title", "my title", "--tag", "a", "--tag", "b", "x"], f)).stdout);
    const list = await runCli(["sessions", "list"], f);
    // The table shows the shortest unique prefix, which resume and show accept.
    const short = list.stdout.split("\n").find((l) => l.includes("my title"))?.split(/\s+/)[0] ?? "";
    expect(made.session_id.startsWith(short) && short.length < made.session_id.length).toBe(true);
    expect((await runCli(["sessions", "show", short], f)).stdout).toContain(made.session_id);
    expect(list.stdout).toContain("cli");
    const show = await runCli(["sessions", "show", made.session_id.slice(0, 20)], f);
    expect(show.stdout).toContain("tags            a, b");
    const del = await runCli(["sessions", "delete", made.session_id], f);
    expect(del.stdout).toBe(`deleted ${made.session_id}\n`);
    expect((await runCli(["sessions", "show", made.session_id], f)).code).toBe(4);
    expect((await runCli(["sessions", "clean", "--older-than", "30d"], f)).stdout).toBe("deleted 0 sessions\n");
    const dry = JSON.parse((await runCli(["sessions", "clean", "--older-than", "0s", "--dry-run", "--json"], f)).stdout);
    expect(dry.would_delete.length).toBeGreaterThan(3);
    expect((await runCli(["sessions", "clean"], f)).code).toBe(2);
  });
});

describe("agent parallel, compare, chain, backends", () => {
  test("parallel runs a task file with a concurrency cap", async () => {
    const file = join(f.root, "tasks.json");
    writeFileSync(
      file,
      JSON.stringify({
        tasks: [
          { name: "a", prompt: "scenario:echo one" },
          { name: "b", prompt: "scenario:echo two", backend: "codex" },
          { name: "c", prompt: "scenario:echo three", backend: "gemini" },
        ],
      }),
    );
    const r = await runCli(["parallel", "-f", file, "--max-parallel", "2", "-o", "json"], f);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.tasks.map((t: { name: string; text: string }) => [t.name, t.text])).toEqual([
      ["a", "echo: scenario:echo one"],
      ["b", "echo: scenario:echo two"],
      ["c", "echo: scenario:echo three"],
    ]);
    const text = await runCli(["parallel", "-f", file], f);
    expect(text.stdout).toContain("=== b (codex, completed,");
  });

  test("parallel --fail-fast cancels the rest when one task fails", async () => {
    const file = join(f.root, "failfast.json");
    writeFileSync(file, JSON.stringify([{ prompt: "scenario:slow" }, { prompt: "scenario:error", backend: "codex" }]));
    const t = Date.now();
    const r = await runCli(["parallel", "-f", file, "--fail-fast", "-o", "json"], f);
    expect(Date.now() - t).toBeLessThan(15_000);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.tasks.map((x: { status: string }) => x.status)).toEqual(["cancelled", "failed"]);
    const bad = join(f.root, "bad.json");
    writeFileSync(bad, JSON.stringify({ tasks: [{ prompt: "x", backnd: "codex" }] }));
    const rejected = await runCli(["parallel", "-f", bad], f);
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toContain('unknown field "backnd"');
  });

  test("compare sends one prompt to several backends, in parallel or in sequence", async () => {
    const r = await runCli(["compare", "scenario:echo same", "--backends", "claude,codex,gemini", "-o", "stream-json"], f);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(new Set(lines.filter((l) => l.type === "init").map((l) => l.name))).toEqual(new Set(["claude", "codex", "gemini"]));
    expect(lines.at(-1).tasks.map((t: { text: string }) => t.text)).toEqual(Array(3).fill("echo: scenario:echo same"));
    const seq = await runCli(["compare", "hi", "--backends", "codex,gemini", "--sequential"], f);
    expect(seq.code).toBe(0);
    expect(seq.stdout).toContain("=== codex (codex, completed");
    expect(seq.stdout).toContain("Hello from fake Gemini.");
    expect((await runCli(["compare", "hi", "--backends", "claude,nope"], f)).code).toBe(2);
  });

  test("chain feeds outputs forward and can continue a backend's session", async () => {
    const file = join(f.root, "chain.json");
    writeFileSync(
      file,
      JSON.stringify({
        steps: [
          { name: "plan", prompt: "scenario:echo PLAN" },
          { name: "build", backend: "codex", prompt: "scenario:echo build from [{{previous}}]" },
          { name: "review", prompt: "scenario:echo review {{steps.plan.output}}", continue_session: true },
        ],
      }),
    );
    const start = f.calls().length;
    const r = await runCli(["chain", "-f", file, "-o", "json"], f);
    expect(r.code).toBe(0);
    const calls = f.calls().slice(start);
    expect(calls[1]?.prompt).toBe("scenario:echo build from [echo: scenario:echo PLAN]");
    expect(calls[2]?.prompt).toBe("scenario:echo review echo: scenario:echo PLAN");
    expect(calls[2]?.argv).toContain("--resume");
    const doc = JSON.parse(r.stdout);
    expect(doc.tasks[2].session_id).toBe(doc.tasks[0].session_id);

    writeFileSync(file, JSON.stringify({ steps: [{ prompt: "x {{steps.later.output}}" }, { name: "later", prompt: "y" }] }));
    expect((await runCli(["chain", "-f", file], f)).code).toBe(2);
  });

  test("backends reports what is installed", async () => {
    const r = await runCli(["backends", "--json"], f);
    const list = JSON.parse(r.stdout);
    expect(list.map((b: { name: string; available: boolean }) => [b.name, b.available])).toEqual([
      ["claude", true],
      ["codex", true],
      ["gemini", true],
    ]);
    const none = JSON.parse((await runCli(["backends", "--json"], f, { env: { PATH: "/usr/bin:/bin" } })).stdout);
    expect(none.every((b: { available: boolean }) => !b.available)).toBe(true);
  });
});

describe("agent serve", () => {
  test("starts on loopback, answers /health, stops on SIGTERM; refuses an open non-loopback bind", async () => {
    const proc = spawnCli(["serve", "--addr", "127.0.0.1:0"], f);
    const line = await readUntil(proc.stdout, "\n");
    const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
    expect(url).toBeDefined();
    const res = await fetch(`${url}/health`);
    expect(await res.json()).toMatchObject({ ok: true, runs: { in_flight: 0 } });
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);

    const open = await runCli(["serve", "--addr", "0.0.0.0:0"], f);
    expect(open.code).toBe(7);
    expect(open.stderr).toContain("without API keys");
  });
});
