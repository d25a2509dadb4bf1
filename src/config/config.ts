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
  /** Access log lines: every request, only 4xx/5xx, or none. */
  accessLog: "all" | "errors" | "off";
  /** A deployment label (CLICKCLACK_ENVIRONMENT, e.g. production), written on every log line. */
  environment: string | null;
  /** The web app's home link (the workspace rail's home button), as the Go server has it. */
  home: { url: string; label: string } | null;
  /** Prefix for cookie names, so that two deployments on one domain keep apart. */
  cookieNamespace: string | null;
  /** Who may frame the /embed/ pages: CSP source expressions; empty means nobody ('none'). */
  embedFrameAncestors: string[];
  /** OTLP/HTTP collector for traces; null: tracing off. */
  otlpEndpoint: string | null;
  eventRetentionDays: number;
  sessionDays: number;
  /** At most one mention digest mail per person per this many minutes; 0 = no digest. */
  digestMinutes: number;
  /** At most one push per device per this many seconds; later messages in the window fold into one (0 = every message). */
  pushCoalesceSeconds: number;
  github: {
    clientId: string;
    clientSecret: string;
    allowedOrg: string | null;
    moderatorOrg: string | null;
    workspace: string | null;
    webUrl: string;
    apiUrl: string;
  } | null;
  /** Generic OpenID Connect sign-in (Google Workspace, Okta, Keycloak, Authentik…); null when off. */
  oidc: OidcConfig | null;
  /** Opt-in email/handle + password sign-in; passwords are set by an admin, never self-registered. */
  passwordAuth: boolean;
  uploads: UploadsConfig;
  /** Where outgoing calls (event subscriptions, slash command callbacks) may go. */
  outbound: { allowPrivate: boolean; allowCidrs: string | null };
  limits: LimitsConfig;
  /** Outgoing mail (sign-in links); null when no SMTP server is configured. */
  mail: { smtpUrl: string; from: string } | null;
  /** Pushover notifications (the original's CLICKCLACK_PUSHOVER_API_TOKEN); null when not configured. */
  pushover: { apiToken: string; apiUrl: string } | null;
}

/** A token bucket: `perMinute` tokens a minute, holding at most a minute's worth. */
export interface Rate {
  perMinute: number;
}

/**
 * What one person (or one credential) may do, per process. `enabled: false` turns the rates and
 * socket caps off (benchmarks compare both); workspace creation rules always apply.
 */
