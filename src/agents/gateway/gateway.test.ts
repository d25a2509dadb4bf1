// The gateway on a random port, driven by the official `openai` and `@anthropic-ai/sdk`
// clients and by raw fetch for the REST API and the security checks. Runs go to the fake
// CLIs on PATH.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { createHash } from "node:crypto";
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promtoolProblems } from "../../testing/promtool.ts";
import { Limiter } from "../limiter.ts";
import { loadProfiles } from "../profiles.ts";
import { SessionStore } from "../sessions.ts";
import { type Fakes, isDead, setupFakes, waitFor } from "../testing/harness.ts";
import { type GatewayOptions, type RunningGateway, startGateway } from "./server.ts";

const KEY = "test-key-1";
const ADMIN = "test-admin-key";
let f: Fakes;
let store: SessionStore;
let gw: RunningGateway;
const extra: RunningGateway[] = [];

function start(o: Partial<GatewayOptions> = {}): RunningGateway {
  const g = startGateway({ port: 0, store, env: f.env, workdir: f.work, graceMs: 500, ...o });
  extra.push(g);
  return g;
}

beforeAll(() => {
  f = setupFakes(undefined, { sandboxes: true });
  store = new SessionStore(f.db);
  gw = start({ apiKeys: [KEY, "test-key-2"], adminKeys: [ADMIN], corsOrigins: ["https://app.example"], rateLimit: 0 });
});
afterAll(async () => {
  for (const g of extra) await g.stop();
  store.close();
  f.cleanup();
});

