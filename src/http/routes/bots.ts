import { Elysia, t } from "elysia";
import { auditEntry, audited } from "../../chat/audit.ts";
import type { Actor } from "../../access/actor.ts";
import { expandScopes } from "../../access/scopes.ts";
import { forbidden, invalid, notFound } from "../../chat/errors.ts";
import { displayName, handle } from "../../chat/names.ts";
import { avatarPath } from "../../chat/avatars.ts";
import { AvatarFields, avatarChange } from "../avatar-input.ts";
import type { Deps } from "../deps.ts";
import { checkSetupNonce } from "../../chat/bots.ts";
import type { Store } from "../../store/store.ts";
import { DeletedBotSchema, errors, UserSchema, Omitted } from "../schemas.ts";

export const BotTokenSchema = t.Object({
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
  setup_nonce: t.Optional(t.String({ maxLength: 128, description: "16–128 characters: a retry with the same nonce reuses the row (a token replays with a new secret)" })),
};

/** Managers handle every bot of their workspace; a member handles the bots they own. */
export const botManager = ({ access, store }: Pick<Deps, "access" | "store">) =>
  async function canManageBot(actor: Actor, workspaceId: string, botUserId: string) {
    const m = await access.member(actor, workspaceId);
    const bot = (await store.bots.list(workspaceId)).find((b) => b.bot.id === botUserId);
    if (!bot) throw notFound("bot");
    const manager = m.role === "owner" || m.role === "moderator";
    if (!manager && bot.bot.owner_user_id !== actor.user.id) throw forbidden("only workspace managers and the bot's owner can do that", "not_bot_owner");
    access.assertCanWrite(m);
    return { membership: m, bot };
  };

/** The legacy routes name only the bot: its one workspace (the original asks for a workspace-scoped route otherwise). */
async function onlyWorkspaceOf(store: Store, botUserId: string): Promise<string> {
  const bot = await store.users.get(botUserId);
  if (!bot || bot.kind !== "bot") throw notFound("bot");
  const workspaces = await store.workspaces.listFor(botUserId);
  if (workspaces.length === 0) throw notFound("bot");
  if (workspaces.length > 1) throw invalid("this bot is in several workspaces: use /api/workspaces/{id}/bots/{bot_user_id}/tokens", "workspace_required");
  return workspaces[0]!.id;
}

export const botRoutes = ({ auth, access, store, hub }: Deps) => {
  const canManageBot = botManager({ access, store });
  async function listTokens(actor: Actor, workspaceId: string, botUserId: string) {
    await canManageBot(actor, workspaceId, botUserId);
    return { bot_tokens: await store.bots.tokens(botUserId, workspaceId) };
  }
  async function mintToken(actor: Actor, workspaceId: string, botUserId: string, body: { name?: string; token_name?: string; scopes?: string[]; setup_nonce?: string }) {
    const { membership, bot } = await canManageBot(actor, workspaceId, botUserId);
    const scopes = expandScopes(body.scopes ?? ["bot:write"]);
    await access.assertMintable(membership, bot.bot.owner_user_id, scopes);
    const nonce = checkSetupNonce(body.setup_nonce);
    const name = body.name?.trim() || body.token_name?.trim() || "default";
    // Recorded (name and scopes, never the secret) in the same write.
    const { replayed, ...bot_token } = await audited(
      (k) => auditEntry(workspaceId, actor.user.id, "bot_token.minted", { type: "bot_token", id: (k as { id: string }).id }, { bot_user_id: botUserId, name, scopes }),
      () => store.bots.mintToken({ botUserId, workspaceId, name, scopes, setupNonce: nonce ? { nonce, createdBy: actor.user.id } : null }),
    );
    return { bot_token, replayed: replayed === true };
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
        // As the original: a new bot comes with its first token (bot:write) unless initial_token
        // (or our older create_token) is false; a setup-code install mints it at claim time instead.
        const skipToken = body.initial_token === false || body.create_token === false;
        const scopes = skipToken ? null : expandScopes(body.scopes ?? ["bot:write"]);
        if (scopes) await access.assertMintable(m, ownerUserId, scopes);
        const nonce = checkSetupNonce(body.setup_nonce);
        // The picture is an upload of whoever creates the bot (or of its owner).
        const avatar = await avatarChange(store, [actor.user.id, ...(ownerUserId ? [ownerUserId] : [])], body, null);
        const made = await audited((m) => auditEntry(params.id, actor.user.id, "bot.created", { type: "bot", id: (m as { bot: { id: string } }).bot.id }, { display_name: name, owner_user_id: ownerUserId ?? undefined }), () => store.bots.setUp({
          workspaceId: params.id, displayName: name, handle: botHandle, ownerUserId,
          firstToken: scopes ? { name: body.token_name?.trim() || "default", scopes } : null,
          setupNonce: nonce ? { nonce, createdBy: actor.user.id } : null,
        }));
        let bot = made.bot;
        if (avatar) bot = await store.users.update(bot.id, { avatarUrl: avatarPath(bot.id, avatar) });
        set.status = made.replayed ? 200 : 201;
        return made.token ? { bot, bot_token: made.token } : { bot };
      },
      {
        body: t.Object({ display_name: t.String({ maxLength: 80 }), handle: t.Optional(t.String({ maxLength: 64 })), ...AvatarFields, owner_user_id: t.Optional(t.Union([t.String({ maxLength: 64 }), t.Null()])), initial_token: t.Optional(t.Boolean({ description: "false: no first token (the original's name)" })), create_token: t.Optional(t.Boolean({ description: "the same as initial_token" })), ...TokenRequest }),
        detail: { summary: "Create a bot and its first token (bot:write unless scopes say otherwise; shown once; initial_token=false for none). A retried setup_nonce answers 200 with the same bot, and its token with a new secret", tags: ["bots"] },
        response: { 200: t.Object({ bot: UserSchema, bot_token: t.Optional(BotTokenSchema) }), 201: t.Object({ bot: UserSchema, bot_token: t.Optional(BotTokenSchema) }), ...errors },
      },
    )
    .get(
      "/api/workspaces/:id/bots/:bot_user_id/tokens",
      async ({ request, params }) => {
        return listTokens(await auth.require(request), params.id, params.bot_user_id);
      },
      { detail: { summary: "A bot's tokens (never the secrets)", tags: ["bots"] }, response: { 200: t.Object({ bot_tokens: t.Array(BotTokenSchema) }), ...errors } },
    )
    .post(
      "/api/workspaces/:id/bots/:bot_user_id/tokens",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const { bot_token, replayed } = await mintToken(actor, params.id, params.bot_user_id, body);
        set.status = replayed ? 200 : 201;
        return { bot_token };
      },
      {
        body: t.Object({ name: t.Optional(t.String({ maxLength: 80 })), ...TokenRequest }),
        detail: { summary: "Mint a token (the raw token is in this response only; a retried setup_nonce answers 200 with the same row and a new secret)", tags: ["bots"] },
        response: { 200: t.Object({ bot_token: BotTokenSchema }), 201: t.Object({ bot_token: BotTokenSchema }), ...errors },
      },
    )
    .get(
      "/api/bots/:bot_user_id/tokens",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        return listTokens(actor, await onlyWorkspaceOf(store, params.bot_user_id), params.bot_user_id);
      },
      { detail: { summary: "A bot's tokens, for a bot in one workspace (the original's legacy route)", tags: ["bots"] }, response: { 200: t.Object({ bot_tokens: t.Array(BotTokenSchema) }), ...errors } },
    )
    .post(
      "/api/bots/:bot_user_id/tokens",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const { bot_token, replayed } = await mintToken(actor, await onlyWorkspaceOf(store, params.bot_user_id), params.bot_user_id, body);
        set.status = replayed ? 200 : 201;
        return { bot_token };
      },
      {
        body: t.Object({ name: t.Optional(t.String({ maxLength: 80 })), ...TokenRequest }),
        detail: { summary: "Mint a token for a bot in one workspace (the original's legacy route)", tags: ["bots"] },
        response: { 200: t.Object({ bot_token: BotTokenSchema }), 201: t.Object({ bot_token: BotTokenSchema }), ...errors },
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
        // Its tokens are revoked in the same write; open sockets (here and on other processes) close with 1008.
        const { workspace_ids: _, ...deleted_bot } = await audited(workspaces.map((w) => auditEntry(w.id, actor.user.id, "bot.retired", { type: "bot", id: bot.id }, { handle: bot.handle })), () => store.bots.remove(bot.id, actor.user.id));
        await hub.recheck({ userId: bot.id });
        return { deleted_bot };
      },
      {
        detail: { summary: "Retire a bot everywhere: every credential revoked, memberships and command menus removed, the handle freed (the tombstone keeps former_handle; messages keep their author)", tags: ["bots"] },
        response: { 200: t.Object({ deleted_bot: DeletedBotSchema }), ...errors },
      },
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