export interface LimitsConfig {
  enabled: boolean;
  posts: Rate;
  edits: Rate;
  reactions: Rate;
  ephemeral: Rate;
  uploads: Rate;
  searches: Rate;
  searchesAtOnce: number;
  /** How long one search may run before it is stopped (503 search_timeout). */
  searchBudgetMs: number;
  socketsPerPerson: number;
  socketsPerCredential: number;
  workspacesPerPerson: number;
  workspaceCreators: "anyone" | "owners";
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The button text: "Sign in with <name>". */
  name: string;
  /** Lower-cased email domains allowed to sign in; empty = any (then a group must gate). */
  allowedDomains: string[];
  requiredGroup: string | null;
  moderatorGroup: string | null;
  /** The ID token claim holding the person's groups. */
  groupsClaim: string;
  workspace: string | null;
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
  /** The original Go server's environment names for the same setting, read after `env`. */
  aliases?: string[];
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
  accessLog: string;
  environment: string | null;
  homeUrl: string | null;
  homeLabel: string | null;
  cookieNamespace: string | null;
  embedFrameAncestors: string | null;
  otlpEndpoint: string | null;
  eventRetentionDays: number;
  sessionDays: number;
  /** At most one mention digest mail per person per this many minutes; 0 = no digest. */
  digestMinutes: number;
  /** At most one push per device per this many seconds; later messages in the window fold into one (0 = every message). */
  pushCoalesceSeconds: number;
  githubClientId: string | null;
  githubClientSecret: string | null;
  githubAllowedOrg: string | null;
  githubModeratorOrg: string | null;
  githubWorkspace: string | null;
  githubUrl: string;
  githubApiUrl: string;
  oidcIssuer: string | null;
  oidcClientId: string | null;
  oidcClientSecret: string | null;
  oidcName: string;
  oidcAllowedDomains: string | null;
  oidcRequiredGroup: string | null;
  oidcModeratorGroup: string | null;
  oidcGroupsClaim: string;
  oidcWorkspace: string | null;
  passwordAuth: boolean;
  smtpUrl: string | null;
  mailFrom: string | null;
  pushoverApiToken: string | null;
  pushoverApiUrl: string;
  uploads: string | null;
  s3Endpoint: string | null;
  s3Region: string | null;
  s3AccessKeyId: string | null;
  s3SecretAccessKey: string | null;
  r2AccountId: string | null;
  uploadQuotaBytes: number;
  uploadQuotaFiles: number;
  allowPrivateWebhooks: boolean;
  webhookAllowCidrs: string | null;
  limits: boolean;
  limitPostsPerMinute: number;
  limitEditsPerMinute: number;
  limitReactionsPerMinute: number;
  limitEphemeralPerMinute: number;
  limitUploadsPerMinute: number;
  limitSearchesPerMinute: number;
  limitSearchesAtOnce: number;
  searchBudgetMs: number;
  limitSocketsPerPerson: number;
  limitSocketsPerCredential: number;
  workspacesPerPerson: number;
  workspaceCreators: string;
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
  { key: "metrics", flag: "metrics", env: "CLICKCLACK_METRICS", kind: "boolean", def: false, help: "serve Prometheus metrics at /metrics", aliases: ["CLICKCLACK_METRICS_ENABLED"] },
  { key: "logLevel", flag: "log-level", env: "CLICKCLACK_LOG_LEVEL", kind: "string", def: "info", help: "debug | info | warn | error" },
  { key: "accessLog", flag: "access-log", env: "CLICKCLACK_ACCESS_LOG", kind: "string", def: "all", help: "access log lines: all | errors | off" },
  { key: "environment", flag: "environment", env: "CLICKCLACK_ENVIRONMENT", kind: "string", def: null, help: "deployment label written on every log line (e.g. production)" },
  { key: "homeUrl", flag: "home-url", env: "CLICKCLACK_HOME_URL", kind: "string", def: null, help: "the web app's home link: an http(s) URL or a /path on this origin" },
  { key: "homeLabel", flag: "home-label", env: "CLICKCLACK_HOME_LABEL", kind: "string", def: null, help: "the home link's label (at most 32 characters)" },
  { key: "cookieNamespace", flag: "cookie-namespace", env: "CLICKCLACK_COOKIE_NAMESPACE", kind: "string", def: null, help: "prefix for cookie names (letters, digits, - and _)" },
  { key: "embedFrameAncestors", flag: "embed-frame-ancestors", env: "CLICKCLACK_EMBED_FRAME_ANCESTORS", kind: "string", def: null, help: "sites that may frame /embed/ pages: CSP sources, space or comma separated (e.g. https://intranet.example.com); default none" },
  { key: "otlpEndpoint", flag: "otlp-endpoint", env: "CLICKCLACK_OTLP_ENDPOINT", kind: "string", def: null, help: "send OpenTelemetry traces over OTLP/HTTP to this collector (off by default)", aliases: ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"] },
  { key: "eventRetentionDays", flag: "event-retention-days", env: "CLICKCLACK_EVENT_RETENTION_DAYS", kind: "number", def: 0, help: "prune events older than this many days (0 = keep all)" },
  { key: "sessionDays", flag: "session-days", env: "CLICKCLACK_SESSION_DAYS", kind: "number", def: 30, help: "how long a sign-in lasts" },
  { key: "digestMinutes", flag: "digest-minutes", env: "CLICKCLACK_DIGEST_MINUTES", kind: "number", def: 60, help: "with SMTP: mail people their unread mentions while they are away, at most once per this many minutes (0 = never)" },
  { key: "pushCoalesceSeconds", flag: "push-coalesce-seconds", env: "CLICKCLACK_PUSH_COALESCE_SECONDS", kind: "number", def: 15, help: "Web Push and Pushover: at most one push per device per this many seconds; messages in between fold into one (0 = push every message)" },
  { key: "githubClientId", flag: "github-client-id", env: "CLICKCLACK_GITHUB_CLIENT_ID", kind: "string", def: null, help: "GitHub OAuth app client id (enables GitHub sign-in)" },
  { key: "githubClientSecret", flag: "github-client-secret", env: "CLICKCLACK_GITHUB_CLIENT_SECRET", kind: "string", def: null, help: "GitHub OAuth app client secret" },
  { key: "githubAllowedOrg", flag: "github-allowed-org", env: "CLICKCLACK_GITHUB_ALLOWED_ORG", kind: "string", def: null, help: "only members of this GitHub org may sign in" },
  { key: "githubModeratorOrg", flag: "github-moderator-org", env: "CLICKCLACK_GITHUB_MODERATOR_ORG", kind: "string", def: null, help: "members of this org join as moderators, others as guests" },
  { key: "githubWorkspace", flag: "github-workspace", env: "CLICKCLACK_GITHUB_WORKSPACE", kind: "string", def: null, help: "slug of the workspace GitHub sign-ins join (default: the first)" },
  { key: "githubUrl", flag: "github-url", env: "CLICKCLACK_GITHUB_URL", kind: "string", def: "https://github.com", help: "GitHub web URL (GitHub Enterprise, tests)" },
  { key: "oidcIssuer", flag: "oidc-issuer", env: "CLICKCLACK_OIDC_ISSUER", kind: "string", def: null, help: "OpenID Connect issuer URL (enables OIDC sign-in; its discovery document is read)" },
  { key: "oidcClientId", flag: "oidc-client-id", env: "CLICKCLACK_OIDC_CLIENT_ID", kind: "string", def: null, help: "OIDC client id" },
  { key: "oidcClientSecret", flag: "oidc-client-secret", env: "CLICKCLACK_OIDC_CLIENT_SECRET", kind: "string", def: null, help: "OIDC client secret" },
  { key: "oidcName", flag: "oidc-name", env: "CLICKCLACK_OIDC_NAME", kind: "string", def: "single sign-on", help: "provider name on the sign-in button (\"Sign in with <name>\")" },
  { key: "oidcAllowedDomains", flag: "oidc-allowed-domains", env: "CLICKCLACK_OIDC_ALLOWED_DOMAINS", kind: "string", def: null, help: "comma-separated email domains allowed to sign in with OIDC" },
  { key: "oidcRequiredGroup", flag: "oidc-required-group", env: "CLICKCLACK_OIDC_REQUIRED_GROUP", kind: "string", def: null, help: "only people with this group in the groups claim may sign in with OIDC" },
  { key: "oidcModeratorGroup", flag: "oidc-moderator-group", env: "CLICKCLACK_OIDC_MODERATOR_GROUP", kind: "string", def: null, help: "people in this group join as moderators, others as guests" },
  { key: "oidcGroupsClaim", flag: "oidc-groups-claim", env: "CLICKCLACK_OIDC_GROUPS_CLAIM", kind: "string", def: "groups", help: "the ID token claim listing groups" },
  { key: "oidcWorkspace", flag: "oidc-workspace", env: "CLICKCLACK_OIDC_WORKSPACE", kind: "string", def: null, help: "slug of the workspace OIDC sign-ins join (default: the first)" },
  { key: "passwordAuth", flag: "password-auth", env: "CLICKCLACK_PASSWORD_AUTH", kind: "boolean", def: false, help: "allow password sign-in (passwords set with clickclack admin user set-password)" },
  { key: "smtpUrl", flag: "smtp-url", env: "CLICKCLACK_SMTP_URL", kind: "string", def: null, help: "SMTP server for outgoing mail: smtp://user:pass@host:port (smtps:// for TLS)" },
  { key: "mailFrom", flag: "mail-from", env: "CLICKCLACK_MAIL_FROM", kind: "string", def: null, help: "the From address of outgoing mail (default: clickclack@<public host>)" },
  { key: "pushoverApiToken", flag: "pushover-api-token", env: "CLICKCLACK_PUSHOVER_API_TOKEN", kind: "string", def: null, help: "Pushover application token: pushes new messages to people who set a Pushover user key" },
  { key: "pushoverApiUrl", flag: "pushover-api-url", env: "CLICKCLACK_PUSHOVER_API_URL", kind: "string", def: "https://api.pushover.net/1/messages.json", help: "Pushover messages API URL (tests, proxies)" },
  { key: "githubApiUrl", flag: "github-api-url", env: "CLICKCLACK_GITHUB_API_URL", kind: "string", def: "https://api.github.com", help: "GitHub API URL" },
  { key: "uploads", flag: "uploads", env: "CLICKCLACK_UPLOADS", kind: "string", def: null, help: "upload storage: file:///dir (default <data>/uploads) or s3://bucket/prefix" },
  { key: "s3Endpoint", flag: "s3-endpoint", env: "CLICKCLACK_S3_ENDPOINT", kind: "string", def: null, help: "S3-compatible endpoint URL (default: AWS)", aliases: ["CLICKCLACK_R2_ENDPOINT"] },
  { key: "s3Region", flag: "s3-region", env: "CLICKCLACK_S3_REGION", kind: "string", def: null, help: "S3 region" },
  { key: "s3AccessKeyId", flag: "s3-access-key-id", env: "CLICKCLACK_S3_ACCESS_KEY_ID", kind: "string", def: null, help: "S3 access key id (default: the AWS_* environment)", aliases: ["CLICKCLACK_R2_ACCESS_KEY_ID"] },
  { key: "s3SecretAccessKey", flag: "s3-secret-access-key", env: "CLICKCLACK_S3_SECRET_ACCESS_KEY", kind: "string", def: null, help: "S3 secret access key", aliases: ["CLICKCLACK_R2_SECRET_ACCESS_KEY"] },
  { key: "r2AccountId", flag: "r2-account-id", env: "CLICKCLACK_R2_ACCOUNT_ID", kind: "string", def: null, help: "Cloudflare R2 account (uploads r2://bucket: endpoint https://ACCOUNT.r2.cloudflarestorage.com)" },
  { key: "uploadQuotaBytes", flag: "upload-quota-bytes", env: "CLICKCLACK_UPLOAD_QUOTA_BYTES", kind: "number", def: 512 * 1024 * 1024, help: "upload bytes each person may keep across workspaces" },
  { key: "uploadQuotaFiles", flag: "upload-quota-files", env: "CLICKCLACK_UPLOAD_QUOTA_FILES", kind: "number", def: 64, help: "uploads each person may keep, across workspaces" },
  { key: "limits", flag: "limits", env: "CLICKCLACK_LIMITS", kind: "boolean", def: true, help: "per-person rate limits and socket caps (--no-limits turns them off)" },
  { key: "limitPostsPerMinute", flag: "limit-posts-per-minute", env: "CLICKCLACK_LIMIT_POSTS_PER_MINUTE", kind: "number", def: 300, help: "messages and replies a person may post a minute" },
  { key: "limitEditsPerMinute", flag: "limit-edits-per-minute", env: "CLICKCLACK_LIMIT_EDITS_PER_MINUTE", kind: "number", def: 300, help: "edits and deletions a person may make a minute" },
  { key: "limitReactionsPerMinute", flag: "limit-reactions-per-minute", env: "CLICKCLACK_LIMIT_REACTIONS_PER_MINUTE", kind: "number", def: 300, help: "reactions a person may add or remove a minute" },
  { key: "limitEphemeralPerMinute", flag: "limit-ephemeral-per-minute", env: "CLICKCLACK_LIMIT_EPHEMERAL_PER_MINUTE", kind: "number", def: 1200, help: "typing, presence and agent progress events a person may send a minute" },
  { key: "limitUploadsPerMinute", flag: "limit-uploads-per-minute", env: "CLICKCLACK_LIMIT_UPLOADS_PER_MINUTE", kind: "number", def: 60, help: "uploads a person may start a minute" },
  { key: "limitSearchesPerMinute", flag: "limit-searches-per-minute", env: "CLICKCLACK_LIMIT_SEARCHES_PER_MINUTE", kind: "number", def: 120, help: "searches a person may run a minute" },
  { key: "limitSearchesAtOnce", flag: "limit-searches-at-once", env: "CLICKCLACK_LIMIT_SEARCHES_AT_ONCE", kind: "number", def: 4, help: "searches of one person running at the same time" },
  { key: "searchBudgetMs", flag: "search-budget-ms", env: "CLICKCLACK_SEARCH_BUDGET_MS", kind: "number", def: 5000, help: "how long one search may run before it is stopped (503)" },
  { key: "limitSocketsPerPerson", flag: "limit-sockets-per-person", env: "CLICKCLACK_LIMIT_SOCKETS_PER_PERSON", kind: "number", def: 64, help: "realtime sockets one person may hold open" },
  { key: "limitSocketsPerCredential", flag: "limit-sockets-per-credential", env: "CLICKCLACK_LIMIT_SOCKETS_PER_CREDENTIAL", kind: "number", def: 16, help: "realtime sockets one session or bot token may hold open" },
  { key: "workspacesPerPerson", flag: "workspaces-per-person", env: "CLICKCLACK_WORKSPACES_PER_PERSON", kind: "number", def: 10, help: "workspaces one person may own (create) at a time" },
  { key: "workspaceCreators", flag: "workspace-creators", env: "CLICKCLACK_WORKSPACE_CREATORS", kind: "string", def: "anyone", help: "who may create workspaces: anyone, or owners (of the instance's first workspace)" },
  { key: "allowPrivateWebhooks", flag: "allow-private-webhooks", env: "CLICKCLACK_ALLOW_PRIVATE_WEBHOOKS", kind: "boolean", def: false, help: "let outgoing webhooks reach loopback and private addresses (tests, closed networks)" },
  { key: "webhookAllowCidrs", flag: "webhook-allow-cidrs", env: "CLICKCLACK_WEBHOOK_ALLOW_CIDRS", kind: "string", def: null, help: "private CIDRs (comma separated) outgoing webhooks may reach anyway" },
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
    // --no-limits (and any --no-<boolean>) turns a default-on switch off.
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true, allowNegative: true });
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
    const envName = [s.env, ...(s.aliases ?? [])].find((name) => env[name] !== undefined && env[name] !== "");
    if (flags[s.flag] !== undefined) source[s.key] = `--${s.flag}`;
    else if (envName) source[s.key] = envName;
    else if (json[s.key] !== undefined) source[s.key] = "config file";
    else source[s.key] = "default";
    const value = source[s.key] === "default" ? s.def : source[s.key] === "config file" ? json[s.key] : envName && source[s.key] === envName ? env[envName] : flags[s.flag];
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
  if (!["all", "errors", "off"].includes(r.accessLog)) {
    throw new ConfigError(`${from("accessLog")}: expected all, errors or off, got ${JSON.stringify(r.accessLog)}`);
  }
  const home = homeLink(r, from);
  if (r.cookieNamespace !== null && !/^[A-Za-z0-9_-]{1,32}$/.test(r.cookieNamespace)) {
    throw new ConfigError(`${from("cookieNamespace")}: use 1–32 letters, digits, - or _, got ${JSON.stringify(r.cookieNamespace)}`);
  }
  let embedFrameAncestors: string[];
  try {
    embedFrameAncestors = frameAncestors(r.embedFrameAncestors);
  } catch (err) {
    throw new ConfigError(`${from("embedFrameAncestors")}: ${(err as Error).message}`);
  }
  if (r.otlpEndpoint !== null && !/^https?:\/\/[^/]/.test(r.otlpEndpoint)) {
    throw new ConfigError(`${from("otlpEndpoint")}: expected an http(s) URL, got ${JSON.stringify(r.otlpEndpoint)}`);
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
  try {
    trustedProxies(r.webhookAllowCidrs);
  } catch (err) {
    throw new ConfigError(`${from("webhookAllowCidrs")}: ${(err as Error).message}`);
  }
  if (r.eventRetentionDays < 0) throw new ConfigError(`${from("eventRetentionDays")}: must be 0 or more`);
  if (!(r.sessionDays > 0)) throw new ConfigError(`${from("sessionDays")}: must be more than 0`);
  if (!(r.digestMinutes >= 0)) throw new ConfigError(`${from("digestMinutes")}: must be 0 or more`);
  if (!(r.pushCoalesceSeconds >= 0)) throw new ConfigError(`${from("pushCoalesceSeconds")}: must be 0 or more`);
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
  const limits = limitsConfig(r, from);
  const oidc = oidcConfig(r, from);
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
      outbound: { allowPrivate: r.allowPrivateWebhooks, allowCidrs: r.webhookAllowCidrs },
      metrics: r.metrics,
      logLevel: r.logLevel as Config["logLevel"],
      accessLog: r.accessLog as Config["accessLog"],
      environment: r.environment?.trim() || null,
      home,
      cookieNamespace: r.cookieNamespace,
      embedFrameAncestors,
      otlpEndpoint: r.otlpEndpoint,
      eventRetentionDays: r.eventRetentionDays,
      sessionDays: r.sessionDays,
      digestMinutes: r.digestMinutes,
      pushCoalesceSeconds: r.pushCoalesceSeconds,
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
      oidc,
      passwordAuth: r.passwordAuth,
      uploads,
      limits,
      pushover: r.pushoverApiToken ? { apiToken: r.pushoverApiToken, apiUrl: r.pushoverApiUrl } : null,
      mail: r.smtpUrl ? { smtpUrl: r.smtpUrl, from: r.mailFrom ?? `clickclack@${r.publicUrl ? new URL(r.publicUrl).hostname : "localhost"}` } : null,
    },
    rest: parsed.positionals,
  };
}

