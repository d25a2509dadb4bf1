// What every gateway handler gets: shared services and the authenticated request.
import type { Profiles } from "../profiles.ts";
import type { RunContext } from "../run.ts";
import type { OwnerScope, SessionStore } from "../sessions.ts";
import type { Metrics } from "./metrics.ts";
import type { ModelTable } from "./models.ts";
import type { Policy } from "./security.ts";

export interface Gateway {
  store: SessionStore;
  policy: Policy;
  models: ModelTable;
  /** Base context for runs (store, env, limiter, grace, metrics hook). */
  run: Omit<RunContext, "signal" | "onEvent">;
  maxBody: number;
  /** The team's profiles file, if the gateway was given one. */
  profiles: Profiles | null;
  metrics: Metrics;
  /** Registers work that outlives its request (streams), so shutdown can wait for it. */
  track<T>(work: Promise<T>): Promise<T>;
}

export interface Caller {
  req: Request;
  /** Non-secret id of the API key used (or "anonymous"); scopes conversations and sessions. */
  owner: string;
  /** The sessions this caller may see: its own, or all for an admin key. */
  scope: OwnerScope;
  ip: string;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
}
