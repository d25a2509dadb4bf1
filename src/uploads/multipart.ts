// A streaming multipart/form-data reader (RFC 7578). Parts are handed out one at a time with
// their body as a stream, so an upload goes from the socket to storage without being held in
// memory, and the whole request is capped: past the limit it fails with 413 having read no more
// than the limit.
import { AppError, invalid, tooLarge } from "../chat/errors.ts";

export interface Part {
  /** The form field name. */
  name: string;
  /** The client's filename, if the part is a file. */
  filename: string | null;
  contentType: string | null;
  /** Read it (or stop reading it) before asking for the next part. */
  body: AsyncGenerator<Uint8Array, void, undefined>;
}

const CRLF = Buffer.from("\r\n");
const HEADER_END = Buffer.from("\r\n\r\n");
const MAX_HEADER_BYTES = 16 * 1024;

const malformed = (why: string) => invalid(`malformed multipart body: ${why}`, "invalid_multipart");

/** The boundary of a multipart/form-data Content-Type, or null. */
export function boundaryOf(contentType: string | null): string | null {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]!) : null;
}

/** Parameters of a header such as Content-Disposition; `filename*` (RFC 5987) wins over `filename`. */
export function headerParams(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of value.matchAll(/;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g)) {
    const key = m[1]!.toLowerCase();
    let v = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]!.trim();
    if (key.endsWith("*")) {
      const ext = /^([\w-]+)'[^']*'(.*)$/.exec(v);
      if (!ext || ext[1]!.toLowerCase() !== "utf-8") continue;
      try {
        v = decodeURIComponent(ext[2]!);
      } catch {
        continue;
      }
      out[key.slice(0, -1)] = v;
      continue;
    }
    if (!(key in out)) out[key] = v;
  }
  return out;
}

/** Bytes from the request, counted against the cap, with a look-ahead buffer. */
class Source {
  buf: Uint8Array = new Uint8Array(0);
  total = 0;
  private eof = false;

  constructor(private reader: ReadableStreamDefaultReader<Uint8Array>, private max: number) {}

  async more(): Promise<boolean> {
    if (this.eof) return false;
    let r: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;
    try {
      r = await this.reader.read();
    } catch {
      throw new AppError(400, "upload_interrupted", "the upload was interrupted");
    }
    if (r.done) {
      this.eof = true;
      return false;
    }
    this.total += r.value.byteLength;
    if (this.total > this.max) {
      await this.reader.cancel().catch(() => {});
      throw tooLarge(`request body is larger than ${this.max} bytes`);
    }
    this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    return true;
  }

  private find(needle: Buffer): number {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength).indexOf(needle);
  }

  /** At least n bytes buffered (false at the end of the body). */
  async want(n: number): Promise<boolean> {
    while (this.buf.length < n) if (!(await this.more())) return false;
    return true;
  }

  startsWith(bytes: Buffer): boolean {
    return this.buf.length >= bytes.length && bytes.every((b, i) => this.buf[i] === b);
  }

  skip(n: number): void {
    this.buf = this.buf.subarray(n);
  }

  /** Yields the bytes before `delim` and consumes `delim`; the body must contain it. */
  async *until(delim: Buffer): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const i = this.find(delim);
      if (i >= 0) {
        if (i > 0) yield this.buf.subarray(0, i);
        this.buf = this.buf.subarray(i + delim.length);
        return;
      }
      // Everything but a possible start of the delimiter can go out now.
      const safe = this.buf.length - (delim.length - 1);
      if (safe > 0) {
        const out = this.buf.subarray(0, safe);
        this.buf = this.buf.subarray(safe);
        yield out;
      }
      if (!(await this.more())) throw malformed("it ended inside a part");
    }
  }
}

async function collect(gen: AsyncGenerator<Uint8Array, void, undefined>, max: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const chunk of gen) {
    n += chunk.byteLength;
    if (n > max) throw malformed("part headers are too long");
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

function parseHeaders(block: string): { name: string; filename: string | null; contentType: string | null } {
  const headers = new Map<string, string>();
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get("content-disposition");
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) throw malformed("a part without Content-Disposition: form-data");
  const params = headerParams(disposition);
  if (params.name === undefined) throw malformed("a part without a name");
  return { name: params.name, filename: params.filename ?? null, contentType: headers.get("content-type") ?? null };
}

/** The parts of a multipart/form-data body, in order. */
export async function* readMultipart(body: ReadableStream<Uint8Array>, boundary: string, maxBytes: number): AsyncGenerator<Part, void, undefined> {
  const src = new Source(body.getReader(), maxBytes);
  const delim = Buffer.from(`\r\n--${boundary}`);
  // The first boundary may open the body without a CRLF before it: lend it one.
  src.buf = Buffer.from(CRLF);
  for await (const _ of src.until(delim)) {
    // The preamble is ignored.
  }
  for (;;) {
    if (!(await src.want(2))) throw malformed("it ended after a boundary");
    if (src.startsWith(Buffer.from("--"))) return;
    // Transport padding, then the line break that ends the boundary line.
    while (src.buf.length > 0 && (src.buf[0] === 0x20 || src.buf[0] === 0x09)) {
      src.skip(1);
      await src.want(2);
    }
    if (!(await src.want(2)) || !src.startsWith(CRLF)) throw malformed("a boundary is not followed by a line break");
    src.skip(2);
    let head = "";
    if (!(await src.want(2))) throw malformed("it ended before a part's headers");
    if (src.startsWith(CRLF)) src.skip(2);
    else head = new TextDecoder().decode(await collect(src.until(HEADER_END), MAX_HEADER_BYTES));
    const { name, filename, contentType } = parseHeaders(head);
    const inner = src.until(delim);
    // The consumer gets its own generator: abandoning it (break) leaves `inner` open, and
    // whatever was left unread is skipped below, up to the next boundary.
    const partBody = (async function* () {
      for (let r = await inner.next(); !r.done; r = await inner.next()) yield r.value;
    })();
    yield { name, filename, contentType, body: partBody };
    for (let r = await inner.next(); !r.done; r = await inner.next()) {
      // Skipped.
    }
  }
}
