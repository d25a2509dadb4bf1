import type { Role, StoredEvent } from "../chat/types.ts";

/**
 * Whether a subscriber may see an event: direct messages only for those who may read them (the
 * HTTP API's rule: no guests, no bots without dms:read), then recipients (private events: DMs,
 * read pointers), then what the role may read (guests see only guest channels). One function,
 * used by the socket hub and by the HTTP pull fallback, so both gate alike.
 */
export function canSee(viewer: { userId: string; role: Role; readsDms: boolean }, e: StoredEvent, isGuestChannel: (channelId: string) => boolean): boolean {
  if (e.direct_conversation_id && !viewer.readsDms) return false;
  if (e.recipients) return e.recipients.includes(viewer.userId);
  if (e.direct_conversation_id) return false;
  if (viewer.role !== "guest") return true;
  // Presence is the member directory's news: guests are not told who is around.
  if (!e.channel_id) return e.type !== "presence.changed";
  return isGuestChannel(e.channel_id);
}
