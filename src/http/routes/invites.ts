// Invite links over HTTP. Managers create, list and revoke them; anyone holding a link may look
// at it and use it. The link's token travels in request bodies only (the web app keeps it in the
// URL fragment), so it never lands in a request line or an access log.
import { Elysia, t } from "elysia";
import { AppError, forbidden, invalid, notFound } from "../../chat/errors.ts";
import { inviteNotFound, inviteTerms, inviteUrl, refusal } from "../../chat/invites.ts";
import { displayName } from "../../chat/names.ts";
import { sessionCookie } from "../../access/credentials.ts";
import { LIMITS } from "../../access/rate-limit.ts";
import { inviteMail, inviteSignInMail } from "../../integrations/mail.ts";
import type { Deps } from "../deps.ts";
import { clientAddress } from "../client-info.ts";
import { errors, Nullable, RoleSchema, UserSchema, Int } from "../schemas.ts";
import { MAGIC_LINK_TTL_MS } from "./auth.ts";

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
const Token = t.String({ minLength: 1, maxLength: 200, examples: ["inv_3q2n8VZ0k4tWmX1yB7cR5dE9fG2hJ6kL8nP0sU4wY1a"] });

const InviteRoleSchema = t.Union([t.Literal("member"), t.Literal("guest")]);
const EXAMPLE = {
  id: "inv_01jd3k4b0c1d2e3f4g5h6j7k8m", workspace_id: "wsp_01jd3k0m8a1b2c3d4e5f6g7h8j", role: "member", created_by: "usr_01jd3k0m7x4y9z2a5b8c1d6e0f",
  created_at: "2026-01-05T10:00:00.000Z", expires_at: "2026-01-12T10:00:00.000Z", max_uses: 10, uses: 2, uses_left: 8, revoked_at: null, email: null, status: "active",
};
export const InviteSchema = t.Object({
  id: t.String(),
  workspace_id: t.String(),
  role: InviteRoleSchema,
  created_by: t.String(),
  created_at: t.String(),
  expires_at: Nullable(t.String()),
  max_uses: Nullable(Int()),
  uses: Int(),
  uses_left: Nullable(Int()),
  revoked_at: Nullable(t.String()),
  email: Nullable(t.String()),
  status: t.Union([t.Literal("active"), t.Literal("expired"), t.Literal("revoked"), t.Literal("used_up")]),
}, { title: "Invite", examples: [EXAMPLE] });

/** What someone holding the link may learn before using it. */
const InvitePreviewSchema = t.Object({
  workspace: t.Object({ id: t.String(), name: t.String() }),
  role: InviteRoleSchema,
  status: InviteSchema.properties.status,
  expires_at: Nullable(t.String()),
  uses_left: Nullable(Int()),
  /** true: a new person enters their email and gets a sign-in link; false: they choose a name and the link signs them in. */
  email_sign_in: t.Boolean(),
}, { title: "InvitePreview" });

