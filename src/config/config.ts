// Configuration is resolved per key: command-line flag, then environment, then the JSON file,
// then the default. Every value is validated at start so a typo stops the server with a message
// that names the key and where the bad value came from, instead of failing on first use.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { trustedProxies } from "../http/client-info.ts";

export interface Config {
  addr: { hostname: string; port: number };
  dataDir: string;
  db: { kind: "sqlite"; path: string } | { kind: "postgres"; url: string; pool: number };
  dev: boolean;
  devBootstrap: boolean;
  publicUrl: string | null;
  /** Peers (CIDRs) whose X-Forwarded-For / Forwarded name the client: reverse proxies. */
  trustedProxy: string | null;
  metrics: boolean;
  logLevel: "debug" | "info" | "warn" | "error";
  eventRetentionDays: number;
  sessionDays: number;
  github: {
    clientId: string;
    clientSecret: string;
    allowedOrg: string | null;
    moderatorOrg: string | null;
    workspace: string | null;
    webUrl: string;
    apiUrl: string;
  } | null;
  uploads: UploadsConfig;
  /** Outgoing mail (sign-in links); null when no SMTP server is configured. */
  mail: { smtpUrl: string; from: string } | null;
  /** Pushover notifications (the original's CLICKCLACK_PUSHOVER_API_TOKEN); null when not configured. */
  pushover: { apiToken: string; apiUrl: string } | null;
}

/** Where upload bytes live, and how much each person may keep per workspace. */
export interface UploadsConfig {
  storage:
    | { kind: "file"; dir: string }
    | { kind: "s3"; bucket: string; prefix: string; endpoint: string | null; region: string | null; accessKeyId: string | null; secretAccessKey: string | null };
  quotaBytes: number;
  quotaFiles: number;
}

type Kind = "string" | "boolean" | "number";
interface Setting {
  key: keyof RawConfig;
  flag: string;
  env: string;
  kind: Kind;
  def: string | boolean | number | null;
  help: string;
}

interface RawConfig {
  addr: string;
  data: string;
  db: string | null;
  dbPool: number;
  dev: boolean;
  devBootstrap: boolean;
  publicUrl: string | null;
  trustedProxy: string | null;
  metrics: boolean;
  logLevel: string;
  eventRetentionDays: number;
  sessionDays: number;
  githubClientId: string | null;
  githubClientSecret: string | null;
  githubAllowedOrg: string | null;
  githubModeratorOrg: string | null;
  githubWorkspace: string | null;
  githubUrl: string;
  githubApiUrl: string;
  smtpUrl: string | null;
  mailFrom: string | null;
  pushoverApiToken: string | null;
  pushoverApiUrl: string;
  uploads: string | null;
  s3Endpoint: string | null;
  s3Region: string | null;
  s3AccessKeyId: string | null;
  s3SecretAccessKey: string | null;
  uploadQuotaBytes: number;
  uploadQuotaFiles: number;
}

