// What wakes an agent, what stops it, and the deterministic names of what it posts. Pure
// functions, so the rules can be read (and tested) without a server.
import { BROADCAST_HANDLES, mentionedHandles } from "../../chat/rules.ts";

/** Roles that may drive an agent: people with full membership (not guests, not bots). */
export const DRIVER_ROLES: ReadonlySet<string> = new Set(["owner", "moderator", "member"]);

/**
 * The body really addresses `@handle` (outside code), not only `@channel`/`@here`/`@everyone`.
 * The server already resolves mentions without broadcast handles; this is the second check.
 */
export function addresses(body: string, handle: string): boolean {
  const h = handle.toLowerCase();
  return !BROADCAST_HANDLES.has(h) && mentionedHandles(body).includes(h);
}

/** Handles other than `handle` that the body mentions (broadcasts excluded). */
export function othersAddressed(body: string, handle: string): string[] {
  const h = handle.toLowerCase();
  return mentionedHandles(body).filter((m) => m !== h && !BROADCAST_HANDLES.has(m));
}

const STOP_WORDS = new Set(["stop", "cancel", "/stop", "/cancel"]);

/** `stop`, `cancel` or `/stop` (optionally with `@handle` and trailing punctuation). */
export function isStopCommand(body: string, handle: string): boolean {
  const escaped = handle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const rest = body
    .replace(new RegExp(`@${escaped}(?![a-z0-9_-])`, "gi"), " ")
    .trim()
    .toLowerCase()
    .replace(/[.!\s]+$/, "");
  return STOP_WORDS.has(rest);
}

const STOP_EMOJI = new Set(["✋", ":raised_hand:", ":hand:", "🛑", ":stop_sign:", ":octagonal_sign:"]);

/** ✋ (any skin tone, or its shortcode) and 🛑 cancel a turn. */
export function isStopEmoji(emoji: string): boolean {
  return STOP_EMOJI.has(emoji.replace(/[\u{1F3FB}-\u{1F3FF}\uFE0F]/gu, ""));
}

/** One turn per triggering message; the id ties its activity messages and progress together. */
export function turnIdFor(triggerMessageId: string): string {
  return `trn_${triggerMessageId.replace(/^msg_/, "")}`;
}

/**
 * Nonces of everything a turn posts, derived from the triggering message: a retried or
 * replayed turn finds what it already posted instead of posting it again.
 */
export const nonces = {
  answer: (triggerId: string, part = 0) => `bridge:${triggerId}:answer${part > 0 ? `:${part}` : ""}`,
  queued: (triggerId: string) => `bridge:${triggerId}:queued`,
  activity: (triggerId: string, n: number) => `bridge:${triggerId}:activity:${n}`,
};
