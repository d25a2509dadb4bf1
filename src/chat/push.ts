// Who a new message is pushed to outside the app (Pushover, Web Push), decided once for both stores and
// the worker: people with a Pushover key or a push subscription who read the scope, never the author, by preference,
// and not during their do-not-disturb hours.
import { invalid } from "./errors.ts";
import { inDoNotDisturb, type NotificationSetting } from "./notifications.ts";

/** The original's rule for a Pushover user key ("" clears it). */
export const PUSHOVER_USER_KEY = /^$|^[A-Za-z0-9]{30}$/;

/** A browser's Web Push subscription (its push service endpoint and keys). */
export interface WebPushSubscription {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface PushCandidate extends NotificationSetting {
  userId: string;
  /** The person's Pushover user key, if they set one. */
  pushoverKey: string | null;
  /** Their devices subscribed to Web Push. */
  subscriptions: WebPushSubscription[];
  /** Whether the message mentions them (a row in `mentions`). */
  mentioned: boolean;
}

export function wantsPush(c: PushCandidate, authorId: string, at = new Date()): boolean {
  if (c.userId === authorId || c.preference === "muted") return false;
  if (c.preference === "mentions" && !c.mentioned) return false;
  return !inDoNotDisturb(c, at);
}

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
const decodedLength = (s: string) => (BASE64URL.test(s) ? Buffer.from(s, "base64url").length : -1);

/**
 * A subscription as a browser's PushSubscription.toJSON() gives it: the push service's endpoint
 * (https; plain http only for a development server's local stand-ins) and the keys RFC 8291
 * encrypts for (an uncompressed P-256 point, a 16-byte secret).
 */
export function assertWebPushSubscription(s: WebPushSubscription, allowHttp: boolean): WebPushSubscription {
  let url: URL | null = null;
  try {
    url = new URL(s.endpoint);
  } catch {}
  if (!url || !(url.protocol === "https:" || (allowHttp && url.protocol === "http:")) || url.username || url.password) {
    throw invalid("endpoint must be the push service's https URL", "invalid_push_subscription");
  }
  if (decodedLength(s.p256dh) !== 65 || Buffer.from(s.p256dh, "base64url")[0] !== 4) throw invalid("keys.p256dh must be a P-256 public key (base64url)", "invalid_push_subscription");
  if (decodedLength(s.auth) !== 16) throw invalid("keys.auth must be 16 bytes (base64url)", "invalid_push_subscription");
  return { endpoint: s.endpoint, p256dh: s.p256dh, auth: s.auth };
}