export const SETTINGS: Setting[] = [
  { key: "addr", flag: "addr", env: "CLICKCLACK_ADDR", kind: "string", def: "127.0.0.1:8080", help: "listen address host:port (port 0 = any free port)" },
  { key: "data", flag: "data", env: "CLICKCLACK_DATA", kind: "string", def: "./data", help: "data directory (SQLite file, uploads)" },
  { key: "db", flag: "db", env: "CLICKCLACK_DB", kind: "string", def: null, help: "database: a SQLite path or sqlite:///path (default <data>/clickclack.db), or postgres://user@host:port/db" },
  { key: "dbPool", flag: "db-pool", env: "CLICKCLACK_DB_POOL", kind: "number", def: 10, help: "Postgres: connections in the pool (one of them writes)" },
  { key: "dev", flag: "dev", env: "CLICKCLACK_DEV", kind: "boolean", def: false, help: "dev mode: loopback requests may act as X-ClickClack-User or the first user" },
  { key: "devBootstrap", flag: "dev-bootstrap", env: "CLICKCLACK_DEV_BOOTSTRAP", kind: "boolean", def: false, help: "create a first user, workspace and #general (implies --dev)" },
  { key: "publicUrl", flag: "public-url", env: "CLICKCLACK_PUBLIC_URL", kind: "string", def: null, help: "the URL people use to reach the server (origin checks, links)" },
  { key: "trustedProxy", flag: "trusted-proxy", env: "CLICKCLACK_TRUSTED_PROXY", kind: "string", def: null, help: "reverse proxies (CIDR,…) whose X-Forwarded-For/Forwarded give the client address" },
  { key: "metrics", flag: "metrics", env: "CLICKCLACK_METRICS", kind: "boolean", def: false, help: "serve Prometheus metrics at /metrics" },
  { key: "logLevel", flag: "log-level", env: "CLICKCLACK_LOG_LEVEL", kind: "string", def: "info", help: "debug | info | warn | error" },
  { key: "eventRetentionDays", flag: "event-retention-days", env: "CLICKCLACK_EVENT_RETENTION_DAYS", kind: "number", def: 0, help: "prune events older than this many days (0 = keep all)" },
  { key: "sessionDays", flag: "session-days", env: "CLICKCLACK_SESSION_DAYS", kind: "number", def: 30, help: "how long a sign-in lasts" },
  { key: "githubClientId", flag: "github-client-id", env: "CLICKCLACK_GITHUB_CLIENT_ID", kind: "string", def: null, help: "GitHub OAuth app client id (enables GitHub sign-in)" },
  { key: "githubClientSecret", flag: "github-client-secret", env: "CLICKCLACK_GITHUB_CLIENT_SECRET", kind: "string", def: null, help: "GitHub OAuth app client secret" },
  { key: "githubAllowedOrg", flag: "github-allowed-org", env: "CLICKCLACK_GITHUB_ALLOWED_ORG", kind: "string", def: null, help: "only members of this GitHub org may sign in" },
  { key: "githubModeratorOrg", flag: "github-moderator-org", env: "CLICKCLACK_GITHUB_MODERATOR_ORG", kind: "string", def: null, help: "members of this org join as moderators, others as guests" },
  { key: "githubWorkspace", flag: "github-workspace", env: "CLICKCLACK_GITHUB_WORKSPACE", kind: "string", def: null, help: "slug of the workspace GitHub sign-ins join (default: the first)" },
  { key: "githubUrl", flag: "github-url", env: "CLICKCLACK_GITHUB_URL", kind: "string", def: "https://github.com", help: "GitHub web URL (GitHub Enterprise, tests)" },
  { key: "smtpUrl", flag: "smtp-url", env: "CLICKCLACK_SMTP_URL", kind: "string", def: null, help: "SMTP server for outgoing mail: smtp://user:pass@host:port (smtps:// for TLS)" },
  { key: "mailFrom", flag: "mail-from", env: "CLICKCLACK_MAIL_FROM", kind: "string", def: null, help: "the From address of outgoing mail (default: clickclack@<public host>)" },
  { key: "pushoverApiToken", flag: "pushover-api-token", env: "CLICKCLACK_PUSHOVER_API_TOKEN", kind: "string", def: null, help: "Pushover application token: pushes new messages to people who set a Pushover user key" },
  { key: "pushoverApiUrl", flag: "pushover-api-url", env: "CLICKCLACK_PUSHOVER_API_URL", kind: "string", def: "https://api.pushover.net/1/messages.json", help: "Pushover messages API URL (tests, proxies)" },
  { key: "githubApiUrl", flag: "github-api-url", env: "CLICKCLACK_GITHUB_API_URL", kind: "string", def: "https://api.github.com", help: "GitHub API URL" },
  { key: "uploads", flag: "uploads", env: "CLICKCLACK_UPLOADS", kind: "string", def: null, help: "upload storage: file:///dir (default <data>/uploads) or s3://bucket/prefix" },
  { key: "s3Endpoint", flag: "s3-endpoint", env: "CLICKCLACK_S3_ENDPOINT", kind: "string", def: null, help: "S3-compatible endpoint URL (default: AWS)" },
  { key: "s3Region", flag: "s3-region", env: "CLICKCLACK_S3_REGION", kind: "string", def: null, help: "S3 region" },
  { key: "s3AccessKeyId", flag: "s3-access-key-id", env: "CLICKCLACK_S3_ACCESS_KEY_ID", kind: "string", def: null, help: "S3 access key id (default: the AWS_* environment)" },
  { key: "s3SecretAccessKey", flag: "s3-secret-access-key", env: "CLICKCLACK_S3_SECRET_ACCESS_KEY", kind: "string", def: null, help: "S3 secret access key" },
  { key: "uploadQuotaBytes", flag: "upload-quota-bytes", env: "CLICKCLACK_UPLOAD_QUOTA_BYTES", kind: "number", def: 512 * 1024 * 1024, help: "upload bytes each person may keep per workspace" },
  { key: "uploadQuotaFiles", flag: "upload-quota-files", env: "CLICKCLACK_UPLOAD_QUOTA_FILES", kind: "number", def: 64, help: "uploads each person may keep per workspace" },
];

export class ConfigError extends Error {}

