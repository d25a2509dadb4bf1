// The served OpenAPI document is valid for the tools people feed it to: swagger-parser (the
// OpenAPI schema itself) and Redocly's recommended rules (redocly.yaml), with no warnings. It
// names its schemas and states each operation's authentication from the access policy.
import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { client, startTestServer, type TestServer } from "../testing/harness.ts";

const ROOT = join(import.meta.dir, "../..");
let server: TestServer;
let doc: any;
let dir: string;
let file: string;

beforeAll(async () => {
  server = await startTestServer();
  doc = (await client(server.url).get("/openapi/json")).body;
  dir = mkdtempSync(join(tmpdir(), "clickclack-openapi-"));
  file = join(dir, "openapi.json");
  await Bun.write(file, JSON.stringify(doc));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test("swagger-parser validates the document", async () => {
  // validate() dereferences in place: give it a copy.
  await SwaggerParser.validate(structuredClone(doc));
});

test("redocly lint reports no errors and no warnings", async () => {
  const proc = Bun.spawn([process.execPath, join(ROOT, "node_modules/@redocly/cli/bin/cli.js"), "lint", file, "--config", join(ROOT, "redocly.yaml"), "--format", "json"], {
    cwd: ROOT,
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const report = JSON.parse(out.slice(out.indexOf("{")));
  const problems = (report.problems ?? []).map((p: any) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`);
  expect(problems).toEqual([]);
  expect(code, err).toBe(0);
}, 60_000);

test("the wire objects are named schemas, with examples", () => {
  for (const name of ["Message", "Channel", "Event", "MessagePage", "ThreadPage", "Workspace", "User", "Upload", "Error"]) {
    expect(doc.components.schemas[name]?.type).toBe("object");
  }
  for (const name of ["Message", "Channel", "Event", "MessagePage", "Workspace", "User", "Error"]) {
    expect(doc.components.schemas[name].examples?.length).toBeGreaterThan(0);
  }
  const post = doc.paths["/api/channels/{id}/messages"].post;
  expect(post.responses["201"].content["application/json"].schema.properties.message).toEqual({ $ref: "#/components/schemas/Message" });
  expect(post.requestBody.content["application/json"].example.body).toBeString();
  expect(doc.paths["/api/channels/{id}/messages"].get.responses["200"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/MessagePage" });
  // The error shape, documented once and used by every error response.
  expect(doc.components.schemas.Error.required).toEqual(["error", "code"]);
  expect(post.responses["404"]).toEqual({ $ref: "#/components/responses/NotFound" });
  expect(doc.components.responses.RateLimited.headers["Retry-After"]).toBeDefined();
});

test("every operation states its authentication, as the access policy does", () => {
  const ops = Object.entries<any>(doc.paths).flatMap(([path, o]) => Object.entries<any>(o).map(([m, op]) => ({ key: `${m.toUpperCase()} ${path}`, op })));
  expect(ops.filter(({ op }) => !Array.isArray(op.security)).map(({ key }) => key)).toEqual([]);
  const security = (key: string) => ops.find((o) => o.key === key)!.op.security;
  expect(security("POST /api/channels/{id}/messages")).toEqual([{ bot: ["messages:write"] }, { session: [] }, { cookie: [] }]);
  expect(security("POST /api/workspaces")).toEqual([{ session: [] }, { cookie: [] }]);
  expect(security("POST /api/auth/magic/request")).toEqual([]);
  expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["bot", "cookie", "session"]);
  // A 204 has no content.
  expect(doc.paths["/api/channels/{id}"].delete.responses["204"].content).toBeUndefined();
});
