import { Elysia, t } from "elysia";
import { AppError, forbidden, invalid } from "../../chat/errors.ts";
import { newId } from "../../chat/ids.ts";
import { DURABLE_EVENT_TYPES, EPHEMERAL_EVENT_TYPES, HEARD_EPHEMERAL_EVENT_TYPES } from "../../chat/types.ts";
import { canSee } from "../../realtime/gate.ts";
import { publicEvent } from "../../chat/events.ts";
import type { Deps } from "../deps.ts";
import { EventSchema, errors } from "../schemas.ts";

const PULL_DEFAULT = 200;
const PULL_MAX = 500;
const EPHEMERAL_PAYLOAD_BYTES = 16 * 1024;

export const realtimeRoutes = ({ auth, access, store, hub, presence, limits }: Deps) =>
  new Elysia()
    .get("/api/event-types", () => ({ event_types: [...DURABLE_EVENT_TYPES], ephemeral_event_types: [...HEARD_EPHEMERAL_EVENT_TYPES] }), {
      detail: { summary: "Durable (and ephemeral) event types", tags: ["realtime"] },
      response: { 200: t.Object({ event_types: t.Array(t.String()), ephemeral_event_types: t.Array(t.String()) }) },
    })
    .get(
      "/api/realtime/events",
      async ({ request, query }) => {
        const actor = await auth.require(request);
        const m = await access.member(actor, query.workspace_id);
        const limit = query.limit !== undefined && query.limit >= 1 && query.limit <= PULL_MAX ? Math.floor(query.limit) : PULL_DEFAULT;
        const includeTail = query.include_tail === "true" || query.include_tail === "1";
        // The tail is read before the page, so a fresh client that starts from it misses nothing.
        const tail = includeTail ? await store.events.tail(query.workspace_id) : undefined;
        const after = query.after_cursor?.trim() || null;
        const page = await store.events.replayAfter(query.workspace_id, after, limit);
        if (page.status === "unknown_cursor") {
          throw new AppError(410, "resync_required", "cursor is unknown or was pruned; resync from tail_cursor", { tail_cursor: (await store.events.tail(query.workspace_id)) ?? "" });
        }
        const guest = m.role === "guest" ? new Set((await store.channels.list(query.workspace_id, actor.user.id, { guestOnly: true, includeArchived: true })).map((c) => c.id)) : null;
        const viewer = { userId: actor.user.id, role: m.role, readsDms: access.readsDms(actor, m) };
        const events = page.events.filter((e) => canSee(viewer, e, (id) => guest?.has(id) ?? false)).map(publicEvent);
        const last = page.events[page.events.length - 1]?.cursor ?? after;
        return {
          events,
          ...(includeTail ? { tail_cursor: tail ?? "" } : {}),
          // Events you may not see still advance the cursor: resume from next_cursor, not from
          // the last event you received.
          next_cursor: last ?? "",
          has_more: page.hasMore,
        };
      },
      {
        query: t.Object({
          workspace_id: t.String({ maxLength: 64 }),
          after_cursor: t.Optional(t.String({ maxLength: 64 })),
          limit: t.Optional(t.Numeric()),
          include_tail: t.Optional(t.String({ maxLength: 8 })),
        }),
        detail: { summary: "Pull events after a cursor (410 resync_required for a pruned or unknown cursor)", tags: ["realtime"] },
        response: {
          200: t.Object({ events: t.Array(EventSchema), tail_cursor: t.Optional(t.String()), next_cursor: t.String(), has_more: t.Boolean() }),
          410: t.Object({ error: t.String(), code: t.Literal("resync_required"), tail_cursor: t.String() }),
          ...errors,
        },
      },
    )
    .get(
      "/api/workspaces/:id/presence",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const m = await access.member(actor, params.id);
        // Like the member directory: a guest sees the people of #guest, not who is around.
        if (m.role === "guest") throw forbidden("guests cannot see who is online", "guest_restricted");
        return { presence: await store.presence.list(params.id) };
      },
      {
        detail: {
          summary: "Who is online or away now (offline people are left out); presence.changed events keep it current",
          tags: ["realtime"],
        },
        response: {
          200: t.Object({
            presence: t.Array(t.Object({ user_id: t.String(), status: t.Union([t.Literal("online"), t.Literal("away")]) }), { examples: [[{ user_id: "usr_01J0ADA", status: "online" }]] }),
          }),
          ...errors,
        },
      },
    )
    .post(
      "/api/realtime/ephemeral",
      async ({ request, body, set }) => {
        const actor = await auth.require(request);
        if (!(EPHEMERAL_EVENT_TYPES as readonly string[]).includes(body.type)) throw invalid(`type must be one of ${EPHEMERAL_EVENT_TYPES.join(", ")}`, "invalid_event_type");
        if (body.type === "agent.progress" && !actor.scopes) throw forbidden("agent.progress is published by bots", "agent_activity_forbidden");
        await access.member(actor, body.workspace_id);
        limits.take("ephemeral", actor.user);
        const channelId = body.channel_id || null;
        const dmId = body.direct_conversation_id || null;
        if (channelId && dmId) throw invalid("give channel_id or direct_conversation_id, not both");
        if (body.type !== "presence.changed" && !channelId && !dmId) throw invalid(`${body.type} needs a channel_id or direct_conversation_id`);
        const payload = { ...(body.payload ?? {}) } as Record<string, unknown>;
        if (JSON.stringify(payload).length > EPHEMERAL_PAYLOAD_BYTES) throw new AppError(413, "too_large", "ephemeral payload is larger than 16 KiB");
        let recipients: string[] | null = null;
        if (channelId) {
          const { channel } = await access.channel(actor, channelId, "read");
          if (channel.workspaceId !== body.workspace_id) throw forbidden("channel belongs to another workspace", "wrong_workspace");
          payload.channel_id = channelId;
          // Typing in a private channel reaches its members alone.
          recipients = channel.memberIds;
        } else if (dmId) {
          access.requireScope(actor, "dms:write");
          const { dm } = await access.dm(actor, dmId, "read");
          if (dm.workspaceId !== body.workspace_id) throw forbidden("conversation belongs to another workspace", "wrong_workspace");
          payload.direct_conversation_id = dmId;
          recipients = dm.memberIds;
        }
        payload.user_id = actor.user.id;
        // "away" / "online" is a person's own status: the server keeps it, across processes, and
        // announces what it is now. Any other presence payload is relayed as the original does.
        if (body.type === "presence.changed" && !channelId && !dmId && (payload.status === "away" || payload.status === "online")) {
          set.status = 202;
          return { event: publicEvent(await presence.setAway(body.workspace_id, actor.user.id, payload.status === "away")) };
        }
        const event = {
          id: newId("eph"),
          cursor: "",
          type: body.type,
          workspace_id: body.workspace_id,
          channel_id: channelId,
          seq: null,
          created_at: new Date().toISOString(),
          payload,
          recipients,
          direct_conversation_id: dmId,
        };
        hub.publishEphemeral(event);
        set.status = 202;
        return { event: publicEvent(event) };
      },
      {
        body: t.Object({
          workspace_id: t.String({ maxLength: 64 }),
          type: t.String({ maxLength: 64 }),
          channel_id: t.Optional(t.Union([t.String({ maxLength: 64 }), t.Null()])),
          direct_conversation_id: t.Optional(t.Union([t.String({ maxLength: 64 }), t.Null()])),
          payload: t.Optional(t.Record(t.String(), t.Unknown())),
        }),
        detail: { summary: "Publish an ephemeral event (typing, presence, agent progress); never stored", tags: ["realtime"] },
        response: { 202: t.Object({ event: EventSchema }), ...errors },
      },
    )
    .get(
      "/api/realtime/ws",
      ({ set }) => {
        set.status = 426;
        set.headers["upgrade"] = "websocket";
        return { error: "this endpoint speaks WebSocket: send Upgrade: websocket", code: "upgrade_required" };
      },
      {
        query: t.Object({ workspace_id: t.Optional(t.String()), after_cursor: t.Optional(t.String()) }),
        detail: {
          summary: "WebSocket: one JSON Event per text frame, replay after after_cursor then live",
          description:
            "Authenticate with Authorization: Bearer, the session cookie, or the subprotocol clickclack.bearer.<token> (echoed). Close codes: 4001 resync required, 1008 credential revoked or access lost, 1013 overload (reconnect with your last cursor).",
          tags: ["realtime"],
        },
        response: { 426: t.Object({ error: t.String(), code: t.String() }) },
      },
    );
