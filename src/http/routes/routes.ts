import { Elysia, t } from "elysia";
import { AppError, invalid } from "../../chat/errors.ts";
import { LIMITS } from "../../chat/rules.ts";
import type { Actor } from "../../access/actor.ts";
import type { Deps } from "../deps.ts";
import { errors, Omitted } from "../schemas.ts";

const RouteSchema = t.Object({
  workspace_id: t.String(),
  workspace_route_id: t.String(),
  target_type: t.Union([t.Literal("channel"), t.Literal("direct"), t.Literal("thread")]),
  target_id: t.String(),
  target_route_id: t.String(),
  parent_type: t.Optional(t.Union([t.Literal("channel"), t.Literal("direct")])),
  parent_id: t.Optional(t.String()),
  parent_route_id: t.Optional(t.String()),
  canonical_path: t.String(),
}, { title: "RouteTarget" });

const TopicSchema = t.Object({ id: t.String(), workspace_id: t.String(), channel_id: Omitted(t.String()), name: t.String(), created_by: t.String(), created_at: t.String() }, { title: "Topic" });

const routeNotFound = () => new AppError(404, "not_found", "route not found");

/**
 * A shareable link (workspace route id + target route id) resolved for someone who may open it.
 * Whatever the reason a caller may not open the target, the answer is the same 404: a link must
 * not reveal what lies behind it. Shared by /api/routes and the /embed/ pages.
 */
export async function openRoute({ access, store }: Pick<Deps, "access" | "store">, actor: Actor, workspaceRef: string, targetRef: string) {
  const ws = await store.routes.workspace(workspaceRef);
  const target = await store.routes.target(targetRef);
  if (!ws || !target || target.workspaceId !== ws.id) throw routeNotFound();
  try {
    if (target.type === "channel") {
      access.requireScope(actor, "channels:read");
      await access.channel(actor, target.id, "read");
    } else if (target.type === "direct") {
      await access.dm(actor, target.id, "read");
    } else {
      access.requireScope(actor, "threads:read");
      await access.message(actor, target.id, "read");
    }
  } catch {
    throw routeNotFound();
  }
  return { ws, target };
}

export const routeRoutes = (deps: Deps) => {
  const { auth, access, store } = deps;
  return new Elysia()
    .get(
      "/api/routes/:workspace_route_id/:target_route_id",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const { ws, target } = await openRoute(deps, actor, params.workspace_route_id, params.target_route_id);
        const parent = target.parent;
        const canonical_path = target.type === "channel" ? `/app/c/${target.id}` : target.type === "direct" ? `/app/d/${target.id}` : `/app/${parent!.type === "channel" ? "c" : "d"}/${parent!.id}/t/${target.id}`;
        return {
          route: {
            workspace_id: ws.id,
            workspace_route_id: ws.routeId,
            target_type: target.type,
            target_id: target.id,
            target_route_id: target.routeId,
            ...(parent ? { parent_type: parent.type, parent_id: parent.id, parent_route_id: parent.routeId } : {}),
            canonical_path,
          },
        };
      },
      { detail: { summary: "Resolve a shareable link (T… workspace + C… channel, D… DM or M… message); 404 when you may not open it", tags: ["routes"] }, response: { 200: t.Object({ route: RouteSchema }), ...errors } },
    )
    .get(
      "/api/workspaces/:id/topics",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const m = await access.member(actor, params.id);
        const topics = await store.topics.list(params.id);
        // The topics of the channels you can read (private ones only when you are in them), and
        // workspace-wide topics except for guests.
        const readable = new Set((await store.channels.list(params.id, actor.user.id, { guestOnly: m.role === "guest", includeArchived: true })).map((c) => c.id));
        return { topics: topics.filter((tp) => (tp.channel_id === null ? m.role !== "guest" : readable.has(tp.channel_id))) };
      },
      { detail: { summary: "Topics of a workspace", tags: ["topics"] }, response: { 200: t.Object({ topics: t.Array(TopicSchema) }), ...errors } },
    )
    .post(
      "/api/workspaces/:id/topics",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const m = await access.member(actor, params.id);
        access.assertCanWrite(m);
        if (body.channel_id) await access.channel(actor, body.channel_id, "write");
        else if (m.role === "guest") throw new AppError(403, "guest_restricted", "guests create topics only in channels they can post in");
        const name = body.name.trim();
        if (name.length === 0 || name.length > LIMITS.channelNameMax) throw invalid(`name must be 1–${LIMITS.channelNameMax} characters`);
        const topic = await store.topics.create({ workspaceId: params.id, channelId: body.channel_id || null, name, createdBy: actor.user.id });
        set.status = 201;
        return { topic };
      },
      {
        body: t.Object({ name: t.String({ maxLength: 200 }), channel_id: t.Optional(t.Union([t.String({ maxLength: 64 }), t.Null()])) }),
        detail: { summary: "Create a topic (workspace-wide or in a channel)", tags: ["topics"] },
        response: { 201: t.Object({ topic: TopicSchema }), ...errors },
      },
    );
};
