// Bot token scopes and the bundles that expand to them when a token is minted.
import { forbidden, invalid } from "../chat/errors.ts";
import type { Role } from "../chat/types.ts";
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

// What a person of each role may do, in scopes: a bot they own can never be given, or use, more.
// A member creates channels but may not rename or archive them, and channels:write would grant
// all three; a guest reads and writes only #guest and has no direct messages or uploads.
const GUEST_CEILING: Scope[] = ["workspaces:read", "channels:read", "messages:read", "messages:write", "threads:read", "threads:write", "realtime:read", "profile:read"];
const CEILING: Record<Role, ReadonlySet<Scope>> = {
  owner: new Set(SCOPES),
  moderator: new Set(SCOPES),
  member: new Set(SCOPES.filter((s) => s !== "channels:write")),
  guest: new Set(GUEST_CEILING),
  bot: new Set(),
};

/** The scopes a bot owned by someone of `role` may hold; null (not a member) holds none. */
export function scopeCeiling(role: Role | null): ReadonlySet<Scope> {
  return role ? CEILING[role] : CEILING.bot;
}

/** Refuses, at mint time, scopes beyond what the people behind the bot may do themselves. */
export function assertScopesWithin(scopes: readonly Scope[], role: Role | null): void {
  const ceiling = scopeCeiling(role);
  const beyond = scopes.filter((s) => !ceiling.has(s));
  if (beyond.length > 0) throw forbidden(`${role ? `a bot of a ${role}` : "a bot whose owner is not a member"} cannot hold ${beyond.join(", ")}`, "scope_beyond_role");
}
