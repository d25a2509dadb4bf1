import { and, asc, count, eq, gt, inArray, isNull, like, or, sql } from "drizzle-orm";
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
import { createChannelRow } from "./channels.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { appendEvent } from "./events.ts";
import { now, toUser, toWorkspace } from "../rows.ts";
import { firstRow } from "./rows.ts";
import { members, users, workspaces } from "./schema.ts";

function freeSlug(db: Db, base: string): string {
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? base : `${base}-${i}`;
    if (!db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, candidate)).get()) return candidate;
  }
}

function toMembership(r: typeof members.$inferSelect): Membership {
  return { workspaceId: r.workspaceId, userId: r.userId, role: r.role, timeoutUntil: r.timeoutUntil, blockedAt: r.blockedAt };
}

export function sqliteWorkspaces(db: Db, writer: GroupCommitWriter): WorkspaceStore {
  // Membership of a live workspace only: a deleted workspace has no members to speak of.
  const membershipQuery = db
    .select({ workspaceId: members.workspaceId, userId: members.userId, role: members.role, joinedAt: members.joinedAt, timeoutUntil: members.timeoutUntil, blockedAt: members.blockedAt })
    .from(members)
    .innerJoin(workspaces, and(eq(workspaces.id, members.workspaceId), isNull(workspaces.deletedAt)))
    .where(and(eq(members.workspaceId, sql.placeholder("w")), eq(members.userId, sql.placeholder("u"))))
    .prepare();

  return {
    create(input) {
      return writer.write((emit) => {
        if (input.maxOwned !== undefined) {
          const owned = db.select({ n: count() }).from(members)
            .innerJoin(workspaces, and(eq(workspaces.id, members.workspaceId), isNull(workspaces.deletedAt)))
            .where(and(eq(members.userId, input.ownerId), eq(members.role, "owner"))).get()?.n ?? 0;
          assertMayOwnAnother(owned, input.maxOwned);
        }
        let slug: string;
        if (input.slug) {
          if (db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, input.slug)).get()) {
            throw conflict(`workspace slug "${input.slug}" is taken`, "slug_taken");
          }
          slug = input.slug;
        } else {
          slug = freeSlug(db, slugFrom(input.name));
        }
        const at = now();
        const row = { id: newId("wsp"), routeId: newRouteId("T"), name: input.name, slug, iconUrl: input.iconUrl ?? null, createdAt: at, deletedAt: null, lastCursor: null };
        db.insert(workspaces).values(row).run();
        db.insert(members).values({ workspaceId: row.id, userId: input.ownerId, role: "owner", joinedAt: at }).run();
        const general = createChannelRow(db, emit, { workspaceId: row.id, name: "general", kind: "public", createdBy: input.ownerId });
        const guest = createChannelRow(db, emit, { workspaceId: row.id, name: "guest", kind: "guest", createdBy: input.ownerId });
        return { workspace: toWorkspace(row, "owner"), channels: [general.channel, guest.channel] };
      });
    },
    async get(id, viewerId) {
      const r = db.select().from(workspaces).where(and(eq(workspaces.id, id), isNull(workspaces.deletedAt))).get();
      if (!r) return null;
      const role = viewerId ? membershipQuery.get({ w: id, u: viewerId })?.role : undefined;
      return toWorkspace(r, role);
    },
    async bySlug(slug) {
      const r = db.select().from(workspaces).where(and(eq(workspaces.slug, slug), isNull(workspaces.deletedAt))).get();
      return r ? toWorkspace(r) : null;
    },
    async first() {
      const r = db.select().from(workspaces).where(isNull(workspaces.deletedAt)).orderBy(asc(workspaces.createdAt), asc(workspaces.id)).limit(1).get();
      return r ? toWorkspace(r) : null;
    },
    async listAll() {
      return db.select().from(workspaces).where(isNull(workspaces.deletedAt)).orderBy(asc(workspaces.createdAt)).all().map((r) => toWorkspace(r));
    },
    async listFor(userId) {
      const rows = db
        .select({ w: workspaces, role: members.role })
        .from(members)
        .innerJoin(workspaces, eq(workspaces.id, members.workspaceId))
        .where(and(eq(members.userId, userId), isNull(workspaces.deletedAt)))
        .orderBy(asc(workspaces.createdAt))
        .all();
      return rows.map((r) => toWorkspace(r.w, r.role));
    },
    update(id, patch, actorId) {
      return writer.write((emit) => {
        const current = db.select().from(workspaces).where(and(eq(workspaces.id, id), isNull(workspaces.deletedAt))).get();
        if (!current) throw notFound("workspace");
        if (patch.slug !== undefined && patch.slug !== current.slug) {
          if (db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, patch.slug)).get()) throw conflict(`workspace slug "${patch.slug}" is taken`, "slug_taken");
        }
        const next = {
          name: patch.name ?? current.name,
          slug: patch.slug ?? current.slug,
          iconUrl: patch.iconUrl !== undefined ? patch.iconUrl : current.iconUrl,
        };
        db.update(workspaces).set(next).where(eq(workspaces.id, id)).run();
        const row = { ...current, ...next };
        const role = membershipQuery.get({ w: id, u: actorId })?.role;
        const workspace = toWorkspace(row, role);
        const event = appendEvent(db, emit, workspaceUpdated(row, actorId));
        return { workspace, event };
      });
    },
    remove(id) {
      return writer.write(() => {
        const removed = db.update(workspaces).set({ deletedAt: now() }).where(and(eq(workspaces.id, id), isNull(workspaces.deletedAt))).returning({ id: workspaces.id }).all();
        if (removed.length === 0) throw notFound("workspace");
      });
    },
    async deletePreview(id) {
      const w = db.select().from(workspaces).where(and(eq(workspaces.id, id), isNull(workspaces.deletedAt))).get();
      if (!w) throw notFound("workspace");
      const c = counted(firstRow<WorkspaceCountsRow>(db, workspaceCountsQuery(id)), WORKSPACE_COUNTS);
      return { workspace_id: id, name: w.name, ...c };
    },
    transferOwnership(workspaceId, toUserId, actorId) {
      return writer.write((emit) => {
        const w = db.select().from(workspaces).where(and(eq(workspaces.id, workspaceId), isNull(workspaces.deletedAt))).get();
        if (!w) throw notFound("workspace");
        const actor = membershipQuery.get({ w: workspaceId, u: actorId });
        const target = db.select({ role: members.role, kind: users.kind, deletedAt: users.deletedAt, timeoutUntil: members.timeoutUntil, blockedAt: members.blockedAt })
          .from(members).innerJoin(users, eq(users.id, members.userId))
          .where(and(eq(members.workspaceId, workspaceId), eq(members.userId, toUserId))).get();
        assertMayTransfer({ userId: actorId, role: actor?.role ?? null }, { userId: toUserId, role: target?.role ?? null, kind: target?.kind ?? null, deleted: Boolean(target?.deletedAt) });
        const setRole = (userId: string, role: Role) => db.update(members).set({ role }).where(and(eq(members.workspaceId, workspaceId), eq(members.userId, userId))).run();
        setRole(actorId, PREVIOUS_OWNER_ROLE);
        // The new owner is beyond moderation: a timeout or block they had ends with the handover.
        db.update(members).set({ role: "owner", timeoutUntil: null, blockedAt: null }).where(and(eq(members.workspaceId, workspaceId), eq(members.userId, toUserId))).run();
        const managers = db.select({ u: members.userId }).from(members)
          .where(and(eq(members.workspaceId, workspaceId), inArray(members.role, ["owner", "moderator"]), isNull(members.blockedAt))).all().map((r) => r.u);
        const event = appendEvent(db, emit, ownershipTransferred(workspaceId, actorId, toUserId, actorId));
        const events = [
          event,
          appendEvent(db, emit, moderationUpdated(workspaceId, { userId: actorId, role: PREVIOUS_OWNER_ROLE, timeoutUntil: actor!.timeoutUntil, blockedAt: actor!.blockedAt }, managers, actorId)),
          appendEvent(db, emit, moderationUpdated(workspaceId, { userId: toUserId, role: "owner", timeoutUntil: null, blockedAt: null }, managers, actorId)),
        ];
        appendAudit(db, auditEntry(workspaceId, actorId, "workspace.ownership_transferred", { type: "workspace", id: workspaceId }, { previous_owner_id: actorId, new_owner_id: toUserId }));
        return { workspace: toWorkspace(w, PREVIOUS_OWNER_ROLE), event, events };
      });
    },
    async membership(workspaceId, userId) {
      const r = membershipQuery.get({ w: workspaceId, u: userId });
      return r ? toMembership(r) : null;
    },
    addMember(workspaceId, userId, role: Role) {
      return writer.write(() => {
        if (!db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, workspaceId)).get()) throw notFound("workspace");
        if (!db.select({ id: users.id }).from(users).where(eq(users.id, userId)).get()) throw notFound("user");
        const existing = membershipQuery.get({ w: workspaceId, u: userId });
        if (existing) {
          if (existing.role !== role) db.update(members).set({ role }).where(and(eq(members.workspaceId, workspaceId), eq(members.userId, userId))).run();
          return toMembership({ ...existing, role });
        }
        const row = { workspaceId, userId, role, joinedAt: now(), timeoutUntil: null, blockedAt: null };
        db.insert(members).values(row).run();
        return toMembership(row);
      });
    },
    async members(workspaceId, query) {
      if (query.limit < 1 || query.limit > 200) throw invalid("limit must be between 1 and 200");
      const conds = [eq(members.workspaceId, workspaceId), isNull(users.deletedAt)];
      if (query.role) conds.push(eq(members.role, query.role));
      if (query.q) {
        const q = `%${query.q.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
        conds.push(or(sql`lower(${users.displayName}) LIKE ${q} ESCAPE '\\'`, like(users.handle, q))!);
      }
      const total = db.select({ n: count() }).from(members).innerJoin(users, eq(users.id, members.userId)).where(and(...conds)).get()?.n ?? 0;
      // Keyset paging on the user id: stable while people join.
      if (query.cursor) conds.push(gt(members.userId, query.cursor));
      const rows = db
        .select({ m: members, u: users })
        .from(members)
        .innerJoin(users, eq(users.id, members.userId))
        .where(and(...conds))
        .orderBy(asc(members.userId))
        .limit(query.limit + 1)
        .all();
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
