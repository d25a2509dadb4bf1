import { and, asc, eq, gt, inArray, isNull, like, or, sql } from "drizzle-orm";
import { conflict, invalid, notFound } from "../../chat/errors.ts";
import { assertMayOwnAnother } from "../../chat/quotas.ts";
import { assertMayTransfer, PREVIOUS_OWNER_ROLE } from "../../chat/administration.ts";
import { auditEntry } from "../../chat/audit.ts";
import { moderationUpdated, ownershipTransferred, workspaceUpdated } from "../../chat/events.ts";
import { newId, newRouteId } from "../../chat/ids.ts";
import { slugFrom } from "../../chat/rules.ts";
import type { Role } from "../../chat/types.ts";
import { counted, WORKSPACE_COUNTS, type WorkspaceCountsRow, workspaceCountsQuery } from "../administration-sql.ts";
import type { Membership, WorkspaceStore } from "../store.ts";
import { appendAudit } from "./audit.ts";
import { now, toUser, toWorkspace } from "../rows.ts";
import { countAll, createChannelRow } from "./channels.ts";
import type { Db, PgGroupCommitWriter } from "./database.ts";
import { appendEvent } from "./events.ts";
import { members, users, workspaces } from "./schema.ts";
import { first } from "./users.ts";

async function freeSlug(tx: Db, base: string): Promise<string> {
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? base : `${base}-${i}`;
    if (!(await first(tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, candidate))))) return candidate;
  }
}

function toMembership(r: typeof members.$inferSelect): Membership {
  return { workspaceId: r.workspaceId, userId: r.userId, role: r.role, timeoutUntil: r.timeoutUntil, blockedAt: r.blockedAt };
}

/** Membership of a live workspace only: a deleted workspace has no members to speak of. */
export function membershipOf(q: Db, workspaceId: string, userId: string) {
  return first(q
    .select({ workspaceId: members.workspaceId, userId: members.userId, role: members.role, joinedAt: members.joinedAt, timeoutUntil: members.timeoutUntil, blockedAt: members.blockedAt })
    .from(members)
    .innerJoin(workspaces, and(eq(workspaces.id, members.workspaceId), isNull(workspaces.deletedAt)))
    .where(and(eq(members.workspaceId, workspaceId), eq(members.userId, userId))));
}

