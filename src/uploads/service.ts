// Receiving an upload and keeping storage clean.
//
// Receiving: quota is reserved (a pending row, in the writer's transaction) before any byte is
// stored; the multipart body streams from the socket through an inspector (size, sha256, type
// sniffing) into storage; the reservation then becomes the upload. Any failure on the way gives
// the reservation back and queues whatever was stored for deletion.
//
// Cleaning: upload_cleanup is a durable queue of storage keys (failed uploads, replays, deleted
// workspaces). It is drained after each failure, every `intervalMs`, and at start, so objects
// that could not be removed while storage was down are removed once it is back.
import { AppError, invalid, unavailable } from "../chat/errors.ts";
import type { Store } from "../store/store.ts";
import { sanitizeFilename } from "./http.ts";
import { boundaryOf, readMultipart } from "./multipart.ts";
import { Inspector } from "./sniff.ts";
import { StorageError, type UploadStorage } from "./storage.ts";
import { type Upload, UPLOAD_LIMITS, type UploadQuota } from "./types.ts";
import { backgroundLog } from "../observability/log.ts";

export interface ReceiveInput {
  request: Request;
  workspaceId: string;
  ownerId: string;
  nonce: string | null;
}

interface FilePart {
  filename: string;
  claimedType: string | null;
  inspector: Inspector;
}

/** Storage failures are the server's (503); everything else keeps its own status. */
function asHttpError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof StorageError) return unavailable(`upload storage is unavailable: ${err.message}`);
  return unavailable(`upload storage is unavailable: ${(err as Error)?.message ?? String(err)}`);
}

/** A partial file untouched this long belongs to a write that is not coming back. */
const PARTIAL_IDLE_MS = 10 * 60_000;

export class UploadService {
  private draining: Promise<{ removed: number; failed: number }> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  /**
   * Reservations older than this were left by an earlier process. Taken when the service is made,
   * before the server listens: the server starts the upkeep later, after answering its first
   * requests, whose reservations are this process's own.
   */
  private readonly madeAt = new Date().toISOString();

  constructor(
    private store: Store,
    readonly storage: UploadStorage,
    private quota: UploadQuota,
    private maxRequestBytes: number = UPLOAD_LIMITS.requestBytes,
  ) {}

  /**
   * Streams the request's `file` part. The callback gets each part as it arrives and decides
   * where the file's bytes go; the other fields are skipped, and a second file is refused.
   */
  private async eachFile(request: Request, onFile: (chunks: AsyncIterable<Uint8Array>, part: FilePart) => Promise<void>): Promise<FilePart> {
    const boundary = boundaryOf(request.headers.get("content-type"));
    if (!boundary) throw invalid("an upload is a multipart/form-data body with a `file` field", "invalid_multipart");
    if (!request.body) throw invalid("the upload has no body", "invalid_multipart");
    let found: FilePart | null = null;
    for await (const part of readMultipart(request.body, boundary, this.maxRequestBytes)) {
      if (part.name !== "file") continue;
      if (found) throw invalid("one file per upload", "invalid_multipart");
      const file: FilePart = { filename: sanitizeFilename(part.filename), claimedType: part.contentType, inspector: new Inspector() };
      found = file;
      const chunks = (async function* () {
        for await (const chunk of part.body) {
          file.inspector.push(chunk);
          yield chunk;
        }
      })();
      await onFile(chunks, file);
    }
    if (!found) throw invalid("the upload has no `file` field", "invalid_multipart");
    return found;
  }

