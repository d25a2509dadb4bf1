import { Elysia, t } from "elysia";
import { auditEntry, audited } from "../../chat/audit.ts";
import { AVATAR_TYPES } from "../../chat/avatars.ts";
import { forbidden, invalid } from "../../chat/errors.ts";
import { LIMITS, SLUG_PATTERN, slugFrom } from "../../chat/rules.ts";
import type { Store } from "../../store/store.ts";
import type { Deps } from "../deps.ts";
import { EventSchema, errors, MemberSchema, RoleSchema, WorkspaceSchema } from "../schemas.ts";

const RESERVED_SLUGS = new Set(["clickclack", "guests", "api", "app"]);

function cleanSlug(raw: string): string {
  const slug = slugFrom(raw);
  if (!SLUG_PATTERN.test(slug)) throw invalid("slug must be letters, digits and dashes");
  if (RESERVED_SLUGS.has(slug)) throw invalid(`slug "${slug}" is reserved`, "slug_reserved");
  return slug;
}

/** An icon is a picture we keep, like an avatar: an image uploaded to this workspace. */
async function assertWorkspaceIcon(store: Store, workspaceId: string, iconUrl: string): Promise<void> {
  const id = /^\/api\/uploads\/([A-Za-z0-9_]+)$/.exec(iconUrl)?.[1];
  if (!id) throw invalid("icon_url is /api/uploads/{id} of an image uploaded to this workspace: remote URLs are not stored", "icon_url_not_allowed");
  const upload = (await store.uploads.get(id))?.upload;
  if (!upload || upload.workspace_id !== workspaceId || !AVATAR_TYPES.has(upload.content_type)) throw invalid("the icon must be a PNG, JPEG, GIF or WebP uploaded to this workspace", "invalid_icon");
}

/**
 * The instance's owners are the owners of its first workspace (the one sign-ins land in). Before
 * there is any workspace, whoever comes first may make it.
 */
async function assertInstanceOwner(store: Store, userId: string): Promise<void> {
  const first = await store.workspaces.first();
  if (!first) return;
  const m = await store.workspaces.membership(first.id, userId);
  if (m?.role !== "owner") throw forbidden("only the instance's owners may create workspaces here", "workspace_creation_restricted");
}

