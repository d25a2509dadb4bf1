// Bot token scopes and the bundles that expand to them when a token is minted.
import { invalid } from "../chat/errors.ts";
import type { Scope } from "./actor.ts";

export const SCOPES: readonly Scope[] = [
  "workspaces:read", "channels:read", "channels:write", "messages:read", "messages:write", "threads:read",
  "threads:write", "dms:read", "dms:write", "realtime:read", "uploads:write", "profile:read", "commands:write",
  "agent_activity:write",
];

const READ: Scope[] = ["workspaces:read", "channels:read", "messages:read", "threads:read", "dms:read", "realtime:read", "profile:read"];
const WRITE: Scope[] = [...READ, "messages:write", "threads:write", "dms:write", "uploads:write", "commands:write"];

/** `agent_activity:write` is never in a bundle: posting as an agent is always asked for by name. */
export const BUNDLES: Record<string, readonly Scope[]> = {
  "bot:read": READ,
  "bot:write": WRITE,
  "bot:admin": [...WRITE, "channels:write"],
};

/** Expands bundles and checks names; the result is sorted and unique. */
export function expandScopes(requested: readonly string[]): Scope[] {
  const out = new Set<Scope>();
  for (const raw of requested) {
    const name = raw.trim();
    if (name === "") continue;
    const bundle = BUNDLES[name];
    if (bundle) bundle.forEach((s) => out.add(s));
    else if ((SCOPES as readonly string[]).includes(name)) out.add(name as Scope);
    else throw invalid(`unknown scope "${name}" (scopes: ${SCOPES.join(", ")}; bundles: ${Object.keys(BUNDLES).join(", ")})`, "invalid_scope");
  }
  if (out.size === 0) throw invalid("a token needs at least one scope", "invalid_scope");
  return [...out].sort();
}
