// The integrations page's HTTP calls and shapes: apps, slash commands, event subscriptions with
// their delivery log, and incoming webhooks. Loaded with the page, never on first load.
import { request } from "../api.ts";
import type { BodyOf, Ok } from "../../../sdk/src/types.ts";
import type { IncomingWebhook, User } from "../types.ts";

const enc = encodeURIComponent;
const ws = (id: string) => `/api/workspaces/${enc(id)}`;

// Shapes from the server's OpenAPI document (sdk/src/types.gen.ts), so the page cannot drift
// from what the routes answer.
export type AppInstallation = Ok<"/api/workspaces/{id}/app-installations", "get">["app_installations"][number];
export type RevokeAppOptions = Required<NonNullable<BodyOf<"/api/app-installations/{id}/revoke", "post">>>;
export type RevokeAppResult = Ok<"/api/app-installations/{id}/revoke", "post">;
export type SlashCommand = Ok<"/api/workspaces/{id}/slash-commands", "post">["slash_command"];
export type EventSubscription = Ok<"/api/workspaces/{id}/event-subscriptions", "post">["event_subscription"];
export type EventDelivery = Ok<"/api/event-subscriptions/{id}/deliveries", "get">["deliveries"][number];

export const integrationsApi = {
  apps: (workspaceId: string) => request<{ app_installations: AppInstallation[] }>("GET", `${ws(workspaceId)}/app-installations`).then((r) => r.app_installations),
  revokeApp: (id: string, options: RevokeAppOptions) => request<RevokeAppResult>("POST", `/api/app-installations/${enc(id)}/revoke`, { body: options }),

  bots: (workspaceId: string) => request<{ bots: { bot: User }[] }>("GET", `${ws(workspaceId)}/bots`).then((r) => r.bots.map((b) => b.bot)),

  slashCommands: (workspaceId: string) => request<{ slash_commands: SlashCommand[] }>("GET", `${ws(workspaceId)}/slash-commands`).then((r) => r.slash_commands),
  registerSlashCommand: (workspaceId: string, input: { command: string; description: string; callback_url: string; bot_user_id: string }) =>
    request<{ slash_command: SlashCommand }>("POST", `${ws(workspaceId)}/slash-commands`, { body: input }).then((r) => r.slash_command),
  rotateSlashSecret: (id: string) => request<{ slash_command: SlashCommand }>("POST", `/api/slash-commands/${enc(id)}/rotate-secret`, { body: {} }).then((r) => r.slash_command),
  revokeSlashCommand: (id: string) => request<{ slash_command: SlashCommand }>("POST", `/api/slash-commands/${enc(id)}/revoke`, { body: {} }).then((r) => r.slash_command),

  eventTypes: () => request<{ event_types: string[] }>("GET", "/api/event-types").then((r) => r.event_types),
  subscriptions: (workspaceId: string) => request<{ event_subscriptions: EventSubscription[] }>("GET", `${ws(workspaceId)}/event-subscriptions`).then((r) => r.event_subscriptions),
  subscribe: (workspaceId: string, input: { callback_url: string; event_types: string[] }) =>
    request<{ event_subscription: EventSubscription }>("POST", `${ws(workspaceId)}/event-subscriptions`, { body: input }).then((r) => r.event_subscription),
  enableSubscription: (id: string) => request<{ event_subscription: EventSubscription }>("POST", `/api/event-subscriptions/${enc(id)}/enable`, { body: {} }).then((r) => r.event_subscription),
  rotateSubscriptionSecret: (id: string) => request<{ event_subscription: EventSubscription }>("POST", `/api/event-subscriptions/${enc(id)}/rotate-secret`, { body: {} }).then((r) => r.event_subscription),
  revokeSubscription: (id: string) => request<{ event_subscription: EventSubscription }>("POST", `/api/event-subscriptions/${enc(id)}/revoke`, { body: {} }).then((r) => r.event_subscription),
  deliveries: (id: string, before?: string | null, limit = 20) =>
    request<{ deliveries: EventDelivery[]; next_cursor: string | null }>("GET", `/api/event-subscriptions/${enc(id)}/deliveries?limit=${limit}${before ? `&before=${enc(before)}` : ""}`),
  redeliver: (id: string, deliveryId: string) => request<{ delivery: EventDelivery }>("POST", `/api/event-subscriptions/${enc(id)}/deliveries/${enc(deliveryId)}/redeliver`, { body: {} }).then((r) => r.delivery),
};

/** Secret-URL incoming webhooks (managers). A hook's `url` is only in the answers to create and rotate. */
export const incomingWebhooksApi = {
  list: (workspaceId: string) => request<{ incoming_webhooks: IncomingWebhook[] }>("GET", `${ws(workspaceId)}/incoming-webhooks`).then((r) => r.incoming_webhooks),
  create: (channelId: string, name: string) =>
    request<{ incoming_webhook: IncomingWebhook }>("POST", `/api/channels/${enc(channelId)}/incoming-webhooks`, { body: { name } }).then((r) => r.incoming_webhook),
  rotateSecret: (id: string) => request<{ incoming_webhook: IncomingWebhook }>("POST", `/api/incoming-webhooks/${enc(id)}/rotate-secret`, { body: {} }).then((r) => r.incoming_webhook),
  remove: (id: string) => request<{ incoming_webhook: IncomingWebhook }>("DELETE", `/api/incoming-webhooks/${enc(id)}`).then((r) => r.incoming_webhook),
};
