#!/usr/bin/env bun
// Generates sdk/src/types.gen.ts from the server's own OpenAPI document, so the SDK's types follow
// the route schemas instead of a hand-kept copy. Run it after changing a route:
//   bun sdk/scripts/gen-types.ts           write the file
//   bun sdk/scripts/gen-types.ts --check   exit 1 when the committed file is stale
// The script boots a throwaway server; the SDK itself never imports server code.
import { join } from "node:path";

type Schema = Record<string, any>;
type Doc = { paths: Record<string, Record<string, any>> };

const OUT = join(import.meta.dir, "../src/types.gen.ts");
const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const DESCRIPTIVE = new Set(["description", "examples", "default", "format", "maxLength", "minLength", "maximum", "minimum", "maxItems", "minItems", "pattern", "$id", "title"]);

/** Names for shapes that only ever appear at the root of a response, where no property names them. */
const ROOT_NAMES: Record<string, string> = {
  "code,error": "ErrorBody",
  "has_newer,has_older,messages,newest_seq,oldest_seq": "MessagePage",
  "has_newer,has_older,newest_seq,oldest_seq,replies,root,thread_state": "ThreadPage",
  "body,kind,nonce,quoted_message_id,topic_id,turn_id,upload_id": "MessageInput",
};

/** The server's OpenAPI document, with request bodies filled in where the plugin leaves them out. */
export async function loadDocument(): Promise<Doc> {
  const { startTestServer } = await import("../../src/testing/harness.ts");
  const { createApp } = await import("../../src/http/app.ts");
  const server = await startTestServer();
  try {
    const doc = (await (await fetch(`${server.url}/openapi/json`)).json()) as Doc;
    // @elysiajs/openapi documents a body only for named parsers; the app's global JSON parser is a
    // function, so every requestBody comes out as `content: {}`. The route's TypeBox schema is the
    // same JSON Schema the plugin would have written.
    for (const route of createApp(server.deps).routes) {
      const body = (route.hooks as { body?: Schema } | undefined)?.body;
      const op = doc.paths[route.path.replace(/:(\w+)/g, "{$1}")]?.[route.method.toLowerCase()];
      if (body && op && !Object.keys(op.requestBody?.content ?? {}).length) {
        op.requestBody = { required: true, content: { "application/json": { schema: JSON.parse(JSON.stringify(body)) } } };
      }
    }
    return doc;
  } finally {
    await server.close();
  }
}

const pascal = (s: string) => s.replace(/(^|[_\-\s])(\w)/g, (_, __, c: string) => c.toUpperCase());
const singular = (s: string) => (s.endsWith("ies") ? `${s.slice(0, -3)}y` : s.endsWith("s") && !s.endsWith("ss") ? s.slice(0, -1) : s);
const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));