export function pgWorkspaces(db: Db, writer: PgGroupCommitWriter): WorkspaceStore {
  return {
    create(input) {
      return writer.write(async (tx, emit) => {
        if (input.maxOwned !== undefined) {
          // One person's creations queue on a transaction lock in every process, so two at once
          // cannot both see room for one more.
          await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`owned:${input.ownerId}`}, 0))`);
          const owned = (await first(tx.select({ n: countAll }).from(members)
            .innerJoin(workspaces, and(eq(workspaces.id, members.workspaceId), isNull(workspaces.deletedAt)))
            .where(and(eq(members.userId, input.ownerId), eq(members.role, "owner")))))?.n ?? 0;
          assertMayOwnAnother(owned, input.maxOwned);
        }
        let slug: string;
        if (input.slug) {
          if (await first(tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, input.slug)))) {
            throw conflict(`workspace slug "${input.slug}" is taken`, "slug_taken");
          }
          slug = input.slug;
        } else {
          slug = await freeSlug(tx, slugFrom(input.name));
        }
        const at = now();
        const row = { id: newId("wsp"), routeId: newRouteId("T"), name: input.name, slug, iconUrl: input.iconUrl ?? null, createdAt: at, deletedAt: null, lastCursor: null };
        await tx.insert(workspaces).values(row);
        await tx.insert(members).values({ workspaceId: row.id, userId: input.ownerId, role: "owner", joinedAt: at });
        const general = await createChannelRow(tx, emit, { workspaceId: row.id, name: "general", kind: "public", createdBy: input.ownerId });
        const guest = await createChannelRow(tx, emit, { workspaceId: row.id, name: "guest", kind: "guest", createdBy: input.ownerId });
        return { workspace: toWorkspace(row, "owner"), channels: [general.channel, guest.channel] };
      });
    },
    async get(id, viewerId) {
      const r = await first(db.select().from(workspaces).where(and(eq(workspaces.id, id), isNull(workspaces.deletedAt))));
      if (!r) return null;
      const role = viewerId ? (await membershipOf(db, id, viewerId))?.role : undefined;
      return toWorkspace(r, role);
    },
    async bySlug(slug) {
      const r = await first(db.select().from(workspaces).where(and(eq(workspaces.slug, slug), isNull(workspaces.deletedAt))));
      return r ? toWorkspace(r) : null;
    },
    async first() {
      const r = await first(db.select().from(workspaces).where(isNull(workspaces.deletedAt)).orderBy(asc(workspaces.createdAt), asc(workspaces.id)).limit(1));
      return r ? toWorkspace(r) : null;
    },
    async listAll() {
      return (await db.select().from(workspaces).where(isNull(workspaces.deletedAt)).orderBy(asc(workspaces.createdAt))).map((r) => toWorkspace(r));
    },
    async listFor(userId) {
      const rows = await db
        .select({ w: workspaces, role: members.role })
        .from(members)
        .innerJoin(workspaces, eq(workspaces.id, members.workspaceId))
        .where(and(eq(members.userId, userId), isNull(workspaces.deletedAt)))
        .orderBy(asc(workspaces.createdAt));
      return rows.map((r) => toWorkspace(r.w, r.role));
    },
    update(id, patch, actorId) {
      return writer.write(async (tx, emit) => {
        await emit.lock(tx, id);
        const current = await first(tx.select().from(workspaces).where(and(eq(workspaces.id, id), isNull(workspaces.deletedAt))));
        if (!current) throw notFound("workspace");
        if (patch.slug !== undefined && patch.slug !== current.slug) {
          if (await first(tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, patch.slug)))) throw conflict(`workspace slug "${patch.slug}" is taken`, "slug_taken");
        }
        const next = {
          name: patch.name ?? current.name,
          slug: patch.slug ?? current.slug,
          iconUrl: patch.iconUrl !== undefined ? patch.iconUrl : current.iconUrl,
        };
        await tx.update(workspaces).set(next).where(eq(workspaces.id, id));
        const row = { ...current, ...next };
        const role = (await membershipOf(tx, id, actorId))?.role;
        const workspace = toWorkspace(row, role);
        const event = await appendEvent(tx, emit, workspaceUpdated(row, actorId));
        return { workspace, event };
      });
    },
    remove(id) {
      return writer.write(async (tx) => {
        const removed = await tx.update(workspaces).set({ deletedAt: now() }).where(and(eq(workspaces.id, id), isNull(workspaces.deletedAt))).returning({ id: workspaces.id });
        if (removed.length === 0) throw notFound("workspace");
      });
    },
    async deletePreview(id) {
      const w = await first(db.select().from(workspaces).where(and(eq(workspaces.id, id), isNull(workspaces.deletedAt))));
      if (!w) throw notFound("workspace");
      const [row] = await db.execute<WorkspaceCountsRow>(workspaceCountsQuery(id));
      return { workspace_id: id, name: w.name, ...counted(row, WORKSPACE_COUNTS) };
    },
    transferOwnership(workspaceId, toUserId, actorId) {
      return writer.write(async (tx, emit) => {
        // The workspace's lock first (as every event-writing mutation): two transfers at once queue.
        await emit.lock(tx, workspaceId);
        const w = await first(tx.select().from(workspaces).where(and(eq(workspaces.id, workspaceId), isNull(workspaces.deletedAt))));
        if (!w) throw notFound("workspace");
        const actor = await membershipOf(tx, workspaceId, actorId);
        const target = await first(tx.select({ role: members.role, kind: users.kind, deletedAt: users.deletedAt })
          .from(members).innerJoin(users, eq(users.id, members.userId))
          .where(and(eq(members.workspaceId, workspaceId), eq(members.userId, toUserId))));
        assertMayTransfer({ userId: actorId, role: actor?.role ?? null }, { userId: toUserId, role: target?.role ?? null, kind: target?.kind ?? null, deleted: Boolean(target?.deletedAt) });
        await tx.update(members).set({ role: PREVIOUS_OWNER_ROLE }).where(and(eq(members.workspaceId, workspaceId), eq(members.userId, actorId)));
        // The new owner is beyond moderation: a timeout or block they had ends with the handover.
        await tx.update(members).set({ role: "owner", timeoutUntil: null, blockedAt: null }).where(and(eq(members.workspaceId, workspaceId), eq(members.userId, toUserId)));
        const managers = (await tx.select({ u: members.userId }).from(members)
          .where(and(eq(members.workspaceId, workspaceId), inArray(members.role, ["owner", "moderator"]), isNull(members.blockedAt)))).map((r) => r.u);
        const event = await appendEvent(tx, emit, ownershipTransferred(workspaceId, actorId, toUserId, actorId));
        const events = [
          event,
          await appendEvent(tx, emit, moderationUpdated(workspaceId, { userId: actorId, role: PREVIOUS_OWNER_ROLE, timeoutUntil: actor!.timeoutUntil, blockedAt: actor!.blockedAt }, managers, actorId)),
          await appendEvent(tx, emit, moderationUpdated(workspaceId, { userId: toUserId, role: "owner", timeoutUntil: null, blockedAt: null }, managers, actorId)),
        ];
        await appendAudit(tx, auditEntry(workspaceId, actorId, "workspace.ownership_transferred", { type: "workspace", id: workspaceId }, { previous_owner_id: actorId, new_owner_id: toUserId }));
        return { workspace: toWorkspace(w, PREVIOUS_OWNER_ROLE), event, events };
      });
    },
    async membership(workspaceId, userId) {
      const r = await membershipOf(db, workspaceId, userId);
      return r ? toMembership(r) : null;
    },
    addMember(workspaceId, userId, role: Role) {
      return writer.write(async (tx) => {
        if (!(await first(tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, workspaceId))))) throw notFound("workspace");
        if (!(await first(tx.select({ id: users.id }).from(users).where(eq(users.id, userId))))) throw notFound("user");
        const existing = await membershipOf(tx, workspaceId, userId);
        if (existing) {
          if (existing.role !== role) await tx.update(members).set({ role }).where(and(eq(members.workspaceId, workspaceId), eq(members.userId, userId)));
          return toMembership({ ...existing, role });
        }
        const row = { workspaceId, userId, role, joinedAt: now(), timeoutUntil: null, blockedAt: null };
        await tx.insert(members).values(row);
        return toMembership(row);
      });
    },
    async members(workspaceId, query) {
      if (query.limit < 1 || query.limit > 200) throw invalid("limit must be between 1 and 200");
      const conds = [eq(members.workspaceId, workspaceId), isNull(users.deletedAt)];
      if (query.role) conds.push(eq(members.role, query.role));
      if (query.q) {
        const q = `%${query.q.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
        // lower() under the C collation folds ASCII only, exactly as SQLite's lower() does.
        conds.push(or(sql`lower(${users.displayName}) LIKE ${q} ESCAPE '\\'`, like(users.handle, q))!);
      }
      const total = (await first(db.select({ n: countAll }).from(members).innerJoin(users, eq(users.id, members.userId)).where(and(...conds))))?.n ?? 0;
      // Keyset paging on the user id: stable while people join.
      if (query.cursor) conds.push(gt(members.userId, query.cursor));
      const rows = await db
        .select({ m: members, u: users })
        .from(members)
        .innerJoin(users, eq(users.id, members.userId))
        .where(and(...conds))
        .orderBy(asc(members.userId))
        .limit(query.limit + 1);
      const hasMore = rows.length > query.limit;
      const page = rows.slice(0, query.limit);
      return {
        members: page.map((r) => ({
          user: toUser(r.u),
          role: r.m.role,
          joined_at: r.m.joinedAt,
          timeout_until: r.m.timeoutUntil,
          blocked_at: r.m.blockedAt,
        })),
        next_cursor: hasMore ? page[page.length - 1]!.m.userId : null,
        has_more: hasMore,
        total_count: total,
      };
    },
  };
}