const auth = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
const post = (path: string, body: unknown, headers: Record<string, string> = auth, g = gw) =>
  fetch(`${g.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
// The official clients with their DEFAULT retry settings (maxRetries 2): whatever a real
// client would retry, these retry too.
const openai = (key = KEY) => new OpenAI({ baseURL: `${gw.url}/openai/v1`, apiKey: key });
const anthropic = (key = KEY) => new Anthropic({ baseURL: `${gw.url}/anthropic`, apiKey: key });
const lastCall = () => f.calls().at(-1);

describe("OpenAI-compatible API via the openai client", () => {
  test("models, non-streamed and streamed completions with usage", async () => {
    const client = openai();
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain("gpt-5.5");
    expect(models.data.map((m) => m.id)).not.toContain("claude-sonnet-4-5");

    const done = await client.chat.completions.create({
      model: "claude",
      messages: [{ role: "user", content: "hi" }],
      temperature: 0.2,
      // Unknown fields are ignored, not rejected.
      ...({ some_future_field: { x: 1 } } as object),
    });
    expect(done.choices[0]?.message.content).toBe("Hello from fake Claude.");
    expect(done.usage).toMatchObject({ prompt_tokens: 13824, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 12001 } });

    const stream = await client.chat.completions.create({
      model: "gpt-5.5",
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: [{ type: "text", text: "scenario:echo" }, { type: "text", text: "parts" }] },
      ],
    });
    let text = "";
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("echo: scenario:echo\nparts");
    expect(usage).toMatchObject({ prompt_tokens: 1200, completion_tokens: 20 });
    expect(lastCall()?.argv).toContain("--model");
    expect(lastCall()?.argv.some((a) => a.startsWith("developer_instructions="))).toBe(true);
  });

  test("a conversation continues its backend session instead of re-sending history", async () => {
    const client = openai();
    const first = await client.chat.completions.create({ model: "codex", messages: [{ role: "user", content: "start" }] });
    const firstThread = JSON.parse((await (await fetch(`${gw.url}/api/v1/sessions?limit=1`, { headers: auth })).text())).sessions[0];
    const answer = first.choices[0]?.message.content ?? "";
    await client.chat.completions.create({
      model: "codex",
      messages: [
        { role: "user", content: "start" },
        { role: "assistant", content: answer },
        { role: "user", content: "scenario:echo next" },
      ],
    });
    expect(lastCall()?.prompt).toBe("scenario:echo next");
    expect(lastCall()?.argv.slice(-3)).toEqual(["resume", firstThread.backend_session_id, "-"]);

    // Another key cannot ride on that conversation; an unknown history is shown, marked.
    await openai("test-key-2").chat.completions.create({
      model: "codex",
      messages: [
        { role: "user", content: "start" },
        { role: "assistant", content: answer },
        { role: "user", content: "next" },
      ],
    });
    expect(lastCall()?.argv).not.toContain("resume");
    expect(lastCall()?.prompt).toContain("Conversation so far:");
  });

  test("errors come back as OpenAI errors with real status codes", async () => {
    const client = openai();
    const failWith = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        return e as InstanceType<typeof OpenAI.APIError>;
      }
      throw new Error("expected an error");
    };
    const notFound = await failWith(client.chat.completions.create({ model: "gpt-2", messages: [{ role: "user", content: "x" }] }));
    expect(notFound.status).toBe(404);
    const image = await failWith(
      client.chat.completions.create({
        model: "claude",
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "http://x/y.png" } }] }],
      }),
    );
    expect(image.status).toBe(400);
    expect(image.message).toContain("text only");
    const failed = await failWith(client.chat.completions.create({ model: "gemini", messages: [{ role: "user", content: "scenario:error" }] }));
    expect(failed.status).toBe(502);
    expect(failed.message).toContain("exhausted your capacity");
    const badKey = await failWith(openai("wrong").models.list());
    expect(badKey.status).toBe(401);

    const raw = await post("/openai/v1/chat/completions", { model: "claude", messages: [] });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ error: { type: "invalid_request_error", message: "messages must be a non-empty array" } });
    const notJson = await fetch(`${gw.url}/openai/v1/chat/completions`, { method: "POST", headers: auth, body: "{" });
    expect(notJson.status).toBe(400);
  });
});

describe("Anthropic-compatible API via the @anthropic-ai/sdk client", () => {
  test("non-streamed and streamed messages", async () => {
    const client = anthropic();
    const msg = await client.messages.create({
      model: "claude-sonnet-4-6",
      max_tokens: 256,
      system: [{ type: "text", text: "You are terse." }],
      messages: [{ role: "user", content: [{ type: "text", text: "hello" }] }],
    });
    expect(msg.content as unknown).toEqual([{ type: "text", text: "Hello from fake Claude." }]);
    expect(msg.usage).toMatchObject({ input_tokens: 1823, cache_read_input_tokens: 12001, output_tokens: 9 });
    expect(lastCall()?.argv).toContain("--append-system-prompt-file");
    expect(lastCall()?.vars.SYSTEM_PROMPT_BYTES).toBe(String("You are terse.".length));

    const stream = client.messages.stream({ model: "gemini-2.5-pro", max_tokens: 256, messages: [{ role: "user", content: "scenario:tools" }] });
    const deltas: string[] = [];
    stream.on("text", (t) => deltas.push(t));
    const final = await stream.finalMessage();
    expect(deltas).toEqual(["Let me look at the files.", " There are two entries", "; missing.txt does not exist."]);
    expect(final.content[0]).toMatchObject({ type: "text", text: deltas.join("") });
    expect(final.usage.output_tokens).toBe(180);
  });

  test("the stream uses the real event sequence", async () => {
    const res = await post("/anthropic/v1/messages", { model: "claude", max_tokens: 10, stream: true, messages: [{ role: "user", content: "hi" }] }, {
      "x-api-key": KEY,
      "content-type": "application/json",
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = (await res.text()).split("\n").filter((l) => l.startsWith("event: ")).map((l) => l.slice(7));
    expect(events).toEqual([
      "message_start", "content_block_start", "ping",
      "content_block_delta", "content_block_delta", "content_block_delta",
      "content_block_stop", "message_delta", "message_stop",
    ]);
  });

  test("errors use Anthropic's error shape", async () => {
    try {
      await anthropic().messages.create({ model: "claude", max_tokens: 5, messages: [{ role: "user", content: "scenario:error" }] });
      throw new Error("expected failure");
    } catch (e) {
      const err = e as InstanceType<typeof Anthropic.APIError>;
      expect(err.status).toBe(502);
      expect(err.error).toMatchObject({ type: "error", error: { type: "api_error" } });
    }
    const res = await post("/anthropic/v1/messages", { model: "claude", messages: [{ role: "assistant", content: "x" }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ type: "error", error: { type: "invalid_request_error", message: "the last message must come from the user" } });
    const noKey = await post("/anthropic/v1/messages", {}, { "content-type": "application/json" });
    expect(noKey.status).toBe(401);
    expect((await noKey.json()).error.type).toBe("authentication_error");
  });
});

/** The HTTP status an SDK call failed with (SDK promises are thenables, not Promises). */
async function statusOf(p: PromiseLike<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    return (e as { status: number }).status;
  }
  throw new Error("expected the call to fail");
}
const callsOf = (cli: string) => f.calls().filter((c) => c.cli === cli).length;

describe("runs are safe to retry", () => {
  test("a failing run executes once under the SDKs' default retries", async () => {
    const before = callsOf("gemini");
    expect(await statusOf(openai().chat.completions.create({ model: "gemini", messages: [{ role: "user", content: "scenario:error" }] }))).toBe(502);
    expect(callsOf("gemini")).toBe(before + 1);
    const beforeA = callsOf("gemini");
    expect(await statusOf(anthropic().messages.create({ model: "gemini", max_tokens: 5, messages: [{ role: "user", content: "scenario:error" }] }))).toBe(502);
    expect(callsOf("gemini")).toBe(beforeA + 1);
    const raw = await post("/api/v1/prompt", { prompt: "scenario:error", backend: "codex" });
    expect(raw.headers.get("x-should-retry")).toBe("false");
  });

  test("an Idempotency-Key replays the stored result instead of running again", async () => {
    const key = { ...auth, "idempotency-key": `k-${crypto.randomUUID()}` };
    const before = callsOf("claude");
    const first = await post("/api/v1/prompt", { prompt: "scenario:echo once" }, key);
    const again = await post("/api/v1/prompt", { prompt: "scenario:echo once" }, key);
    expect(callsOf("claude")).toBe(before + 1);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    const other = await post("/api/v1/prompt", { prompt: "scenario:echo twice" }, key);
    expect(other.status).toBe(422);
    // Another key's identical header is its own request.
    await post("/api/v1/prompt", { prompt: "scenario:echo once" }, { ...key, authorization: "Bearer test-key-2" });
    expect(callsOf("claude")).toBe(before + 2);

    // Through the SDK, streamed: the retry replays the recorded stream.
    const headers = { "Idempotency-Key": `k-${crypto.randomUUID()}` };
    const read = async () => {
      let text = "";
      const stream = await openai().chat.completions.create({ model: "claude", stream: true, messages: [{ role: "user", content: "scenario:echo streamed" }] }, { headers });
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
      return text;
    };
    const beforeStream = callsOf("claude");
    expect(await read()).toBe("echo: scenario:echo streamed");
    expect(await read()).toBe("echo: scenario:echo streamed");
    expect(callsOf("claude")).toBe(beforeStream + 1);
    // A failure is replayed too: it already ran.
    const failKey = { ...auth, "idempotency-key": `k-${crypto.randomUUID()}` };
    const beforeFail = callsOf("codex");
    expect((await post("/api/v1/prompt", { prompt: "scenario:error", backend: "codex" }, failKey)).status).toBe(502);
    expect((await post("/api/v1/prompt", { prompt: "scenario:error", backend: "codex" }, failKey)).status).toBe(502);
    expect(callsOf("codex")).toBe(beforeFail + 1);
  });
});

describe("sessions belong to the key that made them", () => {
  test("another key cannot list, read, resume, cancel or delete them; an admin key sees all", async () => {
    const mine = await (await post("/api/v1/prompt", { prompt: "hi" })).json();
    const cli = store.createRunning({ backend: "claude", workdir: f.work }); // the operator's own CLI session
    store.finishRun(cli.session.id, cli.lock, { status: "completed", usage: { input_tokens: 0, output_tokens: 0, cached_tokens: 0, reasoning_tokens: 0 }, turns: 0 });
    const as = (key: string) => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });
    const list = async (key: string) =>
      (await (await fetch(`${gw.url}/api/v1/sessions?limit=1000`, { headers: as(key) })).json()).sessions.map((s: { id: string }) => s.id);

    expect(await list(KEY)).toContain(mine.session_id);
    expect(await list(KEY)).not.toContain(cli.session.id);
    expect(await list("test-key-2")).not.toContain(mine.session_id);
    expect((await fetch(`${gw.url}/api/v1/sessions/${mine.session_id}`, { headers: as("test-key-2") })).status).toBe(404);
    expect((await fetch(`${gw.url}/api/v1/sessions/${cli.session.id}`, { headers: as(KEY) })).status).toBe(404);
    expect((await post("/api/v1/prompt", { prompt: "x", session_id: mine.session_id }, as("test-key-2"))).status).toBe(404);
    expect((await post(`/api/v1/sessions/${mine.session_id}/cancel`, {}, as("test-key-2"))).status).toBe(404);
    expect((await fetch(`${gw.url}/api/v1/sessions/${mine.session_id}`, { method: "DELETE", headers: as("test-key-2") })).status).toBe(404);

    const all = await list(ADMIN);
    expect(all).toContain(mine.session_id);
    expect(all).toContain(cli.session.id);
    const shown = await (await fetch(`${gw.url}/api/v1/sessions/${mine.session_id}`, { headers: as(ADMIN) })).json();
    expect(shown.owner).toMatch(/^key-/);
    expect(store.get(mine.session_id)?.owner).toBe(shown.owner);
  });
});

describe("usage, large prompts, regenerate, token counting, models", () => {
  test("codex usage on a resumed thread counts this run only, not the thread's running total", async () => {
    const first = await (await post("/api/v1/prompt", { prompt: "hi", backend: "codex" })).json();
    const second = await (await post("/api/v1/prompt", { prompt: "hi again", session_id: first.session_id })).json();
    expect(second.usage).toEqual(first.usage);
    const session = await (await fetch(`${gw.url}/api/v1/sessions/${first.session_id}`, { headers: auth })).json();
    expect(session.usage.input_tokens).toBe(2 * first.usage.input_tokens);
  });

  test("a system prompt over 128 KiB reaches claude and codex (no E2BIG)", async () => {
    const big = `${"Be careful. ".repeat(15_000)}end`;
    expect(big.length).toBeGreaterThan(150 * 1024);
    const c = await post("/api/v1/prompt", { prompt: "hi", system_prompt: big });
    expect((await c.json()).error?.message).toBeUndefined();
    expect(lastCall()?.vars.SYSTEM_PROMPT_BYTES).toBe(String(big.length));
    const x = await post("/api/v1/prompt", { prompt: "scenario:echo q", backend: "codex", system_prompt: big });
    expect(x.status).toBe(200);
    expect(lastCall()?.prompt).toContain(big);
  });

  test("message_start reports the input tokens", async () => {
    const res = await post("/anthropic/v1/messages", { model: "claude", max_tokens: 10, stream: true, messages: [{ role: "user", content: "hi" }] });
    const start = (await res.text()).split("\n").find((l) => l.startsWith("data: ") && l.includes('"message_start"')) as string;
    expect(JSON.parse(start.slice(6)).message.usage).toMatchObject({ input_tokens: 3 + 1820, cache_read_input_tokens: 12001 });
  });

  test("regenerating an earlier answer forks the session instead of appending to it", async () => {
    const client = openai();
    const a1 = (await client.chat.completions.create({ model: "claude", messages: [{ role: "user", content: "one" }] })).choices[0]?.message.content ?? "";
    const turn2 = [{ role: "user" as const, content: "one" }, { role: "assistant" as const, content: a1 }, { role: "user" as const, content: "two" }];
    await client.chat.completions.create({ model: "claude", messages: turn2 });
    expect(lastCall()?.argv).toContain("--resume");
    expect(lastCall()?.argv).not.toContain("--fork-session");
    const resumed = lastCall()?.argv[(lastCall()?.argv.indexOf("--resume") ?? 0) + 1];
    // The client asks for "two" again: the session has already answered it.
    await client.chat.completions.create({ model: "claude", messages: turn2 });
    expect(lastCall()?.argv).toContain("--fork-session");
    expect(lastCall()?.argv[(lastCall()?.argv.indexOf("--resume") ?? 0) + 1]).toBe(resumed);
  });

  test("count_tokens and /anthropic/v1/models answer through the Anthropic SDK", async () => {
    const client = anthropic();
    const count = await client.messages.countTokens({ model: "claude-sonnet-5-5", messages: [{ role: "user", content: "a".repeat(400) }] });
    expect(count.input_tokens).toBe(100);
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toContain("claude-opus-5-5");
    expect((await client.models.retrieve("claude-haiku-5-5")).id).toBe("claude-haiku-5-5");
  });
});

describe("team profiles", () => {
  test("a key listed in the profiles file runs under its profile; others pick one by field or header", async () => {
    const id = (key: string) => `key-${createHash("sha256").update(key).digest("hex").slice(0, 12)}`;
    const path = join(f.root, "profiles.json");
    writeFileSync(
      path,
      JSON.stringify({
        profiles: { review: { backend: "claude", sandbox: "read-only", allowed_tools: ["Read", "Grep"] }, ops: { backend: "claude", max_budget_usd: 1.5 } },
        keys: { [id("pinned-key")]: ["review"] },
      }),
    );
    const g = start({ apiKeys: ["pinned-key", "free-key"], rateLimit: 0, profiles: loadProfiles(path) });
    const as = (key: string) => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });
    expect((await post("/api/v1/prompt", { prompt: "hi" }, as("pinned-key"), g)).status).toBe(200);
    expect(lastCall()?.argv).toContain("--allowedTools=Read,Grep");
    expect(lastCall()?.argv).toContain("plan");
    const escape = await post("/api/v1/prompt", { prompt: "hi", profile: "ops" }, as("pinned-key"), g);
    expect(escape.status).toBe(400);
    expect((await escape.json()).error.message).toContain("may not use profile ops");

    expect((await post("/api/v1/prompt", { prompt: "hi" }, as("free-key"), g)).status).toBe(200);
    expect(lastCall()?.argv.some((a) => a.startsWith("--allowedTools"))).toBe(false);
    const client = new OpenAI({ baseURL: `${g.url}/openai/v1`, apiKey: "free-key" });
    await client.chat.completions.create({ model: "claude", messages: [{ role: "user", content: "hi" }] }, { headers: { "x-clickclack-profile": "ops" } });
    expect(lastCall()?.argv).toContain("--max-budget-usd");
  });
});

describe("operability", () => {
  test("/health reports backends with versions and the run queue; /openapi.json lists every route", async () => {
    const h = await (await fetch(`${gw.url}/health`)).json();
    expect(h.backends).toEqual([
      { name: "claude", available: true, version: "2.1.191 (Claude Code)" },
      { name: "codex", available: true, version: "codex-cli 0.117.0" },
      { name: "gemini", available: true, version: "0.55.0" },
    ]);
    expect(h.runs).toMatchObject({ in_flight: 0, queued: 0 });
    const doc = await (await fetch(`${gw.url}/openapi.json`)).json();
    expect(doc.openapi).toBe("3.1.0");
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(methods)) {
        const url = `${gw.url}${path.replace("{id}", "ags_nosuchsession").replace("{model}", "claude")}`;
        const res = await fetch(url, { method: method.toUpperCase(), headers: auth, ...(method === "get" || method === "delete" ? {} : { body: "{}" }) });
        const text = await res.text();
        expect(`${method} ${path}: ${text}`).not.toContain("no route");
      }
    }
  });

  test("at capacity a run is turned away with 503 and Retry-After (nothing runs, so SDKs may retry); gauges show in-flight and queued", async () => {
    const g = start({ apiKeys: [KEY], rateLimit: 0, limiter: new Limiter(1), maxQueue: 0 });
    // Both slow runs end when their gateways stop (the connection is cut, as intended).
    const slow = post("/api/v1/prompt", { prompt: "scenario:slow" }, auth, g).catch(() => undefined);
    await waitFor(() => f.calls().some((c) => c.prompt === "scenario:slow"), 10_000, "the slow run");
    const metrics = await (await fetch(`${g.url}/metrics`, { headers: auth })).text();
    expect(metrics).toContain("clickclack_agent_runs_in_flight 1");
    expect(metrics).toContain("clickclack_agent_runs_queued 0");
    const before = f.calls().length;
    const turned = await post("/api/v1/prompt", { prompt: "hi" }, auth, g);
    expect(turned.status).toBe(503);
    expect(turned.headers.get("retry-after")).toBe("5");
    expect(turned.headers.get("x-should-retry")).toBeNull();
    expect((await turned.json()).result.status).toBe("rejected");
    expect(f.calls().length).toBe(before);

    const waiting = start({ apiKeys: [KEY], rateLimit: 0, limiter: new Limiter(1), queueTimeoutMs: 300 });
    const slow2 = post("/api/v1/prompt", { prompt: "scenario:slow" }, auth, waiting).catch(() => undefined);
    await waitFor(() => f.calls().filter((c) => c.prompt === "scenario:slow").length === 2, 10_000, "the second slow run");
    const late = await post("/openai/v1/chat/completions", { model: "claude", messages: [{ role: "user", content: "hi" }] }, auth, waiting);
    expect(late.status).toBe(503);
    expect(late.headers.get("retry-after")).toBe("5");
    await g.stop();
    await waiting.stop();
    await Promise.allSettled([slow, slow2]);
  });
});

describe("REST API", () => {
  test("prompt, resume by session_id, NDJSON streaming", async () => {
    const r = await post("/api/v1/prompt", { prompt: "hi", backend: "gemini" });
    expect(r.status).toBe(200);
    const result = await r.json();
    expect(result).toMatchObject({ ok: true, text: "Hello from fake Gemini.", backend: "gemini" });

    const s = await post("/api/v1/prompt", { prompt: "scenario:tools", session_id: result.session_id, stream: true });
    expect(s.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = (await s.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: "init", session_id: result.session_id, backend_session_id: result.backend_session_id });
    expect(lines.filter((l) => l.type === "tool_use")).toHaveLength(2);
    expect(lines.at(-1)).toMatchObject({ type: "result", ok: true, session_id: result.session_id });
    expect(lastCall()?.argv).toContain("--resume");

    const failed = await post("/api/v1/prompt", { prompt: "scenario:error", backend: "codex" });
    expect(failed.status).toBe(502);
    expect(await failed.json()).toMatchObject({ error: { code: "backend_failed" }, result: { status: "failed" } });
    const bad = await post("/api/v1/prompt", { prompt: "x", backend: "cursor" });
    expect(bad.status).toBe(400);
    const typo = await post("/api/v1/prompt", { prompt: "x", max_turn: 3 });
    expect((await typo.json()).error.message).toContain('unknown field "max_turn"');
    const refused = await post("/api/v1/prompt", { prompt: "x", backend: "gemini", system_prompt: "s" });
    expect(refused.status).toBe(400);
  });

  test("parallel, compare and chain", async () => {
    const par = await post("/api/v1/parallel", {
      tasks: [{ prompt: "scenario:echo 1" }, { prompt: "scenario:echo 2", backend: "codex" }],
      max_parallel: 2,
    });
    expect(par.status).toBe(200);
    expect((await par.json()).tasks.map((t: { text: string }) => t.text)).toEqual(["echo: scenario:echo 1", "echo: scenario:echo 2"]);

    const cmp = await post("/api/v1/compare", { prompt: "scenario:echo c", backends: ["codex", "gemini"], stream: true });
    const lines = (await cmp.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === "text").map((l) => l.name).sort()).toEqual(["codex", "gemini"]);
    expect(lines.at(-1)).toMatchObject({ type: "result", ok: true });

    const chain = await post("/api/v1/chain", {
      steps: [
        { name: "a", prompt: "scenario:echo A", backend: "gemini" },
        { name: "b", prompt: "scenario:echo got {{previous}}", backend: "gemini", continue_session: true },
      ],
    });
    const doc = await chain.json();
    expect(doc.tasks[1].text).toBe("echo: scenario:echo got echo: scenario:echo A");
    expect(doc.tasks[1].session_id).toBe(doc.tasks[0].session_id);

    const partial = await post("/api/v1/parallel", { tasks: [{ prompt: "hi" }, { prompt: "scenario:error" }] });
    expect(partial.status).toBe(502);
    expect((await partial.json()).tasks.map((t: { status: string }) => t.status)).toEqual(["completed", "failed"]);
    const invalid = await post("/api/v1/chain", { steps: [{ prompt: "{{previous}}" }], stream: true });
    expect(invalid.status).toBe(400);
  });

  test("backends and sessions", async () => {
    const b = await (await fetch(`${gw.url}/api/v1/backends`, { headers: auth })).json();
    expect(b.backends.map((x: { name: string }) => x.name)).toEqual(["claude", "codex", "gemini"]);
    const list = await (await fetch(`${gw.url}/api/v1/sessions?limit=2&backend=gemini`, { headers: auth })).json();
    expect(list.sessions).toHaveLength(2);
    const id = list.sessions[0].id;
    expect((await (await fetch(`${gw.url}/api/v1/sessions/${id}`, { headers: auth })).json()).id).toBe(id);
    const del = await fetch(`${gw.url}/api/v1/sessions/${id}`, { method: "DELETE", headers: auth });
    expect(await del.json()).toEqual({ deleted: id });
    expect((await fetch(`${gw.url}/api/v1/sessions/${id}`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${gw.url}/api/v1/nope`, { headers: auth })).status).toBe(404);
  });

  test("health is open; metrics count runs per backend", async () => {
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(401);
    const text = await (await fetch(`${gw.url}/metrics`, { headers: auth })).text();
    expect(text).toMatch(/clickclack_agent_runs_total\{backend="claude",status="completed"\} [1-9]/);
    expect(text).toMatch(/clickclack_agent_failures_total\{backend="gemini",reason="failed"\} [1-9]/);
    expect(text).toContain("clickclack_agent_run_duration_seconds_bucket");
    expect(text).toMatch(/clickclack_agent_tokens_total\{backend="codex",kind="cached"\} \d+/);
    expect(await promtoolProblems(text)).toBe("");
  });
});

