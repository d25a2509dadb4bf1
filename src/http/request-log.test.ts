// Request ids and the access log, read from the server's JSON log lines.
import { expect, test } from "bun:test";
import { client, startTestServer } from "../testing/harness.ts";

async function serverWithLog(args: string[] = []) {
  const lines: any[] = [];
  const server = await startTestServer(args, { logTo: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  return { server, lines, api: client(server.url) };
}

test("a request id is echoed in the response and written on the JSON access-log line", async () => {
  const { server, lines, api } = await serverWithLog();
  try {
    const given = await api.get("/healthz", { "X-Request-ID": "trace-42.a" });
    expect(given.headers.get("x-request-id")).toBe("trace-42.a");
    const fresh = await api.get("/api/no-such-route");
    const id = fresh.headers.get("x-request-id")!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // An id that could forge log lines is replaced.
    const forged = await api.get("/healthz", { "X-Request-ID": "x\"}{\"level\":\"error" });
    expect(forged.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    await Bun.sleep(20);
    const access = lines.filter((l) => l.kind === "access");
    expect(access.find((l) => l.request_id === "trace-42.a")).toMatchObject({ level: "info", method: "GET", path: "/healthz", status: 200, msg: "request", client: "127.0.0.1" });
    expect(access.find((l) => l.request_id === id)).toMatchObject({ level: "warn", path: "/api/no-such-route", status: 404 });
    expect(typeof access[0].duration_ms).toBe("number");
  } finally {
    await server.close();
  }
});

test("query strings and credentials never reach the log", async () => {
  const { server, lines, api } = await serverWithLog();
  try {
    await api.get("/api/me?token=sst_SECRETVALUE", { authorization: "Bearer ccb_SECRETVALUE", cookie: "cc_session=SECRETVALUE" });
    await api.post("/api/auth/magic/request", { email: "ada@example.com", password: "SECRETVALUE" });
    await Bun.sleep(20);
    expect(lines.length).toBeGreaterThan(1);
    expect(JSON.stringify(lines)).not.toContain("SECRETVALUE");
    expect(lines.find((l) => l.path === "/api/me")).toBeDefined();
  } finally {
    await server.close();
  }
});

test("--log-level warn silences info lines; --access-log errors and off", async () => {
  const warn = await serverWithLog(["--log-level", "warn"]);
  const errors = await serverWithLog(["--access-log", "errors"]);
  const off = await serverWithLog(["--access-log", "off"]);
  try {
    for (const s of [warn, errors, off]) {
      await s.api.get("/healthz");
      await s.api.get("/api/no-such-route");
    }
    await Bun.sleep(20);
    expect(warn.lines.filter((l) => l.level === "info")).toEqual([]);
    expect(warn.lines.map((l) => l.status)).toEqual([404]);
    expect(errors.lines.filter((l) => l.kind === "access").map((l) => l.status)).toEqual([404]);
    expect(off.lines.filter((l) => l.kind === "access")).toEqual([]);
  } finally {
    await Promise.all([warn.server.close(), errors.server.close(), off.server.close()]);
  }
});