  /** Stores the request's file as an upload; a nonce already used replays or conflicts. */
  async receive(input: ReceiveInput): Promise<{ upload: Upload; replayed: boolean }> {
    const declared = Number(input.request.headers.get("content-length") ?? NaN);
    if (declared > this.maxRequestBytes) throw new AppError(413, "too_large", `an upload is at most ${this.maxRequestBytes} bytes`);
    if (input.nonce) {
      const earlier = await this.store.uploads.byNonce(input.workspaceId, input.ownerId, input.nonce);
      if (earlier) return this.replay(input.request, earlier.upload, earlier.fingerprint);
    }
    // Reserve what the request may hold: its declared length, or the most a request may be.
    const bytes = Number.isSafeInteger(declared) && declared >= 0 ? declared : this.maxRequestBytes;
    const { id, storageKey } = await this.store.uploads.reserve({ workspaceId: input.workspaceId, ownerId: input.ownerId, bytes, quota: this.quota });
    try {
      const file = await this.eachFile(input.request, (chunks, part) => this.storage.write(storageKey, chunks, part.claimedType ?? "application/octet-stream"));
      const sniffed = await file.inspector.result(file.claimedType, file.filename);
      const result = await this.store.uploads.complete(id, {
        filename: file.filename,
        contentType: sniffed.contentType,
        byteSize: file.inspector.bytes,
        width: sniffed.width,
        height: sniffed.height,
        durationMs: sniffed.durationMs,
        nonce: input.nonce,
        fingerprint: file.inspector.fingerprint(file.filename),
      });
      // A replay (the nonce was completed by a concurrent request) queued this object.
      if (result.replayed) void this.drain();
      return result;
    } catch (err) {
      await this.store.uploads.release(id, storageKey).catch((err) => backgroundLog().error({ err }, "releasing an upload reservation failed"));
      void this.drain();
      throw asHttpError(err);
    }
  }

  /**
   * Stores bytes the server fetched itself (a GitHub avatar) through the same path as a client's
   * upload: quota, type sniffing, nonce replay.
   */
  async storeBytes(input: { workspaceId: string; ownerId: string; filename: string; bytes: Blob; nonce: string }): Promise<{ upload: Upload; replayed: boolean }> {
    const form = new FormData();
    form.append("file", input.bytes, input.filename);
    // Encoded first so the reservation is the body's real length, not the most a request may be.
    const encoded = new Response(form);
    const type = encoded.headers.get("content-type")!; // read before the body: Bun drops it after
    const body = await encoded.arrayBuffer();
    const headers = { "content-type": type, "content-length": String(body.byteLength) };
    const request = new Request("http://server.internal/api/uploads", { method: "POST", body, headers });
    return this.receive({ request, workspaceId: input.workspaceId, ownerId: input.ownerId, nonce: input.nonce });
  }

  /** The same nonce again: the earlier upload if the content is the same, else 409. */
  private async replay(request: Request, upload: Upload, fingerprint: string | null): Promise<{ upload: Upload; replayed: boolean }> {
    const file = await this.eachFile(request, async (chunks) => {
      for await (const _ of chunks) {
        // Only hashed, never stored.
      }
    });
    if (file.inspector.fingerprint(file.filename) !== fingerprint) throw new AppError(409, "nonce_conflict", "nonce was already used for a different upload");
    return { upload, replayed: true };
  }

  /** Removes queued objects; what storage refuses stays queued for the next run. */
  drain(): Promise<{ removed: number; failed: number }> {
    if (!this.draining) {
      this.draining = this.drainOnce().finally(() => {
        this.draining = null;
      });
    }
    return this.draining;
  }

  private async drainOnce(): Promise<{ removed: number; failed: number }> {
    let removed = 0;
    let failed = 0;
    const seen = new Set<number>();
    for (;;) {
      const batch = (await this.store.uploads.cleanupBatch(100)).filter((j) => !seen.has(j.id));
      if (batch.length === 0) return { removed, failed };
      for (const job of batch) {
        seen.add(job.id);
        try {
          await this.storage.remove(job.storageKey);
          await this.store.uploads.cleanupDone(job.id);
          removed++;
        } catch (err) {
          failed++;
          await this.store.uploads.cleanupFailed(job.id, (err as Error)?.message ?? String(err));
        }
      }
    }
  }

  /**
   * Background upkeep: at once, reservations left by an earlier process are given back and the
   * queue is drained; then the queue is drained every `intervalMs`. Stops with the store.
   */
  start(intervalMs = 30_000): () => void {
    const tick = async () => {
      try {
        await this.store.ping();
      } catch {
        this.stop();
        return;
      }
      await this.drain().catch((err) => backgroundLog().error({ err }, "upload cleanup failed"));
    };
    void this.store.uploads
      .sweepReservations(this.madeAt)
      .catch(() => 0)
      .then(tick)
      // A crash mid-write leaves a partial file no row knows about. Another instance sharing
      // the directory touches its in-progress files far more often than PARTIAL_IDLE_MS.
      .then(() => this.storage.sweepPartials?.(PARTIAL_IDLE_MS))
      .catch((err) => console.error("removing partial uploads failed", err));
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref?.();
    return () => this.stop();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