/** The shape of a schema without its validation details: two schemas with one shape are one type. */
function shape(s: Schema): string {
  return JSON.stringify(s, (k, v) => (DESCRIPTIVE.has(k) ? undefined : v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
}

const isObject = (s: Schema) => s.type === "object" && s.properties && Object.keys(s.properties).length > 0;

class Renderer {
  /** shape → name, for object shapes worth a name of their own. */
  private names = new Map<string, string>();
  private defs = new Map<string, Schema>();

  constructor(doc: Doc) {
    // Count each object shape and the property names it appears under; a shape used twice or
    // more becomes a named interface, named after its most common property (messages → Message).
    const seen = new Map<string, { count: number; schema: Schema; hints: Map<string, number> }>();
    const visit = (s: Schema | undefined, hint: string | null) => {
      if (!s || typeof s !== "object") return;
      if (isObject(s)) {
        const k = shape(s);
        const entry = seen.get(k) ?? { count: 0, schema: s, hints: new Map() };
        entry.count++;
        const name = typeof s.$id === "string" ? s.$id.split("/").pop()! : hint ? pascal(singular(hint)) : null;
        if (name) entry.hints.set(name, (entry.hints.get(name) ?? 0) + (s.$id ? 1000 : 1));
        seen.set(k, entry);
        for (const [p, v] of Object.entries<Schema>(s.properties)) visit(v, p);
      }
      if (s.items) visit(s.items, hint);
      for (const v of Object.values<Schema>(s.patternProperties ?? {})) visit(v, hint);
      for (const v of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) visit(v, hint);
    };
    for (const op of operations(doc)) {
      visit(op.body, null);
      for (const r of Object.values(op.responses)) visit(r, null);
    }
    const taken = new Set<string>();
    for (const [k, { count, schema, hints }] of [...seen].sort(([a], [b]) => a.localeCompare(b))) {
      const best = [...hints].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
      const rootName = ROOT_NAMES[Object.keys(schema.properties).sort().join(",")];
      const base = rootName ?? best;
      if (!base || (count < 2 && !schema.$id && (!rootName || taken.has(rootName)))) continue;
      let name = base;
      for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
      taken.add(name);
      this.names.set(k, name);
      this.defs.set(name, schema);
    }
  }

  type(s: Schema | undefined, indent = "", root = false): string {
    if (!s || typeof s !== "object") return "unknown";
    if (!root && isObject(s)) {
      const name = this.names.get(shape(s));
      if (name) return name;
    }
    if ("const" in s) return JSON.stringify(s.const);
    if (Array.isArray(s.enum)) return s.enum.map((v: unknown) => JSON.stringify(v)).join(" | ");
    // TypeBox numbers (t.Integer, t.Numeric) are documented as "a number, or a numeric string";
    // the server only ever sends numbers, and the SDK only ever sends numbers.
    const union = (s.anyOf ?? s.oneOf)?.filter((v: Schema, _: number, all: Schema[]) => !(v.type === "string" && /^(numeric|integer)$/.test(v.format) && all.some((o) => o.type === "number" || o.type === "integer")));
    if (union) return [...new Set(union.map((v: Schema) => this.type(v, indent)))].join(" | ");
    if (s.allOf) return s.allOf.map((v: Schema) => this.type(v, indent)).join(" & ");
    if (Array.isArray(s.type)) return s.type.map((t: string) => this.type({ ...s, type: t }, indent)).join(" | ");
    switch (s.type) {
      case "string":
        return "string";
      case "number":
      case "integer":
        return "number";
      case "boolean":
        return "boolean";
      case "null":
        return "null";
      case "array": {
        const item = this.type(s.items, indent);
        return /[|&]/.test(item) ? `(${item})[]` : `${item}[]`;
      }
      case "object":
        return this.object(s, indent);
      default:
        return "unknown";
    }
  }

  private object(s: Schema, indent: string): string {
    const inner = `${indent}  `;
    const required = new Set<string>(s.required ?? []);
    const lines = Object.entries<Schema>(s.properties ?? {}).map(([k, v]) => `${inner}${key(k)}${required.has(k) ? "" : "?"}: ${this.type(v, inner)};`);
    const pattern = Object.values<Schema>(s.patternProperties ?? {});
    if (pattern.length) lines.push(`${inner}[key: string]: ${pattern.map((v) => this.type(v, inner)).join(" | ")};`);
    else if (s.additionalProperties === true && lines.length) lines.push(`${inner}[key: string]: unknown;`);
    if (!lines.length) return "Record<string, unknown>";
    return `{\n${lines.join("\n")}\n${indent}}`;
  }

  definitions(): string {
    return [...this.defs.keys()]
      .sort()
      .map((name) => `export interface ${name} ${this.type(this.defs.get(name), "", true)}\n`)
      .join("\n");
  }
}

interface Operation {
  path: string;
  method: string;
  params: { path: Schema[]; query: Schema[] };
  body?: Schema;
  responses: Record<string, Schema | undefined>;
}

function* operations(doc: Doc): Generator<Operation> {
  for (const path of Object.keys(doc.paths).sort()) {
    for (const method of METHODS) {
      const op = doc.paths[path]![method];
      if (!op) continue;
      const params = { path: [] as Schema[], query: [] as Schema[] };
      for (const p of op.parameters ?? []) if (p.in === "path" || p.in === "query") params[p.in as "path" | "query"].push(p);
      const responses: Record<string, Schema | undefined> = {};
      for (const [status, r] of Object.entries<any>(op.responses ?? {})) responses[status] = r.content?.["application/json"]?.schema ?? r.content?.["text/plain"]?.schema;
      yield { path, method, params, body: op.requestBody?.content?.["application/json"]?.schema, responses };
    }
  }
}

export function renderTypes(doc: Doc): string {
  const r = new Renderer(doc);
  const params = (list: Schema[], indent: string) =>
    `{\n${list.map((p) => `${indent}  ${key(p.name)}${p.required ? "" : "?"}: ${r.type(p.schema, `${indent}  `)};`).join("\n")}\n${indent}}`;
  const byPath = new Map<string, string[]>();
  for (const op of operations(doc)) {
    const i = "      ";
    const parts: string[] = [];
    if (op.params.path.length) parts.push(`${i}path: ${params(op.params.path, i)};`);
    if (op.params.query.length) parts.push(`${i}query: ${params(op.params.query, i)};`);
    if (op.body) parts.push(`${i}body: ${r.type(op.body, i)};`);
    const responses = Object.entries(op.responses).map(([status, s]) => `${i}  ${status}: ${s ? r.type(s, `${i}  `) : "undefined"};`);
    parts.push(`${i}responses: {\n${responses.join("\n")}\n${i}};`);
    const list = byPath.get(op.path) ?? [];
    list.push(`    ${op.method}: {\n${parts.join("\n")}\n    };`);
    byPath.set(op.path, list);
  }
  const paths = [...byPath].map(([p, ops]) => `  ${JSON.stringify(p)}: {\n${ops.join("\n")}\n  };`).join("\n");
  return `// Generated by sdk/scripts/gen-types.ts from the server's OpenAPI document. Do not edit.
/* eslint-disable */

${r.definitions()}
export interface Paths {
${paths}
}
`;
}

if (import.meta.main) {
  const text = renderTypes(await loadDocument());
  if (process.argv.includes("--check")) {
    const current = await Bun.file(OUT).text().catch(() => "");
    if (current !== text) {
      console.error("sdk/src/types.gen.ts is out of date: run bun sdk/scripts/gen-types.ts");
      process.exit(1);
    }
  } else {
    await Bun.write(OUT, text);
    console.log(`wrote ${OUT}`);
  }
}
