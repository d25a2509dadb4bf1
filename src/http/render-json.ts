// Responses that carry shared renderings (a page's messages, frozen by src/store/message-cache.ts
// and handed to every reader alike) are written with each rendering's JSON kept beside it: a page
// read again costs the join of strings made the first time, not a walk through fifty messages to
// drop their absent keys and a stringify of them all.
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
 * The JSON of an object response, as `omitAbsent` then `JSON.stringify` would write it, when one
 * of its properties holds a shared rendering or a list of them; null when none does (the usual
 * path serves it).
 */
export function sharedRenderingsBody(schema: Schema, value: object): string | null {
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
  const parts: string[] = [];
  for (const key in object) {
    const v = object[key];
    const prop = props[key];
    if (v === undefined || (v === null && prop && !keep.has(key))) continue;
    const json = Array.isArray(v) ? `[${v.map((item) => jsonOf(prop?.items, item)).join(",")}]` : jsonOf(prop, v);
    parts.push(`${JSON.stringify(key)}:${json}`);
  }
  return `{${parts.join(",")}}`;
}
