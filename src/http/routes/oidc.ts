// OpenID Connect sign-in routes, in the GitHub routes' shape: `start` stores a state with the
// PKCE verifier (the nonce is derived from it) and sends the browser to the provider; `callback`
// spends the state, lets src/access/oidc.ts verify the ID token and map the person, then sets
// the session cookie and sends the browser on to `return_to`.
import { Elysia, t } from "elysia";
import { AppError } from "../../chat/errors.ts";
import { sessionCookie } from "../../access/credentials.ts";
import { newAuthorization, OAUTH_STATE_TTL_MS, safeReturnTo } from "../../access/github.ts";
import { authorizeUrl, completeSignIn, nonceFor, oidcRedirectUri } from "../../access/oidc.ts";
import { LIMITS } from "../../access/rate-limit.ts";
import type { OidcConfig } from "../../config/config.ts";
import type { Deps } from "../deps.ts";
import { clientAddress } from "../client-info.ts";
import { ErrorSchema, errors } from "../schemas.ts";
import { redirect, RedirectSchema } from "./github.ts";

function enabled(config: Deps["config"]): OidcConfig {
  if (!config.oidc) throw new AppError(404, "oidc_disabled", "OpenID Connect sign-in is not configured on this server");
  return config.oidc;
}

const responses = { 302: RedirectSchema, ...errors, 502: ErrorSchema, 503: ErrorSchema };

export const oidcRoutes = ({ store, config, limiter }: Deps) =>
  new Elysia()
    .get(
      "/api/auth/oidc/start",
      async ({ request, query, set }) => {
        const oidc = enabled(config);
        limiter.hit(`oauth-start:${clientAddress(request) ?? "unknown"}`, LIMITS.oauthStart);
        const { state, codeVerifier, codeChallenge } = newAuthorization();
        const location = await authorizeUrl(oidc, { redirectUri: oidcRedirectUri(config.publicUrl, request), state, codeChallenge, nonce: nonceFor(codeVerifier) });
        await store.identity.saveOAuthState({ state, codeVerifier, returnTo: safeReturnTo(query.return_to), ttlMs: OAUTH_STATE_TTL_MS });
        return redirect(set, location);
      },
      {
        query: t.Object({ return_to: t.Optional(t.String({ maxLength: 2000 })) }),
        detail: { summary: "Start OpenID Connect sign-in: redirects to the provider (state, nonce, PKCE S256; 404 oidc_disabled when not configured)", tags: ["auth"] },
        response: responses,
      },
    )
    .get(
      "/api/auth/oidc/callback",
      async ({ request, query, set }) => {
        const oidc = enabled(config);
        // Spent before anything else, so a state is single use even when the rest fails.
        const saved = query.state ? await store.identity.takeOAuthState(query.state) : null;
        if (!saved) throw new AppError(400, "invalid_oauth_state", "this sign-in is invalid, already used or expired: start again");
        if (query.error) throw new AppError(403, "oidc_denied", "sign-in was cancelled or refused at the provider");
        if (!query.code) throw new AppError(400, "invalid_request", "code is required");
        const user = await completeSignIn(store, oidc, { code: query.code, redirectUri: oidcRedirectUri(config.publicUrl, request), codeVerifier: saved.codeVerifier });
        const ttl = config.sessionDays * 86_400_000;
        const { token } = await store.identity.createSession(user.id, ttl);
        set.headers["set-cookie"] = sessionCookie(token, Math.floor(ttl / 1000), request, config);
        return redirect(set, safeReturnTo(saved.returnTo));
      },
      {
        query: t.Object({
          code: t.Optional(t.String({ maxLength: 2048 })),
          state: t.Optional(t.String({ maxLength: 512 })),
          error: t.Optional(t.String({ maxLength: 200 })),
          error_description: t.Optional(t.String({ maxLength: 2000 })),
          error_uri: t.Optional(t.String({ maxLength: 2000 })),
          // Providers may add these (RFC 9207 iss, session_state); accepted and ignored.
          iss: t.Optional(t.String({ maxLength: 2000 })),
          session_state: t.Optional(t.String({ maxLength: 2000 })),
          scope: t.Optional(t.String({ maxLength: 2000 })),
        }),
        detail: { summary: "Finish OpenID Connect sign-in: sets the cc_session cookie and redirects to return_to (default /app)", tags: ["auth"] },
        response: responses,
      },
    );
