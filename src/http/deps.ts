import type { Access } from "../access/access.ts";
import type { Authenticator } from "../access/actor.ts";
import type { RateLimiter } from "../access/rate-limit.ts";
import type { Config } from "../config/config.ts";
import type { Mailer } from "../integrations/mail.ts";
import type { WebPushSender } from "../integrations/web-push.ts";
import type { Hub } from "../realtime/hub.ts";
import type { Store } from "../store/store.ts";

/** What every route module is built from. */
export interface Deps {
  store: Store;
  hub: Hub;
  auth: Authenticator;
  access: Access;
  config: Config;
  limiter: RateLimiter;
  /** Outgoing mail, when an SMTP server is configured. */
  mailer: Mailer | null;
  /** Web Push delivery and the VAPID public key. */
  webPush: WebPushSender;
}
