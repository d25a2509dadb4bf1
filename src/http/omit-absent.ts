// The Go server leaves absent optional fields out of its JSON (`omitempty`); bots written for it
// test `m.edited_at !== undefined`. Our stores speak null for "absent", so every response is
// passed once through its route's schema here: a null where the schema makes the key optional
// is removed. Nulls the schema allows in a required key stay (that is a stated wire value).

export type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  patternProperties?: Record<string, Schema>;
};

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The branch of a union that describes this value (the first that is not just null). */
function branchFor(schema: Schema, value: unknown): Schema | undefined {
  const branches = schema.anyOf ?? schema.oneOf;
  if (!branches) return schema;
  if (Array.isArray(value)) return branches.find((b) => b.type === "array");
  if (isPlainObject(value)) return branches.find((b) => b.type === "object" || b.properties) ?? branches.find((b) => b.anyOf || b.oneOf);
  return undefined;
}

// Every response goes through here (a channel page is 50 messages of some 30 keys): each object
// schema's required keys are read into a set once, not once per object.
const requiredOf = new WeakMap<Schema, ReadonlySet<string>>();
export const required = (s: Schema): ReadonlySet<string> => {
  let keys = requiredOf.get(s);
  if (!keys) requiredOf.set(s, (keys = new Set(s.required ?? [])));
  return keys;
};

export function omitAbsent(schema: Schema | undefined, value: unknown): unknown {
  if (!schema || value === null || typeof value !== "object") return value;
  const s = branchFor(schema, value);
  if (!s) return value;
  if (s !== schema && (s.anyOf || s.oneOf)) return omitAbsent(s, value);
  if (Array.isArray(value)) return s.items ? value.map((v) => omitAbsent(s.items, v)) : value;
  if (!s.properties) return value; // records (event payloads) are free-form
  const keep = required(s);
  const out: Record<string, unknown> = {};
  const object = value as Record<string, unknown>;
  for (const key in object) {
    const v = object[key];
    const prop = s.properties[key];
    if (v === null && prop && !keep.has(key)) continue;
    if (v === undefined) continue;
    out[key] = prop && v !== null && typeof v === "object" ? omitAbsent(prop, v) : v;
  }
  return out;
}

/** Lists every null the schema marks optional (the wire test's check). */
export function optionalNulls(schema: Schema | undefined, value: unknown, path = "$"): string[] {
  if (!schema || value === null || typeof value !== "object") return [];
  const s = branchFor(schema, value);
  if (!s) return [];
  if (s !== schema && (s.anyOf || s.oneOf)) return optionalNulls(s, value, path);
  if (Array.isArray(value)) return s.items ? value.flatMap((v, i) => optionalNulls(s.items, v, `${path}[${i}]`)) : [];
  if (!s.properties) return [];
  const required = new Set(s.required ?? []);
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
    const prop = s.properties![key];
    if (!prop) return [];
    if (v === null && !required.has(key)) return [`${path}.${key}`];
    return optionalNulls(prop, v, `${path}.${key}`);
  });
}
