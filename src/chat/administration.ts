// Rules of a workspace's administration that both stores apply inside their transactions:
// handing the workspace to someone else, and what deleting a channel takes with it.
import { conflict, forbidden, invalid, notFound } from "./errors.ts";
import type { Role, UserKind } from "./types.ts";

/**
 * Only the owner hands the workspace over, and only to a person who is already in it: a bot
 * cannot own a workspace, and a guest is promoted first (a deliberate step of its own).
 */
export function assertMayTransfer(
  actor: { userId: string; role: Role | null },
  target: { userId: string; role: Role | null; kind: UserKind | null; deleted: boolean },
): void {
  if (actor.role !== "owner") throw forbidden("only the owner can transfer ownership", "owner_required");
  if (target.userId === actor.userId) throw invalid("you already own this workspace", "already_owner");
  if (target.role === null || target.deleted) throw notFound("member");
  if (target.kind === "bot" || target.role === "bot") throw invalid("a bot cannot own a workspace", "bot_cannot_own");
  if (target.role === "guest") throw invalid("promote the guest to member before handing them the workspace", "guest_cannot_own");
}

/** The role the previous owner keeps: still a manager, no longer the owner (as the original). */
export const PREVIOUS_OWNER_ROLE: Role = "moderator";

/** What deleting a channel takes with it, and what stops it. */
export interface ChannelDeletePreview {
  channel_id: string;
  name: string;
  messages: number;
  threads: number;
  replies: number;
  pins: number;
  uploads: number;
  upload_bytes: number;
  blockers: { code: string; message: string }[];
  can_delete: boolean;
}

export interface ChannelCounts {
  messages: number;
  threads: number;
  replies: number;
  pins: number;
  uploads: number;
  uploadBytes: number;
}

/** The reasons a channel cannot be deleted, in the words the delete itself would answer. */
/** A private channel never counts as the workspace's last channel: not everyone can see it. */
export function channelDeleteBlockers(channel: { kind: string; isPrivate?: boolean }, livePublicChannels: number): { code: string; message: string }[] {
  const out: { code: string; message: string }[] = [];
  if (channel.kind === "guest") out.push({ code: "channel_name_reserved", message: "the guest channel cannot be deleted" });
  if (channel.kind === "public" && !channel.isPrivate && livePublicChannels <= 1) out.push({ code: "last_channel", message: "a workspace must keep at least one channel" });
  return out;
}

export function channelDeletePreview(channel: { id: string; name: string; kind: string; isPrivate?: boolean }, counts: ChannelCounts, livePublicChannels: number): ChannelDeletePreview {
  const blockers = channelDeleteBlockers(channel, livePublicChannels);
  return {
    channel_id: channel.id,
    name: channel.name,
    messages: counts.messages,
    threads: counts.threads,
    replies: counts.replies,
    pins: counts.pins,
    uploads: counts.uploads,
    upload_bytes: counts.uploadBytes,
    blockers,
    can_delete: blockers.length === 0,
  };
}

/** The delete refuses what the preview lists as a blocker. */
export function assertChannelDeletable(channel: { kind: string; isPrivate?: boolean }, livePublicChannels: number): void {
  const [first] = channelDeleteBlockers(channel, livePublicChannels);
  if (!first) return;
  throw first.code === "last_channel" ? conflict(first.message, first.code) : invalid(first.message, first.code);
}

/** What deleting a workspace takes with it (shown before the owner confirms). */
export interface WorkspaceDeletePreview {
  workspace_id: string;
  name: string;
  members: number;
  channels: number;
  messages: number;
  uploads: number;
  upload_bytes: number;
  bots: number;
}
