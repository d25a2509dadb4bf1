// Secret-URL incoming webhooks: a manager makes one for a channel and gets its URL once; whoever
// holds the URL posts there, as the webhook's own bot, with Slack's or Mattermost's JSON. The URL
// is the only credential, so every way of not matching it (unknown id, revoked, wrong secret)
// answers the same 404.
import { Elysia, t } from "elysia";
import type { Actor } from "../../access/actor.ts";
import { auditEntry, audited } from "../../chat/audit.ts";
import { forbidden, invalid, notFound } from "../../chat/errors.ts";
import { LIMITS } from "../../chat/rules.ts";
import { incomingMessage, payloadOf } from "../../integrations/incoming.ts";
import type { IncomingWebhook } from "../../store/store.ts";
import type { Deps } from "../deps.ts";
import { errors, MessageSchema } from "../schemas.ts";

export const IncomingWebhookSchema = t.Object({
  id: t.String(),
  workspace_id: t.String(),
  channel_id: t.String(),
  name: t.String(),
  bot_user_id: t.String(),
  created_by: t.String(),
  created_at: t.String(),
  revoked_at: t.Union([t.String(), t.Null()]),
  url: t.Optional(t.String({ description: "The webhook's secret URL: in the answers that create or rotate it, never again." })),
}, {
  title: "IncomingWebhook",
  examples: [{ id: "whk_01jc8v1x0000000000000000", workspace_id: "wsp_01jc8v1x0000000000000000", channel_id: "chn_01jc8v1x0000000000000000", name: "CI", bot_user_id: "usr_01jc8v1x0000000000000001", created_by: "usr_01jc8v1x0000000000000000", created_at: "2026-01-01T00:00:00.000Z", revoked_at: null, url: "https://chat.example.com/api/hooks/incoming/whk_01jc8v1x0000000000000000/ccw_…" }],
});

const HookPayload = t.Object({
  text: t.Optional(t.Unknown()),
  username: t.Optional(t.Unknown()),
  icon_url: t.Optional(t.Unknown()),
  attachments: t.Optional(t.Unknown()),
  payload: t.Optional(t.Unknown({ description: "The same JSON as a string, in a form body (`payload=…`, with or without a Content-Type)." })),
}, {
  description: "Slack's or Mattermost's message JSON; attachments become Markdown.",
  examples: [{ text: "Build <https://ci.example.com/1|#1> passed", username: "CI", attachments: [{ color: "good", title: "main", title_link: "https://ci.example.com/1", fields: [{ title: "Duration", value: "42 s" }] }] }],
});

/** How many posts one webhook may make a minute (per process). */
const HOOK_POSTS_PER_MINUTE = 60;
const tags = ["integrations"];

