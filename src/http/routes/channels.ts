import { Elysia, t } from "elysia";
import { auditEntry, audited, channelPatchAudit } from "../../chat/audit.ts";
import type { ChannelPresentation } from "../../chat/channels.ts";
import { forbidden, invalid } from "../../chat/errors.ts";
import { channelNameFrom } from "../../chat/rules.ts";
import type { Deps } from "../deps.ts";
import { budgetFor } from "../../chat/posting.ts";
import { messageInput, MessageBody } from "../message-input.ts";
import { ChannelSchema, EventSchema, errors, MessagePageSchema, MessageSchema, PinRecordSchema, ReceiptSchema, WindowQuery } from "../schemas.ts";
import { messageWindow } from "../window.ts";

/** Channel names are slugs, as in the Go server: "Release Plans" becomes release-plans. */
function channelName(raw: string): string {
  const name = channelNameFrom(raw);
  if (name === null) throw invalid("guest channel name is reserved", "channel_name_reserved");
  return name;
}

const KIND = /^[a-z][a-z0-9_-]{0,31}$/;

/** Presentation fields a client may set; "" clears a text field. */
const PresentationBody = {
  display_title: t.Optional(t.Union([t.String({ maxLength: 200 }), t.Null()])),
  external_managed: t.Optional(t.Boolean()),
  external_ref: t.Optional(t.Union([t.String({ maxLength: 256 }), t.Null()])),
  external_url: t.Optional(t.Union([t.String({ maxLength: 2048 }), t.Null()])),
  sidebar_section: t.Optional(t.Union([t.String({ maxLength: 80 }), t.Null()])),
};

type PresentationInput = { display_title?: string | null; external_managed?: boolean; external_ref?: string | null; external_url?: string | null; sidebar_section?: string | null };

function presentation(body: PresentationInput): ChannelPresentation {
  const text = (v: string | null | undefined) => (v === undefined ? undefined : v?.trim() || null);
  const url = text(body.external_url);
  if (url && !/^https?:\/\/\S+$/.test(url)) throw invalid("external_url must be an http(s) URL");
  return { displayTitle: text(body.display_title), externalManaged: body.external_managed, externalRef: text(body.external_ref), externalUrl: url, sidebarSection: text(body.sidebar_section) };
}

