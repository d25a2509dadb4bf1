import { Elysia, t } from "elysia";
import { AppError, invalid } from "../../chat/errors.ts";
import { displayName } from "../../chat/names.ts";
import { assertSignOutAllowed, clearedSessionCookies, sessionCookie } from "../../access/credentials.ts";
import { LIMITS, signIn } from "../../access/rate-limit.ts";
import type { Deps } from "../deps.ts";
import { clientAddress, isLoopback } from "../client-info.ts";
import { errors, UserSchema, Omitted, Int } from "../schemas.ts";
import { magicLinkMail } from "../../integrations/mail.ts";

export const MAGIC_LINK_TTL_MS = 15 * 60_000;

const SessionSchema = t.Object({
  id: t.String(),
  user_id: t.String(),
  created_at: t.String(),
  expires_at: t.String(),
  last_used_at: Omitted(t.String()),
  revoked_at: Omitted(t.String()),
  token: t.Optional(t.String()),
}, { title: "Session" });

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export const authRoutes = ({ auth, store, config, limiter, hub, mailer }: Deps) => {
  /**
   * Mails a link to a person with this address, after the answer has gone: known and unknown
   * addresses get the same answer in the same time, and nobody is created by asking.
   */
  function mailLinkLater(email: string, origin: string): void {
    void (async () => {
      const user = await store.users.byEmail(email);
      if (!user) return;
      const link = await store.identity.createMagicLink({ email, ttlMs: MAGIC_LINK_TTL_MS });
      const url = `${(config.publicUrl ?? origin).replace(/\/$/, "")}/app/login#token=${encodeURIComponent(link.token)}`;
      await mailer!.send(magicLinkMail(email, url, MAGIC_LINK_TTL_MS / 60_000));
    })().catch((err) => console.error("sign-in mail failed", err));
  }

  return new Elysia()
    .get("/api/auth/providers", () => ({ magic_link: true, github: config.github !== null, oidc: config.oidc ? { name: config.oidc.name } : null, password: config.passwordAuth, dev: config.dev }), {
      detail: { summary: "Which sign-in methods this server offers (oidc: the button's provider name, or null)", tags: ["auth"] },
      response: { 200: t.Object({ magic_link: t.Boolean(), github: t.Boolean(), oidc: t.Union([t.Object({ name: t.String() }), t.Null()]), password: t.Boolean(), dev: t.Boolean() }) },
    })
    .post(
      "/api/auth/magic/request",
      async ({ request, body, set }) => {
        limiter.hit(`magic-request:${clientAddress(request)}`, LIMITS.magicRequest);
        const email = body.email.trim().toLowerCase();
        if (!EMAIL.test(email)) throw invalid("email is not an email address", "invalid_email");
        limiter.hit(`magic-request-account:${email}`, LIMITS.magicRequestPerAccount);
        if (mailer && !(config.dev && isLoopback(clientAddress(request)))) {
          mailLinkLater(email, new URL(request.url).origin);
          set.status = 202;
          return { ok: true as const };
        }
        // Without mail delivery the link can only be handed to someone on this machine in dev.
        if (!(config.dev && isLoopback(clientAddress(request)))) {
          throw new AppError(501, "mail_not_configured", "mail delivery is not configured: ask an admin for a link (clickclack admin magic-link create)");
        }
        const link = await store.identity.createMagicLink({ email, displayName: body.display_name?.trim() ? displayName(body.display_name) : null, ttlMs: MAGIC_LINK_TTL_MS });
        set.status = 201;
        return { ok: true as const, token: link.token, expires_at: link.expires_at };
      },
      {
        body: t.Object({ email: t.String({ maxLength: 320 }), display_name: t.Optional(t.String({ maxLength: 80 })) }),
        detail: { summary: "Request a magic link: mailed when SMTP is configured (202, the same whether or not the address is known); the token itself only in dev mode from loopback; 501 without mail delivery", tags: ["auth"] },
        response: { 201: t.Object({ ok: t.Literal(true), token: t.String(), expires_at: t.String() }), 202: t.Object({ ok: t.Literal(true) }), 501: t.Object({ error: t.String(), code: t.String() }), ...errors },
      },
    )
    .post(
      "/api/auth/magic/consume",
      async ({ request, body, set }) => {
        const keys = signIn.keys(clientAddress(request));
        signIn.check(limiter, keys);
        const consumed = await store.identity.consumeMagicLink(body.token.trim());
        if (!consumed) {
          signIn.failed(limiter, keys);
          throw new AppError(401, "invalid_magic_link", "this sign-in link is invalid, used or expired: ask for a new one");
        }
        const ttl = config.sessionDays * 86_400_000;
        const { session, token } = await store.identity.createSession(consumed.user.id, ttl);
        set.headers["set-cookie"] = sessionCookie(token, Math.floor(ttl / 1000), request, config);
        return { user: consumed.user, session: { ...session, token }, token };
      },
      {
        body: t.Object({ token: t.String({ minLength: 1, maxLength: 200 }) }),
        detail: { summary: "Turn a magic link into a session (sets the cc_session cookie)", tags: ["auth"] },
        response: { 200: t.Object({ user: UserSchema, session: SessionSchema, token: t.String() }), ...errors },
      },
    )
    .post(
      "/api/auth/logout",
      async ({ request, set }) => {
        assertSignOutAllowed(request, config);
        // An expired or unknown credential still signs out; only a live one has a session to revoke.
        const actor = await auth.resolve(request).catch((err) => {
          if (err instanceof AppError && err.status === 401) return null;
          throw err;
        });
        set.headers["set-cookie"] = clearedSessionCookies(request, config) as unknown as string;
        if (actor && (actor.via === "session" || actor.via === "cookie") && actor.credentialId) {
          await store.identity.revokeSession(actor.credentialId);
          await hub.recheck({ credentialId: actor.credentialId });
        }
        return { ok: true as const };
      },
      {
        detail: { summary: "Sign out: revokes the calling session and closes its sockets (idempotent)", tags: ["auth"] },
        response: { 200: t.Object({ ok: t.Literal(true) }), ...errors },
      },
    )
    .post(
      "/api/auth/logout-everywhere",
      async ({ request, set }) => {
        assertSignOutAllowed(request, config);
        const actor = await auth.require(request);
        set.headers["set-cookie"] = clearedSessionCookies(request, config) as unknown as string;
        const revoked = await store.identity.revokeUserSessions(actor.user.id);
        // Every socket of this person is re-checked (here and on peer processes): those opened
        // with a session now revoked close with 1008.
        await hub.recheck({ userId: actor.user.id });
        return { ok: true as const, revoked };
      },
      {
        detail: { summary: "Sign out everywhere: revokes every session of the caller and closes their sockets", tags: ["auth"] },
        response: { 200: t.Object({ ok: t.Literal(true), revoked: Int() }), ...errors },
      },
    );
};
