import { expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "./config.ts";

test("flag beats env beats file beats default", () => {
  const dir = mkdtempSync(join(tmpdir(), "cc-config-"));
  const file = join(dir, "c.json");
  writeFileSync(file, JSON.stringify({ addr: "127.0.0.1:7000", logLevel: "warn", data: dir }));
  expect(loadConfig([], {}).config.addr).toEqual({ hostname: "127.0.0.1", port: 8080 });
  expect(loadConfig(["--config", file], {}).config).toMatchObject({ addr: { port: 7000 }, logLevel: "warn", dataDir: dir });
  expect(loadConfig(["--config", file], { CLICKCLACK_ADDR: ":7001" }).config.addr).toEqual({ hostname: "0.0.0.0", port: 7001 });
  expect(loadConfig(["--config", file, "--addr", "[::1]:7002"], { CLICKCLACK_ADDR: ":7001" }).config.addr).toEqual({ hostname: "::1", port: 7002 });
  expect(loadConfig(["--data", dir], {}).config.db).toEqual({ kind: "sqlite", path: join(dir, "clickclack.db") });
  expect(loadConfig(["--dev-bootstrap"], {}).config.dev).toBe(true);
});

test("every bad value stops start-up with a message naming the key and its source", () => {
  const bad: [string[], Record<string, string>, RegExp][] = [
    [["--addr", "localhost"], {}, /addr \(from --addr\)/],
    [[], { CLICKCLACK_ADDR: "1.2.3.4:99999" }, /addr/],
    [[], { CLICKCLACK_DEV: "maybe" }, /dev \(from CLICKCLACK_DEV\): expected true or false/],
    [[], { CLICKCLACK_LOG_LEVEL: "loud" }, /logLevel/],
    [[], { CLICKCLACK_EVENT_RETENTION_DAYS: "soon" }, /eventRetentionDays \(from CLICKCLACK_EVENT_RETENTION_DAYS\): expected a number/],
    [[], { CLICKCLACK_PUBLIC_URL: "not a url" }, /publicUrl/],
    [["--nope"], {}, /Unknown option '--nope'/],
    [["--config", "/does/not/exist.json"], {}, /does not exist/],
  ];
  for (const [args, env, message] of bad) {
    expect(() => loadConfig(args, env)).toThrow(ConfigError);
    expect(() => loadConfig(args, env)).toThrow(message);
  }
  const dir = mkdtempSync(join(tmpdir(), "cc-config-"));
  const file = join(dir, "c.json");
  writeFileSync(file, JSON.stringify({ adr: "x" }));
  expect(() => loadConfig(["--config", file], {})).toThrow(/unknown key "adr"/);
  writeFileSync(file, "{");
  expect(() => loadConfig(["--config", file], {})).toThrow(/not valid JSON/);
});

test("serve refuses a bad configuration with exit code 2", async () => {
  const proc = Bun.spawn(["bun", join(import.meta.dir, "..", "main.ts"), "serve", "--addr", "nowhere"], { stderr: "pipe", stdout: "pipe" });
  expect(await proc.exited).toBe(2);
  expect(await new Response(proc.stderr).text()).toContain("addr (from --addr)");
});

test("the Go server's environment keys work unchanged beside ours", () => {
  const go = {
    CLICKCLACK_METRICS_ENABLED: "true",
    CLICKCLACK_ACCESS_LOG: "errors",
    CLICKCLACK_HOME_URL: "https://intranet.example.com/",
    CLICKCLACK_HOME_LABEL: "Intranet",
    CLICKCLACK_COOKIE_NAMESPACE: "team_a",
    CLICKCLACK_ENVIRONMENT: "production",
    CLICKCLACK_UPLOADS: "r2://chat-files/uploads",
    CLICKCLACK_R2_ACCOUNT_ID: "acct123",
    CLICKCLACK_R2_ACCESS_KEY_ID: "AKR2",
    CLICKCLACK_R2_SECRET_ACCESS_KEY: "sekret",
  };
  const { config } = loadConfig([], go);
  expect(config).toMatchObject({ metrics: true, accessLog: "errors", environment: "production", cookieNamespace: "team_a", home: { url: "https://intranet.example.com/", label: "Intranet" } });
  expect(config.uploads.storage).toEqual({ kind: "s3", bucket: "chat-files", prefix: "uploads", endpoint: "https://acct123.r2.cloudflarestorage.com", region: "auto", accessKeyId: "AKR2", secretAccessKey: "sekret" });
  // Ours wins where both are set; an explicit endpoint wins over the account's.
  expect(loadConfig([], { ...go, CLICKCLACK_METRICS: "false" }).config.metrics).toBe(false);
  expect((loadConfig([], { ...go, CLICKCLACK_R2_ENDPOINT: "http://127.0.0.1:9000" }).config.uploads.storage as { endpoint: string }).endpoint).toBe("http://127.0.0.1:9000");
  // Embeds are framed by nobody unless listed; space or comma separated CSP sources.
  expect(loadConfig([], {}).config.embedFrameAncestors).toEqual([]);
  expect(loadConfig(["--embed-frame-ancestors", "https://intranet.example.com, https://*.example.org:8443 'self'"], {}).config.embedFrameAncestors).toEqual(["https://intranet.example.com", "https://*.example.org:8443", "'self'"]);
  expect(loadConfig([], { CLICKCLACK_HOME_URL: "/handbook" }).config.home).toEqual({ url: "/handbook", label: "Home" });
  // Their values are validated as strictly as ours, naming the key they came from.
  for (const [env, message] of [
    [{ CLICKCLACK_METRICS_ENABLED: "perhaps" }, /metrics \(from CLICKCLACK_METRICS_ENABLED\)/],
    [{ CLICKCLACK_ACCESS_LOG: "some" }, /accessLog \(from CLICKCLACK_ACCESS_LOG\)/],
    [{ CLICKCLACK_HOME_URL: "javascript:alert(1)" }, /homeUrl/],
    [{ CLICKCLACK_HOME_URL: "//evil.example" }, /homeUrl/],
    [{ CLICKCLACK_HOME_URL: "https:\\\\evil.example" }, /homeUrl/],
    [{ CLICKCLACK_HOME_LABEL: "x".repeat(33) }, /homeLabel/],
    [{ CLICKCLACK_COOKIE_NAMESPACE: "a;b" }, /cookieNamespace/],
    [{ CLICKCLACK_EMBED_FRAME_ANCESTORS: "https://ok.example; script-src *" }, /embedFrameAncestors/],
    [{ CLICKCLACK_EMBED_FRAME_ANCESTORS: "*" }, /embedFrameAncestors/],
    [{ CLICKCLACK_EMBED_FRAME_ANCESTORS: "'unsafe-inline'" }, /embedFrameAncestors/],
    [{ CLICKCLACK_UPLOADS: "r2://bucket" }, /R2_ACCOUNT_ID/],
  ] as const) {
    expect(() => loadConfig([], env)).toThrow(message);
  }
});

test("OIDC needs issuer, client id and secret together, an https issuer and a gate", () => {
  const base = ["--oidc-issuer", "https://idp.example.com", "--oidc-client-id", "cc", "--oidc-client-secret", "s"];
  expect(() => loadConfig(["--oidc-issuer", "https://idp.example.com"], {})).toThrow(/go together/);
  expect(() => loadConfig(base, {})).toThrow(/needs a gate/);
  expect(() => loadConfig(["--oidc-issuer", "http://idp.example.com", ...base.slice(2), "--oidc-required-group", "g"], {})).toThrow(/must be https/);
  expect(loadConfig([...base, "--oidc-allowed-domains", " Example.com, @example.org "], {}).config.oidc).toMatchObject({ allowedDomains: ["example.com", "example.org"], groupsClaim: "groups", name: "single sign-on" });
  expect(loadConfig([], {}).config.oidc).toBeNull();
  expect(loadConfig([], {}).config.passwordAuth).toBe(false);
  expect(loadConfig([], { CLICKCLACK_PASSWORD_AUTH: "true" }).config.passwordAuth).toBe(true);
});