export const workspaceRoutes = ({ auth, access, store, config }: Deps) =>
  new Elysia()
    .get(
      "/api/workspaces",
      async ({ request }) => {
        const actor = await auth.require(request);
        const all = await store.workspaces.listFor(actor.user.id);
        return { workspaces: actor.tokenWorkspaceId ? all.filter((w) => w.id === actor.tokenWorkspaceId) : all };
      },
      { detail: { summary: "Workspaces you belong to", tags: ["workspaces"] }, response: { 200: t.Object({ workspaces: t.Array(WorkspaceSchema) }), ...errors } },
    )
    .post(
      "/api/workspaces",
      async ({ request, body, set }) => {
        const actor = await auth.require(request);
        if (actor.scopes) throw forbidden("bots cannot create workspaces", "bot_forbidden");
        const name = body.name.trim() || "Untitled";
        if (name.length > LIMITS.workspaceNameMax) throw invalid(`name must be at most ${LIMITS.workspaceNameMax} characters`);
        if (config.limits.workspaceCreators === "owners") await assertInstanceOwner(store, actor.user.id);
        const { workspace } = await store.workspaces.create({ name, slug: body.slug ? cleanSlug(body.slug) : undefined, ownerId: actor.user.id, maxOwned: config.limits.workspacesPerPerson });
        set.status = 201;
        return { workspace };
      },
      {
        body: t.Object({ name: t.String({ maxLength: 200 }), slug: t.Optional(t.String({ maxLength: 80 })) }),
        detail: { summary: "Create a workspace (you become its owner; #general and #guest are created)", tags: ["workspaces"] },
        response: { 201: t.Object({ workspace: WorkspaceSchema }), ...errors },
      },
    )
    .get(
      "/api/workspaces/:id",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.member(actor, params.id);
        return { workspace: (await store.workspaces.get(params.id, actor.user.id))! };
      },
      { detail: { summary: "A workspace", tags: ["workspaces"] }, response: { 200: t.Object({ workspace: WorkspaceSchema }), ...errors } },
    )
    .patch(
      "/api/workspaces/:id",
      async ({ request, params, body }) => {
        const actor = await auth.require(request);
        if (actor.scopes) throw forbidden("bots cannot update workspaces", "bot_forbidden");
        const m = await access.manager(actor, params.id);
        access.assertCanWrite(m);
        if (body.name === undefined && body.slug === undefined && body.icon_url === undefined) throw invalid("nothing to update: give name, slug or icon_url");
        const name = body.name?.trim();
        if (name !== undefined && (name.length === 0 || name.length > LIMITS.workspaceNameMax)) throw invalid(`name must be 1–${LIMITS.workspaceNameMax} characters`);
        if (body.icon_url) await assertWorkspaceIcon(store, params.id, body.icon_url);
        const patch = { name, slug: body.slug !== undefined ? cleanSlug(body.slug) : undefined, iconUrl: body.icon_url === "" ? null : body.icon_url };
        const target = { type: "workspace" as const, id: params.id };
        const entries = [
          ...(name !== undefined ? [auditEntry(params.id, actor.user.id, "workspace.renamed", target, { to: name })] : []),
          ...(patch.slug !== undefined || patch.iconUrl !== undefined ? [auditEntry(params.id, actor.user.id, "workspace.updated", target, { fields: [...(patch.slug !== undefined ? ["slug"] : []), ...(patch.iconUrl !== undefined ? ["icon_url"] : [])] })] : []),
        ];
        return audited(entries, () => store.workspaces.update(params.id, patch, actor.user.id));
      },
      {
        body: t.Object({ name: t.Optional(t.String({ maxLength: 200 })), slug: t.Optional(t.String({ maxLength: 80 })), icon_url: t.Optional(t.Union([t.String({ maxLength: 500 }), t.Null()])) }),
        detail: { summary: "Rename or restyle a workspace (owners and moderators)", tags: ["workspaces"] },
        response: { 200: t.Object({ workspace: WorkspaceSchema, event: EventSchema }), ...errors },
      },
    )
    .delete(
      "/api/workspaces/:id",
      async ({ request, params, set }) => {
        const actor = await auth.require(request);
        const m = await access.member(actor, params.id);
        if (m.role !== "owner" || actor.scopes) throw forbidden("only the owner can delete a workspace", "owner_required");
        await audited(auditEntry(params.id, actor.user.id, "workspace.deleted", { type: "workspace", id: params.id }), () => store.workspaces.remove(params.id));
        set.status = 204;
      },
      { detail: { summary: "Delete a workspace (owner)", tags: ["workspaces"] }, response: { 204: t.Void(), ...errors } },
    )
    .get(
      "/api/workspaces/:id/members",
      async ({ request, params, query }) => {
        const actor = await auth.require(request);
        const m = await access.member(actor, params.id);
        if (m.role === "guest") throw forbidden("guests cannot browse the member directory", "guest_restricted");
        const page = await store.workspaces.members(params.id, { limit: query.limit ?? 100, cursor: query.cursor, q: query.q?.trim() || undefined, role: query.role });
        return { ...page, members: page.members.map((x) => ({ workspace_id: params.id, ...x })) };
      },
      {
        query: t.Object({ limit: t.Optional(t.Numeric({ minimum: 1, maximum: 200 })), cursor: t.Optional(t.String({ maxLength: 100 })), q: t.Optional(t.String({ maxLength: 100 })), role: t.Optional(RoleSchema) }),
        detail: { summary: "Member directory", tags: ["workspaces"] },
        response: {
          200: t.Object({ members: t.Array(t.Composite([t.Object({ workspace_id: t.String() }), MemberSchema])), next_cursor: t.Union([t.String(), t.Null()]), has_more: t.Boolean(), total_count: t.Integer() }),
          ...errors,
        },
      },
    );
