// Rows of the integration platform (apps, slash commands, event subscriptions and their
// deliveries, incoming webhooks) as both stores write and read them: drizzle names the columns
// of both dialects' schemas alike, so one mapper serves both.
import { conflict } from "../chat/errors.ts";
import { newId } from "../chat/ids.ts";
import { hashSecret, newSecret, sameHash } from "../chat/secrets.ts";
import { sql } from "drizzle-orm";
import type { AppInstallation, EventDelivery, EventSubscription, IncomingWebhook, IntegrationStore, SlashCommand, SlashInvocation } from "./store.ts";
import { now } from "./rows.ts";
import type { appInstallations, eventDeliveries, eventSubscriptions, incomingWebhooks, slashCommands } from "./sqlite/schema.ts";

type AppRow = typeof appInstallations.$inferSelect;
type CommandRow = typeof slashCommands.$inferSelect;
type SubscriptionRow = typeof eventSubscriptions.$inferSelect;
type DeliveryRow = typeof eventDeliveries.$inferSelect;
type WebhookRow = typeof incomingWebhooks.$inferSelect;

export function toApp(r: AppRow): AppInstallation {
  return { id: r.id, workspace_id: r.workspaceId, app_slug: r.appSlug, display_name: r.displayName, bot_user_id: r.botUserId, config: JSON.parse(r.config), created_by: r.createdBy, created_at: r.createdAt, revoked_at: r.revokedAt };
}

export function newAppRow(input: Parameters<IntegrationStore["installApp"]>[0]): AppRow {
  return { id: newId("app"), workspaceId: input.workspaceId, appSlug: input.appSlug, displayName: input.displayName, botUserId: input.botUserId, config: JSON.stringify(input.config), setupNonce: input.setupNonce ?? null, createdBy: input.createdBy, createdAt: now(), revokedAt: null };
}

export function toSlashCommand(r: CommandRow): SlashCommand {
  return {
    id: r.id, workspace_id: r.workspaceId, command: r.command, description: r.description, callback_url: r.callbackUrl,
    bot_user_id: r.botUserId, app_installation_id: r.appInstallationId, created_by: r.createdBy, created_at: r.createdAt, revoked_at: r.revokedAt,
  };
}

export function newSlashCommandRow(input: Parameters<IntegrationStore["createSlashCommand"]>[0]): CommandRow {
  return {
    id: newId("cmd"), workspaceId: input.workspaceId, command: input.command, description: input.description, callbackUrl: input.callbackUrl,
    botUserId: input.botUserId, appInstallationId: input.appInstallationId ?? null, signingSecret: newSecret("ccs"), createdBy: input.createdBy,
    createdAt: now(), revokedAt: null,
  };
}

export function invocationRow(i: SlashInvocation) {
  return { id: newId("trg"), commandId: i.commandId, workspaceId: i.workspaceId, channelId: i.channelId, userId: i.userId, text: i.text, outcome: i.outcome, responseStatus: i.responseStatus, error: i.error?.slice(0, 1000) ?? null, createdAt: now() };
}

export const commandTaken = (command: string) => conflict(`${command} is already registered in this workspace`, "command_taken");

export function toSubscription(r: SubscriptionRow): EventSubscription {
  return {
    id: r.id, workspace_id: r.workspaceId, callback_url: r.callbackUrl, event_types: JSON.parse(r.eventTypes),
    app_installation_id: r.appInstallationId, created_by: r.createdBy, created_at: r.createdAt, status: r.status,
    disabled_reason: r.disabledReason, failure_count: r.failureCount, failing_since: r.failingSince,
    next_attempt_at: r.nextAttemptAt, last_delivered_cursor: r.cursor, revoked_at: r.revokedAt,
  };
}

export function toDelivery(r: DeliveryRow): EventDelivery {
  return {
    id: r.id, subscription_id: r.subscriptionId, event_id: r.eventId, event_type: r.eventType, event_cursor: r.eventCursor,
    attempt: r.attempt, outcome: r.outcome, response_status: r.responseStatus, error: r.error, duration_ms: r.durationMs,
    redelivery: r.redelivery === 1, created_at: r.createdAt,
  };
}

export function deliveryRow(subscriptionId: string, d: Omit<EventDelivery, "id" | "subscription_id" | "created_at">): DeliveryRow {
  return {
    id: newId("eda"), subscriptionId, eventId: d.event_id, eventType: d.event_type, eventCursor: d.event_cursor, attempt: d.attempt,
    outcome: d.outcome, responseStatus: d.response_status, error: d.error?.slice(0, 1000) ?? null, durationMs: d.duration_ms,
    redelivery: d.redelivery ? 1 : 0, createdAt: now(),
  };
}

/** The row of a new subscription: it starts at the workspace's tail (events from now on). */
export function newSubscriptionRow(input: { workspaceId: string; callbackUrl: string; eventTypes: string[]; appInstallationId?: string | null; createdBy: string }, tail: string | null): SubscriptionRow {
  const at = now();
  return {
    id: newId("sub"), workspaceId: input.workspaceId, callbackUrl: input.callbackUrl, eventTypes: JSON.stringify(input.eventTypes),
    appInstallationId: input.appInstallationId ?? null, signingSecret: newSecret("ccs"), createdBy: input.createdBy, createdAt: at,
    status: "active", disabledReason: null, cursor: tail, failureCount: 0, failingSince: null, nextAttemptAt: at,
    leaseOwner: null, leaseUntil: null, revokedAt: null,
  };
}

/**
 * The two statements that prune the integration logs (the same SQL on both dialects): delivery
 * lines that are old or beyond a subscription's newest `keepDeliveries`, and old invocations.
 */
export function pruneLogStatements({ olderThan, keepDeliveries }: { olderThan: string; keepDeliveries: number }) {
  return {
    deliveries: sql`DELETE FROM event_deliveries WHERE created_at < ${olderThan} OR id IN (
      SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY subscription_id ORDER BY id DESC) AS n FROM event_deliveries) AS ranked
      WHERE n > ${keepDeliveries}) RETURNING id`,
    invocations: sql`DELETE FROM slash_invocations WHERE created_at < ${olderThan} RETURNING id`,
  };
}

export function toIncomingWebhook(r: WebhookRow): IncomingWebhook {
  return { id: r.id, workspace_id: r.workspaceId, channel_id: r.channelId, name: r.name, bot_user_id: r.botUserId, created_by: r.createdBy, created_at: r.createdAt, revoked_at: r.revokedAt };
}

export function newIncomingWebhookRow(input: Parameters<IntegrationStore["createIncomingWebhook"]>[0], botUserId: string, secret: string): WebhookRow {
  return { id: newId("whk"), workspaceId: input.workspaceId, channelId: input.channelId, name: input.name, botUserId, secretHash: hashSecret(secret), createdBy: input.createdBy, createdAt: now(), revokedAt: null };
}

/** The webhook a secret opens: active, and the secret's hash matches (compared in constant time). */
export function openedBy(r: WebhookRow | undefined, secret: string): IncomingWebhook | null {
  return r && !r.revokedAt && sameHash(r.secretHash, hashSecret(secret)) ? toIncomingWebhook(r) : null;
}
