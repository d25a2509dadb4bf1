// Setup codes: how a bot gets its token without anyone pasting a secret. A manager (or the bot's
// owner) mints a short code for one token grant; the bot's installer claims it once, without
// credentials, and receives the token with what it needs to configure itself.
import { Elysia, t } from "elysia";
import { LIMITS } from "../../access/rate-limit.ts";
import { expandScopes } from "../../access/scopes.ts";
import { auditEntry, audited } from "../../chat/audit.ts";
import { type BotSetupCode, normalizeSetupDefaults } from "../../chat/bots.ts";
import { notFound } from "../../chat/errors.ts";
import { clientAddress } from "../client-info.ts";
import type { Deps } from "../deps.ts";
import { errors, UserSchema, WorkspaceSchema, Int } from "../schemas.ts";
import { botManager } from "./bots.ts";

/** The version of the claim's answer an installer can rely on (the original's). */
const CONTRACT_VERSION = 1;

const DefaultsSchema = t.Object({
  defaultTo: t.Optional(t.String({ maxLength: 140, description: "where the bot posts by default, e.g. channel:general" })),
  allowFrom: t.Optional(t.Array(t.String({ maxLength: 140 }), { maxItems: 100 })),
  agentActivity: t.Optional(t.Boolean()),
}, { title: "BotSetupDefaults" });

const SetupCodeSchema = t.Object({
  id: t.String(),
  bot_user_id: t.String(),
  workspace_id: t.String(),
  token_name: t.String(),
  scopes: t.Array(t.String()),
  defaults: DefaultsSchema,
  created_by: t.String(),
  created_at: t.String({ format: "date-time" }),
  expires_at: t.String({ format: "date-time" }),
  code: t.String({ description: "XXXX-XXXX-XXXX; shown in this response only (only its hash is kept)" }),
  contract_version: Int(),
  api_base_url: t.String(),
  claim_url: t.String(),
}, { title: "BotSetupCode" });

const ClaimSchema = t.Object({
  token: t.String({ description: "the bot token (ccb_…), shown once" }),
  bot: UserSchema,
  workspace: WorkspaceSchema,
  defaults: DefaultsSchema,
  contract_version: Int(),
  api_base_url: t.String(),
}, { title: "BotSetupClaim" });

const tags = ["bots"];

export const botSetupRoutes = ({ auth, access, store, config, limiter }: Deps) => {
  const canManageBot = botManager({ access, store });
  const baseUrl = (request: Request) => (config.publicUrl ?? new URL(request.url).origin).replace(/\/$/, "");
  return new Elysia()
    .post(
      "/api/workspaces/:id/bots/:bot_user_id/setup-codes",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const { membership, bot } = await canManageBot(actor, params.id, params.bot_user_id);
        const scopes = expandScopes(body.scopes ?? ["bot:write"]);
        await access.assertMintable(membership, bot.bot.owner_user_id, scopes);
        const tokenName = body.name?.trim() || body.token_name?.trim() || "default";
        // Recorded without the code itself: who may get a token for which bot, with what scopes.
        const code = await audited(
          (c) => auditEntry(params.id, actor.user.id, "bot_setup_code.minted", { type: "bot_setup_code", id: (c as BotSetupCode).id }, { bot_user_id: bot.bot.id, name: tokenName, scopes }),
          () => store.bots.createSetupCode({ workspaceId: params.id, botUserId: bot.bot.id, tokenName, scopes, defaults: normalizeSetupDefaults(body.defaults), createdBy: actor.user.id }),
        );
        const base = baseUrl(request);
        set.status = 201;
        return { setup_code: { ...code, contract_version: CONTRACT_VERSION, api_base_url: base, claim_url: `${base}/api/bot-setup-codes/claim` } };
      },
      {
        body: t.Object({
          name: t.Optional(t.String({ maxLength: 80, description: "the token's name (default \"default\"); minting again for the same name replaces the pending code" })),
          token_name: t.Optional(t.String({ maxLength: 80 })),
          scopes: t.Optional(t.Array(t.String({ maxLength: 64 }), { maxItems: 32 })),
          defaults: t.Optional(DefaultsSchema),
        }),
        detail: { summary: "Mint a single-use setup code for one token of the bot (10 minutes; the code is shown once)", tags },
        response: { 201: t.Object({ setup_code: SetupCodeSchema }), ...errors },
      },
    )
    .post(
      "/api/bot-setup-codes/claim",
      async ({ request, body }) => {
        // Counted before anything is looked up: a guesser gets 10 tries a minute per address.
        limiter.hit(`setup-claim:${clientAddress(request) ?? "unknown"}`, LIMITS.setupCodeClaims);
        const claim = await store.bots.claimSetupCode(body.code);
        // Wrong, spent, expired or for a bot since removed: one answer, so nothing is learnt.
        if (!claim) throw notFound("setup code");
        return { token: claim.token.token, bot: claim.bot, workspace: claim.workspace, defaults: claim.defaults, contract_version: CONTRACT_VERSION, api_base_url: baseUrl(request) };
      },
      {
        body: t.Object({ code: t.String({ maxLength: 64, description: "case and separators do not matter" }) }),
        detail: { summary: "Claim a setup code (no credentials; 10 a minute per client; 404 for any code that cannot be claimed)", tags },
        response: { 200: ClaimSchema, ...errors },
      },
    );
};
