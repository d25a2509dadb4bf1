// Web Push through the `web-push` package: payloads encrypted for the subscription (aes128gcm,
// RFC 8291) and signed with the server's VAPID keys, which are generated once and kept in the
// database. The private key never leaves this module's closure.
import webpush from "web-push";
import type { WebPushSubscription } from "../chat/push.ts";
import type { Store } from "../store/store.ts";

export type WebPushResult = "sent" | "gone";

export interface WebPushSender {
  publicKey(): Promise<string>;
  /** "gone" when the push service says the subscription no longer exists (404/410); throws on failures worth retrying. */
  send(sub: WebPushSubscription, payload: string): Promise<WebPushResult>;
}

export class WebPushError extends Error {}

export function webPushSender(store: Store, publicUrl: string | null): WebPushSender {
  let keys: Promise<{ publicKey: string; privateKey: string }> | null = null;
  const vapid = () => (keys ??= store.notifications.vapidKeys(() => webpush.generateVAPIDKeys()).catch((err) => {
    keys = null;
    throw err;
  }));
  const subject = `mailto:clickclack@${publicUrl ? new URL(publicUrl).hostname : "localhost"}`;
  return {
    async publicKey() {
      return (await vapid()).publicKey;
    },
    async send(sub, payload) {
      const { publicKey, privateKey } = await vapid();
      // web-push encrypts and signs; the request itself goes through fetch (no redirects, a timeout).
      const request = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, payload, {
        vapidDetails: { subject, publicKey, privateKey },
        TTL: 24 * 3600,
        contentEncoding: "aes128gcm",
      });
      let res: Response;
      try {
        res = await fetch(request.endpoint, {
          method: "POST", headers: request.headers as Record<string, string>, body: request.body ? new Uint8Array(request.body) : null, redirect: "error", signal: AbortSignal.timeout(10_000),
        });
      } catch (err) {
        throw new WebPushError(`push service unreachable: ${(err as Error).name}`);
      }
      await res.body?.cancel();
      if (res.status === 404 || res.status === 410) return "gone";
      // Only the status: never the request, whose headers carry the VAPID authorization.
      if (!res.ok) throw new WebPushError(`push service answered ${res.status}`);
      return "sent";
    },
  };
}
