import { Elysia, t } from "elysia";
import { audited, moderationAudit } from "../../chat/audit.ts";
import type { Actor } from "../../access/actor.ts";
import { forbidden, invalid, notFound } from "../../chat/errors.ts";
import type { Role } from "../../chat/types.ts";
import { storedInstant } from "../../chat/time.ts";
import type { Deps } from "../deps.ts";
import { EventSchema, errors, RoleSchema, UserSchema, Omitted, Int } from "../schemas.ts";

const EntrySchema = t.Object({
  workspace_id: t.String(),
  user: UserSchema,
  role: RoleSchema,
  timeout_until: Omitted(t.String()),
  blocked_at: Omitted(t.String()),
  moderation_note: Omitted(t.String()),
  moderation_by: Omitted(t.String()),
  moderation_at: Omitted(t.String()),
  posts_remaining: Omitted(Int()),
  post_limit: Omitted(Int()),
}, { title: "ModerationEntry" });

const RANK: Record<Role, number> = { owner: 4, moderator: 3, member: 2, bot: 2, guest: 1 };

export const moderationRoutes = ({ auth, access, store }: Deps) => {
  async function manager(actor: Actor, workspaceId: string) {
    const m = await access.manager(actor, workspaceId);
    access.assertCanWrite(m);
    return m;
  }

  return new Elysia()
    .get(
      "/api/workspaces/:id/moderation/members",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.manager(actor, params.id);
        return { members: await store.moderation.list(params.id) };
      },
      { detail: { summary: "Members with their moderation state (managers)", tags: ["moderation"] }, response: { 200: t.Object({ members: t.Array(EntrySchema) }), ...errors } },
    )
    .get(
      "/api/workspaces/:id/moderation/members/:user_id",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.manager(actor, params.id);
        const member = await store.moderation.entry(params.id, params.user_id);
        if (!member) throw notFound("member");
        return { member };
      },
      { detail: { summary: "One member's moderation state", tags: ["moderation"] }, response: { 200: t.Object({ member: EntrySchema }), ...errors } },
    )
    .patch(
      "/api/workspaces/:id/moderation/members/:user_id",
      async ({ request, params, body }) => {
        const actor = await auth.require(request);
        const me = await manager(actor, params.id);
        const target = await store.workspaces.membership(params.id, params.user_id);
        if (!target) throw notFound("member");
        // Rank rules: nobody moderates themselves, an owner, or someone of their own rank.
        if (target.userId === actor.user.id) throw forbidden("you cannot moderate yourself", "moderation_rank");
        if (RANK[target.role] >= RANK[me.role]) throw forbidden("you can only moderate members below your rank", "moderation_rank");
        if (body.role !== undefined) {
          if (body.role === "owner" || body.role === "bot") throw invalid("role must be moderator, member or guest");
          if (target.role === "bot") throw invalid("a bot's role cannot change");
          if (RANK[body.role] >= RANK[me.role]) throw forbidden("you can only grant roles below your own", "moderation_rank");
        }
        let timeoutUntil: string | null | undefined;
        if (body.clear_timeout) timeoutUntil = null;
        else if (body.timeout_minutes !== undefined) timeoutUntil = new Date(Date.now() + body.timeout_minutes * 60_000).toISOString();
        else if (body.timeout_until !== undefined) {
          if (body.timeout_until === null) timeoutUntil = null;
          else {
            timeoutUntil = storedInstant(body.timeout_until, "timeout_until");
          }
        }
        // Open sockets are re-checked by the hub when it hears member.moderation_updated.
        const patch = { role: body.role, timeoutUntil, blocked: body.blocked, note: body.moderation_note };
        return audited(moderationAudit(params.id, actor.user.id, params.user_id, target, patch), () => store.moderation.update(params.id, params.user_id, patch, actor.user.id));
      },
      {
        body: t.Object({
          role: t.Optional(RoleSchema),
          timeout_until: t.Optional(t.Union([t.String({ maxLength: 64 }), t.Null()])),
          timeout_minutes: t.Optional(t.Integer({ minimum: 1, maximum: 525_600 })),
          clear_timeout: t.Optional(t.Boolean()),
          blocked: t.Optional(t.Boolean()),
          moderation_note: t.Optional(t.Union([t.String({ maxLength: 1000 }), t.Null()])),
        }),
        detail: { summary: "Time out, block, change role or annotate a member (rank rules apply)", tags: ["moderation"] },
        response: { 200: t.Object({ member: EntrySchema, event: EventSchema }), ...errors },
      },
    );
};
