import { Elysia, t } from "elysia";
import { forbidden, invalid, notFound } from "../../chat/errors.ts";
import { reactionEmoji } from "../../chat/reactions.ts";
import type { Deps } from "../deps.ts";
import { budgetFor, messageBody } from "../../chat/posting.ts";
import { BodyText, messageInput, MessageBody } from "../message-input.ts";
import { EventSchema, errors, MessageSchema, ReactionSummarySchema, ThreadPageSchema, ThreadStateSchema, WindowQuery } from "../schemas.ts";
import { threadWindow } from "../window.ts";

const NONCE_HEADER = { "X-ClickClack-Message-Nonce": "supported" };

export const messageRoutes = ({ auth, access, store, limits }: Deps) =>
  new Elysia()
    .get(
      "/api/messages/by-nonce",
      async ({ request, query, set }) => {
        Object.assign(set.headers, NONCE_HEADER);
        const actor = await auth.require(request);
        await access.member(actor, query.workspace_id);
        const message = await store.messages.byNonce(query.workspace_id, actor.user.id, query.nonce.trim(), actor.user.id);
        if (!message) throw notFound("message");
        return { message };
      },
      {
        query: t.Object({ workspace_id: t.String({ maxLength: 64 }), nonce: t.String({ minLength: 1, maxLength: 512 }) }),
        detail: { summary: "Your message with this nonce (404 carries X-ClickClack-Message-Nonce: supported)", tags: ["messages"] },
        response: { 200: t.Object({ message: MessageSchema }), ...errors },
      },
    )
    .get(
      "/api/messages/:id",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.message(actor, params.id, "read");
        return { message: (await store.messages.get(params.id, actor.user.id))! };
      },
      { detail: { summary: "A message", tags: ["messages"] }, response: { 200: t.Object({ message: MessageSchema }), ...errors } },
    )
    .post(
      "/api/messages/:id/route",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.message(actor, params.id, "read");
        const message = await store.messages.get(params.id, actor.user.id);
        // Every message is given its shareable route id when it is written; the original makes
        // one on demand here, so this answers the message with the id it already has.
        if (!message || message.deleted_at) throw notFound("message");
        return { message };
      },
      { body: t.Optional(t.Object({})), detail: { summary: "The message with its shareable route id (as the original: made on demand there, kept from the start here)", tags: ["messages"] }, response: { 200: t.Object({ message: MessageSchema }), ...errors } },
    )
    .patch(
      "/api/messages/:id",
      async ({ request, params, body }) => {
        const actor = await auth.require(request);
        await access.message(actor, params.id, "write");
        const text = messageBody(body.body);
        limits.take("edits", actor.user);
        return store.messages.edit(params.id, text, actor.user.id);
      },
      {
        body: t.Object({ body: BodyText }),
        detail: { summary: "Edit your message", tags: ["messages"] },
        response: { 200: t.Object({ message: MessageSchema, event: EventSchema }), ...errors },
      },
    )
    .delete(
      "/api/messages/:id",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const target = await access.message(actor, params.id, "read");
        const own = target.authorId === actor.user.id;
        // Owners and moderators may remove others' channel messages; DMs stay the author's own.
        const moderates = target.scope.kind === "channel" && !actor.scopes && (target.membership.role === "owner" || target.membership.role === "moderator");
        if (!own && !moderates) throw forbidden("message is not writable", "message_not_writable");
        if (own) access.assertCanWrite(target.membership);
        limits.take("edits", actor.user);
        // Deleting again succeeds with the deleted message and no new event, as the original:
        // a retried DELETE must not look like a failure.
        const current = await store.messages.get(params.id, actor.user.id);
        if (current?.deleted_at) return { message: current };
        return store.messages.remove(params.id, actor.user.id);
      },
      { detail: { summary: "Delete a message (soft: the slot and thread stay)", tags: ["messages"] }, response: { 200: t.Object({ message: MessageSchema, event: t.Optional(EventSchema) }), ...errors } },
    )
    .get(
      "/api/messages/:id/thread",
      async ({ request, params, query }) => {
        const actor = await auth.require(request);
        await access.message(actor, params.id, "read");
        return store.messages.thread(params.id, threadWindow(query), actor.user.id);
      },
      { query: WindowQuery, detail: { summary: "A thread: its root and a window of replies (ThreadPage)", tags: ["threads"] }, response: { 200: ThreadPageSchema, ...errors } },
    )
    .post(
      "/api/messages/:id/thread/replies",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const target = await access.message(actor, params.id, "write");
        const input = messageInput(actor, { access, limits }, body);
        const result = await store.messages.post({ scope: target.scope, authorId: actor.user.id, parentMessageId: params.id, ...input, topicId: null, budget: budgetFor(target.membership.role) });
        const thread_state = result.threadState ?? (await store.messages.thread(params.id, { kind: "oldest", limit: 1 }, actor.user.id)).thread_state;
        set.status = result.replayed ? 200 : 201;
        return { message: result.message, thread_state, events: result.replayed ? null : result.events };
      },
      {
        body: MessageBody,
        detail: { summary: "Reply in a thread (threads are one level deep: replying to a reply is 400)", tags: ["threads"] },
        response: { 200: t.Object({ message: MessageSchema, thread_state: ThreadStateSchema, events: t.Null() }), 201: t.Object({ message: MessageSchema, thread_state: ThreadStateSchema, events: t.Array(EventSchema) }), ...errors },
      },
    )
    .post(
      "/api/messages/:id/reactions",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        await access.message(actor, params.id, "write");
        const emoji = reactionEmoji(body.emoji);
        limits.take("reactions", actor.user);
        const result = await store.messages.react(params.id, actor.user.id, emoji, true);
        set.status = result.event ? 201 : 200;
        return result;
      },
      {
        body: t.Object({ emoji: t.String({ maxLength: 128 }) }),
        detail: { summary: "React (201; 200 with event null when you already had)", tags: ["reactions"] },
        response: { 200: t.Object({ event: t.Null(), reactions: t.Array(ReactionSummarySchema) }), 201: t.Object({ event: EventSchema, reactions: t.Array(ReactionSummarySchema) }), ...errors },
      },
    )
    .delete(
      "/api/messages/:id/reactions/:emoji",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.message(actor, params.id, "write");
        limits.take("reactions", actor.user);
        return store.messages.react(params.id, actor.user.id, params.emoji.trim(), false);
      },
      { detail: { summary: "Remove your reaction", tags: ["reactions"] }, response: { 200: t.Object({ event: t.Union([EventSchema, t.Null()]), reactions: t.Array(ReactionSummarySchema) }), ...errors } },
    );
