import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { assertDmMembers, dmMemberKey, dmMemberSet } from "../../chat/dms.ts";
import { notFound } from "../../chat/errors.ts";
import { newId, newRouteId } from "../../chat/ids.ts";
import type { DirectConversation } from "../../chat/types.ts";
import type { DmStore } from "../store.ts";
import { lastReadSeq, unreadCount } from "./channels.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { mentionCount } from "./notifications.ts";
import { now, toUser } from "../rows.ts";
import { firstRow } from "./rows.ts";
import { directConversations, dmMembers, members, users } from "./schema.ts";

type DmRow = typeof directConversations.$inferSelect;

/**
 * Sending needs someone to send to: a peer who is still in the workspace and not a deleted
 * account. A conversation with only yourself is a notebook and always writable.
 */
function canSend(db: Db, dmId: string, workspaceId: string, senderId: string): boolean {
  const r = firstRow<{ peers: number; active: number }>(db, sql`SELECT count(*) AS peers,
      count(CASE WHEN m.user_id IS NOT NULL AND u.deleted_at IS NULL THEN 1 END) AS active
    FROM dm_members d JOIN users u ON u.id = d.user_id
    LEFT JOIN members m ON m.user_id = d.user_id AND m.workspace_id = ${workspaceId}
    WHERE d.dm_id = ${dmId} AND d.user_id != ${senderId}`);
  return !r || r.peers === 0 || r.active > 0;
}

function view(db: Db, row: DmRow, viewerId: string): DirectConversation {
  const memberRows = db
    .select({ u: users, role: members.role })
    .from(dmMembers)
    .innerJoin(users, eq(users.id, dmMembers.userId))
    .leftJoin(members, and(eq(members.userId, dmMembers.userId), eq(members.workspaceId, row.workspaceId)))
    .where(eq(dmMembers.dmId, row.id))
    .all();
  const read = lastReadSeq(db, row.id, viewerId);
  return {
    id: row.id,
    route_id: row.routeId,
    workspace_id: row.workspaceId,
    created_at: row.createdAt,
    members: memberRows.map((m) => toUser(m.u)),
    can_send: canSend(db, row.id, row.workspaceId, viewerId),
    last_seq: row.lastSeq,
    last_read_seq: read,
    unread_count: row.lastSeq > read ? unreadCount(db, { dmId: row.id }, viewerId, read) : 0,
    mention_count: mentionCount(db, viewerId, row.id),
  };
}

export function sqliteDms(db: Db, writer: GroupCommitWriter): DmStore {
  const byId = (id: string) => db.select().from(directConversations).where(eq(directConversations.id, id)).get();
  return {
    open(workspaceId, memberIds, actorId) {
      return writer.write(() => {
        const named = dmMemberSet(actorId, memberIds);
        const found = db.select({ u: members.userId, role: members.role, deletedAt: users.deletedAt }).from(members)
          .innerJoin(users, eq(users.id, members.userId))
          .where(and(eq(members.workspaceId, workspaceId), inArray(members.userId, named))).all();
        assertDmMembers(actorId, named, new Map(found.map((r) => [r.u, { role: r.role, deleted: r.deletedAt !== null }])));
        const ids = [...named].sort();
        const key = dmMemberKey(ids);
        const existing = db.select().from(directConversations).where(and(eq(directConversations.workspaceId, workspaceId), eq(directConversations.memberKey, key))).get();
        if (existing) {
          db.update(dmMembers).set({ hiddenAt: null }).where(and(eq(dmMembers.dmId, existing.id), eq(dmMembers.userId, actorId))).run();
          return { conversation: view(db, existing, actorId), created: false };
        }
        const row: DmRow = { id: newId("dm"), routeId: newRouteId("D"), workspaceId, memberKey: key, createdAt: now(), lastSeq: 0 };
        db.insert(directConversations).values(row).run();
        db.insert(dmMembers).values(ids.map((userId) => ({ dmId: row.id, userId, hiddenAt: null }))).run();
        return { conversation: view(db, row, actorId), created: true };
      });
    },
    async record(id) {
      const r = byId(id);
      if (!r) return null;
      const memberIds = db.select({ u: dmMembers.userId }).from(dmMembers).where(eq(dmMembers.dmId, id)).all().map((m) => m.u);
      return { id: r.id, workspaceId: r.workspaceId, memberIds };
    },
    async canSend(id, userId) {
      const r = byId(id);
      return r ? canSend(db, r.id, r.workspaceId, userId) : false;
    },
    async get(id, viewerId) {
      const r = byId(id);
      return r ? view(db, r, viewerId) : null;
    },
    async list(userId, workspaceId) {
      const rows = db
        .select({ d: directConversations })
        .from(dmMembers)
        .innerJoin(directConversations, eq(directConversations.id, dmMembers.dmId))
        .where(and(eq(dmMembers.userId, userId), isNull(dmMembers.hiddenAt), workspaceId ? eq(directConversations.workspaceId, workspaceId) : sql`1`))
        .orderBy(sql`${directConversations.lastSeq} = 0, ${directConversations.createdAt} DESC`)
        .all();
      return rows.map((r) => view(db, r.d, userId));
    },
    setHidden(id, userId, hidden) {
      return writer.write(() => {
        const r = byId(id);
        if (!r) throw notFound("direct conversation");
        const changed = db.update(dmMembers).set({ hiddenAt: hidden ? now() : null }).where(and(eq(dmMembers.dmId, id), eq(dmMembers.userId, userId))).returning({ u: dmMembers.userId }).all();
        if (changed.length === 0) throw notFound("direct conversation");
        return view(db, r, userId);
      });
    },
  };
}

