// App installations: an app (identified by its slug) runs as a bot of the workspace, with its
// config; revoking it can take its slash commands, event subscriptions, bot tokens and the bot.
import { Elysia, t } from "elysia";
import { auditEntry, audited } from "../../chat/audit.ts";
import { invalid, notFound } from "../../chat/errors.ts";
import type { Deps } from "../deps.ts";
import { DeletedBotSchema, errors } from "../schemas.ts";

const AppInstallationSchema = t.Object({
  id: t.String(),
  workspace_id: t.String(),
  app_slug: t.String(),
  display_name: t.String(),
  bot_user_id: t.String(),
  config: t.Record(t.String(), t.Unknown()),
  created_by: t.String(),
  created_at: t.String(),
  revoked_at: t.Union([t.String(), t.Null()]),
});

const tags = ["integrations"];

export const appRoutes = ({ auth, access, store, hub }: Deps) =>
  new Elysia()
    .get(
      "/api/workspaces/:id/app-installations",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.manager(actor, params.id);
        return { app_installations: await store.integrations.apps(params.id) };
      },
      { detail: { summary: "App installations of a workspace", tags }, response: { 200: t.Object({ app_installations: t.Array(AppInstallationSchema) }), ...errors } },
    )
    .post(
      "/api/workspaces/:id/app-installations",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const m = await access.manager(actor, params.id);
        access.assertCanWrite(m);
        const slug = body.app_slug.trim().toLowerCase();
        if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(slug)) throw invalid("app_slug must be 1–64 of a-z, 0-9, _ and -", "invalid_app_slug");
        const bot = (await store.bots.list(params.id)).find((b) => b.bot.id === body.bot_user_id);
        if (!bot) throw invalid("bot_user_id is not a bot of this workspace", "invalid_bot");
        if (body.setup_nonce !== undefined && (body.setup_nonce.length < 16 || body.setup_nonce.length > 128)) throw invalid("setup_nonce must be 16–128 characters", "invalid_nonce");
        const displayName = body.display_name?.trim() || bot.bot.display_name;
        const { installation, replayed } = await audited((r) => {
          const { installation: i, replayed: again } = r as { installation: { id: string }; replayed: boolean };
          return again ? [] : auditEntry(params.id, actor.user.id, "app.installed", { type: "app_installation", id: i.id }, { app_slug: slug, bot_user_id: bot.bot.id });
        }, () => store.integrations.installApp({ workspaceId: params.id, appSlug: slug, displayName, botUserId: bot.bot.id, config: body.config ?? {}, setupNonce: body.setup_nonce ?? null, createdBy: actor.user.id }));
        set.status = replayed ? 200 : 201;
        return { app_installation: installation };
      },
      {
        body: t.Object({
          app_slug: t.String({ minLength: 1, maxLength: 64 }),
          display_name: t.Optional(t.String({ maxLength: 80 })),
          bot_user_id: t.String({ minLength: 1, maxLength: 64 }),
          config: t.Optional(t.Record(t.String(), t.Unknown())),
          setup_nonce: t.Optional(t.String({ maxLength: 128 })),
        }),
        detail: { summary: "Install an app as one of the workspace's bots (201; 200 when the setup nonce replays)", tags },
        response: { 200: t.Object({ app_installation: AppInstallationSchema }), 201: t.Object({ app_installation: AppInstallationSchema }), ...errors },
      },
    )
    .post(
      "/api/app-installations/:id/revoke",
      async ({ request, params, body }) => {
        const actor = await auth.require(request);
        const app = await store.integrations.app(params.id);
        if (!app) throw notFound("app installation");
        const m = await access.manager(actor, app.workspace_id);
        access.assertCanWrite(m);
        const opts = { revoke_slash_commands: true, revoke_event_subscriptions: true, revoke_bot_tokens: false, delete_bot: false, ...body };
        const { revokedTokenIds, deleted_bot, ...result } = await audited(
          (r) => auditEntry(app.workspace_id, actor.user.id, "app.revoked", { type: "app_installation", id: app.id }, { app_slug: app.app_slug, ...(r as { revoked: object }).revoked, delete_bot: opts.delete_bot ?? false }),
          () => store.integrations.revokeApp(app.id, opts),
        );
        // Committed: now the sockets of what was revoked are re-checked (and closed).
        for (const credentialId of revokedTokenIds) await hub.recheck({ credentialId });
        if (deleted_bot) await hub.recheck({ userId: deleted_bot.id });
        if (!deleted_bot) return result;
        const { workspace_ids: _, ...tombstone } = deleted_bot;
        return { ...result, deleted_bot: tombstone };
      },
      {
        body: t.Optional(t.Object({
          revoke_slash_commands: t.Optional(t.Boolean()),
          revoke_event_subscriptions: t.Optional(t.Boolean()),
          revoke_bot_tokens: t.Optional(t.Boolean()),
          delete_bot: t.Optional(t.Boolean()),
        })),
        detail: { summary: "Revoke an app installation and, as asked, what it registered", tags },
        response: {
          200: t.Object({
            installation: AppInstallationSchema,
            revoked: t.Object({ slash_commands: t.Number(), event_subscriptions: t.Number(), bot_tokens: t.Number() }),
            deleted_bot: t.Optional(DeletedBotSchema),
          }),
          ...errors,
        },
      },
    );