export const channelRoutes = ({ auth, access, store, limits }: Deps) =>
  new Elysia()
    .get(
      "/api/workspaces/:id/channels",
      async ({ request, params, query }) => {
        const actor = await auth.require(request);
        const m = await access.member(actor, params.id);
        // Archived channels are listed, as by the original; include_archived=false leaves them out.
        const includeArchived = !(query.include_archived === "false" || query.include_archived === "0");
        return { channels: await store.channels.list(params.id, actor.user.id, { guestOnly: m.role === "guest", includeArchived }) };
      },
      {
        query: t.Object({ include_archived: t.Optional(t.String({ maxLength: 8 })) }),
        detail: { summary: "Channels with read state (guests see only #guest; private channels only their members, managers included)", tags: ["channels"] },
        response: { 200: t.Object({ channels: t.Array(ChannelSchema) }), ...errors },
      },
    )
    .post(
      "/api/workspaces/:id/channels",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const m = await access.member(actor, params.id);
        access.assertCanWrite(m);
        if (m.role === "guest") throw forbidden("guests cannot create channels", "guest_restricted");
        // Any kind an integration names is kept; "guest" is the one channel guests see and is not made twice.
        const kind = body.kind?.trim() || "public";
        if (!KIND.test(kind) || kind === "guest") throw invalid('kind must match ^[a-z][a-z0-9_-]{0,31}$ and not be "guest"');
        const name = channelName(body.name);
        const result = await audited((r) => auditEntry(params.id, actor.user.id, "channel.created", { type: "channel", id: (r as { channel: { id: string } }).channel.id }, { name, kind, private: body.private ?? false }),
          () => store.channels.create({ workspaceId: params.id, name, kind, private: body.private ?? false, ...presentation(body), createdBy: actor.user.id }));
        set.status = 201;
        return result;
      },
      {
        body: t.Object({
          name: t.String({ minLength: 1, maxLength: 200 }),
          kind: t.Optional(t.String({ maxLength: 32 })),
          private: t.Optional(t.Boolean({ description: "Only its members read it; you are its first member. Fixed once created." })),
          ...PresentationBody,
        }),
        detail: { summary: "Create a channel (private: true for one only its members see)", tags: ["channels"] },
        response: { 201: t.Object({ channel: ChannelSchema, event: EventSchema }), ...errors },
      },
    )
    .get(
      "/api/channels/:id",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.channel(actor, params.id, "read");
        return { channel: (await store.channels.get(params.id, actor.user.id))! };
      },
      { detail: { summary: "A channel with your read state", tags: ["channels"] }, response: { 200: t.Object({ channel: ChannelSchema }), ...errors } },
    )
    .patch(
      "/api/channels/:id",
      async ({ request, params, body }) => {
        const actor = await auth.require(request);
        const { channel, membership } = await access.channel(actor, params.id, "read");
        access.assertCanWrite(membership);
        if (!(membership.role === "owner" || membership.role === "moderator" || actor.scopes)) throw forbidden("only owners, moderators and bots with channels:write can change a channel", "not_manager");
        const shown = presentation(body);
        if (body.name === undefined && body.archived === undefined && body.private === undefined && Object.values(shown).every((v) => v === undefined)) throw invalid("nothing to update: give name, archived, display_title, external_managed, external_ref, external_url or sidebar_section");
        let name: string | undefined;
        if (body.name !== undefined && body.name.trim() !== "") {
          if (channel.kind === "guest") throw invalid("the guest channel cannot be renamed", "channel_name_reserved");
          name = channelName(body.name);
        }
        const patch = { name, archived: body.archived, private: body.private, ...shown };
        return audited(channelPatchAudit(channel.workspaceId, actor.user.id, channel, patch), () => store.channels.update(params.id, patch, actor.user.id));
      },
      {
        body: t.Object({
          name: t.Optional(t.String({ maxLength: 200 })),
          archived: t.Optional(t.Boolean()),
          private: t.Optional(t.Boolean({ description: "Accepted only as it is: 409 channel_privacy_fixed for a change" })),
          ...PresentationBody,
        }),
        detail: { summary: "Rename or archive a channel", tags: ["channels"] },
        response: { 200: t.Object({ channel: ChannelSchema, event: EventSchema }), ...errors },
      },
    )
    .delete(
      "/api/channels/:id",
      async ({ request, params, set }) => {
        const actor = await auth.require(request);
        const { channel, membership } = await access.channel(actor, params.id, "read");
        if (membership.role !== "owner" || actor.scopes) throw forbidden("only the workspace owner can delete a channel", "owner_required");
        // What stops a delete (the guest channel, the last public one) is the store's rule: the preview lists the same.
        await audited(auditEntry(channel.workspaceId, actor.user.id, "channel.deleted", { type: "channel", id: channel.id }, { name: channel.name }), () => store.channels.remove(params.id, actor.user.id));
        set.status = 204;
      },
      { detail: { summary: "Delete a channel (owner)", tags: ["channels"] }, response: { 204: t.Void(), ...errors } },
    )
    .get(
      "/api/channels/:id/messages",
      async ({ request, params, query }) => {
        const actor = await auth.require(request);
        const { channel } = await access.channel(actor, params.id, "read");
        return store.messages.page({ kind: "channel", id: channel.id, workspaceId: channel.workspaceId }, messageWindow(query), actor.user.id, query.topic_id || undefined);
      },
      { query: WindowQuery, detail: { summary: "A window of root messages (MessagePage)", tags: ["messages"] }, response: { 200: MessagePageSchema, ...errors } },
    )
    .post(
      "/api/channels/:id/messages",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const { channel, membership } = await access.channel(actor, params.id, "write");
        const input = messageInput(actor, { access, limits }, body);
        const result = await store.messages.post({ scope: { kind: "channel", id: channel.id, workspaceId: channel.workspaceId }, authorId: actor.user.id, ...input, budget: budgetFor(membership.role) });
        set.status = result.replayed ? 200 : 201;
        return result.replayed ? { message: result.message } : { message: result.message, event: result.events[0]! };
      },
      {
        body: MessageBody,
        detail: { summary: "Post a message (201; 200 when the nonce replays the same message; 409 when it names another)", tags: ["messages"] },
        response: { 200: t.Object({ message: MessageSchema }), 201: t.Object({ message: MessageSchema, event: EventSchema }), ...errors },
      },
    )
    .post(
      "/api/channels/:id/read",
      async ({ request, params, body }) => {
        const actor = await auth.require(request);
        const { channel } = await access.channel(actor, params.id, "read");
        const { receipt, event } = await store.messages.markRead({ kind: "channel", id: channel.id, workspaceId: channel.workspaceId }, actor.user.id, body?.seq ?? 0);
        return event ? { receipt, event } : { receipt };
      },
      {
        body: t.Optional(t.Object({ seq: t.Optional(t.Integer({ minimum: 0 })) })),
        detail: { summary: "Move your read pointer forward", tags: ["read state"] },
        response: { 200: t.Object({ receipt: ReceiptSchema, event: t.Optional(EventSchema) }), ...errors },
      },
    )
    .get(
      "/api/channels/:id/pins",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.channel(actor, params.id, "read");
        const [messages, pins] = await Promise.all([store.messages.pins(params.id, actor.user.id), store.messages.pinRecords(params.id)]);
        return { messages, pins };
      },
      { detail: { summary: "Pinned messages, and the pin records (who pinned each, when) in the same order", tags: ["pins"] }, response: { 200: t.Object({ messages: t.Array(MessageSchema), pins: t.Array(PinRecordSchema) }), ...errors } },
    )
    .post(
      "/api/channels/:id/pins",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        await access.channel(actor, params.id, "write");
        const result = await store.messages.pin(params.id, body.message_id, actor.user.id);
        set.status = 201;
        return result;
      },
      {
        body: t.Object({ message_id: t.String({ maxLength: 64 }) }),
        detail: { summary: "Pin a message (at most 100 per channel)", tags: ["pins"] },
        response: { 201: t.Object({ pinned_message: MessageSchema, pin: PinRecordSchema, event: EventSchema }), ...errors },
      },
    )
    .delete(
      "/api/channels/:id/pins/:message_id",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.channel(actor, params.id, "write");
        return store.messages.unpin(params.id, params.message_id, actor.user.id);
      },
      { detail: { summary: "Unpin a message", tags: ["pins"] }, response: { 200: t.Object({ event: t.Union([EventSchema, t.Null()]) }), ...errors } },
    );
