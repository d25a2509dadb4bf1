// Bot command menus: a bot publishes the commands it answers (PUT replaces its whole menu in the
// token's workspace); members read the workspace's menu for the composer's "/" list.
import { Elysia, t } from "elysia";
import { botCommandsUpdated, normalizeCommands, workspaceMenu } from "../../chat/bots.ts";
import { forbidden } from "../../chat/errors.ts";
import type { Deps } from "../deps.ts";
import { errors } from "../schemas.ts";

const BotCommandSchema = t.Object({
  id: t.String(),
  workspace_id: t.String(),
  bot_user_id: t.String(),
  command: t.String({ description: "lowercase, with its leading /" }),
  description: t.String(),
  args_hint: t.String({ description: "\"\" when none" }),
  created_at: t.String({ format: "date-time" }),
  updated_at: t.String({ format: "date-time" }),
}, { title: "BotCommand" });

const WorkspaceBotCommandSchema = t.Object({
  id: t.String(),
  command: t.String(),
  description: t.String(),
  args_hint: t.String(),
  bot: t.Object({ id: t.String(), handle: t.String(), display_name: t.String(), avatar_url: t.String() }),
  created_at: t.String({ format: "date-time" }),
  updated_at: t.String({ format: "date-time" }),
}, { title: "WorkspaceBotCommand" });

const tags = ["bots"];

export const botCommandRoutes = ({ auth, access, store, hub }: Deps) =>
  new Elysia()
    .put(
      "/api/bots/self/commands",
      async ({ request, body }) => {
        const actor = await auth.require(request);
        if (actor.via !== "bot_token" || !actor.tokenWorkspaceId) throw forbidden("a bot token is required", "bot_token_required");
        const m = await access.member(actor, actor.tokenWorkspaceId);
        access.assertCanWrite(m);
        // The whole menu is checked before anything is written: a bad entry keeps the old menu.
        const commands = normalizeCommands(body.commands);
        const bot_commands = await store.bots.setCommands(actor.tokenWorkspaceId, actor.user.id, commands);
        hub.publishEphemeral(botCommandsUpdated(actor.tokenWorkspaceId, actor.user.id));
        return { bot_commands };
      },
      {
        body: t.Object({
          commands: t.Array(t.Object({
            command: t.String({ maxLength: 40, description: "with or without the leading /; ^/[a-z0-9_-]{1,32}$ once lowercased" }),
            description: t.String({ maxLength: 400, description: "1–100 characters" }),
            args_hint: t.Optional(t.String({ maxLength: 400, description: "at most 100 characters" })),
          }), { maxItems: 1000, description: "at most 100; [] clears the menu" }),
        }),
        detail: { summary: "Replace the calling bot's command menu in its token's workspace (atomic)", tags },
        response: { 200: t.Object({ bot_commands: t.Array(BotCommandSchema) }), ...errors },
      },
    )
    .get(
      "/api/workspaces/:id/bot-commands",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.member(actor, params.id);
        // A registered slash command (with its own callback) wins a clash of names.
        const registered = new Set((await store.integrations.slashCommands(params.id)).filter((c) => !c.revoked_at).map((c) => c.command));
        return { bot_commands: workspaceMenu(await store.bots.commands(params.id), registered) };
      },
      { detail: { summary: "The bots' command menus of a workspace, sorted by bot handle then command", tags }, response: { 200: t.Object({ bot_commands: t.Array(WorkspaceBotCommandSchema) }), ...errors } },
    );
