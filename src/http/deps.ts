import type { Access } from "../access/access.ts";
import type { Authenticator } from "../access/actor.ts";
import type { PersonLimits } from "../access/limits.ts";
import type { RateLimiter } from "../access/rate-limit.ts";
import type { Config } from "../config/config.ts";
import type { Mailer } from "../integrations/mail.ts";
import type { OutboundPolicy } from "../integrations/outbound.ts";
import type { WebPushSender } from "../integrations/web-push.ts";
import type { Hub } from "../realtime/hub.ts";
import type { Presence } from "../realtime/presence.ts";
import type { Store } from "../store/store.ts";
import type { UploadService } from "../uploads/service.ts";
import type { Log } from "../observability/log.ts";
import type { Tracing } from "../observability/tracing.ts";

/** What every route module is built from. */
export interface Deps {
  store: Store;
  hub: Hub;
  /** Who is connected, across processes (src/realtime/presence.ts). */
  presence: Presence;
  auth: Authenticator;
  access: Access;
  config: Config;
  limiter: RateLimiter;
  /** Where outgoing webhooks may go. */
  outbound: OutboundPolicy;
  /** Per-person rates and caps (src/access/limits.ts). */
  limits: PersonLimits;
  /** Receives and serves upload bytes; started and stopped with the server. */
  uploads: UploadService;
  log: Log;
  /** OpenTelemetry, when an OTLP endpoint is configured. */
  tracing: Tracing | null;
  /** Outgoing mail, when an SMTP server is configured. */
  mailer: Mailer | null;
  /** Web Push delivery and the VAPID public key. */
  webPush: WebPushSender;
}
