// Search cursors: opaque base64url tokens that say where the next page starts. Relevance pages
// continue at an offset into a ranking whose docid bounds the first page fixed (so messages
// written meanwhile do not shift it); newest-first pages continue below the last docid (docids
// grow in write order). A cursor is bound to its query: used with another, it is refused.
import { invalid } from "../chat/errors.ts";
import type { SearchPosition } from "../store/store.ts";

function bindingOf(parts: (string | null | undefined)[]): string {
  return new Bun.CryptoHasher("sha256").update(JSON.stringify(parts.map((p) => p ?? null))).digest("base64url").slice(0, 16);
}

export function encodeCursor(position: SearchPosition, binding: (string | null | undefined)[]): string {
  const b = bindingOf(binding);
  const body = position.sort === "relevance" ? { b, o: position.offset, c: position.ceiling } : { b, d: position.docid };
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

const docid = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

export function decodeCursor(cursor: string, binding: (string | null | undefined)[]): SearchPosition {
  const bad = invalid("cursor is not valid for this search", "invalid_cursor");
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw bad;
  }
  if (typeof body !== "object" || body === null || (body as { b?: unknown }).b !== bindingOf(binding)) throw bad;
  const c = body as { o?: unknown; c?: unknown; d?: unknown };
  if (c.o !== undefined) {
    if (!docid(c.o) || !docid(c.c)) throw bad;
    return { sort: "relevance", offset: c.o, ceiling: c.c };
  }
  if (!docid(c.d)) throw bad;
  return { sort: "recent", docid: c.d };
}
