// The gateway on a random port, driven by the official `openai` and `@anthropic-ai/sdk`
// clients and by raw fetch for the REST API and the security checks. Runs go to the fake
// CLIs on PATH.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { mkdirSync, realpathSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { promtoolProblems } from "../../testing/promtool.ts";
import { SessionStore } from "../sessions.ts";
import { type Fakes, isDead, setupFakes, waitFor } from "../testing/harness.ts";
import { type GatewayOptions, type RunningGateway, startGateway } from "./server.ts";

const KEY = "test-key-1";
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
  f = setupFakes();
  store = new SessionStore(f.db);
  gw = start({ apiKeys: [KEY, "test-key-2"], corsOrigins: ["https://app.example"], rateLimit: 0 });
});
afterAll(async () => {
  for (const g of extra) await g.stop();
  store.close();
  f.cleanup();
});

const auth = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
const post = (path: string, body: unknown, headers: Record<string, string> = auth, g = gw) =>
  fetch(`${g.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
const openai = (key = KEY) => new OpenAI({ baseURL: `${gw.url}/openai/v1`, apiKey: key, maxRetries: 0 });
const anthropic = (key = KEY) => new Anthropic({ baseURL: `${gw.url}/anthropic`, apiKey: key, maxRetries: 0 });
const lastCall = () => f.calls().at(-1);

describe("OpenAI-compatible API via the openai client", () => {
  test("models, non-streamed and streamed completions with usage", async () => {
    const client = openai();
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain("gpt-5-codex");

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
      model: "gpt-5-codex",
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
    expect(lastCall()?.argv).toContain("--append-system-prompt");

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
    expect(lastCall()?.argv).toContain('approval_policy="on-request"');
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
