// The gateway's OpenAPI 3.1 document (GET /openapi.json). Written by hand: the gateway is a
// plain Bun.serve app, and a test checks that every path here is one it answers.
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const body = (schema: object) => ({ required: true, content: { "application/json": { schema } } });
const ok = (description: string, schema: object = { type: "object" }) => ({
  200: { description, content: { "application/json": { schema } } },
  default: { description: "Error ({error: {message, type, code}}; Anthropic paths use Anthropic's shape)", content: { "application/json": { schema: ref("Error") } } },
});
const idempotency = { name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 255 }, description: "Replays the stored response of an earlier request with the same key (per API key, 24 h) instead of running again." };
const profile = { name: "x-clickclack-profile", in: "header", required: false, schema: { type: "string" }, description: "Team profile to run under (a key listed in the profiles file is held to its own)." };
const id = { name: "id", in: "path", required: true, schema: { type: "string" }, description: "Session id or unique prefix (e.g. the short_id of a listing)" };

export function openApiDocument() {
  return {
    openapi: "3.1.0",
    info: {
      title: "ClickClack agent gateway",
      version: "1",
      description:
        "Runs Claude Code, Codex and Gemini CLI agents over HTTP: a native REST API, an OpenAI-compatible and an Anthropic-compatible surface. Failed runs answer `x-should-retry: false`; 429 and 503 mean nothing ran and carry Retry-After.",
    },
    security: [{ bearer: [] }, { apiKey: [] }],
    paths: {
      "/health": { get: { summary: "Liveness, backend availability and versions, runs in flight and queued", security: [], responses: ok("Health") } },
      "/openapi.json": { get: { summary: "This document", security: [], responses: ok("OpenAPI document") } },
      "/metrics": { get: { summary: "Prometheus metrics", responses: { 200: { description: "text/plain exposition" } } } },
      "/api/v1/prompt": { post: { summary: "Run one prompt (stream: true for NDJSON events)", parameters: [idempotency], requestBody: body(ref("RunOptions")), responses: ok("Run result", ref("RunResult")) } },
      "/api/v1/parallel": { post: { summary: "Run tasks concurrently", parameters: [idempotency], requestBody: body({ type: "object", required: ["tasks"], properties: { tasks: { type: "array", items: ref("RunOptions") }, max_parallel: { type: "integer" }, fail_fast: { type: "boolean" }, stream: { type: "boolean" } } }), responses: ok("Task results") } },
      "/api/v1/compare": { post: { summary: "One prompt to several backends", parameters: [idempotency], requestBody: body({ allOf: [ref("RunOptions"), { type: "object", required: ["backends"], properties: { backends: { type: "array", items: { enum: ["claude", "codex", "gemini"] } }, sequential: { type: "boolean" } } }] }), responses: ok("Task results") } },
      "/api/v1/chain": { post: { summary: "Steps in order; {{previous}} and {{steps.<name>.output}} in prompts", parameters: [idempotency], requestBody: body({ type: "object", required: ["steps"], properties: { steps: { type: "array", items: ref("RunOptions") }, continue_session: { type: "boolean" }, stream: { type: "boolean" } } }), responses: ok("Task results") } },
      "/api/v1/backends": { get: { summary: "Installed agent CLIs", responses: ok("Backends") } },
      "/api/v1/sessions": { get: { summary: "This key's sessions, newest first (an admin key sees all)", parameters: [{ name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 } }, { name: "backend", in: "query", schema: { enum: ["claude", "codex", "gemini"] } }], responses: ok("Sessions", { type: "object", properties: { sessions: { type: "array", items: ref("Session") } } }) } },
      "/api/v1/sessions/{id}": {
        get: { summary: "One session", parameters: [id], responses: ok("Session", ref("Session")) },
        delete: { summary: "Delete a session", parameters: [id], responses: ok("Deleted") },
      },
      "/api/v1/sessions/{id}/cancel": { post: { summary: "Cancel the session's running turn", parameters: [id], responses: { 202: { description: "Cancelled" } } } },
      "/openai/v1/models": { get: { summary: "Model names and the backend each runs on", responses: ok("OpenAI model list") } },
      "/openai/v1/models/{model}": { get: { summary: "One model", parameters: [{ name: "model", in: "path", required: true, schema: { type: "string" } }], responses: ok("OpenAI model") } },
      "/openai/v1/chat/completions": { post: { summary: "OpenAI Chat Completions (text; stream with SSE)", parameters: [idempotency, profile], requestBody: body({ type: "object" }), responses: ok("chat.completion") } },
      "/anthropic/v1/messages": { post: { summary: "Anthropic Messages (text; stream with SSE)", parameters: [idempotency, profile], requestBody: body({ type: "object" }), responses: ok("message") } },
      "/anthropic/v1/messages/count_tokens": { post: { summary: "Estimated input tokens (x-clickclack-estimate: true)", requestBody: body({ type: "object" }), responses: ok("{input_tokens}") } },
      "/anthropic/v1/models": { get: { summary: "Model names in Anthropic's list shape", responses: ok("Anthropic model list") } },
      "/anthropic/v1/models/{model}": { get: { summary: "One model", parameters: [{ name: "model", in: "path", required: true, schema: { type: "string" } }], responses: ok("Anthropic model") } },
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer" },
        apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
      },
      schemas: {
        Error: { type: "object", properties: { error: { type: "object", properties: { message: { type: "string" }, type: { type: "string" }, code: { type: "string" } } } } },
        RunOptions: {
          type: "object",
          additionalProperties: false,
          properties: {
            prompt: { type: "string" },
            backend: { enum: ["claude", "codex", "gemini"] },
            model: { type: "string" },
            workdir: { type: "string" },
            approval: { enum: ["ask", "auto", "never-ask"] },
            sandbox: { enum: ["read-only", "workspace", "full"] },
            max_turns: { type: "integer", minimum: 1 },
            system_prompt: { type: "string" },
            session_id: { type: "string" },
            fork: { type: "boolean" },
            ephemeral: { type: "boolean" },
            title: { type: "string" },
            tags: { type: "array", items: { type: "string" } },
            timeout: { type: ["string", "number"] },
            idle_timeout: { type: ["string", "number"] },
            profile: { type: "string" },
            stream: { type: "boolean" },
          },
        },
        RunResult: {
          type: "object",
          properties: {
            status: { enum: ["completed", "failed", "timeout", "cancelled", "rejected"] },
            ok: { type: "boolean" },
            session_id: { type: ["string", "null"] },
            backend: { type: "string" },
            text: { type: "string" },
            usage: { type: "object" },
            turns: { type: "integer" },
            duration_ms: { type: "integer" },
            error: { type: "string" },
          },
        },
        Session: {
          type: "object",
          properties: {
            id: { type: "string" },
            short_id: { type: "string" },
            backend: { type: "string" },
            owner: { type: ["string", "null"], description: "The key id that created it; null for the operator's CLI sessions" },
            status: { type: "string" },
            runs: { type: "integer" },
            usage: { type: "object" },
            title: { type: ["string", "null"] },
          },
        },
      },
    },
  };
}
