// What the agent is told. A first turn carries the recent conversation (the thread so far, or the
// messages before the mention), bounded in count and size, with who said what; a resumed turn
// carries only what the agent has not seen yet, since its backend session remembers the rest.
import type { Message } from "../../../sdk/src/index.ts";

export interface ContextLimits {
  /** Messages at most. */
  messages: number;
  /** UTF-8 bytes at most, for the whole transcript. */
  bytes: number;
  /** Characters kept of one message. */
  perMessage: number;
}

export const CONTEXT_LIMITS: ContextLimits = { messages: 20, bytes: 8 * 1024, perMessage: 2_000 };

const ACTIVITY_KINDS = new Set(["agent_commentary", "agent_tool"]);

/** Chat messages worth showing the agent: not deleted, not agent activity. */
export function conversational(m: Message): boolean {
  return !m.deleted_at && !ACTIVITY_KINDS.has(m.kind ?? "message") && m.body.trim() !== "";
}

function clip(text: string, max: number): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/**
 * "Name: body" lines, oldest first, keeping the newest messages that fit the limits. Says how
 * many earlier ones were left out, so the agent knows the picture is partial.
 */
export function transcript(messages: Message[], nameOf: (m: Message) => string, limits: ContextLimits = CONTEXT_LIMITS): string {
  const usable = messages.filter(conversational);
  const lines: string[] = [];
  let bytes = 0;
  for (let i = usable.length - 1; i >= 0 && lines.length < limits.messages; i--) {
    const m = usable[i] as Message;
    const body = clip(m.body, limits.perMessage).replace(/\n/g, "\n  ");
    const line = `${nameOf(m)}: ${body}`;
    const size = Buffer.byteLength(line) + 1;
    if (bytes + size > limits.bytes) break;
    bytes += size;
    lines.push(line);
  }
  lines.reverse();
  const left = usable.length - lines.length;
  if (left > 0) lines.unshift(`(${left} earlier message${left === 1 ? "" : "s"} left out)`);
  return lines.join("\n");
}

export interface Prompt {
  /** Where the conversation happens: "#general", "a direct message". */
  where: string;
  /** "the thread so far" / "the messages before the mention" / "since your last reply". */
  contextTitle: string;
  context: string;
  speaker: string;
  body: string;
}

export function prompt(p: Prompt): string {
  const parts: string[] = [];
  if (p.context) parts.push(`${p.contextTitle} (${p.where}), oldest first:\n${p.context}`);
  parts.push(`${p.speaker} wrote to you:\n${p.body.trim()}`);
  return `${parts.join("\n\n")}\n`;
}

/** Appended to the agent's system prompt: where it is and how its answer is shown. */
export function chatSystemPrompt(handle: string, extra?: string): string {
  const base =
    `You are @${handle}, an AI agent taking part in a ClickClack team chat. People talk to you in ` +
    "chat threads and direct messages; each message you receive names who wrote it. Your final " +
    "answer is posted in the thread as a chat message, rendered as Markdown: keep it focused and " +
    "reasonably short, and say what you changed when you change files.";
  return extra ? `${base}\n\n${extra}` : base;
}
