// Questions (ask-user cards): people answer a bot's card, the bot resolves it and reconciles.
// Asking is posting a message with `question` (src/http/message-input.ts).
import { Elysia, t } from "elysia";
import { forbidden } from "../../chat/errors.ts";
import type { Deps } from "../deps.ts";
import { errors, EventSchema, MessageQuestionSchema, MessageSchema, Omitted, QuestionAnswersSchema, QuestionStatusSchema } from "../schemas.ts";
import { normalizeNonce } from "../message-input.ts";

/** Bots probe for the feature by this header, as for message nonces. */
const QUESTIONS_HEADER = { "X-ClickClack-Questions": "supported" };

const BotQuestionSchema = t.Composite([
  MessageQuestionSchema,
  t.Object({ workspace_id: t.String(), channel_id: Omitted(t.String()), direct_conversation_id: Omitted(t.String()) }),
], { title: "BotQuestion" });

export const questionRoutes = ({ auth, access, store, limits }: Deps) =>
  new Elysia()
    .post(
      "/api/messages/:id/question/answers",
      async ({ request, params, body, set }) => {
        Object.assign(set.headers, QUESTIONS_HEADER);
        const actor = await auth.require(request);
        await access.message(actor, params.id, "write");
        const nonce = normalizeNonce(body.nonce);
        limits.take("edits", actor.user);
        const result = await store.messages.answerQuestion(params.id, { userId: actor.user.id, answers: body.answers, expectedVersion: body.expected_version, nonce });
        return { message: result.message, question: result.message.question!, events: result.events };
      },
      {
        body: t.Object({
          answers: QuestionAnswersSchema,
          expected_version: t.Optional(t.Integer({ minimum: 1, description: "409 version_conflict unless the question is at this version" })),
          nonce: t.Optional(t.String({ maxLength: 512, description: "A retry with the same nonce and answers returns the same result (events empty)" })),
        }),
        detail: {
          summary: "Answer a bot's question (people only; the first valid answer wins, 409 after it or once expired; 403 when you are not a responder)",
          tags: ["questions"],
        },
        response: { 200: t.Object({ message: MessageSchema, question: MessageQuestionSchema, events: t.Array(EventSchema) }), ...errors },
      },
    )
    .post(
      "/api/messages/:id/question/resolution",
      async ({ request, params, body, set }) => {
        Object.assign(set.headers, QUESTIONS_HEADER);
        const actor = await auth.require(request);
        await access.message(actor, params.id, "read");
        limits.take("edits", actor.user);
        const result = await store.messages.resolveQuestion(params.id, {
          botId: actor.user.id, status: body.status, note: body.note, answers: body.answers, expectedVersion: body.expected_version,
        });
        return result.event ? { message: result.message, question: result.message.question!, event: result.event } : { message: result.message, question: result.message.question! };
      },
      {
        body: t.Object({
          status: t.Union([t.Literal("answered"), t.Literal("cancelled"), t.Literal("failed")]),
          note: t.Optional(t.String({ maxLength: 1000, description: "At most 200 characters" })),
          answers: t.Optional(QuestionAnswersSchema),
          expected_version: t.Optional(t.Integer({ minimum: 1 })),
        }),
        detail: {
          summary: "Resolve your question (the asking bot): answered, cancelled or failed; answers record a reply given elsewhere. Again with the same status: 200, no event",
          tags: ["questions"],
        },
        response: { 200: t.Object({ message: MessageSchema, question: MessageQuestionSchema, event: t.Optional(EventSchema) }), ...errors },
      },
    )
    .get(
      "/api/bots/self/questions",
      async ({ request, query, set }) => {
        Object.assign(set.headers, QUESTIONS_HEADER);
        const actor = await auth.require(request);
        if (!actor.scopes || !actor.tokenWorkspaceId) throw forbidden("only a bot token has questions of its own", "bot_only");
        const limit = Math.min(200, Math.max(1, Math.trunc(query.limit ?? 50)));
        return store.messages.botQuestions(actor.user.id, actor.tokenWorkspaceId, {
          status: query.status, updatedAfter: query.updated_after, cursor: query.cursor, limit,
        });
      },
      {
        query: t.Object({
          status: t.Optional(t.Union([QuestionStatusSchema, t.Literal("pending")], { description: "pending: open or submitted (what still waits on someone)" })),
          updated_after: t.Optional(t.String({ format: "date-time", description: "Only questions changed after this time" })),
          cursor: t.Optional(t.String({ maxLength: 64 })),
          limit: t.Optional(t.Numeric({ description: "1–200 (clamped), default 50" })),
        }),
        detail: { summary: "Your questions (bot tokens), oldest first: reconcile after a restart", tags: ["questions"] },
        response: { 200: t.Object({ questions: t.Array(BotQuestionSchema), next_cursor: t.Union([t.String(), t.Null()]) }), ...errors },
      },
    );