export const incomingWebhookRoutes = (deps: Deps) => {
  const { auth, access, store, config, limiter, limits, hub } = deps;
  const urlOf = (request: Request, w: IncomingWebhook, secret: string) =>
    `${(config.publicUrl ?? new URL(request.url).origin).replace(/\/$/, "")}/api/hooks/incoming/${w.id}/${secret}`;
  async function managed(actor: Actor, id: string) {
    const w = await store.integrations.incomingWebhook(id);
    if (!w || w.revoked_at) throw notFound("incoming webhook");
    const m = await access.manager(actor, w.workspace_id);
    access.assertCanWrite(m);
    return w;
  }
  const List = { 200: t.Object({ incoming_webhooks: t.Array(IncomingWebhookSchema) }), ...errors };
  const One = t.Object({ incoming_webhook: IncomingWebhookSchema });
  return new Elysia()
    .get(
      "/api/workspaces/:id/incoming-webhooks",
      async ({ request, params }) => {
        await access.manager(await auth.require(request), params.id);
        return { incoming_webhooks: await store.integrations.incomingWebhooks(params.id) };
      },
      { detail: { summary: "Active incoming webhooks of a workspace (managers; no URLs)", tags }, response: List },
    )
    .get(
      "/api/channels/:id/incoming-webhooks",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const { channel } = await access.channel(actor, params.id, "read");
        await access.manager(actor, channel.workspaceId);
        return { incoming_webhooks: await store.integrations.incomingWebhooks(channel.workspaceId, channel.id) };
      },
      { detail: { summary: "Active incoming webhooks of a channel (managers; no URLs)", tags }, response: List },
    )
    .post(
      "/api/channels/:id/incoming-webhooks",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const { channel } = await access.channel(actor, params.id, "write");
        const m = await access.manager(actor, channel.workspaceId);
        access.assertCanWrite(m);
        const name = body.name.trim();
        if (!name || [...name].length > LIMITS.displayNameMax) throw invalid(`name must be 1–${LIMITS.displayNameMax} characters`, "invalid_name");
        const { webhook, secret } = await audited(
          (r) => auditEntry(channel.workspaceId, actor.user.id, "incoming_webhook.created", { type: "incoming_webhook", id: (r as { webhook: IncomingWebhook }).webhook.id }, { name, channel_id: channel.id }),
          () => store.integrations.createIncomingWebhook({ workspaceId: channel.workspaceId, channelId: channel.id, name, createdBy: actor.user.id }),
        );
        set.status = 201;
        return { incoming_webhook: { ...webhook, url: urlOf(request, webhook, secret) } };
      },
      {
        body: t.Object({ name: t.String({ minLength: 1, maxLength: 200 }) }, { examples: [{ name: "CI" }] }),
        detail: { summary: "Make an incoming webhook for a channel (its URL is shown once)", tags },
        response: { 201: One, ...errors },
      },
    )
    .post(
      "/api/incoming-webhooks/:id/rotate-secret",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const w = await managed(actor, params.id);
        const { webhook, secret } = await audited(auditEntry(w.workspace_id, actor.user.id, "incoming_webhook.secret_rotated", { type: "incoming_webhook", id: w.id }, { name: w.name }), () =>
          store.integrations.rotateIncomingWebhookSecret(params.id),
        );
        return { incoming_webhook: { ...webhook, url: urlOf(request, webhook, secret) } };
      },
      { body: t.Optional(t.Object({})), detail: { summary: "Replace a webhook's secret: the old URL stops working, the new one is shown once", tags }, response: { 200: One, ...errors } },
    )
    .delete(
      "/api/incoming-webhooks/:id",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const w = await managed(actor, params.id);
        const incoming_webhook = await audited(auditEntry(w.workspace_id, actor.user.id, "incoming_webhook.revoked", { type: "incoming_webhook", id: w.id }, { name: w.name }), () =>
          store.integrations.revokeIncomingWebhook(params.id),
        );
        // Its bot left the workspace: any socket a token of it opened closes.
        await hub.recheck({ userId: incoming_webhook.bot_user_id });
        return { incoming_webhook };
      },
      { detail: { summary: "Delete an incoming webhook (its URL answers 404; its posts stay)", tags }, response: { 200: One, ...errors } },
    )
    .post(
      "/api/hooks/incoming/:id/:secret",
      async ({ request, params, body }) => {
        const webhook = await store.integrations.incomingWebhookBySecret(params.id, params.secret);
        if (!webhook) throw notFound("incoming webhook");
        // Counted only once the secret matched: a stranger cannot spend a webhook's allowance.
        if (limits.config.enabled) limiter.hit(`incoming-webhook:${webhook.id}`, { max: HOOK_POSTS_PER_MINUTE, windowMs: 60_000 });
        const { body: text, username } = incomingMessage(payloadOf(body));
        const channel = await store.channels.record(webhook.channel_id);
        if (!channel) throw notFound("incoming webhook");
        if (channel.archivedAt) throw forbidden("the channel is archived", "channel_archived");
        const posted = await store.messages.post({
          scope: { kind: "channel", id: channel.id, workspaceId: channel.workspaceId },
          authorId: webhook.bot_user_id,
          body: text,
          webhook: { id: webhook.id, name: username ?? webhook.name },
        });
        return { ok: true as const, message: posted.message };
      },
      {
        body: t.Optional(HookPayload),
        detail: {
          summary: "Post to the webhook's channel (no other auth: the URL is the secret). JSON, or a form with payload=<json>",
          tags,
        },
        response: { 200: t.Object({ ok: t.Literal(true), message: MessageSchema }), ...errors },
      },
    );
};
