// Responses that carry shared renderings (a page's messages, frozen by src/store/message-cache.ts
// and handed to every reader alike) are written with each rendering's JSON kept beside it: a page
// read again costs the join of strings made the first time, not a walk through fifty messages to
// drop their absent keys and a stringify of them all. A page whose renderings and other fields are
// all the same as last time reuses last time's body, kept as a Blob: a Response made from a Blob
// shares its bytes, where one made from a string or from bytes copies them. Joining a hot channel
// page's 40 KB and copying it into a Response took 185-420 us per page in a running server (40 us
// in a bare process); answering with the kept Blob takes 3 us.
import { omitAbsent, required, type Schema } from "./omit-absent.ts";

/** Each frozen rendering's JSON, with the schema it was written under. */
const written = new WeakMap<object, { schema: Schema | undefined; json: string }>();

const isShared = (v: unknown): v is object => v !== null && typeof v === "object" && Object.isFrozen(v);

function jsonOf(schema: Schema | undefined, value: unknown): string {
  if (!isShared(value)) return JSON.stringify(omitAbsent(schema, value));
  const kept = written.get(value);
  if (kept && kept.schema === schema) return kept.json;
  const json = JSON.stringify(omitAbsent(schema, value));
  written.set(value, { schema, json });
  return json;
}

/**
 * What a body is made of, in order: each key, then its value's JSON, or for a list its length and
 * each item. Shared renderings stand in by identity (frozen, so the same object writes the same
 * JSON); anything else by its JSON. Two bodies with equal signatures are the same bytes.
 */
type Signature = (string | number | object)[];

interface Written {
  schema: Schema;
  signature: Signature;
  body: Blob;
}

/**
 * Bodies last written, under their first shared rendering (a page's first message), a few per
 * rendering since readers who reacted see pages of their own. Bounded by bytes and by renderings
 * (each key keeps its rendering alive), least recently written first out: enough for the hot
 * pages of a busy workspace, never the whole history.
 */
const BODY_BUDGET_BYTES = 16 * 1024 * 1024;
const BODY_KEYS = 2_000;
const BODIES_PER_KEY = 4;
const bodies = new Map<object, Written[]>();
let bodyBytes = 0;

function sameSignature(a: Signature, b: Signature): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function keepBody(key: object, entry: Written): void {
  const list = bodies.get(key) ?? [];
  bodies.delete(key);
  list.unshift(entry);
  bodyBytes += entry.body.size;
  if (list.length > BODIES_PER_KEY) bodyBytes -= list.pop()!.body.size;
  bodies.set(key, list);
  for (const [oldest, gone] of bodies) {
    if (bodyBytes <= BODY_BUDGET_BYTES && bodies.size <= BODY_KEYS) break;
    bodies.delete(oldest);
    for (const w of gone) bodyBytes -= w.body.size;
  }
}

/**
 * The JSON of an object response, as `omitAbsent` then `JSON.stringify` would write it, when one of
 * its properties holds a shared rendering or a list of them; null when none does (the usual path
 * serves it).
 */
export function sharedRenderingsBody(schema: Schema, value: object): Blob | null {
  const props = schema.properties;
  if (!props || Array.isArray(value)) return null;
  const object = value as Record<string, unknown>;
  let key: object | undefined;
  for (const k in object) {
    const v = object[k];
    key = isShared(v) ? v : Array.isArray(v) ? v.find(isShared) : undefined;
    if (key) break;
  }
  if (!key) return null;
  const keep = required(schema);
  const signature: Signature = [];
  for (const k in object) {
    const v = object[k];
    const prop = props[k];
    if (v === undefined || (v === null && prop && !keep.has(k))) continue;
    signature.push(k);
    if (Array.isArray(v)) {
      signature.push(v.length);
      for (const item of v) signature.push(isShared(item) ? item : jsonOf(prop?.items, item));
    } else {
      signature.push(isShared(v) ? v : jsonOf(prop, v));
    }
  }
  const kept = bodies.get(key)?.find((w) => w.schema === schema && sameSignature(w.signature, signature));
  if (kept) return kept.body;

  const parts: string[] = [];
  for (let i = 0; i < signature.length; ) {
    const k = signature[i++] as string;
    const prop = props[k];
    if (typeof signature[i] === "number") {
      const items = signature.slice(i + 1, i + 1 + (signature[i] as number));
      i += 1 + items.length;
      parts.push(`${JSON.stringify(k)}:[${items.map((item) => (typeof item === "string" ? item : jsonOf(prop?.items, item))).join(",")}]`);
    } else {
      const part = signature[i++]!;
      parts.push(`${JSON.stringify(k)}:${typeof part === "string" ? part : jsonOf(prop, part)}`);
    }
  }
  const body = new Blob([`{${parts.join(",")}}`]);
  keepBody(key, { schema, signature, body });
  return body;
}
