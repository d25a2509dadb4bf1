// Event subscriptions (outgoing webhooks) and their delivery log on SQLite.
import { toSubscription, toDelivery, deliveryRow, newSubscriptionRow, pruneLogStatements } from "../integration-rows.ts";
import { and, asc, desc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import { newSecret } from "../../chat/secrets.ts";
import type { StoredEvent } from "../../chat/types.ts";
import type { IntegrationStore } from "../store.ts";
import { sqliteSlashCommands } from "./slash-commands.ts";
import { sqliteApps } from "./apps.ts";
import { sqliteIncomingWebhooks } from "./incoming-webhooks.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { rowToEvent } from "./events.ts";
import { now } from "../rows.ts";
import { eventDeliveries, events, eventSubscriptions, workspaces } from "./schema.ts";







export function sqliteIntegrations(db: Db, writer: GroupCommitWriter): IntegrationStore {
  const row = (id: string) => db.select().from(eventSubscriptions).where(eq(eventSubscriptions.id, id)).get();
  // Asked after every burst of commits (and once a second): built and compiled once, not per look
  // (95 µs a look when drizzle built it each time).
  const due = db.select().from(eventSubscriptions)
    .where(and(eq(eventSubscriptions.status, "active"), lte(eventSubscriptions.nextAttemptAt, sql.placeholder("at")), or(isNull(eventSubscriptions.leaseUntil), lt(eventSubscriptions.leaseUntil, sql.placeholder("at")))))
    .orderBy(asc(eventSubscriptions.nextAttemptAt)).limit(sql.placeholder("limit")).prepare();
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
      const dueNow = () => due.all({ at: now(), limit });
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
