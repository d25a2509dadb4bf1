// The OpenAPI document served at /openapi/json. @elysiajs/openapi turns the route schemas into
// paths; this module finishes the document: schemas that carry a `title` become named components
// (so generated clients get `Message`, not an anonymous shape repeated 40 times), every operation
// states how it is authenticated (from the access policy, the same table the guard enforces),
// error responses share one documented shape, and the main operations carry examples.
import { type AnyElysia, Elysia } from "elysia";
import { POLICY, type RoutePolicy } from "../access/policy.ts";
import { HOST_SESSION_COOKIE, SESSION_COOKIE } from "../access/credentials.ts";
import { VERSION } from "../cli/version.ts";
import { OPERATION_EXAMPLES } from "./openapi-examples.ts";

type Json = Record<string, any>;

const OPENAPI_VERSION = "3.1.1";

const ERROR_RESPONSES: Record<string, { name: string; description: string; headers?: Json }> = {
  "400": { name: "BadRequest", description: "The request is malformed or breaks a rule (`code` says which)." },
  "401": { name: "Unauthenticated", description: "No valid credential: send a bearer token or the session cookie." },
  "403": { name: "Forbidden", description: "The caller may not do this (role, membership, bot scope or a humans-only route)." },
  "404": { name: "NotFound", description: "No such resource, or not one the caller can see." },
  "409": { name: "Conflict", description: "The request conflicts with the current state (`code` says which)." },
  "413": { name: "TooLarge", description: "The body is larger than the limit (1 MiB for JSON; the upload limit for files)." },
  "429": {
    name: "RateLimited",
    description: "Too many requests or messages; retry after the given number of seconds.",
    headers: { "Retry-After": { description: "Seconds to wait before retrying.", schema: { type: "integer", minimum: 1 } } },
  },
};

const SECURITY_SCHEMES = {
  session: { type: "http", scheme: "bearer", description: "A session token (`sst_…`) from a magic-link sign-in, for people and their scripts." },
  bot: {
    type: "http",
    scheme: "bearer",
    description: "A bot token (`ccb_…`), bound to one workspace. The requirement lists the scope the operation needs; humans-only operations refuse bot tokens with 403.",
  },
  cookie: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: `The browser session cookie set by sign-in (${HOST_SESSION_COOKIE} when the public URL is https).` },
} as const;

const INFO = {
  title: "ClickClack for Bun",
  version: VERSION,
  description:
    "Self-hostable, API-first realtime team chat for humans and AI agents.\n\n" +
    "Every error is a JSON object `{error, code}` (see the `Error` schema): `error` is a sentence for people, `code` a stable machine string such as `not_found` or `missing_scope`. " +
    "Some errors add fields (410 `resync_required` adds `tail_cursor`); 429 carries a `Retry-After` header.",
  license: { name: "MIT", identifier: "MIT" },
};

const TAGS: Record<string, string> = {
  auth: "Sign-in (magic links, GitHub) and sessions",
  bots: "Bot users and their workspace-bound tokens",
  channels: "Channels of a workspace",
  dms: "Direct conversations",
  health: "Liveness, readiness and metrics",
  messages: "Posting, reading, editing and deleting messages",
  moderation: "Timeouts and blocks (owners and moderators)",
  pins: "Pinned messages of a channel",
  reactions: "Emoji reactions",
  "read state": "Read pointers and unread counts",
  realtime: "The durable event log: WebSocket, HTTP catch-up and ephemeral signals",
  routes: "Shareable route ids (links to workspaces, channels, DMs and messages)",
  search: "Full-text search over messages",
  threads: "One-level threads under a message",
  topics: "Topics that group messages in a channel",
  uploads: "Files: upload, attach, download",
  users: "The calling user",
  workspaces: "Workspaces and their members",
};

/** The security requirement of an API route, from its access policy; outside /api, none. */
function securityFor(path: string, policy: RoutePolicy | undefined): Json[] | undefined {
  if (!path.startsWith("/api/")) return [];
  if (!policy) return undefined;
  if (policy.kind === "public") return [];
  const human = [{ session: [] }, { cookie: [] }];
  if (policy.kind === "humans") return human;
  return [{ bot: policy.scope ? [policy.scope] : [] }, ...human];
}

/**
 * Elysia documents t.Integer/t.Numeric as "a number, or a numeric string" because it coerces
 * strings on input. Clients send numbers and the server sends numbers: document the number.
 */
function numericBranch(schema: Json): Json | undefined {
  const branches = schema.anyOf;
  if (!Array.isArray(branches) || branches.length !== 2) return undefined;
  const numeric = branches.find((b: Json) => b.type === "integer" || b.type === "number");
  const stringy = branches.find((b: Json) => b.type === "string" && (b.format === "integer" || b.format === "numeric"));
  if (!numeric || !stringy) return undefined;
  const { anyOf: _, ...rest } = schema;
  return { ...rest, ...numeric };
}

