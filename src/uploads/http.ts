// Serving uploads safely: filenames that cannot break a header or a path, Content-Disposition
// with an ASCII fallback and the UTF-8 original (RFC 6266 / RFC 8187), inline display only for
// types a browser shows without running them, and byte ranges (RFC 9110).
import { UPLOAD_LIMITS } from "./types.ts";

/** A filename safe to store and to echo: no path, no control or format characters, no quotes. */
export function sanitizeFilename(raw: string | null | undefined): string {
  let name = (raw ?? "").normalize("NFC");
  // Only the last path segment, whichever separator the client's system used.
  name = name.split(/[\\/]/).pop() ?? "";
  name = name
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}"*:<>?|]/gu, "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^[.\s]+/, "");
  const chars = [...name];
  if (chars.length > UPLOAD_LIMITS.filenameMaxChars) {
    const dot = name.lastIndexOf(".");
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
    name = chars.slice(0, UPLOAD_LIMITS.filenameMaxChars - [...ext].length).join("") + ext;
  }
  return name === "" ? "upload" : name;
}

/** The filename in printable ASCII for clients that ignore `filename*`. */
function asciiFallback(name: string): string {
  const out = name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^\x20-\x7e]/g, "_")
    .replace(/[%\\"]/g, "_");
  return out.replace(/_+/g, "_") || "upload";
}

/** RFC 8187 value-chars: percent-encode everything but attr-chars. */
function encodeExtValue(name: string): string {
  return encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function contentDisposition(kind: "inline" | "attachment", filename: string): string {
  const name = sanitizeFilename(filename);
  return `${kind}; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeExtValue(name)}`;
}

// What a browser may display in place. Everything else is downloaded, and served as
// application/octet-stream whatever was stored, so no browser ever renders HTML or SVG from us.
const INLINE = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/heic", "video/mp4", "video/webm", "video/ogg", "application/pdf", "text/plain"]);

export function servingOf(contentType: string): { type: string; disposition: "inline" | "attachment" } {
  const base = contentType.split(";")[0]!.trim().toLowerCase();
  if (INLINE.has(base) || base.startsWith("audio/")) return { type: contentType, disposition: "inline" };
  return { type: "application/octet-stream", disposition: "attachment" };
}

export type RangeRequest = { start: number; end: number } | "unsatisfiable" | null;

/**
 * One byte range of a `Range` header as [start, end) within `size`; null to send the whole file
 * (no header, another unit, several ranges or a malformed one, which RFC 9110 lets a server
 * ignore); "unsatisfiable" for a range wholly past the end (416).
 */
export function parseRange(header: string | null, size: number): RangeRequest {
  if (!header) return null;
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(m[1]);
  const last = m[2] === "" ? Infinity : Number(m[2]);
  if (!Number.isSafeInteger(start) || last < start) return null;
  if (start >= size) return "unsatisfiable";
  return { start, end: Math.min(last, size - 1) + 1 };
}
