// Test files built byte by byte: just enough of each format for sniffing and dimensions, and
// raw multipart bodies (so tests control every header byte, which FormData would escape).

type Bytes = Uint8Array<ArrayBuffer>;
const u8 = (...parts: (number[] | string | Uint8Array)[]): Bytes =>
  Uint8Array.from(Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p instanceof Uint8Array ? p : Uint8Array.from(p))))));
const be16 = (n: number) => [(n >> 8) & 255, n & 255];
const be32 = (n: number) => [(n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
const le16 = (n: number) => [n & 255, (n >> 8) & 255];
const le24 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255];
const le32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];

export function png(width: number, height: number): Bytes {
  return u8("\x89PNG\r\n\x1a\n", be32(13), "IHDR", be32(width), be32(height), [8, 6, 0, 0, 0], be32(0), be32(0), "IEND", be32(0));
}

/** A JPEG with an EXIF-sized APP1 segment before its frame header. */
export function jpeg(width: number, height: number, app1Bytes = 2000): Bytes {
  return u8([0xff, 0xd8], [0xff, 0xe1], be16(app1Bytes + 2), new Uint8Array(app1Bytes), [0xff, 0xdb], be16(3), [0], [0xff, 0xc0], be16(17), [8], be16(height), be16(width), [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1], [0xff, 0xda], be16(2), [0xff, 0xd9]);
}

export function gif(width: number, height: number): Bytes {
  return u8("GIF89a", le16(width), le16(height), [0, 0, 0], ";");
}

export function webp(kind: "VP8 " | "VP8L" | "VP8X", width: number, height: number): Bytes {
  let chunk: Uint8Array;
  if (kind === "VP8 ") chunk = u8([0, 0, 0], [0x9d, 0x01, 0x2a], le16(width), le16(height));
  else if (kind === "VP8L") chunk = u8([0x2f], le32(((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14)));
  else chunk = u8([0, 0, 0, 0], le24(width - 1), le24(height - 1));
  const body = u8("WEBP", kind, le32(chunk.length), chunk);
  return u8("RIFF", le32(body.length), body);
}

/** 16-bit mono PCM at 8 kHz: `ms` milliseconds of silence. */
export function wav(ms: number): Bytes {
  const rate = 8000;
  const data = new Uint8Array(Math.round((rate * 2 * ms) / 1000));
  const fmt = u8(le16(1), le16(1), le32(rate), le32(rate * 2), le16(2), le16(16));
  const body = u8("WAVE", "fmt ", le32(fmt.length), fmt, "data", le32(data.length), data);
  return u8("RIFF", le32(body.length), body);
}

export const pdf = () => u8("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
export const mp3 = () => u8("ID3", [4, 0, 0, 0, 0, 0, 0], [0xff, 0xfb, 0x90, 0x64], new Uint8Array(64));
export const mp4 = () => u8(be32(24), "ftypisom", be32(512), "isomiso2", be32(8), "free");
export const webm = () => u8([0x1a, 0x45, 0xdf, 0xa3], [0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84], "webm", new Uint8Array(16));
// One Ogg page: 27 header bytes (1 segment), the lacing value, then the Vorbis identification packet at 28.
export const ogg = () => u8("OggS", [0, 2], new Uint8Array(20), [1, 30], "\x01vorbis", new Uint8Array(22));
export const zip = () => u8("PK\x03\x04", new Uint8Array(26), "PK\x05\x06", new Uint8Array(18));

export interface RawPart {
  name: string;
  /** Written as is between the quotes of filename="…" (null: no filename parameter). */
  filename?: string | null;
  /** A raw filename* value, e.g. UTF-8''%E2%82%AC.txt */
  filenameStar?: string;
  type?: string;
  data: Uint8Array | string;
}

/** A multipart/form-data body written byte for byte. */
export function multipart(parts: RawPart[], boundary = `----clickclack${crypto.randomUUID()}`): { body: Bytes; contentType: string } {
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    let disposition = `form-data; name="${p.name}"`;
    if (p.filename != null) disposition += `; filename="${p.filename}"`;
    if (p.filenameStar) disposition += `; filename*=${p.filenameStar}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ""}\r\n`, "utf8"));
    chunks.push(typeof p.data === "string" ? Buffer.from(p.data, "utf8") : p.data);
    chunks.push(Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Uint8Array.from(Buffer.concat(chunks)), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** An AVIF or HEIC photo's start: the ftyp box, then an image spatial extent ("ispe") property. */
export function heif(brand: "avif" | "heic", width: number, height: number): Bytes {
  return u8(be32(24), "ftyp", brand, be32(0), "mif1", brand === "avif" ? "miaf" : "heic", be32(20), "ispe", be32(0), be32(width), be32(height));
}
