// Slash commands: managers register them (the signing secret is shown at creation and on
// rotation only); members run them from the composer or Mattermost-style form posts. Also the
// original's plain incoming hook, POST /api/hooks/mattermost/{channel_id}, as the caller.
import { Elysia, t } from "elysia";
import { auditEntry, audited } from "../../chat/audit.ts";
import type { Actor } from "../../access/actor.ts";
import { invalid, notFound } from "../../chat/errors.ts";
import { budgetFor } from "../../chat/posting.ts";
import { COMMAND_PATTERN, invokeSlashCommand, normalizeCommand } from "../../integrations/slash.ts";
import type { Deps } from "../deps.ts";
import { errors, EventSchema, MessageSchema } from "../schemas.ts";
import { acceptCallback } from "./event-subscriptions.ts";

const Nullable = (s: ReturnType<typeof t.String>) => t.Union([s, t.Null()]);

export const SlashCommandSchema = t.Object({
  id: t.String(),
  workspace_id: t.String(),
  command: t.String(),
  description: t.String(),
  callback_url: t.String(),
  bot_user_id: t.String(),
  app_installation_id: Nullable(t.String()),
  created_by: t.String(),
  created_at: t.String(),
  revoked_at: Nullable(t.String()),
  signing_secret: t.Optional(t.String()),
});

const SlashResultSchema = t.Object({
  response_type: t.Union([t.Literal("in_channel"), t.Literal("ephemeral")]),
  text: t.String(),
  message: t.Optional(MessageSchema),
  event: t.Optional(EventSchema),
});

const tags = ["integrations"];

export const slashCommandRoutes = (deps: Deps) => {
  const { auth, access, store } = deps;
  async function managed(actor: Actor, id: string) {
    const cmd = await store.integrations.slashCommand(id);
    if (!cmd) throw notFound("slash command");
    const m = await access.manager(actor, cmd.workspace_id);
    access.assertCanWrite(m);
    return cmd;
  }
  /** A change to a registered command, recorded in the audit log in the same write. */
  async function change<T>(request: Request, id: string, action: "slash_command.secret_rotated" | "slash_command.revoked", write: () => Promise<T>): Promise<T> {
    const actor = await auth.require(request);
    const cmd = await managed(actor, id);
    return audited(auditEntry(cmd.workspace_id, actor.user.id, action, { type: "slash_command", id }, { command: cmd.command }), write);
  }
  async function run(request: Request, channelId: string, command: string, text: string) {
    const actor = await auth.require(request);
    const { channel, membership } = await access.channel(actor, channelId, "write");
    if (!command.trim()) throw invalid("command is required");
    return invokeSlashCommand(deps, { actor, role: membership.role, channel: { id: channel.id, workspaceId: channel.workspaceId } }, command, text);
  }
  return new Elysia()
    .get(
      "/api/workspaces/:id/slash-commands",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        // Every member sees the commands (the composer lists them); callbacks only for managers.
        const m = await access.member(actor, params.id);
        const manager = m.role === "owner" || m.role === "moderator";
        const commands = await store.integrations.slashCommands(params.id);
        return { slash_commands: commands.filter((c) => manager || !c.revoked_at).map((c) => (manager ? c : { ...c, callback_url: "" })) };
      },
      { detail: { summary: "Slash commands of a workspace", tags }, response: { 200: t.Object({ slash_commands: t.Array(SlashCommandSchema) }), ...errors } },
    )
    .post(
      "/api/workspaces/:id/slash-commands",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const m = await access.manager(actor, params.id);
        access.assertCanWrite(m);
        const command = normalizeCommand(body.command);
        if (!COMMAND_PATTERN.test(command)) throw invalid("command must be / and 1–32 of a-z, 0-9, _ and -", "invalid_command");
        const bot = (await store.bots.list(params.id)).find((b) => b.bot.id === body.bot_user_id);
        if (!bot) throw invalid("bot_user_id is not a bot of this workspace", "invalid_bot");
        const callbackUrl = await acceptCallback(body.callback_url, deps);
        const slash_command = await audited((c) => auditEntry(params.id, actor.user.id, "slash_command.created", { type: "slash_command", id: (c as { id: string }).id }, { command, bot_user_id: bot.bot.id, callback_url: callbackUrl }), () => store.integrations.createSlashCommand({ workspaceId: params.id, command, description: body.description?.trim() ?? "", callbackUrl, botUserId: bot.bot.id, appInstallationId: body.app_installation_id ?? null, createdBy: actor.user.id }));
        set.status = 201;
        return { slash_command };
      },
      {
        body: t.Object({
          command: t.String({ minLength: 1, maxLength: 40 }),
          description: t.Optional(t.String({ maxLength: 500 })),
          callback_url: t.String({ minLength: 1, maxLength: 2048 }),
          bot_user_id: t.String({ minLength: 1, maxLength: 64 }),
          app_installation_id: t.Optional(t.Union([t.String({ maxLength: 64 }), t.Null()])),
        }),
        detail: { summary: "Register a slash command (the signing secret is shown once)", tags },
        response: { 201: t.Object({ slash_command: SlashCommandSchema }), ...errors },
      },
    )
    .post(
      "/api/slash-commands/:id/rotate-secret",
      async ({ request, params }) => {
        return { slash_command: await change(request, params.id, "slash_command.secret_rotated", () => store.integrations.rotateSlashSecret(params.id)) };
      },
      { body: t.Optional(t.Object({})), detail: { summary: "Replace the signing secret (the new one is shown once)", tags }, response: { 200: t.Object({ slash_command: SlashCommandSchema }), ...errors } },
    )
    .post(
      "/api/slash-commands/:id/revoke",
      async ({ request, params }) => {
        return { slash_command: await change(request, params.id, "slash_command.revoked", () => store.integrations.revokeSlashCommand(params.id)) };
      },
      { body: t.Optional(t.Object({})), detail: { summary: "Revoke a slash command", tags }, response: { 200: t.Object({ slash_command: SlashCommandSchema }), ...errors } },
    )
    .post(
      "/api/hooks/slash/:channel_id",
      async ({ request, params, body }) => run(request, params.channel_id, body.command, body.text ?? ""),
      {
        body: t.Object({ command: t.String({ minLength: 1, maxLength: 40 }), text: t.Optional(t.String({ maxLength: 4000 })) }),
        detail: { summary: "Run a slash command in a channel (form-encoded, Mattermost-shaped; JSON accepted)", tags },
        response: { 200: SlashResultSchema, ...errors },
      },
    )
    .post(
      "/api/hooks/mattermost/:channel_id",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const { channel, membership } = await access.channel(actor, params.channel_id, "write");
        if (!body.text.trim()) throw invalid("text is required");
        const posted = await store.messages.post({ scope: { kind: "channel", id: channel.id, workspaceId: channel.workspaceId }, authorId: actor.user.id, body: body.text, budget: budgetFor(membership.role) });
        set.status = 201;
        return { message: posted.message, event: posted.events[0]! };
      },
      {
        body: t.Object({ text: t.String({ minLength: 1, maxLength: 40_000 }) }),
        detail: { summary: "Post {text} to a channel as the caller (Mattermost incoming-hook shape)", tags },
        response: { 201: t.Object({ message: MessageSchema, event: EventSchema }), ...errors },
      },
    );
};
