// The bridge's pure parts: who wakes it, what stops it, how much context it carries, and how its
// activity is paced and batched.
import { describe, expect, test } from "bun:test";
import type { Message } from "../../../sdk/src/index.ts";
import { type ActivityKind, TurnActivity, toolSummary } from "./activity.ts";
import { splitBody } from "./bridge.ts";
import { prompt, transcript } from "./context.ts";
import { addresses, isStopCommand, isStopEmoji, nonces, othersAddressed, turnIdFor } from "./triggers.ts";

describe("triggers", () => {
  test("a mention must name the handle, outside code; broadcasts never count", () => {
    expect(addresses("@claude fix it", "claude")).toBe(true);
    expect(addresses("hey @claude, look", "claude")).toBe(true);
    expect(addresses("@channel fix it", "claude")).toBe(false);
    expect(addresses("@here @everyone", "claude")).toBe(false);
    expect(addresses("mail claude@example.com", "claude")).toBe(false);
    expect(addresses("`@claude` is the bot", "claude")).toBe(false);
    expect(addresses("@claudette hi", "claude")).toBe(false);
    expect(othersAddressed("@bob and @claude and @here", "claude")).toEqual(["bob"]);
  });

  test("stop words and stop emoji", () => {
    for (const body of ["stop", "Stop!", " /stop ", "@claude stop", "cancel."]) expect(isStopCommand(body, "claude")).toBe(true);
    for (const body of ["stop the build", "don't stop", "@claudette stop"]) expect(isStopCommand(body, "claude")).toBe(false);
    for (const e of ["✋", "✋🏽", ":raised_hand:", "🛑"]) expect(isStopEmoji(e)).toBe(true);
    expect(isStopEmoji("👍")).toBe(false);
  });

  test("turn ids and nonces derive from the triggering message", () => {
    expect(turnIdFor("msg_01abc")).toBe("trn_01abc");
    expect(nonces.answer("msg_1")).toBe("bridge:msg_1:answer");
    expect(nonces.answer("msg_1", 2)).toBe("bridge:msg_1:answer:2");
    expect(nonces.activity("msg_1", 3)).toBe("bridge:msg_1:activity:3");
  });

  test("long answers are split on line breaks under the body limit", () => {
    const body = Array.from({ length: 30 }, (_, i) => `line ${i} ${"x".repeat(40)}`).join("\n");
    const parts = splitBody(body, 500);
    expect(parts.every((p) => p.length <= 500)).toBe(true);
    expect(parts.join("\n")).toBe(body);
  });
});

function msg(i: number, body: string, extra: Partial<Message> = {}): Message {
  return { id: `msg_${i}`, author_id: `usr_${i % 3}`, body, kind: "message", deleted_at: null, ...extra } as Message;
}

describe("context", () => {
  const name = (m: Message) => `@u${m.author_id.slice(-1)}`;

  test("keeps the newest messages within the count, oldest first, and says what it left out", () => {
    const ms = Array.from({ length: 30 }, (_, i) => msg(i, `message ${i}`));
    const text = transcript(ms, name, { messages: 20, bytes: 8192, perMessage: 2000 });
    const lines = text.split("\n");
    expect(lines[0]).toBe("(10 earlier messages left out)");
    expect(lines[1]).toBe("@u1: message 10");
    expect(lines.at(-1)).toBe("@u2: message 29");
  });

  test("is bounded in bytes and per message; skips deleted messages and agent activity", () => {
    const ms = [
      msg(1, "y".repeat(5000)),
      msg(2, "tool noise", { kind: "agent_tool" }),
      msg(3, "gone", { deleted_at: "2026-01-01T00:00:00Z" }),
      ...Array.from({ length: 10 }, (_, i) => msg(10 + i, "z".repeat(1000))),
    ];
    const text = transcript(ms, name, { messages: 20, bytes: 8192, perMessage: 2000 });
    expect(Buffer.byteLength(text)).toBeLessThan(8192 + 100);
    expect(text).not.toContain("tool noise");
    expect(text).not.toContain("gone");
    expect(text).toMatch(/^\(\d+ earlier messages? left out\)/);
  });

  test("the prompt names where, what came before and who is asking", () => {
    const text = prompt({ where: "#general", contextTitle: "The thread so far", context: "@ada: it breaks", speaker: "Bob (@bob)", body: "@claude fix it" });
    expect(text).toBe("The thread so far (#general), oldest first:\n@ada: it breaks\n\nBob (@bob) wrote to you:\n@claude fix it\n");
  });
});

