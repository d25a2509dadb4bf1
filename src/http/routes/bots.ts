import { Elysia, t } from "elysia";
import { auditEntry, audited } from "../../chat/audit.ts";
import type { Actor } from "../../access/actor.ts";
import { expandScopes } from "../../access/scopes.ts";
import { forbidden, invalid, notFound } from "../../chat/errors.ts";
import { displayName, handle } from "../../chat/names.ts";
import { avatarPath } from "../../chat/avatars.ts";
import { AvatarFields, avatarChange } from "../avatar-input.ts";
import type { Deps } from "../deps.ts";
import { errors, UserSchema, Omitted } from "../schemas.ts";

const BotTokenSchema = t.Object({
  id: t.String(),
  bot_user_id: t.String(),
  workspace_id: t.String(),
  name: t.String(),
  scopes: t.Array(t.String()),
  created_at: t.String(),
  last_used_at: Omitted(t.String()),
  revoked_at: Omitted(t.String()),
  token: t.Optional(t.String()),
}, { title: "BotToken" });

const TokenRequest = {
  token_name: t.Optional(t.String({ maxLength: 80 })),
  scopes: t.Optional(t.Array(t.String({ maxLength: 64 }), { maxItems: 32 })),
};

export const botRoutes = ({ auth, access, store, hub }: Deps) => {
  /** Managers handle every bot of their workspace; a member handles the bots they own. */
  async function canManageBot(actor: Actor, workspaceId: string, botUserId: string) {
    const m = await access.member(actor, workspaceId);
    const bot = (await store.bots.list(workspaceId)).find((b) => b.bot.id === botUserId);
    if (!bot) throw notFound("bot");
    const manager = m.role === "owner" || m.role === "moderator";
    if (!manager && bot.bot.owner_user_id !== actor.user.id) throw forbidden("only workspace managers and the bot's owner can do that", "not_bot_owner");
    access.assertCanWrite(m);
    return { membership: m, bot };
  }

  /** Mints a token and records it (name and scopes, never the secret) in the same write. */
  function mintAudited(actorId: string, input: { botUserId: string; workspaceId: string; name: string; scopes: string[] }) {
    return audited(
      (k) => auditEntry(input.workspaceId, actorId, "bot_token.minted", { type: "bot_token", id: (k as { id: string }).id }, { bot_user_id: input.botUserId, name: input.name, scopes: input.scopes }),
      () => store.bots.mintToken(input),
    );
  }

  return new Elysia()
    .get(
      "/api/workspaces/:id/bots",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const m = await access.member(actor, params.id);
        if (m.role === "guest") throw forbidden("guests cannot list bots", "guest_restricted");
        const manager = m.role === "owner" || m.role === "moderator";
        const bots = await store.bots.list(params.id);
        return { bots: bots.map((b) => ({ bot: b.bot, tokens: manager || b.bot.owner_user_id === actor.user.id ? b.tokens : [] })) };
      },
      { detail: { summary: "Bots of a workspace with their tokens (tokens only for managers and owners)", tags: ["bots"] }, response: { 200: t.Object({ bots: t.Array(t.Object({ bot: UserSchema, tokens: t.Array(BotTokenSchema) })) }), ...errors } },
    )
    .post(
      "/api/workspaces/:id/bots",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const m = await access.member(actor, params.id);
        access.assertCanWrite(m);
        if (m.role === "guest") throw forbidden("guests cannot create bots", "guest_restricted");
        const manager = m.role === "owner" || m.role === "moderator";
        // A member's bots are their own; only managers create service bots or bots for others.
        const ownerUserId = body.owner_user_id === undefined ? (manager ? null : actor.user.id) : body.owner_user_id;
        if (!manager && ownerUserId !== actor.user.id) throw forbidden("members can only create bots they own", "not_manager");
        const name = displayName(body.display_name);
        const botHandle = body.handle === undefined ? undefined : handle(body.handle);
        // As the original: a new bot comes with its first token (bot:write) unless create_token is false.
        const scopes = body.create_token === false ? null : expandScopes(body.scopes ?? ["bot:write"]);
        if (scopes) await access.assertMintable(m, ownerUserId, scopes);
        // The picture is an upload of whoever creates the bot (or of its owner).
        const avatar = await avatarChange(store, [actor.user.id, ...(ownerUserId ? [ownerUserId] : [])], body, null);
        let bot = await audited((b) => auditEntry(params.id, actor.user.id, "bot.created", { type: "bot", id: (b as { id: string }).id }, { display_name: name, owner_user_id: ownerUserId ?? undefined }),
          () => store.bots.create({ workspaceId: params.id, displayName: name, handle: botHandle, ownerUserId }));
        if (avatar) bot = await store.users.update(bot.id, { avatarUrl: avatarPath(bot.id, avatar) });
        set.status = 201;
        if (!scopes) return { bot };
        const bot_token = await mintAudited(actor.user.id, { botUserId: bot.id, workspaceId: params.id, name: body.token_name?.trim() || "default", scopes });
        return { bot, bot_token };
      },
      {
        body: t.Object({ display_name: t.String({ maxLength: 80 }), handle: t.Optional(t.String({ maxLength: 64 })), ...AvatarFields, owner_user_id: t.Optional(t.Union([t.String({ maxLength: 64 }), t.Null()])), create_token: t.Optional(t.Boolean({ description: "false: no first token" })), ...TokenRequest }),
        detail: { summary: "Create a bot and its first token (bot:write unless scopes say otherwise; shown once; create_token=false for none)", tags: ["bots"] },
        response: { 201: t.Object({ bot: UserSchema, bot_token: t.Optional(BotTokenSchema) }), ...errors },
      },
    )
    .get(
      "/api/workspaces/:id/bots/:bot_user_id/tokens",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await canManageBot(actor, params.id, params.bot_user_id);
        return { bot_tokens: await store.bots.tokens(params.bot_user_id, params.id) };
      },
      { detail: { summary: "A bot's tokens (never the secrets)", tags: ["bots"] }, response: { 200: t.Object({ bot_tokens: t.Array(BotTokenSchema) }), ...errors } },
    )
    .post(
      "/api/workspaces/:id/bots/:bot_user_id/tokens",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const { membership, bot } = await canManageBot(actor, params.id, params.bot_user_id);
        const scopes = expandScopes(body.scopes ?? ["bot:write"]);
        await access.assertMintable(membership, bot.bot.owner_user_id, scopes);
        const bot_token = await mintAudited(actor.user.id, { botUserId: params.bot_user_id, workspaceId: params.id, name: body.name?.trim() || body.token_name?.trim() || "token", scopes });
        set.status = 201;
        return { bot_token };
      },
      {
        body: t.Object({ name: t.Optional(t.String({ maxLength: 80 })), ...TokenRequest }),
        detail: { summary: "Mint a token (the raw token is in this response only)", tags: ["bots"] },
        response: { 201: t.Object({ bot_token: BotTokenSchema }), ...errors },
      },
    )
    .post(
      "/api/bot-tokens/:token_id/revoke",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const token = await store.bots.token(params.token_id);
        if (!token) throw notFound("bot token");
        await canManageBot(actor, token.workspace_id, token.bot_user_id);
        const bot_token = await audited(auditEntry(token.workspace_id, actor.user.id, "bot_token.revoked", { type: "bot_token", id: token.id }, { bot_user_id: token.bot_user_id, name: token.name }), () => store.bots.revokeToken(token.id));
        await hub.recheck({ credentialId: token.id });
        return { bot_token };
      },
      { body: t.Optional(t.Object({})), detail: { summary: "Revoke a token: refused from the next request, its sockets closed with 1008", tags: ["bots"] }, response: { 200: t.Object({ bot_token: BotTokenSchema }), ...errors } },
    )
    .delete(
      "/api/bots/:bot_user_id",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const bot = await store.users.get(params.bot_user_id);
        if (!bot || bot.kind !== "bot") throw notFound("bot");
        const workspaces = await store.workspaces.listFor(bot.id);
        const mine = bot.owner_user_id === actor.user.id;
        if (!mine) {
          if (workspaces.length === 0) throw forbidden("only the bot's owner can delete it", "not_bot_owner");
          for (const w of workspaces) await canManageBot(actor, w.id, bot.id);
        }
        const deleted_bot = await audited(workspaces.map((w) => auditEntry(w.id, actor.user.id, "bot.retired", { type: "bot", id: bot.id }, { handle: bot.handle })), () => store.bots.remove(bot.id));
        await hub.recheck({ userId: bot.id });
        return { deleted_bot };
      },
      { detail: { summary: "Delete a bot: tokens revoked, memberships removed", tags: ["bots"] }, response: { 200: t.Object({ deleted_bot: UserSchema }), ...errors } },
    )
    .delete(
      "/api/workspaces/:id/bots/:bot_user_id/membership",
      async ({ request, params, set }) => {
        const actor = await auth.require(request);
        await canManageBot(actor, params.id, params.bot_user_id);
        await audited(auditEntry(params.id, actor.user.id, "bot.removed_from_workspace", { type: "bot", id: params.bot_user_id }), () => store.bots.removeMembership(params.id, params.bot_user_id));
        await hub.recheck({ userId: params.bot_user_id, workspaceId: params.id });
        set.status = 204;
      },
      { detail: { summary: "Remove a bot from a workspace (its tokens there are revoked)", tags: ["bots"] }, response: { 204: t.Void(), ...errors } },
    );
};
