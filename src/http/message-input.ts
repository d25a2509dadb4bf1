// What a client may post as a message, shared by channel, DM and thread-reply routes.
import { t } from "elysia";
import type { Actor } from "../access/actor.ts";
import { forbidden, invalid } from "../chat/errors.ts";
import { messageBody } from "../chat/posting.ts";
import { LIMITS } from "../chat/rules.ts";
import type { MessageKind } from "../chat/types.ts";
import type { Access } from "../access/access.ts";
import type { PersonLimits } from "../access/limits.ts";
import { QuestionInputSchema } from "./schemas.ts";

/** A client nonce: trimmed, at most 128 characters, no NUL; blank means none. */
export function normalizeNonce(raw: string | null | undefined): string | null {
  const nonce = raw?.trim() || null;
  if (nonce !== null && ([...nonce].length > LIMITS.nonceMaxChars || nonce.includes("\u0000"))) {
    throw invalid(`nonce must be at most ${LIMITS.nonceMaxChars} characters`, "invalid_nonce");
  }
  return nonce;
}

/** The wire's bound on a body before trimming; messageBody() holds the real limit. */
export const BodyText = t.String({ maxLength: LIMITS.bodyMaxChars * 2 });

export const MessageBody = t.Object({
  body: BodyText,
  nonce: t.Optional(t.String({ maxLength: 512 })),
  quoted_message_id: t.Optional(t.Union([t.String({ maxLength: 64 }), t.Null()])),
  topic_id: t.Optional(t.Union([t.String({ maxLength: 64 }), t.Null()])),
  upload_id: t.Optional(t.Union([t.String({ maxLength: 64 }), t.Null()])),
  kind: t.Optional(t.String({ maxLength: 32 })),
  turn_id: t.Optional(t.Union([t.String({ maxLength: 128 }), t.Null()])),
  question: t.Optional(t.Union([QuestionInputSchema, t.Null()])),
});

type Input = typeof MessageBody.static;

const KINDS: ReadonlySet<string> = new Set(["message", "agent_commentary", "agent_tool"]);

/** Normalises and checks a posted message; returns the fields the store takes. */
export function messageInput(actor: Actor, { access, limits }: { access: Access; limits: PersonLimits }, input: Input) {
  const body = messageBody(input.body);
  const nonce = normalizeNonce(input.nonce);
  const kind = (input.kind?.trim() || "message") as MessageKind;
  if (!KINDS.has(kind)) throw invalid(`unknown message kind "${kind}"`, "invalid_kind");
  const turnId = input.turn_id?.trim() || null;
  if (kind === "message" && turnId) throw invalid("turn_id belongs to agent activity messages", "invalid_kind");
  if (kind !== "message") {
    if (!actor.scopes) throw forbidden("agent activity messages are posted by bots", "agent_activity_forbidden");
    access.requireScope(actor, "agent_activity:write");
  }
  const uploadId = input.upload_id?.trim() || null;
  // Attaching a file is an upload write, whatever route the message came through.
  if (uploadId) access.requireScope(actor, "uploads:write");
  // Ask-user cards are a bot's: people ask in words. (The card's own rules are checked in the write.)
  const question = input.question ?? null;
  if (question) {
    if (!actor.scopes) throw forbidden("questions are asked by bots", "question_forbidden");
    if (kind !== "message") throw invalid("a question goes on an ordinary message", "invalid_question");
  }
  limits.take("posts", actor.user);
  return { body, nonce, kind, turnId, quotedMessageId: input.quoted_message_id || null, topicId: input.topic_id || null, uploadId, question };
}
