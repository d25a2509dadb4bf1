// Web Push through the `web-push` package: payloads encrypted for the subscription (aes128gcm,
// RFC 8291) and signed with the server's VAPID keys, which are generated once and kept in the
// database. The private key never leaves this module's closure.
import type { WebPushSubscription } from "../chat/push.ts";
import type { Store } from "../store/store.ts";

export type WebPushResult = "sent" | "gone";

export interface WebPushSender {
  publicKey(): Promise<string>;
  /** "gone" when the push service says the subscription no longer exists (404/410); throws on failures worth retrying. */
  send(sub: WebPushSubscription, payload: string): Promise<WebPushResult>;
}

export class WebPushError extends Error {}

/** A VAPID token lasts this long (web-push's default is 12 h; push services accept up to 24 h). */
const VAPID_TOKEN_SECONDS = 12 * 3600;
/** A cached token is replaced this long before it expires, so none is sent about to lapse. */
const VAPID_RENEW_MARGIN_SECONDS = 3600;

/**
 * `web-push` (and the proxy agent and `debug` it pulls in) loads on the first push or key
 * request, not at start: most servers never push, and it was a tenth of the binary's cold start.
 */
let loaded: Promise<typeof import("web-push")> | null = null;
const library = () => (loaded ??= import("web-push").then((m) => m.default));

export function webPushSender(store: Store, publicUrl: string | null): WebPushSender {
  let keys: Promise<{ publicKey: string; privateKey: string }> | null = null;
  const vapid = () => (keys ??= library().then((webpush) => store.notifications.vapidKeys(() => webpush.generateVAPIDKeys())).catch((err) => {
    keys = null;
    throw err;
  }));
  const subject = `mailto:clickclack@${publicUrl ? new URL(publicUrl).hostname : "localhost"}`;
  // The VAPID token depends only on the push service's origin (its audience): signing one per
  // request (ES256) cost as much as the payload encryption. One per origin, kept while it is valid.
  // Sends running at once share the token being made (the map holds it before it is signed).
  const tokens = new Map<string, { authorization: Promise<string>; expires: number }>();
  function authorization(endpoint: string): Promise<string> {
    const audience = new URL(endpoint).origin;
    const nowSeconds = Math.floor(Date.now() / 1000);
    const cached = tokens.get(audience);
    if (cached && cached.expires - VAPID_RENEW_MARGIN_SECONDS > nowSeconds) return cached.authorization;
    const expires = nowSeconds + VAPID_TOKEN_SECONDS;
    const made = Promise.all([vapid(), library()]).then(([{ publicKey, privateKey }, webpush]) => webpush.getVapidHeaders(audience, subject, publicKey, privateKey, "aes128gcm", expires).Authorization);
    made.catch(() => tokens.delete(audience));
    tokens.set(audience, { authorization: made, expires });
    return made;
  }
  return {
    async publicKey() {
      return (await vapid()).publicKey;
    },
    async send(sub, payload) {
      const auth = await authorization(sub.endpoint);
      const webpush = await library();
      // web-push encrypts (no VAPID here: the cached token is added below); the request itself
      // goes through fetch (no redirects, a timeout).
      const request = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, payload, {
        vapidDetails: null as never,
        TTL: 24 * 3600,
        contentEncoding: "aes128gcm",
      });
      const headers = { ...(request.headers as Record<string, string>), Authorization: auth };
      let res: Response;
      try {
        res = await fetch(request.endpoint, {
          method: "POST", headers, body: request.body ? new Uint8Array(request.body) : null, redirect: "error", signal: AbortSignal.timeout(10_000),
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