function limitsConfig(r: RawConfig, from: (key: string) => string): LimitsConfig {
  const counts = ["limitPostsPerMinute", "limitEditsPerMinute", "limitReactionsPerMinute", "limitEphemeralPerMinute", "limitUploadsPerMinute", "limitSearchesPerMinute",
    "limitSearchesAtOnce", "searchBudgetMs", "limitSocketsPerPerson", "limitSocketsPerCredential", "workspacesPerPerson"] as const;
  for (const key of counts) if (!Number.isInteger(r[key]) || r[key] < 1) throw new ConfigError(`${from(key)}: must be a whole number of 1 or more`);
  if (r.workspaceCreators !== "anyone" && r.workspaceCreators !== "owners") {
    throw new ConfigError(`${from("workspaceCreators")}: expected anyone or owners, got ${JSON.stringify(r.workspaceCreators)}`);
  }
  return {
    enabled: r.limits,
    posts: { perMinute: r.limitPostsPerMinute },
    edits: { perMinute: r.limitEditsPerMinute },
    reactions: { perMinute: r.limitReactionsPerMinute },
    ephemeral: { perMinute: r.limitEphemeralPerMinute },
    uploads: { perMinute: r.limitUploadsPerMinute },
    searches: { perMinute: r.limitSearchesPerMinute },
    searchesAtOnce: r.limitSearchesAtOnce,
    searchBudgetMs: r.searchBudgetMs,
    socketsPerPerson: r.limitSocketsPerPerson,
    socketsPerCredential: r.limitSocketsPerCredential,
    workspacesPerPerson: r.workspacesPerPerson,
    workspaceCreators: r.workspaceCreators,
  };
}

