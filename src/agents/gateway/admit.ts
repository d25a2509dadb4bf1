// Turns a request's run options into what may actually run for this caller: its team
// profile first (a key listed in the profiles file is held to its profiles), then the
// server's ceilings on directories and modes.
import { applyProfile, profileForKey } from "../profiles.ts";
import type { RunOptions } from "../run.ts";
import type { Caller, Gateway } from "./context.ts";

export function admit(gw: Gateway, caller: Caller, opts: RunOptions, asked = opts.profile): RunOptions {
  const profile = profileForKey(gw.profiles, caller.scope?.owner ?? caller.owner, caller.scope?.admin === true, asked);
  const shaped = profile ? applyProfile({ ...opts, profile: undefined }, profile) : { ...opts, profile: undefined };
  return gw.policy.apply(shaped, gw.store, caller.scope);
}