export const inviteRoutes = ({ auth, access, store, config, limiter, mailer }: Deps) => {
  const base = (request: Request) => config.publicUrl ?? new URL(request.url).origin;

  /** A wrong token counts like a failed sign-in: the link is a credential. */
  async function knownInvite(request: Request, token: string) {
    const key = `invite-token:${clientAddress(request)}`;
    limiter.check(key, LIMITS.tokenFailures);
    const invite = await store.invites.byToken(token.trim());
    if (!invite) {
      limiter.count(key, LIMITS.tokenFailures);
      throw inviteNotFound();
    }
    return invite;
  }

  async function humanManager(request: Request, workspaceId: string) {
    const actor = await auth.require(request);
    if (actor.scopes) throw forbidden("bot tokens cannot manage invites", "bot_forbidden");
    await access.manager(actor, workspaceId);
    return actor;
  }

  return new Elysia()
    .get(
      "/api/workspaces/:id/invites",
      async ({ request, params }) => {
        await humanManager(request, params.id);
        return { invites: await store.invites.list(params.id) };
      },
      { detail: { summary: "Invite links of the workspace, newest first, with uses left (owners and moderators)", tags: ["invites"] }, response: { 200: t.Object({ invites: t.Array(InviteSchema) }), ...errors } },
    )
    .post(
      "/api/workspaces/:id/invites",
      async ({ request, params, body, set }) => {
        const actor = await humanManager(request, params.id);
        const terms = inviteTerms(body);
        const email = body.email?.trim().toLowerCase() || null;
        if (email !== null && !EMAIL.test(email)) throw invalid("email is not an email address", "invalid_email");
        if (email !== null && !mailer) throw new AppError(501, "mail_not_configured", "mail delivery is not configured: share the link instead");
        const { invite, token } = await store.invites.create({ workspaceId: params.id, createdBy: actor.user.id, ...terms, email });
        const url = inviteUrl(base(request), token);
        if (email && mailer) {
          const workspace = await store.workspaces.get(params.id);
          void mailer.send(inviteMail(email, { workspace: workspace?.name ?? "a workspace", inviter: actor.user.display_name, url, expiresAt: invite.expires_at }))
            .catch((err) => console.error("invite mail failed", err));
        }
        set.status = 201;
        return { invite, token, url };
      },
      {
        body: t.Object({
          role: t.Optional(t.String({ maxLength: 16, examples: ["member"] })),
          expires_in_hours: t.Optional(Nullable(t.Number({ examples: [168] }))),
          max_uses: t.Optional(Nullable(t.Integer({ examples: [10] }))),
          email: t.Optional(t.String({ maxLength: 320 })),
        }),
        detail: { summary: "Create an invite link (role member or guest, expiry, uses); with email, the link is also mailed there. The token is shown once", tags: ["invites"] },
        response: { 201: t.Object({ invite: InviteSchema, token: t.String(), url: t.String() }), ...errors },
      },
    )
    .delete(
      "/api/workspaces/:id/invites/:invite_id",
      async ({ request, params }) => {
        await humanManager(request, params.id);
        const existing = await store.invites.get(params.invite_id);
        if (!existing || existing.workspace_id !== params.id) throw notFound("invite");
        return { invite: await store.invites.revoke(params.invite_id) };
      },
      { detail: { summary: "Revoke an invite link (it stops working at once; idempotent)", tags: ["invites"] }, response: { 200: t.Object({ invite: InviteSchema }), ...errors } },
    )
    .post(
      "/api/invites/preview",
      async ({ request, body }) => {
        const invite = await knownInvite(request, body.token);
        const workspace = await store.workspaces.get(invite.workspace_id);
        if (!workspace) throw inviteNotFound();
        return {
          invite: { workspace: { id: workspace.id, name: workspace.name }, role: invite.role, status: invite.status, expires_at: invite.expires_at, uses_left: invite.uses_left, email_sign_in: mailer !== null },
        };
      },
      {
        body: t.Object({ token: Token }),
        detail: { summary: "What an invite link is for (workspace, role, whether it still works), before using it", tags: ["invites"] },
        response: { 200: t.Object({ invite: InvitePreviewSchema }), ...errors },
      },
    )
    .post(
      "/api/invites/accept",
      async ({ request, body, set }) => {
        const token = body.token.trim();
        const actor = await auth.resolve(request);
        if (actor?.scopes) throw forbidden("bots join workspaces through their owners", "bot_forbidden");
        if (actor) {
          const r = await store.invites.redeem(token, { userId: actor.user.id });
          return { workspace_id: r.invite.workspace_id, role: r.role, joined: r.joined, created: false, user: r.user };
        }
        // Someone new. With mail, their address is checked first (POST /api/invites/email).
        if (mailer) throw forbidden("enter your email address: a sign-in link that joins you is mailed to it", "email_sign_in_required");
        if (!body.display_name?.trim()) throw invalid("choose the name people will see", "display_name_required");
        // Each use makes an account: a leaked link is bounded by its uses and by this rate per address.
        limiter.hit(`invite-account:${clientAddress(request)}`, LIMITS.inviteAccounts);
        await knownInvite(request, token);
        const r = await store.invites.redeem(token, { newUser: { displayName: displayName(body.display_name) } });
        const ttl = config.sessionDays * 86_400_000;
        const session = await store.identity.createSession(r.user.id, ttl);
        set.headers["set-cookie"] = sessionCookie(session.token, Math.floor(ttl / 1000), request, config);
        set.status = 201;
        return { workspace_id: r.invite.workspace_id, role: r.role, joined: r.joined, created: true, user: r.user, token: session.token };
      },
      {
        body: t.Object({ token: Token, display_name: t.Optional(t.String({ maxLength: 80 })) }),
        detail: {
          summary: "Use an invite link: signed in, you join the workspace (200); new here without mail delivery, a new account with the name you chose is made, signed in and joined (201). 410 when expired, revoked or used up",
          tags: ["invites"],
        },
        response: { 200: t.Object({ workspace_id: t.String(), role: RoleSchema, joined: t.Boolean(), created: t.Boolean(), user: UserSchema }), 201: t.Object({ workspace_id: t.String(), role: RoleSchema, joined: t.Boolean(), created: t.Boolean(), user: UserSchema, token: t.String() }), ...errors },
      },
    )
    .post(
      "/api/invites/email",
      async ({ request, body, set }) => {
        limiter.hit(`magic-request:${clientAddress(request)}`, LIMITS.magicRequest);
        const email = body.email.trim().toLowerCase();
        if (!EMAIL.test(email)) throw invalid("email is not an email address", "invalid_email");
        if (!mailer) throw new AppError(501, "mail_not_configured", "mail delivery is not configured: the invite link itself signs you in");
        limiter.hit(`magic-request-account:${email}`, LIMITS.magicRequestPerAccount);
        const invite = await knownInvite(request, body.token);
        const why = refusal(invite.status);
        if (why) throw why;
        const workspace = await store.workspaces.get(invite.workspace_id);
        const link = await store.identity.createMagicLink({ email, displayName: body.display_name?.trim() ? displayName(body.display_name) : null, ttlMs: MAGIC_LINK_TTL_MS });
        const url = `${inviteUrl(base(request), body.token.trim())}&magic=${encodeURIComponent(link.token)}`;
        void mailer.send(inviteSignInMail(email, { workspace: workspace?.name ?? "the workspace", url, ttlMinutes: MAGIC_LINK_TTL_MS / 60_000 }))
          .catch((err) => console.error("invite sign-in mail failed", err));
        set.status = 202;
        return { ok: true as const };
      },
      {
        body: t.Object({ token: Token, email: t.String({ maxLength: 320 }), display_name: t.Optional(t.String({ maxLength: 80 })) }),
        detail: { summary: "New here, with mail delivery: mails a sign-in link that joins you through the invite once opened (rate limited like sign-in links)", tags: ["invites"] },
        response: { 202: t.Object({ ok: t.Literal(true) }), ...errors },
      },
    );
};