function coerce(setting: Setting, value: unknown, source: string): string | boolean | number {
  const where = `${setting.key} (from ${source})`;
  if (setting.kind === "boolean") {
    if (typeof value === "boolean") return value;
    if (typeof value === "string" && /^(1|true|yes|on)$/i.test(value)) return true;
    if (typeof value === "string" && /^(0|false|no|off|)$/i.test(value)) return false;
    throw new ConfigError(`${where}: expected true or false, got ${JSON.stringify(value)}`);
  }
  if (setting.kind === "number") {
    const n = typeof value === "number" ? value : Number(value);
    if (!Number.isFinite(n) || typeof value === "boolean" || value === "") {
      throw new ConfigError(`${where}: expected a number, got ${JSON.stringify(value)}`);
    }
    return n;
  }
  if (typeof value !== "string") throw new ConfigError(`${where}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

export function parseAddr(value: string, source = "addr"): { hostname: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new ConfigError(`addr (from ${source}): expected host:port such as 127.0.0.1:8080 or :8080, got ${JSON.stringify(value)}`);
  }
  const hostname = m[1] ?? (m[2] || "0.0.0.0");
  return { hostname, port };
}

/** Resolves the configuration for `serve`-like commands. `argv` are the command's own args. */
export function loadConfig(argv: string[], env: Record<string, string | undefined> = process.env): { config: Config; rest: string[] } {
  const options: Record<string, { type: "string" | "boolean" }> = { config: { type: "string" } };
  for (const s of SETTINGS) options[s.flag] = { type: s.kind === "boolean" ? "boolean" : "string" };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;

  const file = (flags.config as string | undefined) ?? env.CLICKCLACK_CONFIG;
  let json: Record<string, unknown> = {};
  if (file) {
    if (!existsSync(file)) throw new ConfigError(`config file ${file} does not exist`);
    try {
      json = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
      throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) throw new ConfigError(`config file ${file} must hold a JSON object`);
    const known = new Set(SETTINGS.map((s) => s.key as string));
    for (const k of Object.keys(json)) if (!known.has(k)) throw new ConfigError(`config file ${file}: unknown key "${k}" (known: ${[...known].join(", ")})`);
  }

  const raw: Record<string, unknown> = {};
  const source: Record<string, string> = {};
  for (const s of SETTINGS) {
    if (flags[s.flag] !== undefined) source[s.key] = `--${s.flag}`;
    else if (env[s.env] !== undefined && env[s.env] !== "") source[s.key] = s.env;
    else if (json[s.key] !== undefined) source[s.key] = "config file";
    else source[s.key] = "default";
    const value = source[s.key] === "default" ? s.def : source[s.key] === "config file" ? json[s.key] : source[s.key] === s.env ? env[s.env] : flags[s.flag];
    raw[s.key] = source[s.key] === "default" ? s.def : coerce(s, value, source[s.key]!);
  }
  const from = (key: string) => `${key} (from ${source[key]})`;
  const r = raw as unknown as RawConfig;

  const dataDir = resolve(r.data);
  let db: Config["db"];
  const dbValue = r.db ?? `${dataDir}/clickclack.db`;
  if (/^postgres(ql)?:\/\//.test(dbValue)) {
    if (!Number.isInteger(r.dbPool) || r.dbPool < 2 || r.dbPool > 1000) throw new ConfigError(`${from("dbPool")}: expected a whole number from 2 to 1000`);
    db = { kind: "postgres", url: dbValue, pool: r.dbPool };
  } else {
    const path = dbValue.startsWith("sqlite://") ? dbValue.slice("sqlite://".length) : dbValue;
    if (path === "") throw new ConfigError(`${from("db")}: empty SQLite path`);
    db = { kind: "sqlite", path: path === ":memory:" ? path : resolve(path) };
  }
  if (!["debug", "info", "warn", "error"].includes(r.logLevel)) {
    throw new ConfigError(`${from("logLevel")}: expected debug, info, warn or error, got ${JSON.stringify(r.logLevel)}`);
  }
  if (r.publicUrl !== null) {
    try {
      new URL(r.publicUrl);
    } catch {
      throw new ConfigError(`${from("publicUrl")}: not a URL: ${JSON.stringify(r.publicUrl)}`);
    }
  }
  try {
    trustedProxies(r.trustedProxy);
  } catch (err) {
    throw new ConfigError(`${from("trustedProxy")}: ${(err as Error).message}`);
  }
  if (r.eventRetentionDays < 0) throw new ConfigError(`${from("eventRetentionDays")}: must be 0 or more`);
  if (!(r.sessionDays > 0)) throw new ConfigError(`${from("sessionDays")}: must be more than 0`);
  if ((r.githubClientId === null) !== (r.githubClientSecret === null)) {
    throw new ConfigError(`githubClientId and githubClientSecret go together: set both (from ${source.githubClientId} and ${source.githubClientSecret})`);
  }
  for (const key of ["githubUrl", "githubApiUrl"] as const) {
    try {
      new URL(r[key]);
    } catch {
      throw new ConfigError(`${from(key)}: not a URL: ${JSON.stringify(r[key])}`);
    }
  }

  const uploads = uploadsConfig(r, dataDir, from);
  if (r.smtpUrl !== null) {
    let ok = false;
    try {
      ok = ["smtp:", "smtps:"].includes(new URL(r.smtpUrl).protocol);
    } catch {}
    if (!ok) throw new ConfigError(`${from("smtpUrl")}: expected smtp://user:pass@host:port or smtps://…`);
  }
  if (r.mailFrom !== null && !/^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(r.mailFrom)) throw new ConfigError(`${from("mailFrom")}: not an email address: ${JSON.stringify(r.mailFrom)}`);

  return {
    config: {
      addr: parseAddr(r.addr, source.addr),
      dataDir,
      db,
      dev: r.dev || r.devBootstrap,
      devBootstrap: r.devBootstrap,
      publicUrl: r.publicUrl,
      trustedProxy: r.trustedProxy,
      metrics: r.metrics,
      logLevel: r.logLevel as Config["logLevel"],
      eventRetentionDays: r.eventRetentionDays,
      sessionDays: r.sessionDays,
      github: r.githubClientId && r.githubClientSecret
        ? {
            clientId: r.githubClientId,
            clientSecret: r.githubClientSecret,
            allowedOrg: r.githubAllowedOrg,
            moderatorOrg: r.githubModeratorOrg,
            workspace: r.githubWorkspace,
            webUrl: r.githubUrl.replace(/\/$/, ""),
            apiUrl: r.githubApiUrl.replace(/\/$/, ""),
          }
        : null,
      uploads,
      pushover: r.pushoverApiToken ? { apiToken: r.pushoverApiToken, apiUrl: r.pushoverApiUrl } : null,
      mail: r.smtpUrl ? { smtpUrl: r.smtpUrl, from: r.mailFrom ?? `clickclack@${r.publicUrl ? new URL(r.publicUrl).hostname : "localhost"}` } : null,
    },
    rest: parsed.positionals,
  };
}

