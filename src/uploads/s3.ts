// Upload storage in any S3-compatible object store, through Bun's built-in S3 client. Objects
// are written with a multipart writer (parts of 8 MiB, so memory stays bounded for a 64 MiB
// upload) and read back as ranged streams.
import { S3Client } from "bun";
import { StorageError, type UploadStorage } from "./storage.ts";

export interface S3Options {
  bucket: string;
  prefix: string;
  endpoint: string | null;
  region: string | null;
  accessKeyId: string | null;
  secretAccessKey: string | null;
}

const PART_BYTES = 8 * 1024 * 1024;

function code(err: unknown): string {
  return String((err as { code?: unknown })?.code ?? "");
}

export class S3Storage implements UploadStorage {
  readonly description: string;
  private client: S3Client;
  private prefix: string;

  constructor(o: S3Options) {
    this.prefix = o.prefix ? `${o.prefix}/` : "";
    this.description = `s3://${o.bucket}/${o.prefix}`;
    this.client = new S3Client({
      bucket: o.bucket,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.region ? { region: o.region } : {}),
      ...(o.accessKeyId && o.secretAccessKey ? { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey } : {}),
    });
  }

  private file(key: string) {
    return this.client.file(this.prefix + key);
  }

  async write(key: string, chunks: AsyncIterable<Uint8Array>, contentType: string): Promise<void> {
    const writer = this.file(key).writer({ type: contentType, partSize: PART_BYTES, retry: 2 });
    let sourceFailed = false;
    try {
      try {
        let buffered = 0;
        for await (const chunk of chunks) {
          writer.write(chunk);
          buffered += chunk.byteLength;
          // Wait for each full part to go out, so memory holds about one part, not the file.
          if (buffered >= PART_BYTES) {
            await writer.flush();
            buffered = 0;
          }
        }
      } catch (err) {
        sourceFailed = true;
        throw err;
      }
      await writer.end();
    } catch (err) {
      if (sourceFailed) {
        // Finish what was started (an unfinished multipart upload would linger unseen); the
        // caller removes the partial object.
        await Promise.resolve(writer.end()).catch(() => {});
        throw err;
      }
      throw new StorageError(`S3 write failed: ${code(err) || (err as Error).message}`);
    }
  }

  async read(key: string, start: number, end: number): Promise<ReadableStream<Uint8Array> | null> {
    // The first read tells whether the object exists and the store answers, before any header
    // is sent: a missing object is a 404, an unreachable store a 503, never a truncated 200.
    const reader = this.file(key).slice(start, end).stream().getReader();
    let first: Awaited<ReturnType<typeof reader.read>>;
    try {
      first = await reader.read();
    } catch (err) {
      if (code(err) === "NoSuchKey") return null;
      throw new StorageError(`S3 read failed: ${code(err) || (err as Error).message}`);
    }
    let pending: typeof first | null = first;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const r = pending ?? (await reader.read());
        pending = null;
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
  }

  async remove(key: string): Promise<void> {
    try {
      await this.file(key).delete();
    } catch (err) {
      if (code(err) === "NoSuchKey") return;
      throw new StorageError(`S3 delete failed: ${code(err) || (err as Error).message}`);
    }
  }
}
