// Event subscriptions (outgoing webhooks): managers register a callback for durable event types;
// the worker in src/integrations/subscriptions.ts delivers. The signing secret is in the create
// response only.
import { Elysia, t } from "elysia";
import { auditEntry, audited } from "../../chat/audit.ts";
import type { Actor } from "../../access/actor.ts";
import { invalid, notFound } from "../../chat/errors.ts";
import { DURABLE_EVENT_TYPES } from "../../chat/types.ts";
import { checkCallbackUrl, OutboundRefused, resolvePinned } from "../../integrations/outbound.ts";
import { sendEvent } from "../../integrations/subscriptions.ts";
import type { EventDelivery } from "../../store/store.ts";
import type { Deps } from "../deps.ts";
import { errors } from "../schemas.ts";

const Nullable = <T extends ReturnType<typeof t.String>>(s: T) => t.Union([s, t.Null()]);

export const EventSubscriptionSchema = t.Object({
  id: t.String(),
  workspace_id: t.String(),
  callback_url: t.String(),
  event_types: t.Array(t.String()),
  app_installation_id: Nullable(t.String()),
  created_by: t.String(),
  created_at: t.String(),
  status: t.Union([t.Literal("active"), t.Literal("disabled"), t.Literal("revoked")]),
  disabled_reason: Nullable(t.String()),
  failure_count: t.Number(),
  failing_since: Nullable(t.String()),
  next_attempt_at: t.String(),
  last_delivered_cursor: Nullable(t.String()),
  revoked_at: Nullable(t.String()),
  signing_secret: t.Optional(t.String()),
});

export const EventDeliverySchema = t.Object({
  id: t.String(),
  subscription_id: t.String(),
  event_id: t.String(),
  event_type: t.String(),
  event_cursor: t.String(),
  attempt: t.Number(),
  outcome: t.Union([t.Literal("succeeded"), t.Literal("failed"), t.Literal("refused")]),
  response_status: t.Union([t.Number(), t.Null()]),
  error: Nullable(t.String()),
  duration_ms: t.Number(),
  redelivery: t.Boolean(),
  created_at: t.String(),
  /** The original's fields: the workspace, and when the attempt finished (the row is written then). */
  workspace_id: t.String(),
  completed_at: t.String(),
});

const tags = ["integrations"];

const wireDelivery = (d: EventDelivery, workspaceId: string) => ({ ...d, workspace_id: workspaceId, completed_at: d.created_at });

/** Checks a callback at registration: its shape, and that it may be called at all. */
export async function acceptCallback(raw: string, deps: Pick<Deps, "outbound">): Promise<string> {
  try {
    const url = checkCallbackUrl(raw.trim());
    await resolvePinned(url, deps.outbound);
    return url.toString();
  } catch (err) {
    if (err instanceof OutboundRefused) throw invalid(err.message, err.code);
    throw err;
  }
}

