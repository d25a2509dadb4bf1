import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentError } from "./errors.ts";
import { SessionStore } from "./sessions.ts";
import { parseDuration } from "./spec.ts";
import { renderPrompt, validateChain } from "./orchestrate.ts";

const dir = mkdtempSync(join(tmpdir(), "cc-sessions-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const usage = { input_tokens: 10, output_tokens: 5, cached_tokens: 4, reasoning_tokens: 1 };

function kindOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof AgentError ? e.kind : "other";
  }
  return "none";
}

describe("SessionStore", () => {
  test("ids, runs, usage accumulation and lookup by prefix", () => {
    const store = new SessionStore(join(dir, "a.db"));
    const { session, lock } = store.createRunning({ backend: "claude", workdir: "/w", title: "t", tags: ["x"] });
    expect(session.id).toMatch(/^ags_[0-9a-z]{26}$/);
    expect(session.status).toBe("running");
    store.setBackendSession(session.id, "b-1", "m-1");
    store.finishRun(session.id, lock, { status: "completed", usage, turns: 2, costUsd: 0.5 });
    const again = store.acquire(session.id);
    store.finishRun(session.id, again, { status: "failed", usage, turns: 1, error: "boom" });
    const s = store.resolve(session.id.slice(0, 12));
    expect(s).toMatchObject({ backendSessionId: "b-1", model: "m-1", status: "failed", runs: 2, turns: 3, costUsd: 0.5, lastError: "boom", tags: ["x"] });
    expect(s.usage).toEqual({ input_tokens: 20, output_tokens: 10, cached_tokens: 8, reasoning_tokens: 2 });
    expect(store.resolve(session.id.slice(4, 14)).id).toBe(session.id);
    expect(kindOf(() => store.resolve("ags_zzzz"))).toBe("not_found");
    expect(kindOf(() => store.resolve("ags_"))).toBe("not_found");
    store.close();
  });

  test("ambiguous prefixes are refused; last/--here filter by directory", async () => {
    const store = new SessionStore(join(dir, "b.db"));
    const a = store.createRunning({ backend: "claude", workdir: "/one" });
    store.finishRun(a.session.id, a.lock, { status: "completed", usage, turns: 1 });
    await Bun.sleep(2);
    const b = store.createRunning({ backend: "codex", workdir: "/two" });
    store.finishRun(b.session.id, b.lock, { status: "completed", usage, turns: 1 });
    expect(kindOf(() => store.resolve(a.session.id.slice(0, 8)))).toBe("session");
    expect(store.last()?.id).toBe(b.session.id);
    expect(store.last({ workdir: "/one" })?.id).toBe(a.session.id);
    expect(store.last({ backend: "codex", workdir: "/one" })).toBeNull();
    store.close();
  });

  test("a session never runs twice; a dead holder's lock is stale", () => {
    const store = new SessionStore(join(dir, "c.db"));
    const { session } = store.createRunning({ backend: "gemini", workdir: "/w" });
    expect(kindOf(() => store.acquire(session.id))).toBe("session_busy");
    expect(kindOf(() => store.delete(session.id))).toBe("session_busy");
    // Simulate a crashed holder: a pid that cannot exist.
    store.db.query("UPDATE agent_sessions SET lock_pid = 2147483646 WHERE id = ?").run(session.id);
    const lock = store.acquire(session.id);
    expect(lock).toBeString();
    store.close();
  });

  test("clean deletes old idle sessions only; conversations go with them", () => {
    const store = new SessionStore(join(dir, "d.db"));
    const old = store.createRunning({ backend: "claude", workdir: "/w" });
    store.finishRun(old.session.id, old.lock, { status: "completed", usage, turns: 1 });
    store.saveConversation("conv_x", old.session.id);
    store.db.query("UPDATE agent_sessions SET updated_at = ? WHERE id = ?").run(Date.now() - 40 * 86_400_000, old.session.id);
    const running = store.createRunning({ backend: "claude", workdir: "/w" });
    store.db.query("UPDATE agent_sessions SET updated_at = ? WHERE id = ?").run(Date.now() - 40 * 86_400_000, running.session.id);
    const cutoff = Date.now() - parseDuration("30d");
    expect(store.clean(cutoff, true).map((s) => s.id)).toEqual([old.session.id]);
    expect(store.get(old.session.id)).not.toBeNull();
    expect(store.clean(cutoff).length).toBe(1);
    expect(store.get(old.session.id)).toBeNull();
    expect(store.conversation("conv_x")).toBeNull();
    expect(store.get(running.session.id)).not.toBeNull();
    store.close();
  });

  test("works inside a host database and keeps its own schema version", () => {
    const db = new Database(":memory:");
    db.exec("PRAGMA user_version = 42");
    const store = new SessionStore(db);
    new SessionStore(db); // idempotent migration
    expect(db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version).toBe(42);
    expect(db.query<{ version: number }, []>("SELECT version FROM agent_schema").get()?.version).toBe(2);
    store.close();
    db.exec("UPDATE agent_schema SET version = 99");
    expect(kindOf(() => new SessionStore(db))).toBe("config");
  });
});

describe("chain templates and durations", () => {
  test("references are checked before running and substituted in one pass", () => {
    const steps = [
      { name: "plan", prompt: "plan it" },
      { name: "do", prompt: "do {{ previous }} then {{steps.plan.output}}" },
    ];
    expect(validateChain(steps)).toEqual(["plan", "do"]);
    expect(kindOf(() => validateChain([{ prompt: "{{previous}}" }]))).toBe("usage");
    expect(kindOf(() => validateChain([{ name: "a", prompt: "{{steps.b.output}}" }, { name: "b", prompt: "x" }]))).toBe("usage");
    const out = renderPrompt(steps[1]!.prompt, "{{steps.plan.output}}", new Map([["plan", "P"]]));
    expect(out).toBe("do {{steps.plan.output}} then P");
  });

  test("durations", () => {
    expect(parseDuration("30d")).toBe(30 * 86_400_000);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration(2)).toBe(2000);
    expect(kindOf(() => parseDuration("soon"))).toBe("usage");
  });
});

describe("idempotency claims", () => {
  test("new, busy, mismatch, replay; a claim left by a dead process is taken over", () => {
    const store = new SessionStore(":memory:");
    expect(store.claimIdempotency("k", "h").kind).toBe("new");
    expect(store.claimIdempotency("k", "h").kind).toBe("busy");
    expect(store.claimIdempotency("k", "other").kind).toBe("mismatch");
    store.completeIdempotency("k", 200, { "content-type": "application/json" }, new TextEncoder().encode("{}"));
    expect(store.claimIdempotency("k", "h")).toMatchObject({ kind: "replay", status: 200 });
    expect(store.claimIdempotency("d", "h").kind).toBe("new");
    store.db.query("UPDATE agent_idempotency SET pid = 2147483646 WHERE key = 'd'").run();
    expect(store.claimIdempotency("d", "h").kind).toBe("new");
    store.close();
  });
});
