// Upload metadata, quota reservations, attachments and the storage cleanup queue on Postgres.
import { and, asc, eq, isNull, lt, sql } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import { assertUploadFits } from "../../chat/quotas.ts";
import { messageUpdated } from "../../chat/events.ts";
import { assertAuthor, assertNonceReplay, attachable } from "../../chat/posting.ts";
import { newId } from "../../chat/ids.ts";
import type { ChatEvent } from "../../chat/types.ts";
import type { UploadRecord, UploadStore } from "../store.ts";
import { now } from "../rows.ts";
import { toUpload } from "../rows.ts";
import { countAll } from "./channels.ts";
import type { Db, PgGroupCommitWriter } from "./database.ts";
import { appendEvent } from "./events.ts";
import { hydrate } from "./hydrate.ts";
import { audienceOf, scopeOfRow } from "./messages.ts";
import { messages, uploadCleanup, uploads } from "./schema.ts";
import { first } from "./users.ts";

type Row = typeof uploads.$inferSelect;
type MessageRow = typeof messages.$inferSelect;

function toRecord(r: Row): UploadRecord {
  return { upload: toUpload(r), status: r.status, storageKey: r.storageKey, fingerprint: r.fingerprint, messageId: r.messageId, detachedAt: r.detachedAt };
}

/**
 * Attaches an upload to a message inside the caller's write. Only the message's author may
 * attach, only their own upload, from the same workspace, and only once: false when it already
 * is on this message. The upload row is locked, so two processes cannot attach it twice.
 */
export async function attachUploadRow(tx: Db, uploadId: string, message: Pick<MessageRow, "id" | "workspaceId" | "authorId">): Promise<boolean> {
  // The rule counts synchronously: the count is read beside the (locked) upload, one round trip.
  const [up, files] = await Promise.all([
    first(tx.select().from(uploads).where(and(eq(uploads.id, uploadId), eq(uploads.status, "ready"))).for("update")),
    first(tx.select({ n: countAll }).from(uploads).where(eq(uploads.messageId, message.id))),
  ]);
  if (!attachable(up, message, () => files?.n ?? 0)) return false;
  await tx.update(uploads).set({ messageId: message.id, attachedAt: now(), detachedAt: null }).where(eq(uploads.id, uploadId));
  return true;
}

/** A deleted message lets go of its files; from then on only their owners can fetch them. */
export async function detachUploads(tx: Db, messageId: string, at: string): Promise<void> {
  await tx.update(uploads).set({ messageId: null, detachedAt: at }).where(eq(uploads.messageId, messageId));
}

async function enqueue(tx: Db, storageKey: string, reason: string): Promise<void> {
  await tx.insert(uploadCleanup).values({ storageKey, reason, enqueuedAt: now() });
}

export function pgUploads(db: Db, writer: PgGroupCommitWriter): UploadStore {
  const ready = (q: Db, where: ReturnType<typeof and>) => first(q.select().from(uploads).where(and(where, eq(uploads.status, "ready"))));

  return {
    reserve({ workspaceId, ownerId, bytes, quota }) {
      return writer.write(async (tx) => {
        // One person's reservations queue on a transaction lock, in every process: the sum they
        // check (across every live workspace, so a new workspace brings no fresh quota) cannot
        // change under them before they insert.
        await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`quota:${ownerId}`}, 0))`);
        const [used] = await tx.execute<{ n: number; b: number }>(sql`SELECT count(*)::int AS n, coalesce(sum(u.byte_size), 0)::float8 AS b FROM uploads u
          JOIN workspaces w ON w.id = u.workspace_id AND w.deleted_at IS NULL WHERE u.owner_id = ${ownerId}`);
        assertUploadFits({ files: used?.n ?? 0, bytes: used?.b ?? 0 }, bytes, quota);
        const id = newId("upl");
        const storageKey = `${workspaceId}/${id}`;
        await tx.insert(uploads).values({
          id, workspaceId, ownerId, status: "pending", filename: "", contentType: "application/octet-stream", byteSize: bytes, storageKey, createdAt: now(),
        });
        return { id, storageKey };
      });
    },
    complete(id, meta) {
      return writer.write(async (tx) => {
        const row = await first(tx.select().from(uploads).where(and(eq(uploads.id, id), eq(uploads.status, "pending"))));
        // Gone: the workspace was deleted while the bytes were on their way.
        if (!row) throw notFound("upload reservation");
        if (meta.nonce) {
          const existing = await ready(tx, and(eq(uploads.workspaceId, row.workspaceId), eq(uploads.ownerId, row.ownerId), eq(uploads.nonce, meta.nonce)));
          if (existing) {
            assertNonceReplay(existing.fingerprint, meta.fingerprint, "upload");
            await tx.delete(uploads).where(eq(uploads.id, id));
            await enqueue(tx, row.storageKey, "nonce_replay");
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
        await tx.update(uploads).set(done).where(eq(uploads.id, id));
        return { upload: toUpload({ ...row, ...done }), replayed: false };
      });
    },
    release(id, storageKey) {
      return writer.write(async (tx) => {
        await tx.delete(uploads).where(and(eq(uploads.id, id), eq(uploads.status, "pending")));
        await enqueue(tx, storageKey, "upload_failed");
      });
    },
    async get(id) {
      const r = await ready(db, eq(uploads.id, id));
      return r ? toRecord(r) : null;
    },
    async byNonce(workspaceId, ownerId, nonce) {
      const r = await ready(db, and(eq(uploads.workspaceId, workspaceId), eq(uploads.ownerId, ownerId), eq(uploads.nonce, nonce)));
      return r ? toRecord(r) : null;
    },
    attach(messageId, uploadId, actorId) {
      return writer.write(async (tx, emit) => {
        const m = await first(tx.select().from(messages).where(eq(messages.id, messageId)));
        if (!m || m.deletedAt) throw notFound("message");
        assertAuthor(m, actorId, "attach files to");
        await emit.lock(tx, m.workspaceId);
        let event: ChatEvent | null = null;
        if (await attachUploadRow(tx, uploadId, m)) {
          event = await appendEvent(tx, emit, messageUpdated(m, await audienceOf(scopeOfRow(m), tx), { uploadId }));
        }
        return { message: (await hydrate(tx, [m], actorId))[0]!, event };
      });
    },
    queueCleanup(storageKey, reason) {
      return writer.write((tx) => enqueue(tx, storageKey, reason));
    },
    async cleanupBatch(limit) {
      return db.select({ id: uploadCleanup.id, storageKey: uploadCleanup.storageKey, attempts: uploadCleanup.attempts })
        .from(uploadCleanup).orderBy(asc(uploadCleanup.attempts), asc(uploadCleanup.id)).limit(limit);
    },
    cleanupDone(id) {
      return writer.write(async (tx) => {
        await tx.delete(uploadCleanup).where(eq(uploadCleanup.id, id));
      });
    },
    cleanupFailed(id, error) {
      return writer.write(async (tx) => {
        await tx.update(uploadCleanup).set({ attempts: sql`${uploadCleanup.attempts} + 1`, lastError: error.slice(0, 500) }).where(eq(uploadCleanup.id, id));
      });
    },
    sweepReservations(before) {
      return writer.write(async (tx) => {
        const stale = await tx.select().from(uploads).where(and(eq(uploads.status, "pending"), lt(uploads.createdAt, before), isNull(uploads.messageId)));
        for (const r of stale) {
          await enqueue(tx, r.storageKey, "abandoned_upload");
          await tx.delete(uploads).where(eq(uploads.id, r.id));
        }
        return stale.length;
      });
    },
  };
}
