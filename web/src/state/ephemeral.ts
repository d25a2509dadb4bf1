// Ephemeral events: who is typing where, and what agents are doing. Never stored by the server,
// so everything here expires on its own.
import { signal } from "@preact/signals";
import { api } from "../api.ts";
import type { ChatEvent } from "../types.ts";
import { applyBotCommandsUpdated, applyCommandResponse } from "./commands.ts";

const TYPING_TTL_MS = 6_000;
const TYPING_RESEND_MS = 3_000;
const TYPING_IDLE_MS = 4_000;
/** An agent that has said nothing for this long is shown as finished. */
const AGENT_IDLE_MS = 45_000;

/** scope key (`<scope id>` or `<scope id>:<thread root>`) → user id → expiry time. */
export const typing = signal<Record<string, Record<string, number>>>({});

export interface AgentActivity {
  turnId: string | null;
  authorId: string | null;
  lines: { text: string; at: number }[];
  done: boolean;
  /** The last reported status (queued, thinking, tool, writing, done, cancelled, failed…). */
  status: string | null;
  updatedAt: number;
}
/** Keyed by the message the activity belongs to. */
export const agentActivity = signal<Record<string, AgentActivity>>({});

export const typingKey = (scopeId: string, rootId?: string | null) => (rootId ? `${scopeId}:${rootId}` : scopeId);

const str = (v: unknown) => (typeof v === "string" && v ? v : null);

let sweeper: ReturnType<typeof setInterval> | undefined;
function sweepSoon(): void {
  sweeper ??= setInterval(() => {
    const now = Date.now();
    let changed = false;
    const next: Record<string, Record<string, number>> = {};
    for (const [key, who] of Object.entries(typing.peek())) {
      const alive = Object.fromEntries(Object.entries(who).filter(([, until]) => until > now));
      if (Object.keys(alive).length !== Object.keys(who).length) changed = true;
      if (Object.keys(alive).length) next[key] = alive;
    }
    if (changed) typing.value = next;
    const agents = agentActivity.peek();
    if (Object.values(agents).some((a) => !a.done && now - a.updatedAt > AGENT_IDLE_MS)) {
      agentActivity.value = Object.fromEntries(Object.entries(agents).map(([k, a]) => [k, !a.done && now - a.updatedAt > AGENT_IDLE_MS ? { ...a, done: true } : a]));
    }
    if (Object.keys(next).length === 0 && Object.values(agentActivity.peek()).every((a) => a.done)) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  }, 1_000);
}

export function applyEphemeral(event: ChatEvent, meId: string): void {
  const p = event.payload;
  const userId = str(p.user_id);
  if (event.type === "typing.started" || event.type === "typing.stopped") {
    if (!userId || userId === meId) return;
    const scopeId = str(p.direct_conversation_id) ?? event.channel_id ?? str(p.channel_id);
    if (!scopeId) return;
    const key = typingKey(scopeId, str(p.thread_root_id));
    const who = { ...typing.peek()[key] };
    if (event.type === "typing.started") who[userId] = Date.now() + TYPING_TTL_MS;
    else delete who[userId];
    typing.value = { ...typing.peek(), [key]: who };
    sweepSoon();
  } else if (event.type === "command.response") {
    applyCommandResponse(event, meId);
  } else if (event.type === "bot_command.updated") {
    applyBotCommandsUpdated(event);
  } else if (event.type === "agent.progress") {
    const messageId = str(p.message_id) ?? str(p.root_message_id) ?? str(p.thread_root_id);
    if (!messageId) return;
    const text = str(p.text) ?? str(p.status) ?? "Working…";
    const prev = agentActivity.peek()[messageId];
    const turnId = str(p.turn_id);
    const sameTurn = prev && prev.turnId === turnId;
    const status = str(p.status);
    const done = p.done === true || status === "done" || status === "cancelled" || status === "failed";
    // Repeated summaries (a tool still running) update the time, not the trail.
    const previous = sameTurn ? prev.lines : [];
    const lines = previous[previous.length - 1]?.text === text ? previous : [...previous, { text, at: Date.now() }].slice(-50);
    agentActivity.value = { ...agentActivity.peek(), [messageId]: { turnId, authorId: userId, lines, done, status, updatedAt: Date.now() } };
    sweepSoon();
  }
}

// ---- Publishing my own typing state ----

let typingIn: { key: string; sentAt: number } | null = null;
let idleTimer: ReturnType<typeof setTimeout> | undefined;

interface TypingTarget {
  workspaceId: string;
  kind: "channel" | "dm";
  scopeId: string;
  rootId?: string | null;
}

function publish(target: TypingTarget, type: "typing.started" | "typing.stopped"): void {
  void api
    .ephemeral({
      workspace_id: target.workspaceId,
      type,
      channel_id: target.kind === "channel" ? target.scopeId : null,
      direct_conversation_id: target.kind === "dm" ? target.scopeId : null,
      payload: target.rootId ? { thread_root_id: target.rootId } : {},
    })
    .catch(() => {}); // typing is best effort
}

/** Called on every keystroke in a composer: one `started` every few seconds, `stopped` when idle. */
export function noteTyping(target: TypingTarget): void {
  const key = typingKey(target.scopeId, target.rootId);
  const now = Date.now();
  if (!typingIn || typingIn.key !== key || now - typingIn.sentAt > TYPING_RESEND_MS) {
    publish(target, "typing.started");
    typingIn = { key, sentAt: now };
  }
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => stopTyping(target), TYPING_IDLE_MS);
}

export function stopTyping(target: TypingTarget): void {
  clearTimeout(idleTimer);
  if (!typingIn) return;
  typingIn = null;
  publish(target, "typing.stopped");
}
