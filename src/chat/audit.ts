// The audit log: who did what to a workspace's administration (roles, moderation, channels, the
// workspace itself, bots and their credentials, integrations). An entry is written in the same
// transaction as the action it records, so the log never claims an action that rolled back and
// never misses one that committed.
//
// Two ways in, one row shape:
// - Store code that already runs a transaction calls its dialect's `appendAudit(tx, entry)`
//   (src/store/sqlite/audit.ts, src/store/postgres/audit.ts) with an entry built here.
// - A caller outside the store (a route handler, the admin CLI) wraps the store call in
//   `audited(record, () => store.x.y(...))`: the writer captures the pending record when the
//   write is queued (as it captures the correlation id) and appends it inside that write's
//   savepoint, after the write succeeded. A refused write records nothing.
import { AsyncLocalStorage } from "node:async_hooks";

export const AUDIT_ACTIONS = [
  "member.role_changed", "member.timed_out", "member.timeout_cleared", "member.blocked", "member.unblocked", "member.note_changed",
  "channel.created", "channel.renamed", "channel.updated", "channel.archived", "channel.unarchived", "channel.deleted",
  "workspace.renamed", "workspace.updated", "workspace.deleted", "workspace.ownership_transferred",
  "bot.created", "bot.retired", "bot.removed_from_workspace", "bot_token.minted", "bot_token.revoked",
  "bot_setup_code.minted", "bot_setup_code.claimed",
  "slash_command.created", "slash_command.secret_rotated", "slash_command.revoked",
  "event_subscription.created", "event_subscription.secret_rotated", "event_subscription.revoked", "event_subscription.enabled",
  "event_subscription.redelivered",
  "app.installed", "app.revoked",
  "incoming_webhook.created", "incoming_webhook.secret_rotated", "incoming_webhook.revoked",
  "connected_account.linked", "connected_account.revoked",
  "member.added",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditTargetType = "member" | "channel" | "workspace" | "bot" | "bot_token" | "bot_setup_code" | "slash_command" | "event_subscription" | "app_installation" | "incoming_webhook" | "connected_account";

/** An entry about to be written: the store gives it an id and a time. */
export interface NewAuditEntry {
  workspaceId: string;
  /** Who acted; the admin CLI records "cli" (an operator on the server, not a person of the workspace). */
  actorId: string;
  action: AuditAction;
  targetType: AuditTargetType;
  targetId: string;
  metadata: Record<string, unknown>;
}

/** The wire shape (the original's): GET /api/workspaces/{id}/audit-log. */
export interface AuditLogEntry {
  id: string;
  workspace_id: string;
  actor_user_id: string;
  action: string;
  target_type: string;
  target_id: string;
  metadata: Record<string, unknown>;
  created_at: string;
}

/** The actor the admin CLI records: an operator with shell access, not a member. */
export const CLI_ACTOR = "cli";

export function auditEntry(
  workspaceId: string,
  actorId: string,
  action: AuditAction,
  target: { type: AuditTargetType; id: string },
  metadata: Record<string, unknown> = {},
): NewAuditEntry {
  // Metadata is for people reading the log: never secrets (a raw token, a signing secret).
  return { workspaceId, actorId, action, targetType: target.type, targetId: target.id, metadata: withoutSecrets(metadata) };
}

const SECRET_KEYS = new Set(["token", "signing_secret", "secret", "code", "password"]);

function withoutSecrets(metadata: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(metadata).filter(([k, v]) => !SECRET_KEYS.has(k) && v !== undefined));
}

/** What a moderation patch did, one entry per change (a patch may set a role and a timeout at once). */
export function moderationAudit(
  workspaceId: string,
  actorId: string,
  userId: string,
  before: { role: string; timeoutUntil: string | null; blockedAt: string | null },
  patch: { role?: string; timeoutUntil?: string | null; blocked?: boolean; note?: string | null },
): NewAuditEntry[] {
  const target = { type: "member" as const, id: userId };
  const out: NewAuditEntry[] = [];
  if (patch.role !== undefined && patch.role !== before.role) out.push(auditEntry(workspaceId, actorId, "member.role_changed", target, { from: before.role, to: patch.role }));
  if (patch.timeoutUntil !== undefined) {
    out.push(patch.timeoutUntil ? auditEntry(workspaceId, actorId, "member.timed_out", target, { until: patch.timeoutUntil }) : auditEntry(workspaceId, actorId, "member.timeout_cleared", target));
  }
  if (patch.blocked !== undefined && patch.blocked !== (before.blockedAt !== null)) out.push(auditEntry(workspaceId, actorId, patch.blocked ? "member.blocked" : "member.unblocked", target));
  if (patch.note !== undefined) out.push(auditEntry(workspaceId, actorId, "member.note_changed", target));
  return out;
}

/** What a channel patch did: a rename, an archive or unarchive, or a change of presentation. */
export function channelPatchAudit(
  workspaceId: string,
  actorId: string,
  before: { id: string; name: string; archivedAt: string | null },
  patch: { name?: string; archived?: boolean; [k: string]: unknown },
): NewAuditEntry[] {
  const target = { type: "channel" as const, id: before.id };
  const out: NewAuditEntry[] = [];
  if (patch.name !== undefined && patch.name !== before.name) out.push(auditEntry(workspaceId, actorId, "channel.renamed", target, { from: before.name, to: patch.name }));
  if (patch.archived !== undefined && patch.archived !== (before.archivedAt !== null)) out.push(auditEntry(workspaceId, actorId, patch.archived ? "channel.archived" : "channel.unarchived", target, { name: before.name }));
  const other = Object.keys(patch).filter((k) => k !== "name" && k !== "archived" && patch[k] !== undefined);
  if (other.length > 0) out.push(auditEntry(workspaceId, actorId, "channel.updated", target, { fields: other.sort() }));
  return out;
}

/** Entries to record, fixed in advance or made from what the write returned (a new row's id). */
export type AuditRecord = NewAuditEntry | NewAuditEntry[] | ((result: unknown) => NewAuditEntry | NewAuditEntry[]);

interface Pending {
  record: AuditRecord;
  done: boolean;
}

const pending = new AsyncLocalStorage<Pending | undefined>();

/**
 * Runs a store call so that its write also appends `record` to the audit log, in the same
 * transaction. Only the first successful write of the call records (a store call is one write).
 */
export function audited<T>(record: AuditRecord, fn: () => Promise<T>): Promise<T> {
  return pending.run({ record, done: false }, fn);
}

/**
 * For the writers: the audit record of the call that is queueing a write, if any. The writer
 * appends `entriesFor(value)` inside the write's savepoint (again on a retried run: the rolled
 * back attempt left nothing) and calls `committed()` once the write committed, so that a
 * second write of the same call records nothing more.
 */
export function capturePendingAudit(): { entriesFor(result: unknown): NewAuditEntry[]; committed(): void } | null {
  const p = pending.getStore();
  if (!p || p.done) return null;
  return {
    entriesFor(result) {
      if (p.done) return [];
      const r = typeof p.record === "function" ? p.record(result) : p.record;
      return Array.isArray(r) ? r : [r];
    },
    committed() {
      p.done = true;
    },
  };
}
