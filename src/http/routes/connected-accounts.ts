// Connected accounts (the original's): a person's accounts elsewhere, recorded per workspace.
// A member connects and revokes their own; owners and moderators handle everyone's.
import { Elysia, t } from "elysia";
import { auditEntry, audited } from "../../chat/audit.ts";
import { CONNECTED_LIMITS, mayHandleAccount, PROVIDER_PATTERN } from "../../chat/connected-accounts.ts";
import { forbidden, invalid, notFound } from "../../chat/errors.ts";
import type { Deps } from "../deps.ts";
import { errors, Omitted } from "../schemas.ts";

const MANAGERS = new Set(["owner", "moderator"]);

const ConnectedAccountSchema = t.Object({
  id: t.String(),
  workspace_id: t.String(),
  user_id: t.String(),
  provider: t.String(),
  provider_account_id: t.String(),
  display_name: t.String(),
  scopes: t.Array(t.String()),
  metadata: t.Record(t.String(), t.Unknown()),
  created_at: t.String({ format: "date-time" }),
  revoked_at: Omitted(t.String({ format: "date-time" })),
}, {
  title: "ConnectedAccount",
  examples: [{ id: "cna_01jd3k5r0b1c2d3e4f5g6h7j8k", workspace_id: "wsp_01jd3k0m8a1b2c3d4e5f6g7h8j", user_id: "usr_01jd3k0m7x4y9z2a5b8c1d6e0f", provider: "github", provider_account_id: "583231", display_name: "ada", scopes: ["repo"], metadata: {}, created_at: "2026-01-05T09:40:00.000Z" }],
});

const SignInMethodSchema = t.Object({
  provider: t.Union([t.Literal("github"), t.Literal("email"), t.Literal("password")]),
  provider_account_id: t.Optional(t.String({ description: "the GitHub user id, or the email address" })),
  removable: t.Boolean({ description: "false for your last way to sign in" }),
}, { title: "SignInMethod" });

export const connectedAccountRoutes = ({ auth, access, store, config }: Deps) => {
  // What this server signs people in with, besides GitHub.
  const ways = { emailSignsIn: Boolean(config.mail || config.oidc || config.dev), passwordSignsIn: config.passwordAuth };
  async function methods(userId: string) {
    const f = await store.identity.signInFacts(userId);
    if (!f) throw notFound("user");
    const email = ways.emailSignsIn && f.email !== null;
    const password = ways.passwordSignsIn && f.password;
    return [
      ...(f.githubId ? [{ provider: "github" as const, provider_account_id: f.githubId, removable: email || password }] : []),
      ...(email ? [{ provider: "email" as const, provider_account_id: f.email!, removable: false }] : []),
      ...(password ? [{ provider: "password" as const, removable: false }] : []),
    ];
  }
  return new Elysia()
    .get(
      "/api/me/sign-in-methods",
      async ({ request }) => ({ sign_in_methods: await methods((await auth.require(request)).user.id) }),
      { detail: { summary: "How you sign in (GitHub, email, password)", tags: ["connected accounts"] }, response: { 200: t.Object({ sign_in_methods: t.Array(SignInMethodSchema) }), ...errors } },
    )
    .delete(
      "/api/me/sign-in-methods/github",
      async ({ request }) => {
        const actor = await auth.require(request);
        await store.identity.unlinkGithub(actor.user.id, ways);
        return { sign_in_methods: await methods(actor.user.id) };
      },
      { detail: { summary: "Unlink GitHub (refused, 409 last_sign_in_method, when it is your only way in)", tags: ["connected accounts"] }, response: { 200: t.Object({ sign_in_methods: t.Array(SignInMethodSchema) }), ...errors } },
    )
    .get(
      "/api/workspaces/:id/connected-accounts",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const m = await access.member(actor, params.id);
        return { connected_accounts: await store.connectedAccounts.list(params.id, MANAGERS.has(m.role) ? undefined : actor.user.id) };
      },
      { detail: { summary: "Connected accounts (yours; everyone's for owners and moderators)", tags: ["connected accounts"] }, response: { 200: t.Object({ connected_accounts: t.Array(ConnectedAccountSchema) }), ...errors } },
    )
    .post(
      "/api/workspaces/:id/connected-accounts",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const m = await access.member(actor, params.id);
        access.assertCanWrite(m);
        if (m.role === "guest") throw forbidden("guests cannot connect accounts", "guest_restricted");
        if (body.user_id !== actor.user.id && !MANAGERS.has(m.role)) throw forbidden("you can connect only your own accounts", "not_manager");
        const provider = body.provider.trim().toLowerCase();
        if (!PROVIDER_PATTERN.test(provider)) throw invalid("provider must be 1–32 of a-z, 0-9, _, . and -, starting with a letter", "invalid_provider");
        const accountId = body.provider_account_id.trim();
        if (!accountId) throw invalid("provider_account_id is required");
        if (JSON.stringify(body.metadata ?? {}).length > CONNECTED_LIMITS.metadataBytes) throw invalid("metadata is larger than 16 KiB", "metadata_too_large");
        const input = { workspaceId: params.id, userId: body.user_id, provider, providerAccountId: accountId, displayName: body.display_name?.trim() || accountId, scopes: body.scopes ?? [], metadata: body.metadata ?? {}, createdBy: actor.user.id };
        const connected_account = await audited(
          (a) => auditEntry(params.id, actor.user.id, "connected_account.linked", { type: "connected_account", id: (a as { id: string }).id }, { user_id: input.userId, provider, provider_account_id: accountId }),
          () => store.connectedAccounts.connect(input),
        );
        set.status = 201;
        return { connected_account };
      },
      {
        body: t.Object({
          user_id: t.String({ minLength: 1, maxLength: 64 }),
          provider: t.String({ minLength: 1, maxLength: 32 }),
          provider_account_id: t.String({ minLength: 1, maxLength: CONNECTED_LIMITS.accountIdMax }),
          display_name: t.Optional(t.String({ maxLength: CONNECTED_LIMITS.displayNameMax })),
          scopes: t.Optional(t.Array(t.String({ maxLength: CONNECTED_LIMITS.scopeMax }), { maxItems: CONNECTED_LIMITS.scopesMax })),
          metadata: t.Optional(t.Record(t.String(), t.Unknown())),
        }, { examples: [{ user_id: "usr_01jd3k0m7x4y9z2a5b8c1d6e0f", provider: "github", provider_account_id: "583231", display_name: "ada", scopes: ["repo"] }] }),
        detail: { summary: "Connect an account (yours; anyone's in the workspace for owners and moderators)", tags: ["connected accounts"] },
        response: { 201: t.Object({ connected_account: ConnectedAccountSchema }), ...errors },
      },
    )
    .post(
      "/api/connected-accounts/:id/revoke",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const account = await store.connectedAccounts.get(params.id);
        if (!account) throw notFound("connected account");
        const m = await access.member(actor, account.workspace_id);
        if (!mayHandleAccount({ userId: actor.user.id, manager: MANAGERS.has(m.role) }, account)) throw notFound("connected account");
        access.assertCanWrite(m);
        const record = account.revoked_at ? [] : auditEntry(account.workspace_id, actor.user.id, "connected_account.revoked", { type: "connected_account", id: account.id }, { user_id: account.user_id, provider: account.provider });
        return { connected_account: await audited(record, () => store.connectedAccounts.revoke(account.id)) };
      },
      { body: t.Optional(t.Object({})), detail: { summary: "Revoke a connected account (its person, or owners and moderators)", tags: ["connected accounts"] }, response: { 200: t.Object({ connected_account: ConnectedAccountSchema }), ...errors } },
    );
};