export const eventSubscriptionRoutes = (deps: Deps) => {
  const { auth, access, store } = deps;
  async function managed(actor: Actor, id: string) {
    const sub = await store.integrations.subscription(id);
    if (!sub) throw notFound("event subscription");
    await access.manager(actor, sub.workspace_id);
    return sub;
  }
  /** A change to a subscription, recorded in the audit log in the same write. */
  async function change<T>(request: Request, id: string, action: "event_subscription.revoked" | "event_subscription.secret_rotated" | "event_subscription.enabled", write: () => Promise<T>): Promise<T> {
    const actor = await auth.require(request);
    const sub = await managed(actor, id);
    return audited(auditEntry(sub.workspace_id, actor.user.id, action, { type: "event_subscription", id }, { callback_url: sub.callback_url }), write);
  }
  return new Elysia()
    .get(
      "/api/workspaces/:id/event-subscriptions",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.manager(actor, params.id);
        return { event_subscriptions: await store.integrations.subscriptions(params.id) };
      },
      { detail: { summary: "Event subscriptions (outgoing webhooks) of a workspace", tags }, response: { 200: t.Object({ event_subscriptions: t.Array(EventSubscriptionSchema) }), ...errors } },
    )
    .post(
      "/api/workspaces/:id/event-subscriptions",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const m = await access.manager(actor, params.id);
        access.assertCanWrite(m);
        const types = [...new Set(body.event_types)];
        if (types.length === 0) throw invalid("event_types: name at least one durable event type, or \"*\"", "invalid_event_type");
        const unknown = types.filter((x) => x !== "*" && !(DURABLE_EVENT_TYPES as readonly string[]).includes(x));
        if (unknown.length > 0) throw invalid(`event_types: unknown or non-durable event type ${unknown.map((u) => JSON.stringify(u)).join(", ")}`, "invalid_event_type");
        const callbackUrl = await acceptCallback(body.callback_url, deps);
        const sub = await audited((s) => auditEntry(params.id, actor.user.id, "event_subscription.created", { type: "event_subscription", id: (s as { id: string }).id }, { callback_url: callbackUrl, event_types: types.includes("*") ? ["*"] : types }), () => store.integrations.createSubscription({ workspaceId: params.id, callbackUrl, eventTypes: types.includes("*") ? ["*"] : types, appInstallationId: body.app_installation_id ?? null, createdBy: actor.user.id }));
        set.status = 201;
        return { event_subscription: sub };
      },
      {
        body: t.Object({
          event_types: t.Array(t.String({ maxLength: 64 }), { maxItems: 64 }),
          callback_url: t.String({ minLength: 1, maxLength: 2048 }),
          app_installation_id: t.Optional(t.Union([t.String({ maxLength: 64 }), t.Null()])),
        }),
        detail: { summary: "Subscribe a callback URL to durable events (the signing secret is shown once)", tags },
        response: { 201: t.Object({ event_subscription: EventSubscriptionSchema }), ...errors },
      },
    )
    .get(
      "/api/event-subscriptions/:id",
      async ({ request, params }) => ({ event_subscription: await managed(await auth.require(request), params.id) }),
      { detail: { summary: "One event subscription", tags }, response: { 200: t.Object({ event_subscription: EventSubscriptionSchema }), ...errors } },
    )
    .post(
      "/api/event-subscriptions/:id/revoke",
      async ({ request, params }) => {
        return { event_subscription: await change(request, params.id, "event_subscription.revoked", () => store.integrations.revokeSubscription(params.id)) };
      },
      { body: t.Optional(t.Object({})), detail: { summary: "Stop an event subscription for good", tags }, response: { 200: t.Object({ event_subscription: EventSubscriptionSchema }), ...errors } },
    )
    .post(
      "/api/event-subscriptions/:id/rotate-secret",
      async ({ request, params }) => {
        return { event_subscription: await change(request, params.id, "event_subscription.secret_rotated", () => store.integrations.rotateSubscriptionSecret(params.id)) };
      },
      { body: t.Optional(t.Object({})), detail: { summary: "Replace the signing secret (the new one is shown once)", tags }, response: { 200: t.Object({ event_subscription: EventSubscriptionSchema }), ...errors } },
    )
    .post(
      "/api/event-subscriptions/:id/enable",
      async ({ request, params }) => {
        return { event_subscription: await change(request, params.id, "event_subscription.enabled", () => store.integrations.enableSubscription(params.id)) };
      },
      { body: t.Optional(t.Object({})), detail: { summary: "Resume a disabled event subscription from where it stopped", tags }, response: { 200: t.Object({ event_subscription: EventSubscriptionSchema }), ...errors } },
    )
    .get(
      "/api/event-subscriptions/:id/deliveries",
      async ({ request, params, query }) => {
        const sub = await managed(await auth.require(request), params.id);
        const limit = query.limit === undefined ? 50 : Number(query.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw invalid("limit must be 1–200");
        const page = await store.integrations.deliveries(params.id, { limit, before: query.before || undefined });
        return { ...page, deliveries: page.deliveries.map((d) => wireDelivery(d, sub.workspace_id)) };
      },
      {
        query: t.Object({ limit: t.Optional(t.String({ maxLength: 8 })), before: t.Optional(t.String({ maxLength: 64 })) }),
        detail: { summary: "Delivery attempts, newest first", tags },
        response: { 200: t.Object({ deliveries: t.Array(EventDeliverySchema), next_cursor: t.Union([t.String(), t.Null()]) }), ...errors },
      },
    )
    .post(
      "/api/event-subscriptions/:id/deliveries/:delivery_id/redeliver",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const sub = await managed(actor, params.id);
        if (sub.status === "revoked") throw invalid("the subscription is revoked", "subscription_revoked");
        const earlier = await store.integrations.delivery(params.delivery_id);
        if (!earlier || earlier.subscription_id !== sub.id) throw notFound("delivery");
        const event = await store.integrations.event(sub.workspace_id, earlier.event_id);
        if (!event) throw notFound("event (pruned from the log)");
        const secret = (await store.integrations.signingSecret(sub.id))!;
        // A manual, one-off attempt: sent now, logged, and independent of the worker's cursor.
        const attempt = await sendEvent(sub, secret, event, deps.outbound, earlier.attempt + 1, { redelivery: true });
        const delivery = await audited(auditEntry(sub.workspace_id, actor.user.id, "event_subscription.redelivered", { type: "event_subscription", id: sub.id }, { event_id: earlier.event_id }), () => store.integrations.logDelivery(sub.id, attempt));
        return { delivery: wireDelivery(delivery, sub.workspace_id) };
      },
      { body: t.Optional(t.Object({})), detail: { summary: "Send a logged delivery's event once more", tags }, response: { 200: t.Object({ delivery: EventDeliverySchema }), ...errors } },
    );
};
