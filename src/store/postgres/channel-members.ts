// Who is in a private channel, read inside a write (every event about the channel goes to them
// alone) or by the access check: one round trip, so it can run beside the post path's reads.
import { sql } from "drizzle-orm";
import type { ChannelReaders } from "../../chat/private-channels.ts";
import type { Db } from "./database.ts";

/** The members of a private channel; null when the channel is public (or gone). */
export async function privateReaders(db: Db, channelId: string): Promise<ChannelReaders> {
  const [row] = await db.execute<{ is_private: boolean; members: string | null }>(sql`SELECT c.is_private,
    (SELECT string_agg(m.user_id, ',' ORDER BY m.user_id) FROM channel_members m WHERE m.channel_id = c.id) AS members
    FROM channels c WHERE c.id = ${channelId}`);
  if (!row?.is_private) return null;
  return row.members ? row.members.split(",") : [];
}
