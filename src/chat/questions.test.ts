// The question rules as plain functions: expiry is data (a time), so it is tested here without
// waiting for a clock.
import { describe, expect, test } from "bun:test";
import { AppError } from "./errors.ts";
import { answerQuestion, newQuestion, questionMatches, resolveQuestion, shownQuestion } from "./questions.ts";

const T0 = "2026-01-01T00:00:00.000Z";
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
const spec = { items: [{ id: "go", header: "Go", prompt: "Go?", options: [{ label: "Yes" }, { label: "No" }] }], expires_at: at(60_000) };
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return [(e as AppError).status, (e as AppError).code];
  }
  return null;
};

describe("questions", () => {
  test("expiry: 10 s – 7 days ahead, a day by default; past it an open question reads as expired and refuses answers", () => {
    expect(newQuestion({ items: spec.items }, "msg_1", T0).expires_at).toBe(at(86400_000));
    expect(code(() => newQuestion({ ...spec, expires_at: at(9_999) }, "msg_1", T0))).toEqual([400, "invalid_question_expiry"]);
    expect(code(() => newQuestion({ ...spec, expires_at: at(7 * 86400_000 + 1) }, "msg_1", T0))).toEqual([400, "invalid_question_expiry"]);
    const q = newQuestion(spec, "msg_1", T0);
    expect(shownQuestion(q, Date.parse(at(59_999))).status).toBe("open");
    expect(shownQuestion(q, Date.parse(at(60_000))).status).toBe("expired");
    expect(code(() => answerQuestion(q, { userId: "usr_a", answers: { go: ["Yes"] } }, at(61_000)))).toEqual([409, "question_expired"]);
    expect(code(() => resolveQuestion(q, "usr_bot", { botId: "usr_bot", status: "cancelled" }, at(61_000)))).toEqual([409, "question_expired"]);
    expect(questionMatches(shownQuestion(q, Date.parse(at(61_000))), { status: "pending" })).toBe(false);
  });

  test("an answer moves open → submitted, version +1; a submitted question is resolved by its asker", () => {
    const q = newQuestion(spec, "msg_1", T0);
    const { question } = answerQuestion(q, { userId: "usr_a", answers: { go: ["Yes"] }, expectedVersion: 1 }, at(1000));
    expect([question.status, question.version, question.response?.answered_by]).toEqual(["submitted", 2, "usr_a"]);
    const done = resolveQuestion(question, "usr_bot", { botId: "usr_bot", status: "answered", note: "on it" }, at(2000)).question;
    expect([done.status, done.version, done.resolution_note]).toEqual(["answered", 3, "on it"]);
    expect(resolveQuestion(done, "usr_bot", { botId: "usr_bot", status: "answered" }, at(3000)).unchanged).toBe(true);
  });

  test("free-text items take exactly one typed answer", () => {
    const q = newQuestion({ items: [{ id: "why", header: "Why", prompt: "Why?" }] }, "msg_1", T0);
    expect(answerQuestion(q, { userId: "u", answers: { why: ["  because  "] } }, at(1)).question.response?.answers).toEqual({ why: ["because"] });
    expect(code(() => answerQuestion(q, { userId: "u", answers: { why: ["a", "b"] } }, at(1)))).toEqual([400, "invalid_answer"]);
  });
});