/** Replaces every schema carrying a title with a reference to components.schemas[title]. */
function hoistNamedSchemas(node: unknown, schemas: Json): unknown {
  if (Array.isArray(node)) return node.map((n) => hoistNamedSchemas(n, schemas));
  if (!node || typeof node !== "object") return node;
  let out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === "examples" || k === "example" ? v : hoistNamedSchemas(v, schemas);
  out = numericBranch(out) ?? out;
  const title = out.title;
  if (typeof title !== "string" || !("type" in out || "anyOf" in out)) return out;
  // A nullable named schema: the plugin folds `anyOf [X, null]` into `type: [X's type, "null"]`.
  const nullable = Array.isArray(out.type) && out.type.includes("null");
  if (nullable) {
    const types = out.type.filter((t: string) => t !== "null");
    out = { ...out, type: types.length === 1 ? types[0] : types };
  }
  const existing = schemas[title];
  if (existing && JSON.stringify(existing) !== JSON.stringify(out)) throw new Error(`OpenAPI: two different schemas are titled ${title}`);
  schemas[title] = out;
  const ref = { $ref: `#/components/schemas/${title}` };
  return nullable ? { anyOf: [ref, { type: "null" }] } : ref;
}

function finishOperation(method: string, path: string, op: Json, responses: Json): void {
  const key = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`;
  const policy = POLICY[key];
  const security = securityFor(path, policy);
  if (security) op.security = security;
  // The guard refuses before the handler runs, so these hold whatever the route declares.
  if (security?.length) {
    op.responses["401"] ??= { content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
    op.responses["403"] ??= { content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
  }
  for (const [status, response] of Object.entries<Json>(op.responses ?? {})) {
    // A 204 has no body; the plugin writes t.Void() as a malformed content map.
    if (status === "204") op.responses[status] = { description: response.description?.startsWith("Response for") ? "No content" : response.description };
    const named = ERROR_RESPONSES[status];
    if (named && response.content?.["application/json"]?.schema?.$ref === "#/components/schemas/Error") {
      responses[named.name] = { description: named.description, ...(named.headers ? { headers: named.headers } : {}), content: response.content };
      op.responses[status] = { $ref: `#/components/responses/${named.name}` };
    } else if (typeof response.description === "string" && response.description.startsWith("Response for status")) {
      response.description = /^2/.test(status) ? "Success" : `Status ${status}`;
    }
  }
  const examples = OPERATION_EXAMPLES[key];
  if (examples?.request) {
    const media = op.requestBody?.content?.["application/json"];
    if (media) media.example = examples.request;
  }
  if (examples?.response) {
    const [status, value] = examples.response;
    const media = op.responses?.[status]?.content?.["application/json"];
    if (media) media.example = value;
  }
}

/** The finished document for an app whose routes are all registered. */
export async function buildOpenApiDocument(app: AnyElysia): Promise<Json> {
  // The plugin loads with the first request for the document: loading it was 2 ms of every start.
  const { toOpenAPISchema } = await import("@elysiajs/openapi");
  // A plain JSON copy: the plugin's output shares TypeBox objects between operations.
  const generated = JSON.parse(JSON.stringify(toOpenAPISchema(app, undefined, undefined, undefined, OPENAPI_VERSION))) as Json;
  const schemas: Json = {};
  const responses: Json = {};
  const paths = hoistNamedSchemas(generated.paths, schemas) as Json;
  for (const [path, ops] of Object.entries<Json>(paths)) {
    for (const [method, op] of Object.entries<Json>(ops)) finishOperation(method, path, op, responses);
  }
  const used = new Set(Object.values<Json>(paths).flatMap((ops) => Object.values<Json>(ops).flatMap((op) => op.tags ?? [])));
  const tags = [...used].sort().map((name) => ({ name, description: TAGS[name] ?? name }));
  return {
    openapi: OPENAPI_VERSION,
    info: INFO,
    servers: [{ url: "/", description: "This server" }],
    tags,
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      responses,
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}

const referencePage = (specUrl: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${INFO.title} API</title></head>
<body>
<script id="api-reference" data-url="${specUrl}"></script>
<script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference" crossorigin></script>
</body>
</html>`;

/** GET /openapi (a reference page) and GET /openapi/json, built once on first request. */
export function openApiRoutes(root: () => AnyElysia) {
  let cached: Promise<string> | undefined;
  return new Elysia()
    .get("/openapi", () => new Response(referencePage("/openapi/json"), { headers: { "content-type": "text/html; charset=utf-8" } }), { detail: { hide: true } })
    .get(
      "/openapi/json",
      async () => {
        // A failed build is not kept: the next request tries again.
        cached ??= buildOpenApiDocument(root()).then(JSON.stringify, (err) => {
          cached = undefined;
          throw err;
        });
        return new Response(await cached, { headers: { "content-type": "application/json" } });
      },
      { detail: { hide: true } },
    );
}
