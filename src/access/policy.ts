// Authorization as data: every API route names the bot scope it needs, or says that bots may
// not call it at all, or that it is public. A global guard enforces the table before any handler
// runs; handlers then apply the finer rules (membership, role, resource). The matrix test walks
// this table against the OpenAPI document, so a new route without an entry fails CI.
import { forbidden, unauthenticated } from "../chat/errors.ts";
import { type Authenticator, missingScope, type Scope } from "./actor.ts";

export type RoutePolicy =
  | { kind: "public" }
  | { kind: "authenticated"; scope?: Scope }
  /** Humans only: sessions and dev users; bot tokens get 403. */
  | { kind: "humans" };

const pub: RoutePolicy = { kind: "public" };
const humans: RoutePolicy = { kind: "humans" };
const scope = (s: Scope): RoutePolicy => ({ kind: "authenticated", scope: s });

export const POLICY: Record<string, RoutePolicy> = {
  "GET /api/me": scope("profile:read"),
  "PATCH /api/me": humans,
  "GET /api/me/bots": humans,
  "GET /api/home-link": { kind: "authenticated" },
  "GET /api/users/:id/avatar": scope("profile:read"),
  "GET /api/workspaces": scope("workspaces:read"),
  "POST /api/workspaces": humans,
  "GET /api/workspaces/:id": scope("workspaces:read"),
  "PATCH /api/workspaces/:id": humans,
  "DELETE /api/workspaces/:id": humans,
  "GET /api/workspaces/:id/members": scope("workspaces:read"),
  "POST /api/workspaces/:id/transfer-ownership": humans,
  "GET /api/workspaces/:id/delete-preview": humans,
  "GET /api/workspaces/:id/audit-log": humans,
  "GET /api/channels/:id/delete-preview": humans,
  "GET /api/workspaces/:id/connected-accounts": humans,
  "GET /api/me/sign-in-methods": humans,
  "DELETE /api/me/sign-in-methods/github": humans,
  "POST /api/workspaces/:id/connected-accounts": humans,
  "POST /api/connected-accounts/:id/revoke": humans,
  "GET /api/workspaces/:id/channels": scope("channels:read"),
  "POST /api/workspaces/:id/channels": scope("channels:write"),
  "GET /api/channels/:id": scope("channels:read"),
  "PATCH /api/channels/:id": scope("channels:write"),
  "DELETE /api/channels/:id": humans,
  "GET /api/channels/:id/members": scope("channels:read"),
  "POST /api/channels/:id/members": scope("channels:write"),
  "DELETE /api/channels/:id/members/:user_id": scope("channels:write"),
  "GET /api/channels/:id/messages": scope("messages:read"),
  "POST /api/channels/:id/messages": scope("messages:write"),
  "POST /api/channels/:id/read": scope("messages:read"),
  "GET /api/channels/:id/pins": scope("messages:read"),
  "POST /api/channels/:id/pins": scope("messages:write"),
  "DELETE /api/channels/:id/pins/:message_id": scope("messages:write"),
  "GET /api/messages/by-nonce": scope("messages:write"),
  "GET /api/messages/:id": scope("messages:read"),
  "POST /api/messages/:id/route": scope("messages:read"),
  "PATCH /api/messages/:id": scope("messages:write"),
  "DELETE /api/messages/:id": scope("messages:write"),
  "GET /api/messages/:id/thread": scope("threads:read"),
  "POST /api/messages/:id/thread/replies": scope("threads:write"),
  "POST /api/messages/:id/reactions": scope("messages:write"),
  "DELETE /api/messages/:id/reactions/:emoji": scope("messages:write"),
  // Questions: people answer; the asking bot resolves and reconciles (the handler checks it asked).
  "POST /api/messages/:id/question/answers": humans,
  "POST /api/messages/:id/question/resolution": scope("messages:write"),
  "GET /api/bots/self/questions": scope("messages:read"),
  "GET /api/dms": scope("dms:read"),
  "POST /api/dms": scope("dms:write"),
  "GET /api/dms/:id": scope("dms:read"),
  "DELETE /api/dms/:id": humans,
  "POST /api/dms/:id/open": humans,
  "GET /api/dms/:id/messages": scope("dms:read"),
  "POST /api/dms/:id/messages": scope("dms:write"),
  "POST /api/dms/:id/read": scope("dms:read"),
  "GET /api/event-types": { kind: "authenticated" },
  "GET /api/realtime/events": scope("realtime:read"),
  "GET /api/workspaces/:id/presence": scope("realtime:read"),
  "POST /api/realtime/ephemeral": scope("messages:write"),
  "GET /api/realtime/ws": scope("realtime:read"),
  "POST /api/auth/magic/request": pub,
  "POST /api/auth/magic/consume": pub,
  "POST /api/auth/logout": pub,
  "POST /api/auth/logout-everywhere": humans,
  "GET /api/auth/github/start": pub,
  "GET /api/auth/github/callback": pub,
  "GET /api/auth/oidc/start": pub,
  "GET /api/auth/oidc/callback": pub,
  "POST /api/auth/password/login": pub,
  // Signed-in people only (a session): a bot token has no password.
  "POST /api/auth/password/change": humans,
  "GET /api/auth/providers": pub,
  // The scope depends on the target (channels:read, dms:read or threads:read): checked in the handler.
  "GET /api/routes/:workspace_route_id/:target_route_id": { kind: "authenticated" },
  "GET /api/workspaces/:id/topics": scope("channels:read"),
  "POST /api/workspaces/:id/topics": scope("messages:write"),
  "GET /api/workspaces/:id/bots": humans,
  "POST /api/workspaces/:id/bots": humans,
  "GET /api/workspaces/:id/bots/:bot_user_id/tokens": humans,
  "POST /api/workspaces/:id/bots/:bot_user_id/tokens": humans,
  "POST /api/bot-tokens/:token_id/revoke": humans,
  "DELETE /api/bots/:bot_user_id": humans,
  "DELETE /api/workspaces/:id/bots/:bot_user_id/membership": humans,
  "GET /api/bots/:bot_user_id/tokens": humans,
  "POST /api/bots/:bot_user_id/tokens": humans,
  "POST /api/workspaces/:id/bots/:bot_user_id/setup-codes": humans,
  // No credentials: the code is the credential (rate limited, uniform 404).
  "POST /api/bot-setup-codes/claim": pub,
  // Bots only (the handler refuses people): a bot publishes its own menu.
  "PUT /api/bots/self/commands": scope("commands:write"),
  "GET /api/workspaces/:id/bot-commands": scope("workspaces:read"),
  "POST /api/uploads": scope("uploads:write"),
  "GET /api/uploads/by-nonce": scope("uploads:write"),
  "GET /api/uploads/:id": scope("messages:read"),
  "POST /api/messages/:id/attachments": scope("uploads:write"),
  "GET /api/search": scope("messages:read"),
  "GET /api/workspaces/:id/channel-preferences": humans,
  "PUT /api/channels/:id/star": humans,
  "DELETE /api/channels/:id/star": humans,
  "GET /api/channels/:id/notification-settings": humans,
  "PATCH /api/channels/:id/notification-settings": humans,
  "GET /api/me/notification-settings": humans,
  "PATCH /api/me/notification-settings": humans,
  "GET /api/push/vapid-public-key": humans,
  "POST /api/me/push-subscriptions": humans,
  "DELETE /api/me/push-subscriptions": humans,
  "GET /api/workspaces/:id/threads": scope("threads:read"),
  "POST /api/messages/:id/thread/follow": scope("threads:read"),
  "DELETE /api/messages/:id/thread/follow": scope("threads:read"),
  "POST /api/messages/:id/thread/read": scope("threads:read"),
  "GET /api/workspaces/:id/moderation/members": humans,
  "GET /api/workspaces/:id/moderation/members/:user_id": humans,
  "PATCH /api/workspaces/:id/moderation/members/:user_id": humans,
  "GET /api/workspaces/:id/event-subscriptions": humans,
  "POST /api/workspaces/:id/event-subscriptions": humans,
  "GET /api/event-subscriptions/:id": humans,
  "POST /api/event-subscriptions/:id/revoke": humans,
  "POST /api/event-subscriptions/:id/enable": humans,
  "POST /api/event-subscriptions/:id/rotate-secret": humans,
  "GET /api/event-subscriptions/:id/deliveries": humans,
  "POST /api/event-subscriptions/:id/deliveries/:delivery_id/redeliver": humans,
  "GET /api/workspaces/:id/slash-commands": scope("channels:read"),
  "POST /api/workspaces/:id/slash-commands": humans,
  "POST /api/slash-commands/:id/rotate-secret": humans,
  "POST /api/slash-commands/:id/revoke": humans,
  "POST /api/hooks/slash/:channel_id": scope("messages:write"),
  "GET /api/workspaces/:id/app-installations": humans,
  "POST /api/workspaces/:id/app-installations": humans,
  "POST /api/app-installations/:id/revoke": humans,
  "POST /api/hooks/mattermost/:channel_id": scope("messages:write"),
  "GET /api/workspaces/:id/incoming-webhooks": humans,
  "GET /api/channels/:id/incoming-webhooks": humans,
  "POST /api/channels/:id/incoming-webhooks": humans,
  "POST /api/incoming-webhooks/:id/rotate-secret": humans,
  "DELETE /api/incoming-webhooks/:id": humans,
  // The URL's secret is the credential: no session, no token.
  "POST /api/hooks/incoming/:id/:secret": pub,
  // Invites: managers (people, not bots) hand them out; holding the link is the credential to use it.
  "GET /api/workspaces/:id/invites": humans,
  "POST /api/workspaces/:id/invites": humans,
  "DELETE /api/workspaces/:id/invites/:invite_id": humans,
  "POST /api/invites/preview": pub,
  // Signed in: joins; new here: makes the account (bots are refused in the handler).
  "POST /api/invites/accept": pub,
  "POST /api/invites/email": pub,
  // The signed token in the digest mail is the credential.
  "POST /api/digest/unsubscribe": pub,
};

export function policyFor(method: string, route: string): RoutePolicy | undefined {
  return POLICY[`${method} ${route}`];
}

/** The guard run before every /api handler. Unlisted API routes fail closed. */
export async function enforcePolicy(auth: Authenticator, request: Request, route: string): Promise<void> {
  if (!route.startsWith("/api/")) return;
  const policy = policyFor(request.method, route);
  if (!policy) throw forbidden(`no access policy for ${request.method} ${route}`, "no_policy");
  if (policy.kind === "public") return;
  const actor = await auth.resolve(request);
  if (!actor) throw unauthenticated();
  if (!actor.scopes) return;
  if (policy.kind === "humans") throw forbidden("bot tokens cannot call this endpoint", "bot_forbidden");
  if (policy.scope && !actor.scopes.has(policy.scope)) throw missingScope(actor, policy.scope);
}
