// A workspace's administration beyond moderation: handing it over, what a delete takes with it,
// and the audit log of who did what.
import { Elysia, t } from "elysia";
import { AUDIT_ACTIONS } from "../../chat/audit.ts";
import { forbidden } from "../../chat/errors.ts";
import type { Deps } from "../deps.ts";
import { EventSchema, errors, WorkspaceSchema, Int } from "../schemas.ts";

const AuditLogEntrySchema = t.Object({
  id: t.String(),
  workspace_id: t.String(),
  actor_user_id: t.String({ description: "a user id, or \"cli\" for the server's admin command" }),
  action: t.String({ description: "e.g. member.role_changed, channel.deleted, bot_token.minted" }),
  target_type: t.String(),
  target_id: t.String(),
  metadata: t.Record(t.String(), t.Unknown()),
  created_at: t.String({ format: "date-time" }),
}, {
  title: "AuditLogEntry",
  examples: [{
    id: "aud_01jd3k4q0b1c2d3e4f5g6h7j8k", workspace_id: "wsp_01jd3k0m8a1b2c3d4e5f6g7h8j", actor_user_id: "usr_01jd3k0m7x4y9z2a5b8c1d6e0f",
    action: "channel.renamed", target_type: "channel", target_id: "chn_01jd3k0m8m9n0p1q2r3s4t5v6w", metadata: { from: "general", to: "engines" }, created_at: "2026-01-05T09:30:00.000Z",
  }],
});

const Count = Int({ minimum: 0 });

const ChannelDeletePreviewSchema = t.Object({
  channel_id: t.String(),
  name: t.String(),
  messages: Count,
  threads: Count,
  replies: Count,
  pins: Count,
  uploads: Count,
  upload_bytes: Count,
  blockers: t.Array(t.Object({ code: t.String(), message: t.String() }), { description: "why the delete would be refused (empty when it may go ahead)" }),
  can_delete: t.Boolean(),
}, { title: "ChannelDeletePreview" });

const WorkspaceDeletePreviewSchema = t.Object({
  workspace_id: t.String(),
  name: t.String(),
  members: Count,
  channels: Count,
  messages: Count,
  uploads: Count,
  upload_bytes: Count,
  bots: Count,
}, { title: "WorkspaceDeletePreview" });

export const administrationRoutes = ({ auth, access, store }: Deps) =>
  new Elysia()
    .post(
      "/api/workspaces/:id/transfer-ownership",
      async ({ request, params, body }) => {
        const actor = await auth.require(request);
        const m = await access.member(actor, params.id);
        if (m.role !== "owner") throw forbidden("only the owner can transfer ownership", "owner_required");
        return store.workspaces.transferOwnership(params.id, body.user_id, actor.user.id);
      },
      {
        body: t.Object({ user_id: t.String({ minLength: 1, maxLength: 64 }) }, { examples: [{ user_id: "usr_01jd3k1b2c3d4e5f6g7h8j9k0m" }] }),
        detail: { summary: "Hand the workspace to another member (owner; you become moderator)", tags: ["workspaces"] },
        response: { 200: t.Object({ workspace: WorkspaceSchema, event: EventSchema, events: t.Array(EventSchema) }), ...errors },
      },
    )
    .get(
      "/api/workspaces/:id/delete-preview",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const m = await access.member(actor, params.id);
        if (m.role !== "owner") throw forbidden("only the owner can delete a workspace", "owner_required");
        return { delete_preview: await store.workspaces.deletePreview(params.id) };
      },
      { detail: { summary: "What deleting the workspace takes with it (owner)", tags: ["workspaces"] }, response: { 200: t.Object({ delete_preview: WorkspaceDeletePreviewSchema }), ...errors } },
    )
    .get(
      "/api/channels/:id/delete-preview",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const { membership } = await access.channel(actor, params.id, "read");
        if (membership.role !== "owner") throw forbidden("only the workspace owner can delete a channel", "owner_required");
        return { delete_preview: await store.channels.deletePreview(params.id) };
      },
      { detail: { summary: "What deleting the channel takes with it, and what stops it (owner)", tags: ["channels"] }, response: { 200: t.Object({ delete_preview: ChannelDeletePreviewSchema }), ...errors } },
    )
    .get(
      "/api/workspaces/:id/audit-log",
      async ({ request, params, query }) => {
        const actor = await auth.require(request);
        await access.manager(actor, params.id);
        const page = await store.audit.list(params.id, { limit: query.limit ?? 100, before: query.before || undefined, action: query.action || undefined, actorId: query.actor_user_id || undefined });
        return { audit_log_entries: page.entries, next_cursor: page.next_cursor ?? undefined };
      },
      {
        query: t.Object({
          limit: t.Optional(t.Numeric({ minimum: 1, maximum: 200 })),
          before: t.Optional(t.String({ maxLength: 64, description: "next_cursor of the previous page" })),
          action: t.Optional(t.Union(AUDIT_ACTIONS.map((a) => t.Literal(a)))),
          actor_user_id: t.Optional(t.String({ maxLength: 64 })),
        }),
        detail: { summary: "Who did what to the workspace's administration, newest first (owners and moderators)", tags: ["workspaces"] },
        response: { 200: t.Object({ audit_log_entries: t.Array(AuditLogEntrySchema), next_cursor: t.Optional(t.String()) }), ...errors },
      },
    );
