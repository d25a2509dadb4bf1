// The audit log on Postgres: appended inside writer jobs (src/chat/audit.ts says how it is fed).
import { and, desc, eq, lt } from "drizzle-orm";
import type { NewAuditEntry } from "../../chat/audit.ts";
import { auditPage, auditRow, toAuditEntry } from "../audit-rows.ts";
import { now } from "../rows.ts";
import type { AuditStore } from "../store.ts";
import type { Db, PgGroupCommitWriter } from "./database.ts";
import { auditLog } from "./schema.ts";

/** Appends entries to the audit log; call only inside a writer job (the action's transaction). */
export async function appendAudit(tx: Db, entries: NewAuditEntry | NewAuditEntry[]) {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return [];
  const at = now();
  const rows = list.map((e) => auditRow(e, at));
  await tx.insert(auditLog).values(rows);
  return rows.map(toAuditEntry);
}

export function pgAudit(db: Db, writer: PgGroupCommitWriter): AuditStore {
  return {
    async list(workspaceId, q) {
      const conds = [eq(auditLog.workspaceId, workspaceId)];
      if (q.before) conds.push(lt(auditLog.id, q.before));
      if (q.action) conds.push(eq(auditLog.action, q.action));
      if (q.actorId) conds.push(eq(auditLog.actorUserId, q.actorId));
      const rows = await db.select().from(auditLog).where(and(...conds)).orderBy(desc(auditLog.id)).limit(q.limit + 1);
      return auditPage(rows, q.limit);
    },
    record(entries) {
      return writer.write((tx) => appendAudit(tx, entries));
    },
  };
}
