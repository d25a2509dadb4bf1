// Private channels: a channel only its members read. Membership is kept per channel
// (channel_members); a public channel has no rows there, since every member of the workspace
// reads it. Every event about a private channel carries its members as `recipients`, so the
// realtime hub, the pull fallback, webhooks (which skip private events) and replays all gate it
// with the rule that already gates DMs — and a change of membership takes effect exactly at the
// event that made it, on every process that reads the log.
import { conflict, forbidden, notFound } from "./errors.ts";
import type { NewEvent } from "./events.ts";
import type { Role } from "./types.ts";

/** Who reads a channel: null for a public one (the workspace, by role), else exactly these people. */
export type ChannelReaders = string[] | null;

/** Whether someone with this workspace role may read a channel of this kind and privacy. */
export function readsChannel(viewer: { userId: string; role: Role }, channel: { kind: string; memberIds: ChannelReaders }): boolean {
  // A private channel is read by its members alone, whatever their role: a guest added
  // explicitly reads it; an owner who is not in it does not.
  if (channel.memberIds) return channel.memberIds.includes(viewer.userId);
  return viewer.role !== "guest" || channel.kind === "guest";
}

/** Membership is a private channel's own: a public channel has no member list to change. */
export function assertPrivateChannel(isPrivate: boolean): void {
  if (!isPrivate) throw conflict("this channel is public: every member of the workspace reads it", "channel_not_private");
}

/** Only members of the workspace can be in one of its channels. */
export function assertWorkspaceMember(isMember: boolean): void {
  if (!isMember) throw notFound("workspace member");
}

/**
 * Who may change who is in a private channel: its members (not guests, whose reach stays what a
 * manager gave them) and the workspace's managers; anyone may leave.
 */
export function assertMayChangeMembers(actor: { userId: string; role: Role; inChannel: boolean }, targetUserId: string, adding: boolean): void {
  if (!adding && targetUserId === actor.userId && actor.inChannel) return;
  if (actor.role === "owner" || actor.role === "moderator") return;
  if (!actor.inChannel) throw notFound("channel");
  if (actor.role === "guest") throw forbidden("guests cannot change who is in a channel", "guest_restricted");
}

/** Public and private are fixed at creation: changing either way would expose or hide history silently. */
export function assertPrivacyUnchanged(requested: boolean | undefined, current: boolean): void {
  if (requested !== undefined && requested !== current) {
    throw conflict("a channel stays public or private as it was created; create a new channel instead", "channel_privacy_fixed");
  }
}

type ChannelRef = { id: string; workspaceId: string };

/** Someone joined a private channel: its members (the newcomer included) hear it. */
export function channelMemberAdded(c: ChannelRef, userId: string, addedBy: string, membersAfter: string[]): NewEvent {
  return {
    workspaceId: c.workspaceId,
    type: "channel.member_added",
    channelId: c.id,
    recipients: membersAfter,
    payload: { channel_id: c.id, user_id: userId, added_by: addedBy },
  };
}

/** Someone left or was removed: the members before the change hear it, so the person removed learns it too. */
export function channelMemberRemoved(c: ChannelRef, userId: string, removedBy: string, membersBefore: string[]): NewEvent {
  return {
    workspaceId: c.workspaceId,
    type: "channel.member_removed",
    channelId: c.id,
    recipients: membersBefore,
    payload: { channel_id: c.id, user_id: userId, removed_by: removedBy },
  };
}
