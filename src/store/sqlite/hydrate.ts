// Turns message rows into wire messages with authors, reactions and thread state, in a fixed
// number of queries per page (never one per message).
import { inArray, sql } from "drizzle-orm";
import type { Message, ReactionSummary } from "../../chat/types.ts";
import type { Db } from "./database.ts";
import { toMessage, toUser } from "./rows.ts";
import { users, type messages } from "./schema.ts";

export function reactionSummaries(db: Db, messageIds: string[], viewerId: string): Map<string, ReactionSummary[]> {
  const out = new Map<string, ReactionSummary[]>();
  if (messageIds.length === 0) return out;
  const rows = db.all<{ message_id: string; emoji: string; n: number; mine: number; first: string }>(sql`
    SELECT message_id, emoji, count(*) AS n, max(user_id = ${viewerId}) AS mine, min(created_at) AS first
    FROM reactions WHERE message_id IN ${messageIds} GROUP BY message_id, emoji ORDER BY first`);
  for (const r of rows) {
    const list = out.get(r.message_id) ?? [];
    list.push({ emoji: r.emoji, count: r.n, reacted_by_me: r.mine === 1 });
    out.set(r.message_id, list);
  }
  return out;
}

export function hydrate(db: Db, rows: (typeof messages.$inferSelect)[], viewerId: string): Message[] {
  if (rows.length === 0) return [];
  const authorIds = [...new Set(rows.map((r) => r.authorId))];
  const authors = new Map(db.select().from(users).where(inArray(users.id, authorIds)).all().map((u) => [u.id, toUser(u)]));
  const reactions = reactionSummaries(db, rows.map((r) => r.id), viewerId);
  return rows.map((r) => {
    const m = toMessage(r);
    const author = authors.get(r.authorId);
    if (author) m.author = author;
    m.reactions = r.deletedAt ? [] : (reactions.get(r.id) ?? []);
    m.attachments = [];
    return m;
  });
}