function oidcConfig(r: RawConfig, from: (key: string) => string): OidcConfig | null {
  const parts = [r.oidcIssuer, r.oidcClientId, r.oidcClientSecret];
  if (parts.every((p) => p === null)) return null;
  if (parts.some((p) => p === null)) throw new ConfigError("oidcIssuer, oidcClientId and oidcClientSecret go together: set all three");
  let issuer: URL;
  try {
    issuer = new URL(r.oidcIssuer!);
  } catch {
    throw new ConfigError(`${from("oidcIssuer")}: not a URL: ${JSON.stringify(r.oidcIssuer)}`);
  }
  if (issuer.protocol !== "https:" && !["127.0.0.1", "localhost", "[::1]"].includes(issuer.hostname)) {
    throw new ConfigError(`${from("oidcIssuer")}: must be https (plain http only on loopback)`);
  }
  const allowedDomains = (r.oidcAllowedDomains ?? "").split(",").map((d) => d.trim().toLowerCase().replace(/^@/, "")).filter(Boolean);
  // Any account at a public provider could otherwise walk in: one gate is required.
  if (allowedDomains.length === 0 && !r.oidcRequiredGroup) {
    throw new ConfigError("OIDC sign-in needs a gate: set oidcAllowedDomains or oidcRequiredGroup");
  }
  return {
    issuer: r.oidcIssuer!,
    clientId: r.oidcClientId!,
    clientSecret: r.oidcClientSecret!,
    name: r.oidcName,
    allowedDomains,
    requiredGroup: r.oidcRequiredGroup,
    moderatorGroup: r.oidcModeratorGroup,
    groupsClaim: r.oidcGroupsClaim,
    workspace: r.oidcWorkspace,
  };
}