function uploadsConfig(r: RawConfig, dataDir: string, from: (key: string) => string): UploadsConfig {
  for (const key of ["uploadQuotaBytes", "uploadQuotaFiles"] as const) {
    if (!Number.isInteger(r[key]) || r[key] < 1) throw new ConfigError(`${from(key)}: must be a whole number of 1 or more`);
  }
  const quota = { quotaBytes: r.uploadQuotaBytes, quotaFiles: r.uploadQuotaFiles };
  const value = r.uploads ?? `file://${dataDir}/uploads`;
  if (value.startsWith("s3://")) {
    const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(value);
    if (!m) throw new ConfigError(`${from("uploads")}: expected s3://bucket or s3://bucket/prefix, got ${JSON.stringify(value)}`);
    if (r.s3Endpoint !== null) {
      try {
        new URL(r.s3Endpoint);
      } catch {
        throw new ConfigError(`${from("s3Endpoint")}: not a URL: ${JSON.stringify(r.s3Endpoint)}`);
      }
    }
    if ((r.s3AccessKeyId === null) !== (r.s3SecretAccessKey === null)) throw new ConfigError("s3AccessKeyId and s3SecretAccessKey go together: set both or neither");
    const prefix = (m[2] ?? "").replace(/^\/+|\/+$/g, "");
    return {
      storage: { kind: "s3", bucket: m[1]!, prefix, endpoint: r.s3Endpoint, region: r.s3Region, accessKeyId: r.s3AccessKeyId, secretAccessKey: r.s3SecretAccessKey },
      ...quota,
    };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !value.startsWith("file://")) {
    throw new ConfigError(`${from("uploads")}: expected file:///dir or s3://bucket/prefix, got ${JSON.stringify(value)}`);
  }
  const dir = value.startsWith("file://") ? value.slice("file://".length) : value;
  if (dir === "") throw new ConfigError(`${from("uploads")}: empty directory`);
  return { storage: { kind: "file", dir: resolve(dir) }, ...quota };
}

export function configHelp(): string {
  return SETTINGS.map((s) => `  --${s.flag.padEnd(22)} ${s.env.padEnd(32)} ${s.help}`).join("\n");
}
