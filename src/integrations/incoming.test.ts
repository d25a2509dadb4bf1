// The payload rules of incoming webhooks, without a server: Slack markup, attachments as
// Markdown, the badge name, and the refusals.
import { describe, expect, test } from "bun:test";
import type { AppError } from "../chat/errors.ts";
import { badgeName, colorMark, fromSlackMarkup, incomingMessage, payloadOf } from "./incoming.ts";

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as AppError).code;
  }
  return "no error";
};

describe("incoming webhook payloads", () => {
  test("Slack links and broadcast mentions become ours; entities are decoded", () => {
    expect(fromSlackMarkup("see <https://x.example/a|the [log]> and <https://y.example> <!here> <!channel|channel> &lt;ok&gt;"))
      .toBe("see [the log](https://x.example/a) and <https://y.example> @here @channel <ok>");
  });

  test("attachments: fallback only when nothing else; author, footer, image; unsafe links dropped", () => {
    expect(incomingMessage({ attachments: [{ fallback: "plain summary" }] }).body).toBe("plain summary");
    expect(incomingMessage({ attachments: [{ fallback: "hidden", color: "danger", text: "boom" }] }).body).toBe("🔴 boom");
    expect(incomingMessage({ attachments: [{ author_name: "bot", title: "T", title_link: "javascript:alert(1)", footer: "ci", image_url: "https://i.example/p.png", color: "#3366ff" }] }).body)
      .toBe("🔵 *bot*\n**T**\nhttps://i.example/p.png\n_ci_");
    expect(incomingMessage({ text: "a", attachments: [{ text: "b" }, { fields: [{ value: "only value" }] }] }).body).toBe("a\n\nb\n\nonly value");
  });

  test("colours: Slack's names and hex", () => {
    expect([colorMark("good"), colorMark("warning"), colorMark("#ff0000"), colorMark("#00aa00"), colorMark("#eecc22"), colorMark("blue?"), colorMark(null)]).toEqual(["🟢", "🟡", "🔴", "🟢", "🟡", "", ""]);
  });

  test("a username is a badge label: no control characters, no leading @, at most 80 characters", () => {
    expect(badgeName("@@ ada\u0000\u202e")).toBe("ada");
    expect(badgeName("   ")).toBeNull();
    expect([...badgeName("x".repeat(200))!].length).toBe(80);
    expect(incomingMessage({ text: "hi", username: "Deploy Bot" }).username).toBe("Deploy Bot");
  });

  test("payload= carries the JSON; everything else is refused with a code", () => {
    expect(payloadOf({ payload: '{"text":"x"}' })).toEqual({ text: "x" });
    expect(payloadOf({ text: "direct" })).toEqual({ text: "direct" });
    expect(code(() => payloadOf(null))).toBe("empty_payload");
    expect(code(() => payloadOf({ payload: 5 }))).toBe("invalid_payload");
    expect(code(() => payloadOf({ payload: "[1]" }))).toBe("invalid_payload");
    expect(code(() => incomingMessage({ text: "   " }))).toBe("empty_payload");
    expect(code(() => incomingMessage({ attachments: Array.from({ length: 21 }, () => ({ text: "x" })) }))).toBe("invalid_payload");
    expect(code(() => incomingMessage({ attachments: [{ fields: "x" }] }))).toBe("invalid_payload");
    expect(code(() => incomingMessage({ text: "x", username: { a: 1 } }))).toBe("invalid_payload");
  });
});