describe("activity", () => {
  function recorder() {
    const progress: Record<string, unknown>[] = [];
    const posts: { kind: ActivityKind; body: string; n: number }[] = [];
    return {
      progress,
      posts,
      sink: {
        progress: async (p: Record<string, unknown>) => void progress.push(p),
        post: async (kind: ActivityKind, body: string, n: number) => void posts.push({ kind, body, n }),
      },
    };
  }
  const turn = { turnId: "trn_1", triggerId: "msg_1", rootId: "msg_0", backend: "claude" };

  test("a chatty tool loop becomes a few batched messages, capped per turn", async () => {
    const r = recorder();
    const a = new TurnActivity(turn, r.sink, { progressEveryMs: 0, flushEveryMs: 10_000, linesPerMessage: 10, maxMessages: 3 });
    for (let i = 0; i < 100; i++) a.event({ type: "tool_use", id: `t${i}`, name: "Read", input: { file_path: `/f${i}` } });
    await a.finish("done", "ok");
    expect(r.posts.length).toBe(4);
    expect(r.posts.slice(0, 3).every((p) => p.kind === "agent_tool" && p.body.split("\n").length === 10)).toBe(true);
    expect(r.posts[3]).toMatchObject({ kind: "agent_commentary", body: "… further activity of this turn was not recorded." });
    expect(r.posts.map((p) => p.n)).toEqual([1, 2, 3, 4]);
  });

  test("text before a tool call is commentary; the text after the last one is the answer", async () => {
    const r = recorder();
    const a = new TurnActivity(turn, r.sink, { progressEveryMs: 0, flushEveryMs: 10_000, linesPerMessage: 10, maxMessages: 5 });
    a.event({ type: "text", text: "Let me look." });
    a.event({ type: "tool_use", id: "t1", name: "Bash", input: { command: "ls `x`" } });
    a.event({ type: "tool_result", id: "t1", output: "boom", is_error: true });
    a.event({ type: "text", text: "Done: " });
    a.event({ type: "text", text: "all good." });
    await a.finish("done", "ok");
    expect(a.answer()).toBe("Done: all good.");
    expect(r.posts.map((p) => [p.kind, p.body])).toEqual([
      ["agent_commentary", "Let me look."],
      ["agent_tool", "**Bash** `ls 'x'`\n↳ Bash failed: boom"],
    ]);
  });

  test("progress is paced: streaming updates coalesce, status changes are kept, the last one is done", async () => {
    const r = recorder();
    const a = new TurnActivity(turn, r.sink, { progressEveryMs: 30, flushEveryMs: 10_000, linesPerMessage: 10, maxMessages: 5 });
    for (let i = 0; i < 200; i++) a.event({ type: "thinking", text: "hmm " });
    a.event({ type: "tool_use", id: "t1", name: "Grep", input: { pattern: "TODO" } });
    for (let i = 0; i < 200; i++) a.event({ type: "text", text: "x" });
    await a.finish("done", "finished");
    expect(r.progress.length).toBeLessThanOrEqual(6);
    expect(r.progress.map((p) => p.status)).toEqual(["thinking", "thinking", "tool", "writing", "done"]);
    expect(r.progress[2]).toMatchObject({ text: "Grep: TODO", tool: { name: "Grep", summary: "TODO" }, turn_id: "trn_1", message_id: "msg_1", root_message_id: "msg_0" });
    expect(r.progress.at(-1)).toMatchObject({ done: true, seq: r.progress.length });
  });

  test("tool summaries pick the telling field", () => {
    expect(toolSummary({ command: "npm test", description: "Run tests" })).toBe("npm test");
    expect(toolSummary({ file_path: "/a/b.ts" })).toBe("/a/b.ts");
    expect(toolSummary({})).toBe("");
    expect(toolSummary({ x: 1 })).toBe('{"x":1}');
  });
});
