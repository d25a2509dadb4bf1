// Where upload bytes live. One interface, two backends: local files and any S3-compatible
// object store (through Bun's built-in S3 client), chosen by CLICKCLACK_UPLOADS.
import type { UploadsConfig } from "../config/config.ts";
import { LocalStorage } from "./local.ts";
import { S3Storage } from "./s3.ts";

export interface UploadStorage {
  /** For logs: "file:///data/uploads", "s3://bucket/prefix". */
  readonly description: string;
  /**
   * Stores the chunks under `key`, durable when the promise resolves. When the chunks fail (the
   * client went away, the body is too large) the error is rethrown and a partial object may
   * remain: the caller queues the key for removal.
   */
  write(key: string, chunks: AsyncIterable<Uint8Array>, contentType: string): Promise<void>;
  /** Bytes [start, end) of the object, or null when there is no such object. */
  read(key: string, start: number, end: number): Promise<ReadableStream<Uint8Array> | Blob | null>;
  /** Removes the object; removing a missing object succeeds. */
  remove(key: string): Promise<void>;
  /**
   * Removes what interrupted writes left behind (a crash mid-upload) and nobody has touched for
   * `idleMs`; returns how many. Stores that write atomically have nothing to sweep.
   */
  sweepPartials?(idleMs: number): Promise<number>;
}

/** Storage failed (not the client): the request is answered 503 and may be retried. */
export class StorageError extends Error {}

export function openStorage(config: UploadsConfig): UploadStorage {
  const s = config.storage;
  if (s.kind === "file") return new LocalStorage(s.dir);
  return new S3Storage({ bucket: s.bucket, prefix: s.prefix, endpoint: s.endpoint, region: s.region, accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey });
}
