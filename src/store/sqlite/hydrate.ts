// Turns message rows into wire messages with authors, reactions and thread state, in a fixed
// number of queries per page (never one per message).
import { type AnyColumn, sql } from "drizzle-orm";
import type { Message, ReactionSummary } from "../../chat/types.ts";
import type { Db } from "./database.ts";
import { toMessage, toUser } from "../rows.ts";
import { rowColumns } from "./rows.ts";
import { users, type messages } from "./schema.ts";
import { attachmentsFor } from "./uploads.ts";
import type { ReactorRow } from "../message-cache.ts";

type UserRow = typeof users.$inferSelect;
type ReactionRow = { message_id: string; emoji: string; n: number; mine: number; first: string };

// The one-message shapes (a post, a reaction) run on every write: compiled once per database.
/** `col IN (ids)` with one placeholder holding a JSON array: one compiled statement for any count. */
export const inJsonList = (col: AnyColumn, name = "ids") => sql`${col} IN (SELECT value FROM json_each(${sql.placeholder(name)}))`;

// Raw statements with columns named like the row types: these run for every page and every
// post, and drizzle's row mapping cost as much as the statements themselves.
function prepareStatements(db: Db) {
  const USER_ROW = rowColumns(users);
  const REACTIONS = "SELECT message_id, emoji, count(*) AS n, max(user_id = $viewer) AS mine, min(created_at) AS first FROM reactions";
  const raw = db.$client;
  return {
    user: raw.query<UserRow, { id: string }>(`SELECT ${USER_ROW} FROM users WHERE id = $id`),
    usersIn: raw.query<UserRow, { ids: string }>(`SELECT ${USER_ROW} FROM users WHERE id IN (SELECT value FROM json_each($ids))`),
    reactionsIn: raw.query<ReactionRow, { ids: string; viewer: string }>(`${REACTIONS} WHERE message_id IN (SELECT value FROM json_each($ids)) GROUP BY message_id, emoji ORDER BY min(created_at)`),
    reactions: raw.query<ReactionRow, { id: string; viewer: string }>(`${REACTIONS} WHERE message_id = $id GROUP BY message_id, emoji ORDER BY min(created_at)`),
    reactorsIn: raw.query<ReactorRow, { ids: string }>("SELECT message_id, emoji, user_id FROM reactions WHERE message_id IN (SELECT value FROM json_each($ids)) ORDER BY created_at, emoji"),
  };
}
const prepared = new WeakMap<Db, ReturnType<typeof prepareStatements>>();
function statements(db: Db) {
  let s = prepared.get(db);
  if (!s) prepared.set(db, (s = prepareStatements(db)));
  return s;
}

export function reactionSummaries(db: Db, messageIds: string[], viewerId: string): Map<string, ReactionSummary[]> {
  const out = new Map<string, ReactionSummary[]>();
  if (messageIds.length === 0) return out;
  const rows: ReactionRow[] = messageIds.length === 1
    ? statements(db).reactions.all({ id: messageIds[0]!, viewer: viewerId })
    : statements(db).reactionsIn.all({ ids: JSON.stringify(messageIds), viewer: viewerId });
  for (const r of rows) {
    const list = out.get(r.message_id) ?? [];
    list.push({ emoji: r.emoji, count: r.n, reacted_by_me: r.mine === 1 });
    out.set(r.message_id, list);
  }
  return out;
}

/** The people who wrote a page's messages, as they are now. */
export function authorRows(db: Db, ids: string[]): UserRow[] {
  return ids.length === 1 ? [statements(db).user.get({ id: ids[0]! })].filter((u) => u !== null) : statements(db).usersIn.all({ ids: JSON.stringify(ids) });
}

/** Each reaction to these messages (a JSON list of ids), oldest first. */
export function reactorRows(db: Db, idsJson: string): ReactorRow[] {
  return statements(db).reactorsIn.all({ ids: idsJson });
}

/**
 * `fresh`: the rows were written in this very transaction, so they can have no reactions yet, and
 * attachments only when `withAttachments` says one was attached (saves two queries per post).
 */
export function hydrate(db: Db, rows: (typeof messages.$inferSelect)[], viewerId: string, fresh?: { withAttachments: boolean }): Message[] {
  if (rows.length === 0) return [];
  const authors = new Map(authorRows(db, [...new Set(rows.map((r) => r.authorId))]).map((u) => [u.id, toUser(u)]));
  const summaries = fresh ? new Map<string, ReactionSummary[]>() : reactionSummaries(db, rows.map((r) => r.id), viewerId);
  const attachments = fresh && !fresh.withAttachments ? new Map() : attachmentsFor(db, rows.filter((r) => !r.deletedAt).map((r) => r.id));
  return rows.map((r) => {
    const m = toMessage(r);
    const author = authors.get(r.authorId);
    if (author) m.author = author;
    m.reactions = r.deletedAt ? [] : (summaries.get(r.id) ?? []);
    m.attachments = attachments.get(r.id) ?? [];
    return m;
  });
}
