// Who a new message is pushed to outside the app (Pushover), decided once for both stores and
// the worker: people with a push address who read the scope, never the author, by preference,
// and not during their do-not-disturb hours.
import { inDoNotDisturb, type NotificationSetting } from "./notifications.ts";

/** The original's rule for a Pushover user key ("" clears it). */
export const PUSHOVER_USER_KEY = /^$|^[A-Za-z0-9]{30}$/;

export interface PushCandidate extends NotificationSetting {
  userId: string;
  /** Where to push: the person's Pushover user key. */
  address: string;
  /** Whether the message mentions them (a row in `mentions`). */
  mentioned: boolean;
}

export function wantsPush(c: PushCandidate, authorId: string, at = new Date()): boolean {
  if (c.userId === authorId || c.preference === "muted") return false;
  if (c.preference === "mentions" && !c.mentioned) return false;
  return !inDoNotDisturb(c, at);
}
