// Upload metadata, quota reservations, attachments and the storage cleanup queue. The bytes live
// in upload storage (src/uploads); this module only ever holds their key.
import { and, asc, eq, isNull, lt, sql } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import { assertUploadFits } from "../../chat/quotas.ts";
import { messageUpdated } from "../../chat/events.ts";
import { assertAuthor, assertNonceReplay, attachable } from "../../chat/posting.ts";
import { newId } from "../../chat/ids.ts";
import type { ChatEvent } from "../../chat/types.ts";
import type { Upload } from "../../uploads/types.ts";
import type { UploadRecord, UploadStore } from "../store.ts";
import { inJsonList } from "./hydrate.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { appendEvent } from "./events.ts";
import { hydrate } from "./hydrate.ts";
import { audienceOf, scopeOfRow } from "./messages.ts";
import { now, toUpload } from "../rows.ts";
import { firstRow, rowColumns } from "./rows.ts";
import { messages, uploadCleanup, uploads } from "./schema.ts";

type Row = typeof uploads.$inferSelect;
type MessageRow = typeof messages.$inferSelect;


function toRecord(r: Row): UploadRecord {
  return { upload: toUpload(r), status: r.status, storageKey: r.storageKey, fingerprint: r.fingerprint, messageId: r.messageId, detachedAt: r.detachedAt };
}

function prepareAttached(db: Db) {
  const UPLOAD_ROW = rowColumns(uploads);
  return {
    one: db.$client.query<Row, { m: string }>(`SELECT ${UPLOAD_ROW} FROM uploads WHERE message_id = $m ORDER BY attached_at, id`),
    many: db.$client.query<Row, { ids: string }>(`SELECT ${UPLOAD_ROW} FROM uploads WHERE message_id IN (SELECT value FROM json_each($ids)) ORDER BY attached_at, id`),
  };
}
const attachedStatements = new WeakMap<Db, ReturnType<typeof prepareAttached>>();

/** The files of each message, in the order they were attached. */
export function attachmentsFor(db: Db, messageIds: string[]): Map<string, Upload[]> {
  const out = new Map<string, Upload[]>();
  if (messageIds.length === 0) return out;
  // One message is the write path's shape, many a page's: both compiled once.
  let st = attachedStatements.get(db);
  if (!st) attachedStatements.set(db, (st = prepareAttached(db)));
  const rows: Row[] = messageIds.length === 1 ? st.one.all({ m: messageIds[0]! }) : st.many.all({ ids: JSON.stringify(messageIds) });
  for (const r of rows) {
    const list = out.get(r.messageId!) ?? [];
    list.push(toUpload(r));
    out.set(r.messageId!, list);
  }
  return out;
}

/**
 * Attaches an upload to a message inside the caller's write. Only the message's author may
 * attach, only their own upload, from the same workspace, and only once: false when it already
 * is on this message.
 */
export function attachUploadRow(db: Db, uploadId: string, message: Pick<MessageRow, "id" | "workspaceId" | "authorId">): boolean {
  const up = db.select().from(uploads).where(and(eq(uploads.id, uploadId), eq(uploads.status, "ready"))).get();
  const filesOnMessage = () => firstRow<{ n: number }>(db, sql`SELECT count(*) AS n FROM uploads WHERE message_id = ${message.id}`)?.n ?? 0;
  if (!attachable(up, message, filesOnMessage)) return false;
  db.update(uploads).set({ messageId: message.id, attachedAt: now(), detachedAt: null }).where(eq(uploads.id, uploadId)).run();
  return true;
}

/** A deleted message lets go of its files; from then on only their owners can fetch them. */
export function detachUploads(db: Db, messageId: string, at: string): void {
  db.update(uploads).set({ messageId: null, detachedAt: at }).where(eq(uploads.messageId, messageId)).run();
}

function enqueue(db: Db, storageKey: string, reason: string): void {
  db.insert(uploadCleanup).values({ storageKey, reason, enqueuedAt: now() }).run();
}

