// The OpenAPI document is generated from the route schemas; this keeps it complete: every route
// documents a success response with a schema, and every write documents its request body.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { client, startTestServer, type TestServer } from "../testing/harness.ts";

let server: TestServer;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

// Writes that take no body by design.
// The digest unsubscribe takes its signed token in the query (a mail client's one-click POST sends only List-Unsubscribe=One-Click).
const BODYLESS = new Set(["POST /api/digest/unsubscribe", "POST /api/dms/{id}/open", "POST /api/auth/logout", "POST /api/auth/logout-everywhere"]);

test("every route has request and response schemas", async () => {
  const doc = (await client(server.url).get("/openapi/json")).body;
  const problems: string[] = [];
  let routes = 0;
  for (const [path, ops] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      routes++;
      const key = `${method.toUpperCase()} ${path}`;
      const success = Object.entries<any>(op.responses ?? {}).filter(([code]) => /^[23]/.test(code) || code === "426");
      if (success.length === 0) problems.push(`${key}: no success response`);
      for (const [code, r] of success) {
        // JSON mostly; text for metrics, bytes for downloads: any content type, with a schema.
        if (code !== "204" && !Object.values<any>(r.content ?? {}).some((c) => c?.schema)) problems.push(`${key}: ${code} has no schema`);
      }
      if (["post", "patch", "put"].includes(method) && !BODYLESS.has(key) && path.startsWith("/api/")) {
        const content = op.requestBody?.content ?? {};
        const schema = content["application/json"]?.schema ?? content["multipart/form-data"]?.schema;
        if (!schema) problems.push(`${key}: no request body schema`);
      }
      if (!op.summary) problems.push(`${key}: no summary`);
    }
  }
  expect(problems).toEqual([]);
  expect(routes).toBeGreaterThan(30);
});