function uploadsConfig(r: RawConfig, dataDir: string, from: (key: string) => string): UploadsConfig {
  for (const key of ["uploadQuotaBytes", "uploadQuotaFiles"] as const) {
    if (!Number.isInteger(r[key]) || r[key] < 1) throw new ConfigError(`${from(key)}: must be a whole number of 1 or more`);
  }
  const quota = { quotaBytes: r.uploadQuotaBytes, quotaFiles: r.uploadQuotaFiles };
  const value = r.uploads ?? `file://${dataDir}/uploads`;
  if (value.startsWith("s3://") || value.startsWith("r2://")) {
    const m = /^(?:s3|r2):\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(value);
    if (!m) throw new ConfigError(`${from("uploads")}: expected s3://bucket or s3://bucket/prefix, got ${JSON.stringify(value)}`);
    // The Go server's R2 storage: S3 at the account's endpoint, region "auto".
    if (value.startsWith("r2://")) {
      if (r.s3Endpoint === null && r.r2AccountId === null) throw new ConfigError(`${from("uploads")}: r2:// needs CLICKCLACK_R2_ACCOUNT_ID or CLICKCLACK_R2_ENDPOINT`);
      r = { ...r, s3Endpoint: r.s3Endpoint ?? `https://${r.r2AccountId}.r2.cloudflarestorage.com`, s3Region: r.s3Region ?? "auto" };
    }
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
    throw new ConfigError(`${from("uploads")}: expected file:///dir, s3://bucket/prefix or r2://bucket/prefix, got ${JSON.stringify(value)}`);
  }
  const dir = value.startsWith("file://") ? value.slice("file://".length) : value;
  if (dir === "") throw new ConfigError(`${from("uploads")}: empty directory`);
  return { storage: { kind: "file", dir: resolve(dir) }, ...quota };
}

