// Counting what a delete takes with it: one statement, the same SQL on both dialects (counts
// come back as numbers on SQLite and as strings on Postgres; callers pass them through Number).
import { sql } from "drizzle-orm";

type Count = number | string;
export type ChannelCountsRow = { messages: Count; threads: Count; replies: Count; pins: Count; uploads: Count; upload_bytes: Count; public_channels: Count };

export function channelCountsQuery(channelId: string, workspaceId: string) {
  return sql`SELECT
    (SELECT count(*) FROM messages WHERE channel_id = ${channelId} AND deleted_at IS NULL) AS messages,
    (SELECT count(*) FROM messages WHERE channel_id = ${channelId} AND deleted_at IS NULL AND parent_message_id IS NULL AND reply_count > 0) AS threads,
    (SELECT count(*) FROM messages WHERE channel_id = ${channelId} AND deleted_at IS NULL AND parent_message_id IS NOT NULL) AS replies,
    (SELECT count(*) FROM pins WHERE channel_id = ${channelId}) AS pins,
    (SELECT count(*) FROM uploads u JOIN messages m ON m.id = u.message_id WHERE m.channel_id = ${channelId}) AS uploads,
    (SELECT coalesce(sum(u.byte_size), 0) FROM uploads u JOIN messages m ON m.id = u.message_id WHERE m.channel_id = ${channelId}) AS upload_bytes,
    (SELECT count(*) FROM channels WHERE workspace_id = ${workspaceId} AND deleted_at IS NULL AND kind = 'public' AND NOT is_private) AS public_channels`;
}

/** The uploads attached to a channel's messages: they go with the channel. */
export function channelUploadsQuery(channelId: string) {
  return sql`SELECT u.id AS id, u.storage_key AS storage_key FROM uploads u JOIN messages m ON m.id = u.message_id WHERE m.channel_id = ${channelId}`;
}

export type WorkspaceCountsRow = { members: Count; channels: Count; messages: Count; uploads: Count; upload_bytes: Count; bots: Count };

export function workspaceCountsQuery(workspaceId: string) {
  return sql`SELECT
    (SELECT count(*) FROM members m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ${workspaceId} AND u.kind = 'human' AND u.deleted_at IS NULL) AS members,
    (SELECT count(*) FROM channels WHERE workspace_id = ${workspaceId} AND deleted_at IS NULL) AS channels,
    (SELECT count(*) FROM messages WHERE workspace_id = ${workspaceId} AND deleted_at IS NULL) AS messages,
    (SELECT count(*) FROM uploads WHERE workspace_id = ${workspaceId}) AS uploads,
    (SELECT coalesce(sum(byte_size), 0) FROM uploads WHERE workspace_id = ${workspaceId}) AS upload_bytes,
    (SELECT count(*) FROM members m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ${workspaceId} AND u.kind = 'bot' AND u.deleted_at IS NULL) AS bots`;
}

/** Counts as numbers (a row that is missing counts nothing). */
export function counted<K extends string>(row: Record<K, Count> | undefined, keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, Number(row?.[k] ?? 0)])) as Record<K, number>;
}

export const CHANNEL_COUNTS = ["messages", "threads", "replies", "pins", "uploads", "upload_bytes", "public_channels"] as const;
export const WORKSPACE_COUNTS = ["members", "channels", "messages", "uploads", "upload_bytes", "bots"] as const;
