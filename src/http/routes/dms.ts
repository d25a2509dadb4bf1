import { Elysia, t } from "elysia";
import { conflict, forbidden } from "../../chat/errors.ts";
import type { Deps } from "../deps.ts";
import { messageInput, MessageBody } from "../message-input.ts";
import { DirectConversationSchema, EventSchema, errors, MessagePageSchema, MessageSchema, ReceiptSchema, WindowQuery } from "../schemas.ts";
import { messageWindow } from "../window.ts";

export const dmRoutes = ({ auth, access, store, limits }: Deps) =>
  new Elysia()
    .get(
      "/api/dms",
      async ({ request, query }) => {
        const actor = await auth.require(request);
        const workspaceId = query.workspace_id ?? actor.tokenWorkspaceId;
        if (workspaceId) {
          const m = await access.member(actor, workspaceId);
          if (m.role === "guest") return { conversations: [] };
        }
        return { conversations: await store.dms.list(actor.user.id, workspaceId) };
      },
      {
        query: t.Object({ workspace_id: t.Optional(t.String({ maxLength: 64 })) }),
        detail: { summary: "Your open direct conversations", tags: ["dms"] },
        response: { 200: t.Object({ conversations: t.Array(DirectConversationSchema) }), ...errors },
      },
    )
    .post(
      "/api/dms",
      async ({ request, body, set }) => {
        const actor = await auth.require(request);
        const m = await access.member(actor, body.workspace_id);
        access.assertCanWrite(m);
        if (m.role === "guest") throw forbidden("guests cannot start direct conversations", "guest_restricted");
        const { conversation } = await store.dms.open(body.workspace_id, body.member_ids, actor.user.id);
        set.status = 201;
        return { conversation };
      },
      {
        body: t.Object({ workspace_id: t.String({ maxLength: 64 }), member_ids: t.Array(t.String({ maxLength: 64 }), { maxItems: 64 }) }),
        detail: { summary: "Open a direct conversation (the same member set reuses the conversation; at most 32 members, you included)", tags: ["dms"] },
        response: { 201: t.Object({ conversation: DirectConversationSchema }), ...errors },
      },
    )
    .get(
      "/api/dms/:id",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.dm(actor, params.id, "read");
        return { conversation: (await store.dms.get(params.id, actor.user.id))! };
      },
      { detail: { summary: "A direct conversation", tags: ["dms"] }, response: { 200: t.Object({ conversation: DirectConversationSchema }), ...errors } },
    )
    .delete(
      "/api/dms/:id",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        if (actor.scopes) throw forbidden("bots cannot close conversations", "bot_forbidden");
        await access.dm(actor, params.id, "read");
        const conversation = await store.dms.setHidden(params.id, actor.user.id, true);
        return { ok: true as const, conversation };
      },
      { detail: { summary: "Close (hide) a conversation for yourself; a new message reopens it", tags: ["dms"] }, response: { 200: t.Object({ ok: t.Literal(true), conversation: DirectConversationSchema }), ...errors } },
    )
    .post(
      "/api/dms/:id/open",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        if (actor.scopes) throw forbidden("bots cannot reopen conversations", "bot_forbidden");
        await access.dm(actor, params.id, "read");
        return { conversation: await store.dms.setHidden(params.id, actor.user.id, false) };
      },
      { detail: { summary: "Reopen a closed conversation", tags: ["dms"] }, response: { 200: t.Object({ conversation: DirectConversationSchema }), ...errors } },
    )
    .get(
      "/api/dms/:id/messages",
      async ({ request, params, query }) => {
        const actor = await auth.require(request);
        const { dm } = await access.dm(actor, params.id, "read");
        return store.messages.page({ kind: "dm", id: dm.id, workspaceId: dm.workspaceId }, messageWindow(query), actor.user.id);
      },
      { query: WindowQuery, detail: { summary: "A window of DM messages (MessagePage)", tags: ["dms"] }, response: { 200: MessagePageSchema, ...errors } },
    )
    .post(
      "/api/dms/:id/messages",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const { dm } = await access.dm(actor, params.id, "write");
        if (!(await store.dms.canSend(dm.id, actor.user.id))) throw conflict("direct conversation has no active recipient", "no_active_peer");
        const input = messageInput(actor, { access, limits }, body);
        const result = await store.messages.post({ scope: { kind: "dm", id: dm.id, workspaceId: dm.workspaceId }, authorId: actor.user.id, ...input, topicId: null });
        set.status = result.replayed ? 200 : 201;
        return result.replayed ? { message: result.message } : { message: result.message, event: result.events[0]! };
      },
      {
        body: MessageBody,
        detail: { summary: "Send a direct message", tags: ["dms"] },
        response: { 200: t.Object({ message: MessageSchema }), 201: t.Object({ message: MessageSchema, event: EventSchema }), ...errors },
      },
    )
    .post(
      "/api/dms/:id/read",
      async ({ request, params, body }) => {
        const actor = await auth.require(request);
        const { dm } = await access.dm(actor, params.id, "read");
        const { receipt, event } = await store.messages.markRead({ kind: "dm", id: dm.id, workspaceId: dm.workspaceId }, actor.user.id, body?.seq ?? 0);
        return event ? { receipt, event } : { receipt };
      },
      {
        body: t.Optional(t.Object({ seq: t.Optional(t.Integer({ minimum: 0 })) })),
        detail: { summary: "Move your DM read pointer forward", tags: ["read state"] },
        response: { 200: t.Object({ receipt: ReceiptSchema, event: t.Optional(EventSchema) }), ...errors },
      },
    );