/** The Go server's home-link rules: an http(s) URL without credentials, or a path on this origin. */
function homeLink(r: RawConfig, from: (key: string) => string): Config["home"] {
  const raw = r.homeUrl;
  const label = r.homeLabel?.trim() ?? "";
  if ([...label].length > 32) throw new ConfigError(`${from("homeLabel")}: at most 32 characters`);
  if (raw === null || raw.trim() === "") return null;
  // Browsers read backslashes as slashes and drop control characters: refuse them outright.
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) throw new ConfigError(`${from("homeUrl")}: must not contain control characters or backslashes`);
  const url = raw.trim();
  if (url.startsWith("/")) {
    if (url.startsWith("//")) throw new ConfigError(`${from("homeUrl")}: a path must stay on this origin`);
    return { url, label: label || "Home" };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${from("homeUrl")}: expected an http(s) URL or a path starting with /, got ${JSON.stringify(raw)}`);
  }
  if (!/^https?:$/.test(parsed.protocol) || parsed.username || parsed.password) throw new ConfigError(`${from("homeUrl")}: expected an http(s) URL without credentials`);
  return { url, label: label || "Home" };
}

export function configHelp(): string {
  return SETTINGS.map((s) => `  --${s.flag.padEnd(22)} ${s.env.padEnd(32)} ${s.help}${s.aliases ? ` (also ${s.aliases.join(", ")})` : ""}`).join("\n");
}

// A CSP frame-ancestors source: 'self', a scheme (https:) or a host with optional scheme, `*.`
// wildcard, port and path. Anything else (quotes, semicolons, 'unsafe-…', '*' alone) could widen
// or break the header, so it stops the server instead.
const FRAME_SOURCE = /^(?:'self'|[a-z][a-z0-9+.-]*:|(?:[a-z][a-z0-9+.-]*:\/\/)?(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::(?:\d{1,5}|\*))?(?:\/[A-Za-z0-9._~%!$&()*+=:@\/-]*)?)$/i;

/** The sites that may frame embeds, from "a b" or "a, b"; an empty list means none. */
export function frameAncestors(value: string | null): string[] {
  const sources = (value ?? "").split(/[\s,]+/).filter(Boolean);
  for (const s of sources) if (!FRAME_SOURCE.test(s)) throw new Error(`not a frame-ancestors source: ${JSON.stringify(s)} (use e.g. https://intranet.example.com or 'self')`);
  return sources;
}