describe("security", () => {
  test("Host header allowlist defeats DNS rebinding", async () => {
    const res = await fetch(`${gw.url}/health`, { headers: { host: "attacker.example" } });
    expect(res.status).toBe(403);
    expect((await fetch(`${gw.url}/health`, { headers: { host: `localhost:${gw.server.port}` } })).status).toBe(200);
  });

  test("CORS preflight is answered before auth; unknown origins are refused", async () => {
    const pre = await fetch(`${gw.url}/openai/v1/chat/completions`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(pre.headers.get("access-control-allow-headers")).toBe("authorization, content-type");
    const evilPre = await fetch(`${gw.url}/api/v1/prompt`, { method: "OPTIONS", headers: { origin: "https://evil.example" } });
    expect(evilPre.status).toBe(403);
    const evilPost = await post("/api/v1/prompt", { prompt: "x" }, { ...auth, origin: "https://evil.example" });
    expect(evilPost.status).toBe(403);
    const ok = await fetch(`${gw.url}/openai/v1/models`, { headers: { ...auth, origin: "https://app.example" } });
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example");
  });

  test("body limit, content type, workdir allowlist and permission ceilings", async () => {
    const small = start({ maxBodyBytes: 2048, rateLimit: 0 });
    const big = await post("/api/v1/prompt", { prompt: "x".repeat(5000) }, auth, small);
    expect(big.status).toBe(413);
    const chunked = await fetch(`${small.url}/api/v1/prompt`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode("x".repeat(500)));
          c.close();
        },
      }),
    });
    expect(chunked.status).toBe(413);
    const form = await fetch(`${small.url}/api/v1/prompt`, { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" });
    expect(form.status).toBe(415);

    const outside = await post("/api/v1/prompt", { prompt: "x", workdir: "/etc" });
    expect(outside.status).toBe(403);
    const sneaky = join(f.work, "link");
    symlinkSync("/etc", sneaky);
    expect((await post("/api/v1/prompt", { prompt: "x", workdir: sneaky })).status).toBe(403);
    expect((await post("/api/v1/prompt", { prompt: "x", workdir: `${f.work}/../` })).status).toBe(403);
    const inside = join(f.work, "sub");
    mkdirSync(inside);
    const okRun = await post("/api/v1/prompt", { prompt: "hi", workdir: inside });
    expect((await okRun.json()).workdir).toBe(realpathSync(inside));

    const tooMuch = await post("/api/v1/prompt", { prompt: "x", approval: "never-ask" });
    expect(tooMuch.status).toBe(403);
    expect((await tooMuch.json()).error.message).toContain("exceeds this server's maximum");
    expect((await post("/api/v1/prompt", { prompt: "x", sandbox: "full" })).status).toBe(403);
    // Defaults are the ceilings: workspace sandbox, auto approval.
    await post("/api/v1/prompt", { prompt: "hi", backend: "codex" });
    expect(lastCall()?.argv).toContain("workspace-write");
    expect(lastCall()?.argv.some((a) => a.includes("approval_policy"))).toBe(false);
  });

  test("rate limits per key with Retry-After; X-Forwarded-For is ignored unless the peer is a trusted proxy", async () => {
    const limited = start({ apiKeys: ["a", "b"], rateLimit: 60, rateBurst: 2 });
    const hit = (key: string) => fetch(`${limited.url}/openai/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect((await hit("a")).status).toBe(200);
    expect((await hit("a")).status).toBe(200);
    const third = await hit("a");
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await third.json()).error.type).toBe("rate_limit_error");
    expect((await hit("b")).status).toBe(200);

    const byIp = start({ rateLimit: 60, rateBurst: 1 });
    const spoof = (ip: string, g = byIp) => fetch(`${g.url}/api/v1/backends`, { headers: { "x-forwarded-for": ip } });
    expect((await spoof("10.0.0.1")).status).toBe(200);
    expect((await spoof("10.0.0.2")).status).toBe(429);

    const proxied = start({ rateLimit: 60, rateBurst: 1, trustedProxies: ["127.0.0.1"] });
    expect((await spoof("10.0.0.1", proxied)).status).toBe(200);
    expect((await spoof("10.0.0.2", proxied)).status).toBe(200);
    expect((await spoof("10.0.0.2", proxied)).status).toBe(429);
  });

  test("refuses to listen beyond loopback without API keys", () => {
    expect(() => startGateway({ hostname: "0.0.0.0", port: 0, store })).toThrow("without API keys");
  });
});

describe("cancellation", () => {
  test("a client that disconnects mid-stream kills the agent's process group", async () => {
    const before = new Set(f.pids());
    const ac = new AbortController();
    const res = await fetch(`${gw.url}/api/v1/prompt`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ prompt: "scenario:slow", stream: true }),
      signal: ac.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let seen = "";
    while (!seen.includes("Working on it")) seen += new TextDecoder().decode((await reader.read()).value);
    await waitFor(() => f.pids().filter((p) => !before.has(p)).length === 2, 5000, "fake pids");
    const pids = f.pids().filter((p) => !before.has(p));
    ac.abort();
    await waitFor(() => pids.every(isDead), 5000, "agent processes to die");
    const session = JSON.parse(seen.split("\n")[0] as string).session_id;
    await waitFor(() => store.get(session)?.status === "cancelled", 5000, "session cancelled");
  });

  test("an API call cancels a running session", async () => {
    const res = await post("/api/v1/prompt", { prompt: "scenario:slow", backend: "codex", stream: true });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while (!text.includes("\n")) text += new TextDecoder().decode((await reader.read()).value);
    const id = JSON.parse(text.split("\n")[0] as string).session_id;
    const cancel = await post(`/api/v1/sessions/${id}/cancel`, {});
    expect(cancel.status).toBe(202);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(JSON.parse(text.trim().split("\n").at(-1) as string)).toMatchObject({ type: "result", status: "cancelled" });
    expect((await post(`/api/v1/sessions/${id}/cancel`, {})).status).toBe(409);
  });

  test("a non-streaming client that goes away cancels too", async () => {
    const before = new Set(f.pids());
    const ac = new AbortController();
    const pending = fetch(`${gw.url}/openai/v1/chat/completions`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ model: "codex", messages: [{ role: "user", content: "scenario:slow" }] }),
      signal: ac.signal,
    }).catch(() => null);
    await waitFor(() => f.pids().filter((p) => !before.has(p)).length === 2, 5000, "fake pids");
    const pids = f.pids().filter((p) => !before.has(p));
    ac.abort();
    await pending;
    await waitFor(() => pids.every(isDead), 5000, "agent processes to die");
  });
});
