// GitHub OAuth sign-in routes. `start` sends the browser to GitHub with a server-side state and a
// PKCE challenge; `callback` checks the state, lets src/access/github.ts do the GitHub side and
// the account mapping, then sets the session cookie and sends the browser on to `return_to`.
import { Elysia, t } from "elysia";
import { AppError } from "../../chat/errors.ts";
import { sessionCookie } from "../../access/credentials.ts";
import {
  authorizeUrl, type AvatarSaver, completeSignIn, type GithubConfig, newAuthorization, OAUTH_STATE_TTL_MS, redirectUri, safeReturnTo,
} from "../../access/github.ts";
import { LIMITS } from "../../access/rate-limit.ts";
import type { Deps } from "../deps.ts";
import { clientAddress } from "../client-info.ts";
import { ErrorSchema, errors } from "../schemas.ts";

function enabled(config: Deps["config"]): GithubConfig {
  // 501 as the original: the server does not offer it, the route itself exists.
  if (!config.github) throw new AppError(501, "github_disabled", "GitHub sign-in is not configured on this server");
  return config.github;
}

/** A 302 with an empty body; the Location is the whole answer. */
export function redirect(set: { status?: number | string; headers: Record<string, string | number> }, location: string): string {
  set.status = 302;
  set.headers.location = location;
  // The URL carries a state (start) or the return path; neither belongs in a shared cache.
  set.headers["cache-control"] = "no-store";
  return "";
}

export const RedirectSchema = t.String({ description: "empty body; see the Location header" });
const responses = { 302: RedirectSchema, ...errors, 501: ErrorSchema, 502: ErrorSchema, 503: ErrorSchema };

export const githubRoutes = ({ store, config, limiter, uploads }: Deps) =>
  new Elysia()
    .get(
      "/api/auth/github/start",
      async ({ request, query, set }) => {
        const gh = enabled(config);
        limiter.hit(`oauth-start:${clientAddress(request) ?? "unknown"}`, LIMITS.oauthStart);
        const { state, codeVerifier, codeChallenge } = newAuthorization();
        await store.identity.saveOAuthState({ state, codeVerifier, returnTo: safeReturnTo(query.return_to), ttlMs: OAUTH_STATE_TTL_MS });
        return redirect(set, authorizeUrl(gh, { redirectUri: redirectUri(config.publicUrl, request), state, codeChallenge }));
      },
      {
        query: t.Object({ return_to: t.Optional(t.String({ maxLength: 2000 })) }),
        detail: { summary: "Start GitHub sign-in: redirects to GitHub (state and PKCE S256; 404 github_disabled when not configured)", tags: ["auth"] },
        response: responses,
      },
    )
    .get(
      "/api/auth/github/callback",
      async ({ request, query, set }) => {
        const gh = enabled(config);
        // Taken before anything else, so a state is spent even when the rest fails: no retries.
        const saved = query.state ? await store.identity.takeOAuthState(query.state) : null;
        if (!saved) throw new AppError(400, "invalid_oauth_state", "this GitHub sign-in is invalid, already used or expired: start again");
        if (query.error) throw new AppError(403, "github_denied", "GitHub sign-in was cancelled or refused at GitHub");
        if (!query.code) throw new AppError(400, "invalid_request", "code is required");
        const saveAvatar: AvatarSaver = async (a) => (await uploads.storeBytes({ ...a, filename: "avatar" })).upload;
        const user = await completeSignIn(store, gh, { code: query.code, redirectUri: redirectUri(config.publicUrl, request), codeVerifier: saved.codeVerifier }, saveAvatar);
        const ttl = config.sessionDays * 86_400_000;
        const { token } = await store.identity.createSession(user.id, ttl);
        set.headers["set-cookie"] = sessionCookie(token, Math.floor(ttl / 1000), request, config);
        return redirect(set, safeReturnTo(saved.returnTo));
      },
      {
        query: t.Object({
          code: t.Optional(t.String({ maxLength: 512 })),
          state: t.Optional(t.String({ maxLength: 512 })),
          error: t.Optional(t.String({ maxLength: 200 })),
          error_description: t.Optional(t.String({ maxLength: 2000 })),
          error_uri: t.Optional(t.String({ maxLength: 2000 })),
        }),
        detail: { summary: "Finish GitHub sign-in: sets the cc_session cookie and redirects to return_to (default /app)", tags: ["auth"] },
        response: responses,
      },
    );