export function sqliteUploads(db: Db, writer: GroupCommitWriter): UploadStore {
  const ready = (where: ReturnType<typeof and>) => db.select().from(uploads).where(and(where, eq(uploads.status, "ready"))).get();

  return {
    reserve({ workspaceId, ownerId, bytes, quota }) {
      return writer.write(() => {
        // Per person across every live workspace: a new workspace brings no fresh quota.
        const used = firstRow<{ n: number; b: number }>(db, sql`SELECT count(*) AS n, coalesce(sum(u.byte_size), 0) AS b FROM uploads u
          JOIN workspaces w ON w.id = u.workspace_id AND w.deleted_at IS NULL WHERE u.owner_id = ${ownerId}`) ?? { n: 0, b: 0 };
        assertUploadFits({ files: used.n, bytes: used.b }, bytes, quota);
        const id = newId("upl");
        const storageKey = `${workspaceId}/${id}`;
        db.insert(uploads).values({
          id, workspaceId, ownerId, status: "pending", filename: "", contentType: "application/octet-stream", byteSize: bytes, storageKey, createdAt: now(),
        }).run();
        return { id, storageKey };
      });
    },
    complete(id, meta) {
      return writer.write(() => {
        const row = db.select().from(uploads).where(and(eq(uploads.id, id), eq(uploads.status, "pending"))).get();
        // Gone: the workspace was deleted while the bytes were on their way.
        if (!row) throw notFound("upload reservation");
        if (meta.nonce) {
          const existing = ready(and(eq(uploads.workspaceId, row.workspaceId), eq(uploads.ownerId, row.ownerId), eq(uploads.nonce, meta.nonce)));
          if (existing) {
            assertNonceReplay(existing.fingerprint, meta.fingerprint, "upload");
            db.delete(uploads).where(eq(uploads.id, id)).run();
            enqueue(db, row.storageKey, "nonce_replay");
            return { upload: toUpload(existing), replayed: true };
          }
        }
        const done = {
          status: "ready" as const,
          nonce: meta.nonce,
          fingerprint: meta.fingerprint,
          filename: meta.filename,
          contentType: meta.contentType,
          byteSize: meta.byteSize,
          width: meta.width,
          height: meta.height,
          durationMs: meta.durationMs,
        };
        db.update(uploads).set(done).where(eq(uploads.id, id)).run();
        return { upload: toUpload({ ...row, ...done }), replayed: false };
      });
    },
    release(id, storageKey) {
      return writer.write(() => {
        db.delete(uploads).where(and(eq(uploads.id, id), eq(uploads.status, "pending"))).run();
        enqueue(db, storageKey, "upload_failed");
      });
    },
    async get(id) {
      const r = ready(eq(uploads.id, id));
      return r ? toRecord(r) : null;
    },
    async byNonce(workspaceId, ownerId, nonce) {
      const r = ready(and(eq(uploads.workspaceId, workspaceId), eq(uploads.ownerId, ownerId), eq(uploads.nonce, nonce)));
      return r ? toRecord(r) : null;
    },
    attach(messageId, uploadId, actorId) {
      return writer.write((emit) => {
        const m = db.select().from(messages).where(eq(messages.id, messageId)).get();
        if (!m) throw notFound("message");
        assertAuthor(m, actorId, "attach files to");
        if (m.deletedAt) throw notFound("message");
        let event: ChatEvent | null = null;
        if (attachUploadRow(db, uploadId, m)) {
          event = appendEvent(db, emit, messageUpdated(m, audienceOf(scopeOfRow(m), db), { uploadId }));
        }
        return { message: hydrate(db, [m], actorId)[0]!, event };
      });
    },
    queueCleanup(storageKey, reason) {
      return writer.write(() => enqueue(db, storageKey, reason));
    },
    async cleanupBatch(limit) {
      return db.select({ id: uploadCleanup.id, storageKey: uploadCleanup.storageKey, attempts: uploadCleanup.attempts })
        .from(uploadCleanup).orderBy(asc(uploadCleanup.attempts), asc(uploadCleanup.id)).limit(limit).all();
    },
    cleanupDone(id) {
      return writer.write(() => {
        db.delete(uploadCleanup).where(eq(uploadCleanup.id, id)).run();
      });
    },
    cleanupFailed(id, error) {
      return writer.write(() => {
        db.update(uploadCleanup).set({ attempts: sql`${uploadCleanup.attempts} + 1`, lastError: error.slice(0, 500) }).where(eq(uploadCleanup.id, id)).run();
      });
    },
    sweepReservations(before) {
      return writer.write(() => {
        const stale = db.select().from(uploads).where(and(eq(uploads.status, "pending"), lt(uploads.createdAt, before), isNull(uploads.messageId))).all();
        for (const r of stale) {
          enqueue(db, r.storageKey, "abandoned_upload");
          db.delete(uploads).where(eq(uploads.id, r.id)).run();
        }
        return stale.length;
      });
    },
  };
}
