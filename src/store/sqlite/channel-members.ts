// Who is in a private channel, read inside a write (every event about the channel goes to them
// alone) or by the access check. Compiled once per database: the post path reads it.
import { asc, eq, sql } from "drizzle-orm";
import type { ChannelReaders } from "../../chat/private-channels.ts";
import type { Db } from "./database.ts";
import { channelMembers, channels } from "./schema.ts";

const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();
function prepare(db: Db) {
  return {
    isPrivate: db.select({ p: channels.isPrivate }).from(channels).where(eq(channels.id, sql.placeholder("id"))).prepare(),
    members: db.select({ u: channelMembers.userId }).from(channelMembers).where(eq(channelMembers.channelId, sql.placeholder("id"))).orderBy(asc(channelMembers.userId)).prepare(),
  };
}
function statements(db: Db) {
  let st = prepared.get(db);
  if (!st) prepared.set(db, (st = prepare(db)));
  return st;
}

/** The members of a private channel; null when the channel is public (or gone). */
export function privateReaders(db: Db, channelId: string): ChannelReaders {
  const st = statements(db);
  if (!st.isPrivate.get({ id: channelId })?.p) return null;
  return channelMemberIds(db, channelId);
}

export function channelMemberIds(db: Db, channelId: string): string[] {
  return statements(db).members.all({ id: channelId }).map((r) => r.u);
}
