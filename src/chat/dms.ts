// Rules of direct conversations, shared by every store.
import { forbidden, invalid, notFound } from "./errors.ts";
import { LIMITS } from "./rules.ts";
import type { Role } from "./types.ts";

/**
 * The members of a conversation someone opens: the opener plus the ids they named (trimmed,
 * duplicates dropped), in the order named. Two to `dmMaxMembers` people, the opener included.
 */
export function dmMemberSet(openerId: string, named: string[]): string[] {
  const ids = [...new Set([openerId, ...named.map((id) => id.trim()).filter(Boolean)])];
  if (ids.length < 2) throw invalid("a direct conversation needs at least two members", "dm_too_small");
  if (ids.length > LIMITS.dmMaxMembers) throw invalid(`a direct conversation has at most ${LIMITS.dmMaxMembers} members, you included`, "dm_too_large");
  return ids;
}

/** One conversation per member set and workspace: the set, as the key that finds it. */
export const dmMemberKey = (ids: string[]): string => [...ids].sort().join(",");

/**
 * Everyone in a conversation is a member of the workspace (not a guest) with a live account.
 * `memberships` holds what the store found for each id (absent: not a member).
 */
export function assertDmMembers(openerId: string, ids: string[], memberships: Map<string, { role: Role; deleted: boolean }>): void {
  for (const id of ids) {
    if (id === openerId) continue;
    const m = memberships.get(id);
    if (!m) throw invalid(`${id} is not a member of this workspace`, "not_member");
    if (m.role === "guest") throw forbidden("guests cannot be added to direct conversations", "guest_restricted");
  }
  const gone = ids.find((id) => !memberships.get(id) || memberships.get(id)!.deleted);
  if (gone) throw notFound(`member ${gone}`);
}
