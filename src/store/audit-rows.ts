// The audit log's row <-> wire mapping, shared by both stores (the columns are the same).
import type { AuditLogEntry, NewAuditEntry } from "../chat/audit.ts";
import { newId } from "../chat/ids.ts";

export interface AuditRow {
  id: string;
  workspaceId: string;
  actorUserId: string;
  action: string;
  targetType: string;
  targetId: string;
  metadata: string;
  createdAt: string;
}

export function auditRow(e: NewAuditEntry, at: string): AuditRow {
  return { id: newId("aud"), workspaceId: e.workspaceId, actorUserId: e.actorId, action: e.action, targetType: e.targetType, targetId: e.targetId, metadata: JSON.stringify(e.metadata), createdAt: at };
}

export function toAuditEntry(r: AuditRow): AuditLogEntry {
  return { id: r.id, workspace_id: r.workspaceId, actor_user_id: r.actorUserId, action: r.action, target_type: r.targetType, target_id: r.targetId, metadata: JSON.parse(r.metadata) as Record<string, unknown>, created_at: r.createdAt };
}

/** A page of newest-first rows fetched with one extra: the entries and where the next page starts. */
export function auditPage(rows: AuditRow[], limit: number): { entries: AuditLogEntry[]; next_cursor: string | null } {
  const page = rows.slice(0, limit);
  return { entries: page.map(toAuditEntry), next_cursor: rows.length > limit ? page[page.length - 1]!.id : null };
}
