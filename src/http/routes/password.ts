// Password sign-in (only with --password-auth; 404 password_auth_disabled otherwise): login
// by email or handle, and changing one's own password. Failures are rate limited per client
// address and per account, like the other sign-ins.
import { Elysia, t } from "elysia";
import { AppError, invalid } from "../../chat/errors.ts";
import { sessionCookie } from "../../access/credentials.ts";
import { checkPassword, PASSWORD_MAX, setPassword, verifyPassword } from "../../access/passwords.ts";
import { signIn } from "../../access/rate-limit.ts";
import type { Deps } from "../deps.ts";
import { clientAddress } from "../client-info.ts";
import { errors, UserSchema } from "../schemas.ts";

function enabled(config: Deps["config"]): void {
  if (!config.passwordAuth) throw new AppError(404, "password_auth_disabled", "password sign-in is not enabled on this server");
}

const wrongCredentials = () => new AppError(401, "invalid_credentials", "wrong email, handle or password");

export const passwordRoutes = ({ auth, store, config, limiter }: Deps) =>
  new Elysia()
    .post(
      "/api/auth/password/login",
      async ({ request, body, set }) => {
        enabled(config);
        const email = body.email?.trim().toLowerCase();
        const handle = body.handle?.trim().replace(/^@/, "").toLowerCase();
        if (!email === !handle) throw invalid("give either email or handle", "invalid_request");
        const keys = signIn.keys(clientAddress(request), email ?? `@${handle}`);
        signIn.check(limiter, keys);
        const user = await checkPassword(store, { email, handle }, body.password);
        if (!user) {
          signIn.failed(limiter, keys);
          throw wrongCredentials();
        }
        const ttl = config.sessionDays * 86_400_000;
        const { token } = await store.identity.createSession(user.id, ttl);
        set.headers["set-cookie"] = sessionCookie(token, Math.floor(ttl / 1000), request, config);
        return { user, token };
      },
      {
        body: t.Object({
          email: t.Optional(t.String({ maxLength: 320 })),
          handle: t.Optional(t.String({ maxLength: 40 })),
          password: t.String({ minLength: 1, maxLength: PASSWORD_MAX }),
        }),
        detail: { summary: "Sign in with a password (email or handle); sets the cc_session cookie. 404 password_auth_disabled unless --password-auth", tags: ["auth"] },
        response: { 200: t.Object({ user: UserSchema, token: t.String() }), ...errors },
      },
    )
    .post(
      "/api/auth/password/change",
      async ({ request, body }) => {
        enabled(config);
        const actor = await auth.require(request);
        const keys = signIn.keys(clientAddress(request), actor.user.id);
        signIn.check(limiter, keys);
        const hash = await store.identity.passwordHash(actor.user.id);
        if (!hash || !(await verifyPassword(body.current, hash))) {
          signIn.failed(limiter, keys);
          throw new AppError(403, "invalid_credentials", "the current password is wrong");
        }
        await setPassword(store, actor.user.id, body.new);
        return { ok: true as const };
      },
      {
        body: t.Object({ current: t.String({ minLength: 1, maxLength: PASSWORD_MAX }), new: t.String({ maxLength: PASSWORD_MAX }) }),
        detail: { summary: "Change one's own password (the current one is required). 404 password_auth_disabled unless --password-auth", tags: ["auth"] },
        response: { 200: t.Object({ ok: t.Literal(true) }), ...errors },
      },
    );
