// What a file is, decided from its bytes: the binary format by `file-type` (the maintained
// signature database: AVIF and HEIC are images, not MP4), image dimensions from the headers of
// PNG, JPEG, GIF, WebP and HEIF/AVIF, the duration of a WAV, and text when the whole file is UTF-8
// without NULs. The client's claimed type is only ever used to refuse inline display (HTML, SVG),
// never to grant it; which types are shown inline is decided in ./http.ts.

export interface Sniffed {
  contentType: string;
  width: number | null;
  height: number | null;
  durationMs: number | null;
}

/** How much of the file's start the sniffers look at (a JPEG's frame header can sit behind EXIF). */
export const SNIFF_BYTES = 512 * 1024;

export const TEXT_TYPE = "text/plain; charset=utf-8";
export const HTML_TYPE = "text/html; charset=utf-8";
export const SVG_TYPE = "image/svg+xml";
export const BINARY_TYPE = "application/octet-stream";

const ascii = (b: Uint8Array, at: number, s: string) => s.length + at <= b.length && [...s].every((c, i) => b[at + i] === c.charCodeAt(0));
const be16 = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const le16 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const le24 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
const le32 = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const be32 = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

/**
 * file-type's answers, in the names this server has always stored (and browsers know), for the
 * few where they differ.
 */
const CANONICAL: Record<string, string> = {
  "audio/x-m4a": "audio/mp4",
  "video/matroska": "video/x-matroska",
  "audio/x-wav": "audio/wav",
  "audio/vnd.wave": "audio/wav",
  "image/heif": "image/heic",
};

/** The type of a binary format recognised by its signature, or null. */
export async function magicType(b: Uint8Array): Promise<string | null> {
  // Loaded with the first upload: file-type's decoders (and their `debug`) weighed on every start.
  const { fileTypeFromBuffer } = await import("file-type");
  const found = await fileTypeFromBuffer(b);
  if (!found) return null;
  // XML-based and markup answers are decided by the markup rules, never by a signature.
  if (found.mime.includes("xml") || found.mime.includes("html") || found.mime === SVG_TYPE) return null;
  return CANONICAL[found.mime] ?? found.mime;
}

function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null;
    // Start of frame: every SOFn except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: be16(b, i + 5), width: be16(b, i + 7) };
    }
    i += 2 + be16(b, i + 2);
  }
  return null;
}

function webpSize(b: Uint8Array): { width: number; height: number } | null {
  if (ascii(b, 12, "VP8 ") && b.length >= 30 && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) {
    return { width: le16(b, 26) & 0x3fff, height: le16(b, 28) & 0x3fff };
  }
  if (ascii(b, 12, "VP8L") && b.length >= 25 && b[20] === 0x2f) {
    const bits = le32(b, 21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (ascii(b, 12, "VP8X") && b.length >= 30) return { width: le24(b, 24) + 1, height: le24(b, 27) + 1 };
  return null;
}

/** HEIF and AVIF: the first image spatial extent ("ispe") property of the primary item. */
function heifSize(b: Uint8Array): { width: number; height: number } | null {
  const at = Buffer.from(b.buffer, b.byteOffset, b.byteLength).indexOf("ispe", 0, "latin1");
  return at >= 4 && at + 16 <= b.length ? { width: be32(b, at + 8), height: be32(b, at + 12) } : null;
}

export function imageSize(type: string, b: Uint8Array): { width: number; height: number } | null {
  switch (type) {
    case "image/avif":
    case "image/heic":
      return heifSize(b);
    case "image/png":
      return ascii(b, 12, "IHDR") && b.length >= 24 ? { width: be32(b, 16), height: be32(b, 20) } : null;
    case "image/gif":
      return b.length >= 10 ? { width: le16(b, 6), height: le16(b, 8) } : null;
    case "image/jpeg":
      return jpegSize(b);
    case "image/webp":
      return webpSize(b);
    default:
      return null;
  }
}

/** A PCM WAV's duration: the data chunk's size over the byte rate of its fmt chunk. */
export function wavDurationMs(b: Uint8Array): number | null {
  let byteRate = 0;
  for (let i = 12; i + 8 <= b.length; ) {
    const size = le32(b, i + 4);
    if (ascii(b, i, "fmt ") && i + 16 <= b.length) byteRate = le32(b, i + 16);
    if (ascii(b, i, "data")) return byteRate > 0 ? Math.round((size / byteRate) * 1000) : null;
    i += 8 + size + (size & 1);
  }
  return null;
}

/** Text that a browser would render as a page or an image: never served inline. */
export function markupType(head: string, claimedType: string | null, filename: string): string | null {
  const start = head.replace(/^\ufeff/, "").trimStart().slice(0, 512).toLowerCase();
  const claim = (claimedType ?? "").toLowerCase();
  const ext = filename.toLowerCase().split(".").pop() ?? "";
  if (start.startsWith("<svg") || ((start.startsWith("<?xml") || start.startsWith("<!--")) && head.toLowerCase().includes("<svg")) || claim.startsWith("image/svg") || ext === "svg" || ext === "svgz") {
    return SVG_TYPE;
  }
  if (/^<(!doctype html|html|head|body|script|iframe|meta|title|style)[\s>]/.test(start) || claim.includes("html") || claim.includes("xml") || ["html", "htm", "xhtml", "xht", "xml", "mht", "mhtml"].includes(ext)) {
    return HTML_TYPE;
  }
  return null;
}

/**
 * Watches an upload go by, chunk by chunk: keeps the first SNIFF_BYTES, counts, hashes, and
 * checks whether the whole is UTF-8 without NULs. `result()` gives the sniffed type.
 */
export class Inspector {
  bytes = 0;
  private head: Uint8Array[] = [];
  private headBytes = 0;
  private hash = new Bun.CryptoHasher("sha256");
  private text = true;
  private decoder = new TextDecoder("utf-8", { fatal: true });
  private firstText = "";

  push(chunk: Uint8Array): void {
    this.bytes += chunk.byteLength;
    this.hash.update(chunk);
    if (this.headBytes < SNIFF_BYTES) {
      const part = chunk.subarray(0, SNIFF_BYTES - this.headBytes);
      this.head.push(part.slice());
      this.headBytes += part.byteLength;
    }
    if (this.text) {
      if (chunk.includes(0)) {
        this.text = false;
        return;
      }
      try {
        const s = this.decoder.decode(chunk, { stream: true });
        if (this.firstText.length < 1024) this.firstText += s.slice(0, 1024);
      } catch {
        this.text = false;
      }
    }
  }

  /** sha256 of the bytes and the filename: what makes two uploads under one nonce the same. */
  fingerprint(filename: string): string {
    const bytes = this.hash.digest("hex");
    return new Bun.CryptoHasher("sha256").update(`${bytes}\u0000${filename}`).digest("base64url");
  }

  async result(claimedType: string | null, filename: string): Promise<Sniffed> {
    const head = Buffer.concat(this.head);
    const magic = await magicType(head);
    if (magic) {
      const size = imageSize(magic, head);
      return { contentType: magic, width: size?.width ?? null, height: size?.height ?? null, durationMs: magic === "audio/wav" ? wavDurationMs(head) : null };
    }
    let text = this.text;
    if (text) {
      try {
        this.decoder.decode();
      } catch {
        text = false;
      }
    }
    const type = text ? (markupType(this.firstText, claimedType, filename) ?? TEXT_TYPE) : BINARY_TYPE;
    return { contentType: type, width: null, height: null, durationMs: null };
  }
}
