import type { Access } from "../access/access.ts";
import type { Authenticator } from "../access/actor.ts";
import type { RateLimiter } from "../access/rate-limit.ts";
import type { Config } from "../config/config.ts";
import type { OutboundPolicy } from "../integrations/outbound.ts";
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
  /** Where outgoing webhooks may go. */
  outbound: OutboundPolicy;
}
