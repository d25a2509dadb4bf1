// Invite links: a manager hands out a link that lets people join a workspace with one role, for a
// while, a number of times. The rules live here once; both stores call them inside the write that
// counts a use, so two people opening the last use at the same instant cannot both join.
import { AppError, invalid } from "./errors.ts";
import type { Role } from "./types.ts";

export type InviteRole = "member" | "guest";
export const INVITE_ROLES: readonly InviteRole[] = ["member", "guest"];
/** An invite lasts at most a year; without an expiry it lasts until revoked or used up. */
export const INVITE_MAX_TTL_HOURS = 24 * 365;
export const INVITE_MAX_USES = 10_000;

export type InviteStatus = "active" | "expired" | "revoked" | "used_up";

export interface Invite {
  id: string;
  workspace_id: string;
  role: InviteRole;
  created_by: string;
  created_at: string;
  /** Null: no expiry. */
  expires_at: string | null;
  /** Null: no limit. */
  max_uses: number | null;
  uses: number;
  /** Null when unlimited. */
  uses_left: number | null;
  revoked_at: string | null;
  /** Set when the invite was mailed to one address. */
  email: string | null;
  status: InviteStatus;
}

/** The row both stores keep, in the names of the drizzle schemas. */
export interface InviteRow {
  id: string;
  workspaceId: string;
  role: InviteRole;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  maxUses: number | null;
  uses: number;
  revokedAt: string | null;
  email: string | null;
}

export function inviteStatus(r: Pick<InviteRow, "expiresAt" | "maxUses" | "uses" | "revokedAt">, at = new Date().toISOString()): InviteStatus {
  if (r.revokedAt) return "revoked";
  if (r.expiresAt && r.expiresAt <= at) return "expired";
  if (r.maxUses !== null && r.uses >= r.maxUses) return "used_up";
  return "active";
}

export function toInvite(r: InviteRow, at?: string): Invite {
  return {
    id: r.id, workspace_id: r.workspaceId, role: r.role, created_by: r.createdBy, created_at: r.createdAt, expires_at: r.expiresAt,
    max_uses: r.maxUses, uses: r.uses, uses_left: r.maxUses === null ? null : Math.max(0, r.maxUses - r.uses), revoked_at: r.revokedAt,
    email: r.email, status: inviteStatus(r, at),
  };
}

const GONE: Record<Exclude<InviteStatus, "active">, [string, string]> = {
  expired: ["invite_expired", "this invite link has expired: ask for a new one"],
  revoked: ["invite_revoked", "this invite link was revoked: ask for a new one"],
  used_up: ["invite_used_up", "this invite link has been used as many times as it allows: ask for a new one"],
};

/** The 410 that says why an invite in this status cannot be used; null when it can. */
export function refusal(status: InviteStatus): AppError | null {
  return status === "active" ? null : new AppError(410, GONE[status][0], GONE[status][1]);
}

/** 410 with the reason when the invite cannot be used now. */
export function assertRedeemable(r: InviteRow, at?: string): void {
  const why = refusal(inviteStatus(r, at));
  if (why) throw why;
}

/** Why a use could not be counted after all (another redeemer took the last one, or a revocation won). */
export function useRefused(fresh: InviteRow): AppError {
  return refusal(inviteStatus(fresh)) ?? refusal("used_up")!;
}

export const inviteNotFound = () => new AppError(404, "invite_not_found", "this invite link is not valid: check that it was copied whole");

/** Validates what a manager asked for. */
export function inviteTerms(input: { role?: string; expires_in_hours?: number | null; max_uses?: number | null }, now = Date.now()): { role: InviteRole; expiresAt: string | null; maxUses: number | null } {
  const role = (input.role ?? "member") as InviteRole;
  if (!INVITE_ROLES.includes(role)) throw invalid("role must be member or guest", "invalid_role");
  const hours = input.expires_in_hours ?? null;
  if (hours !== null && (!Number.isFinite(hours) || hours <= 0 || hours > INVITE_MAX_TTL_HOURS)) throw invalid(`expires_in_hours must be above 0 and at most ${INVITE_MAX_TTL_HOURS}`, "invalid_expiry");
  const maxUses = input.max_uses ?? null;
  if (maxUses !== null && (!Number.isInteger(maxUses) || maxUses < 1 || maxUses > INVITE_MAX_USES)) throw invalid(`max_uses must be a whole number from 1 to ${INVITE_MAX_USES}`, "invalid_max_uses");
  return { role, expiresAt: hours === null ? null : new Date(now + hours * 3_600_000).toISOString(), maxUses };
}

/**
 * Joining through an invite never lowers anyone: a member stays a member when they open a guest
 * invite, and an existing member does not spend a use.
 */
export function joinOutcome(current: Role | null, invited: InviteRole): { role: Role; join: boolean } {
  if (current === null) return { role: invited, join: true };
  if (current === "guest" && invited === "member") return { role: "member", join: true };
  return { role: current, join: false };
}

/** Where the browser opens an invite: the token rides in the fragment, never in a request line or a log. */
export function inviteUrl(base: string, token: string): string {
  return `${base.replace(/\/$/, "")}/app/invite#token=${encodeURIComponent(token)}`;
}
