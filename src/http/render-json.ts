// Responses that carry shared renderings (a page's messages, frozen by src/store/message-cache.ts
// and handed to every reader alike) are written with each rendering's JSON kept beside it: a page
// read again costs the join of strings made the first time, not a walk through fifty messages to
// drop their absent keys and a stringify of them all.
import { omitAbsent, required, type Schema } from "./omit-absent.ts";

/** Each frozen rendering's JSON as UTF-8, with the schema it was written under. */
const written = new WeakMap<object, { schema: Schema | undefined; json: Buffer }>();

const isShared = (v: unknown): v is object => v !== null && typeof v === "object" && Object.isFrozen(v);

const utf8 = (text: string) => Buffer.from(text, "utf8");

// Kept as bytes, not text: a page's emoji make its text two bytes a character, and encoding
// 40 KB of it to UTF-8 for every response cost more than joining the parts.
function jsonOf(schema: Schema | undefined, value: object): Buffer {
  const kept = written.get(value);
  if (kept && kept.schema === schema) return kept.json;
  const json = utf8(JSON.stringify(omitAbsent(schema, value)));
  written.set(value, { schema, json });
  return json;
}

/**
 * The JSON of an object response (as UTF-8), as `omitAbsent` then `JSON.stringify` would write
 * it, when one of its properties holds a shared rendering or a list of them; null when none does
 * (the usual path serves it).
 */
export function sharedRenderingsBody(schema: Schema, value: object): Uint8Array<ArrayBuffer> | null {
  const props = schema.properties;
  if (!props || Array.isArray(value)) return null;
  const object = value as Record<string, unknown>;
  let shared = false;
  for (const key in object) {
    const v = object[key];
    if (isShared(v) || (Array.isArray(v) && v.some(isShared))) {
      shared = true;
      break;
    }
  }
  if (!shared) return null;
  const keep = required(schema);
  // Text between the kept renderings gathers here and is encoded once per stretch.
  const parts: Buffer[] = [];
  let text = "{";
  const put = (json: Buffer) => {
    parts.push(utf8(text), json);
    text = "";
  };
  for (const key in object) {
    const v = object[key];
    const prop = props[key];
    if (v === undefined || (v === null && prop && !keep.has(key))) continue;
    text += `${text === "{" ? "" : ","}${JSON.stringify(key)}:`;
    if (!Array.isArray(v)) {
      if (isShared(v)) put(jsonOf(prop, v));
      else text += JSON.stringify(omitAbsent(prop, v));
      continue;
    }
    text += "[";
    v.forEach((item, i) => {
      if (i > 0) text += ",";
      if (isShared(item)) put(jsonOf(prop?.items, item));
      else text += JSON.stringify(omitAbsent(prop?.items, item));
    });
    text += "]";
  }
  parts.push(utf8(`${text}}`));
  return Buffer.concat(parts) as Uint8Array<ArrayBuffer>;
}
