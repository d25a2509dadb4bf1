// Shareable route ids (T… workspace, C… channel, D… DM, M… message) and topics.
import { and, asc, eq, isNull, or, sql } from "drizzle-orm";
import { conflict, notFound } from "../../chat/errors.ts";
import { newId } from "../../chat/ids.ts";
import type { RouteStore, RouteTargetRecord, Topic, TopicStore } from "../store.ts";
import { now } from "../rows.ts";
import type { Db, PgGroupCommitWriter } from "./database.ts";
import { channels, directConversations, messages, topics, workspaces } from "./schema.ts";
import { first } from "./users.ts";

export function pgRoutes(db: Db): RouteStore {
  return {
    async workspace(ref) {
      const r = await first(db.select({ id: workspaces.id, routeId: workspaces.routeId }).from(workspaces)
        .where(and(or(eq(workspaces.routeId, ref), eq(workspaces.id, ref)), isNull(workspaces.deletedAt))));
      return r ?? null;
    },
    async target(ref): Promise<RouteTargetRecord | null> {
      const c = await first(db.select().from(channels).where(and(or(eq(channels.routeId, ref), eq(channels.id, ref)), isNull(channels.deletedAt))));
      if (c) return { type: "channel", id: c.id, routeId: c.routeId, workspaceId: c.workspaceId };
      const d = await first(db.select().from(directConversations).where(or(eq(directConversations.routeId, ref), eq(directConversations.id, ref))));
      if (d) return { type: "direct", id: d.id, routeId: d.routeId, workspaceId: d.workspaceId };
      const m = await first(db.select().from(messages).where(or(eq(messages.routeId, ref), eq(messages.id, ref))));
      if (!m || m.deletedAt) return null;
      // A link to a reply opens its thread.
      const root = m.parentMessageId ? await first(db.select().from(messages).where(eq(messages.id, m.parentMessageId))) : m;
      if (!root) return null;
      const parent = root.channelId
        ? await first(db.select({ id: channels.id, routeId: channels.routeId }).from(channels).where(eq(channels.id, root.channelId)))
        : await first(db.select({ id: directConversations.id, routeId: directConversations.routeId }).from(directConversations).where(eq(directConversations.id, root.dmId!)));
      if (!parent) return null;
      return { type: "thread", id: root.id, routeId: root.routeId, workspaceId: root.workspaceId, parent: { type: root.channelId ? "channel" : "direct", id: parent.id, routeId: parent.routeId } };
    },
  };
}

function toTopic(r: typeof topics.$inferSelect): Topic {
  return { id: r.id, workspace_id: r.workspaceId, channel_id: r.channelId, name: r.name, created_by: r.createdBy, created_at: r.createdAt };
}

export function pgTopics(db: Db, writer: PgGroupCommitWriter): TopicStore {
  return {
    async list(workspaceId) {
      return (await db.select().from(topics).where(eq(topics.workspaceId, workspaceId)).orderBy(asc(topics.name))).map(toTopic);
    },
    create(input) {
      return writer.write(async (tx) => {
        if (input.channelId) {
          const ch = await first(tx.select({ w: channels.workspaceId }).from(channels).where(and(eq(channels.id, input.channelId), isNull(channels.deletedAt))));
          if (!ch || ch.w !== input.workspaceId) throw notFound("channel");
        }
        // SQLite's lower() folds ASCII only: so does this one (the C collation), alike on both.
        const same = await first(tx.select({ id: topics.id }).from(topics)
          .where(and(eq(topics.workspaceId, input.workspaceId), input.channelId ? eq(topics.channelId, input.channelId) : isNull(topics.channelId), sql`lower(${topics.name}) = lower(${input.name} COLLATE "C")`)));
        if (same) throw conflict(`topic "${input.name}" already exists`, "topic_exists");
        const row = { id: newId("tpc"), workspaceId: input.workspaceId, channelId: input.channelId ?? null, name: input.name, createdBy: input.createdBy, createdAt: now() };
        await tx.insert(topics).values(row);
        return toTopic(row);
      });
    },
  };
}
