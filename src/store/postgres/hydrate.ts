// Turns message rows into wire messages with authors, reactions, attachments and thread state,
// in a fixed number of queries per page (never one per message).
import { and, asc, inArray, sql } from "drizzle-orm";
import type { Message, ReactionSummary } from "../../chat/types.ts";
import type { Upload } from "../../uploads/types.ts";
import { toMessage, toUser } from "../rows.ts";
import { toUpload } from "../rows.ts";
import type { Db } from "./database.ts";
import type { ReactorRow } from "../message-cache.ts";
import { reactions, uploads, users, type messages } from "./schema.ts";

export async function reactionSummaries(db: Db, messageIds: string[], viewerId: string): Promise<Map<string, ReactionSummary[]>> {
  const out = new Map<string, ReactionSummary[]>();
  if (messageIds.length === 0) return out;
  const rows = await db
    .select({
      message_id: reactions.messageId,
      emoji: reactions.emoji,
      n: sql<number>`count(*)::int`,
      mine: sql<boolean>`bool_or(${reactions.userId} = ${viewerId})`,
    })
    .from(reactions)
    .where(inArray(reactions.messageId, messageIds))
    .groupBy(reactions.messageId, reactions.emoji)
    .orderBy(sql`min(${reactions.createdAt})`, reactions.emoji);
  for (const r of rows) {
    const list = out.get(r.message_id) ?? [];
    list.push({ emoji: r.emoji, count: r.n, reacted_by_me: r.mine === true });
    out.set(r.message_id, list);
  }
  return out;
}

/** The people who wrote a page's messages, as they are now. */
export function authorRows(db: Db, ids: string[]) {
  return db.select().from(users).where(inArray(users.id, ids));
}

/** Each reaction to these messages, oldest first. */
export function reactorRows(db: Db, ids: string[]): Promise<ReactorRow[]> {
  return db.select({ message_id: reactions.messageId, emoji: reactions.emoji, user_id: reactions.userId }).from(reactions)
    .where(inArray(reactions.messageId, ids)).orderBy(asc(reactions.createdAt), asc(reactions.emoji));
}

/** The files of each message, in the order they were attached. */
export async function attachmentsFor(db: Db, messageIds: string[]): Promise<Map<string, Upload[]>> {
  const out = new Map<string, Upload[]>();
  if (messageIds.length === 0) return out;
  const rows = await db.select().from(uploads).where(and(inArray(uploads.messageId, messageIds))).orderBy(asc(uploads.attachedAt), asc(uploads.id));
  for (const r of rows) {
    const list = out.get(r.messageId!) ?? [];
    list.push(toUpload(r));
    out.set(r.messageId!, list);
  }
  return out;
}

/**
 * `fresh`: the rows were written in this very transaction, so they can have no reactions yet, and
 * attachments only when `withAttachments` says one was attached.
 */
export async function hydrate(db: Db, rows: (typeof messages.$inferSelect)[], viewerId: string, fresh?: { withAttachments: boolean }): Promise<Message[]> {
  if (rows.length === 0) return [];
  const authorIds = [...new Set(rows.map((r) => r.authorId))];
  const [people, summaries, attachments] = await Promise.all([
    authorRows(db, authorIds),
    fresh ? new Map<string, ReactionSummary[]>() : reactionSummaries(db, rows.map((r) => r.id), viewerId),
    fresh && !fresh.withAttachments ? new Map<string, Upload[]>() : attachmentsFor(db, rows.filter((r) => !r.deletedAt).map((r) => r.id)),
  ]);
  const authors = new Map(people.map((u) => [u.id, toUser(u)]));
  return rows.map((r) => {
    const m = toMessage(r);
    const author = authors.get(r.authorId);
    if (author) m.author = author;
    m.reactions = r.deletedAt ? [] : (summaries.get(r.id) ?? []);
    m.attachments = attachments.get(r.id) ?? [];
    return m;
  });
}
