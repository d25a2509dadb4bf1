// Event subscriptions (outgoing webhooks) and their delivery log on Postgres. Several servers may
// share the database: claiming takes due rows with FOR UPDATE SKIP LOCKED and leases them, so a
// subscription is delivered by one process at a time and its events stay in order.
import { and, asc, desc, eq, lt, sql } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import { newSecret } from "../../chat/secrets.ts";
import type { StoredEvent } from "../../chat/types.ts";
import type { IntegrationStore } from "../store.ts";
import { deliveryRow, newSubscriptionRow, pruneLogStatements, toDelivery, toSubscription } from "../integration-rows.ts";
import { now } from "../rows.ts";
import { pgSlashCommands } from "./slash-commands.ts";
import { pgApps } from "./apps.ts";
import { pgIncomingWebhooks } from "./incoming-webhooks.ts";
import type { Db, PgGroupCommitWriter } from "./database.ts";
import { rowToEvent } from "./events.ts";
import { eventDeliveries, events, eventSubscriptions, workspaces } from "./schema.ts";
import { first } from "./users.ts";

export function pgIntegrations(db: Db, writer: PgGroupCommitWriter): IntegrationStore {
  const row = (q: Db, id: string) => first(q.select().from(eventSubscriptions).where(eq(eventSubscriptions.id, id)));
  const mustRow = async (q: Db, id: string) => {
    const r = await row(q, id);
    if (!r) throw notFound("event subscription");
    return r;
  };
  return {
    ...pgApps(db, writer),
    ...pgSlashCommands(db, writer),
    ...pgIncomingWebhooks(db, writer),
    pruneLogs(opts) {
      return writer.write(async (tx) => {
        const q = pruneLogStatements(opts);
        return { deliveries: (await tx.execute(q.deliveries)).length, invocations: (await tx.execute(q.invocations)).length };
      });
    },
    createSubscription(input) {
      return writer.write(async (tx) => {
        const ws = await first(tx.select({ lastCursor: workspaces.lastCursor }).from(workspaces).where(eq(workspaces.id, input.workspaceId)));
        if (!ws) throw notFound("workspace");
        const r = newSubscriptionRow(input, ws.lastCursor);
        await tx.insert(eventSubscriptions).values(r);
        return { ...toSubscription(r), signing_secret: r.signingSecret };
      });
    },
    async subscriptions(workspaceId) {
      return (await db.select().from(eventSubscriptions).where(eq(eventSubscriptions.workspaceId, workspaceId)).orderBy(asc(eventSubscriptions.id))).map(toSubscription);
    },
    async subscription(id) {
      const r = await row(db, id);
      return r ? toSubscription(r) : null;
    },
    async signingSecret(id) {
      return (await row(db, id))?.signingSecret ?? null;
    },
    revokeSubscription(id) {
      return writer.write(async (tx) => {
        const r = await mustRow(tx, id);
        if (r.status !== "revoked") {
          const patch = { status: "revoked" as const, revokedAt: now(), leaseOwner: null, leaseUntil: null };
          Object.assign(r, patch);
          await tx.update(eventSubscriptions).set(patch).where(eq(eventSubscriptions.id, id));
        }
        return toSubscription(r);
      });
    },
    rotateSubscriptionSecret(id) {
      return writer.write(async (tx) => {
        const r = await mustRow(tx, id);
        if (r.status === "revoked") throw notFound("event subscription");
        const secret = newSecret("ccs");
        await tx.update(eventSubscriptions).set({ signingSecret: secret }).where(eq(eventSubscriptions.id, id));
        return { ...toSubscription(r), signing_secret: secret };
      });
    },
    enableSubscription(id) {
      return writer.write(async (tx) => {
        const r = await mustRow(tx, id);
        if (r.status === "disabled") {
          const patch = { status: "active" as const, disabledReason: null, failureCount: 0, failingSince: null, nextAttemptAt: now() };
          Object.assign(r, patch);
          await tx.update(eventSubscriptions).set(patch).where(eq(eventSubscriptions.id, id));
        }
        return toSubscription(r);
      });
    },
    async claimDue(owner, leaseMs, limit) {
      const at = now();
      const leaseUntil = new Date(Date.now() + leaseMs).toISOString();
      const rows = await db.execute<{ id: string }>(sql`
        UPDATE event_subscriptions SET lease_owner = ${owner}, lease_until = ${leaseUntil}
        WHERE id IN (
          SELECT id FROM event_subscriptions
          WHERE status = 'active' AND next_attempt_at <= ${at} AND (lease_until IS NULL OR lease_until < ${at})
          ORDER BY next_attempt_at LIMIT ${limit}
          FOR UPDATE SKIP LOCKED
        )
        RETURNING id`);
      const claimed = [];
      for (const { id } of rows as unknown as { id: string }[]) {
        const r = await row(db, id);
        if (r && r.leaseOwner === owner) claimed.push({ subscription: toSubscription(r), signingSecret: r.signingSecret });
      }
      return claimed;
    },
    progress(id, owner, p) {
      return writer.write(async (tx) => {
        const [r] = await tx.select().from(eventSubscriptions).where(eq(eventSubscriptions.id, id)).for("update");
        if (!r || r.leaseOwner !== owner || r.status !== "active") return false;
        if (p.delivery) await tx.insert(eventDeliveries).values(deliveryRow(id, p.delivery));
        await tx.update(eventSubscriptions).set({
          ...(p.cursor !== undefined ? { cursor: p.cursor } : {}),
          failureCount: p.failureCount, failingSince: p.failingSince, nextAttemptAt: p.nextAttemptAt,
          ...(p.disabledReason ? { status: "disabled" as const, disabledReason: p.disabledReason, leaseOwner: null, leaseUntil: null } : {}),
        }).where(eq(eventSubscriptions.id, id));
        return true;
      });
    },
    release(id, owner) {
      return writer.write(async (tx) => {
        await tx.update(eventSubscriptions).set({ leaseOwner: null, leaseUntil: null }).where(and(eq(eventSubscriptions.id, id), eq(eventSubscriptions.leaseOwner, owner)));
      });
    },
    logDelivery(id, d) {
      return writer.write(async (tx) => {
        await mustRow(tx, id);
        const r = deliveryRow(id, d);
        await tx.insert(eventDeliveries).values(r);
        return toDelivery(r);
      });
    },
    async deliveries(id, { limit, before }) {
      const conds = [eq(eventDeliveries.subscriptionId, id)];
      if (before) conds.push(lt(eventDeliveries.id, before));
      const rows = await db.select().from(eventDeliveries).where(and(...conds)).orderBy(desc(eventDeliveries.id)).limit(limit + 1);
      const page = rows.slice(0, limit).map(toDelivery);
      return { deliveries: page, next_cursor: rows.length > limit ? page[page.length - 1]!.id : null };
    },
    async delivery(id) {
      const r = await first(db.select().from(eventDeliveries).where(eq(eventDeliveries.id, id)));
      return r ? toDelivery(r) : null;
    },
    async event(workspaceId, eventId): Promise<StoredEvent | null> {
      const r = await first(db.select().from(events).where(and(eq(events.workspaceId, workspaceId), eq(events.id, eventId))));
      return r ? rowToEvent(r) : null;
    },
  };
}
