// Event subscriptions (outgoing webhooks) and their delivery log on SQLite.
import { and, asc, desc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import { newId } from "../../chat/ids.ts";
import { newSecret } from "../../chat/secrets.ts";
import type { StoredEvent } from "../../chat/types.ts";
import type { EventDelivery, EventSubscription, IntegrationStore } from "../store.ts";
import { sqliteSlashCommands } from "./slash-commands.ts";
import { sqliteApps } from "./apps.ts";
import { sqliteIncomingWebhooks } from "./incoming-webhooks.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { rowToEvent } from "./events.ts";
import { now } from "../rows.ts";
import { eventDeliveries, events, eventSubscriptions, workspaces } from "./schema.ts";

type SubscriptionRow = typeof eventSubscriptions.$inferSelect;
type DeliveryRow = typeof eventDeliveries.$inferSelect;

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

export function sqliteIntegrations(db: Db, writer: GroupCommitWriter): IntegrationStore {
  const row = (id: string) => db.select().from(eventSubscriptions).where(eq(eventSubscriptions.id, id)).get();
  const mustRow = (id: string) => {
    const r = row(id);
    if (!r) throw notFound("event subscription");
    return r;
  };
  return {
    ...sqliteApps(db, writer),
    ...sqliteSlashCommands(db, writer),
    ...sqliteIncomingWebhooks(db, writer),
    pruneLogs(opts) {
      return writer.write(() => {
        const q = pruneLogStatements(opts);
        return { deliveries: db.all(q.deliveries).length, invocations: db.all(q.invocations).length };
      });
    },
    createSubscription(input) {
      return writer.write(() => {
        const ws = db.select({ lastCursor: workspaces.lastCursor }).from(workspaces).where(eq(workspaces.id, input.workspaceId)).get();
        if (!ws) throw notFound("workspace");
        const r = newSubscriptionRow(input, ws.lastCursor);
        db.insert(eventSubscriptions).values(r).run();
        return { ...toSubscription(r), signing_secret: r.signingSecret };
      });
    },
    async subscriptions(workspaceId) {
      return db.select().from(eventSubscriptions).where(eq(eventSubscriptions.workspaceId, workspaceId)).orderBy(asc(eventSubscriptions.id)).all().map(toSubscription);
    },
    async subscription(id) {
      const r = row(id);
      return r ? toSubscription(r) : null;
    },
    async signingSecret(id) {
      return row(id)?.signingSecret ?? null;
    },
    revokeSubscription(id) {
      return writer.write(() => {
        const r = mustRow(id);
        if (r.status !== "revoked") {
          Object.assign(r, { status: "revoked", revokedAt: now(), leaseOwner: null, leaseUntil: null });
          db.update(eventSubscriptions).set({ status: "revoked", revokedAt: r.revokedAt, leaseOwner: null, leaseUntil: null }).where(eq(eventSubscriptions.id, id)).run();
        }
        return toSubscription(r);
      });
    },
    rotateSubscriptionSecret(id) {
      return writer.write(() => {
        const r = mustRow(id);
        if (r.status === "revoked") throw notFound("event subscription");
        const secret = newSecret("ccs");
        db.update(eventSubscriptions).set({ signingSecret: secret }).where(eq(eventSubscriptions.id, id)).run();
        return { ...toSubscription(r), signing_secret: secret };
      });
    },
    enableSubscription(id) {
      return writer.write(() => {
        const r = mustRow(id);
        if (r.status === "disabled") {
          const patch = { status: "active" as const, disabledReason: null, failureCount: 0, failingSince: null, nextAttemptAt: now() };
          Object.assign(r, patch);
          db.update(eventSubscriptions).set(patch).where(eq(eventSubscriptions.id, id)).run();
        }
        return toSubscription(r);
      });
    },
    async claimDue(owner, leaseMs, limit) {
      const dueNow = () => {
        const at = now();
        return db.select().from(eventSubscriptions)
          .where(and(eq(eventSubscriptions.status, "active"), lte(eventSubscriptions.nextAttemptAt, at), or(isNull(eventSubscriptions.leaseUntil), lt(eventSubscriptions.leaseUntil, at))))
          .orderBy(asc(eventSubscriptions.nextAttemptAt)).limit(limit).all();
      };
      // Most looks find nothing due: those stay reads and never queue behind the writes.
      if (dueNow().length === 0) return [];
      return writer.write(() => {
        const due = dueNow();
        if (due.length === 0) return [];
        const leaseUntil = new Date(Date.now() + leaseMs).toISOString();
        db.update(eventSubscriptions).set({ leaseOwner: owner, leaseUntil }).where(inArray(eventSubscriptions.id, due.map((r) => r.id))).run();
        return due.map((r) => ({ subscription: toSubscription(r), signingSecret: r.signingSecret }));
      });
    },
    progress(id, owner, p) {
      return writer.write(() => {
        const r = row(id);
        if (!r || r.leaseOwner !== owner || r.status !== "active") return false;
        if (p.delivery) db.insert(eventDeliveries).values(deliveryRow(id, p.delivery)).run();
        db.update(eventSubscriptions).set({
          ...(p.cursor !== undefined ? { cursor: p.cursor } : {}),
          failureCount: p.failureCount, failingSince: p.failingSince, nextAttemptAt: p.nextAttemptAt,
          ...(p.disabledReason ? { status: "disabled" as const, disabledReason: p.disabledReason, leaseOwner: null, leaseUntil: null } : {}),
        }).where(eq(eventSubscriptions.id, id)).run();
        return true;
      });
    },
    release(id, owner) {
      return writer.write(() => {
        db.update(eventSubscriptions).set({ leaseOwner: null, leaseUntil: null }).where(and(eq(eventSubscriptions.id, id), eq(eventSubscriptions.leaseOwner, owner))).run();
      });
    },
    logDelivery(id, d) {
      return writer.write(() => {
        mustRow(id);
        const r = deliveryRow(id, d);
        db.insert(eventDeliveries).values(r).run();
        return toDelivery(r);
      });
    },
    async deliveries(id, { limit, before }) {
      const conds = [eq(eventDeliveries.subscriptionId, id)];
      if (before) conds.push(lt(eventDeliveries.id, before));
      const rows = db.select().from(eventDeliveries).where(and(...conds)).orderBy(desc(eventDeliveries.id)).limit(limit + 1).all();
      const page = rows.slice(0, limit).map(toDelivery);
      return { deliveries: page, next_cursor: rows.length > limit ? page[page.length - 1]!.id : null };
    },
    async delivery(id) {
      const r = db.select().from(eventDeliveries).where(eq(eventDeliveries.id, id)).get();
      return r ? toDelivery(r) : null;
    },
    async event(workspaceId, eventId): Promise<StoredEvent | null> {
      const r = db.select().from(events).where(and(eq(events.workspaceId, workspaceId), eq(events.id, eventId))).get();
      return r ? rowToEvent(r) : null;
    },
  };
}
