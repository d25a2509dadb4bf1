// The gateway's front door: host allowlist (DNS rebinding), CORS, API keys, client IP,
// per-key rate limits, and the server-side policy on directories and permission modes.
// Everything here runs before any handler, and none of it trusts client-supplied headers
// except where the operator said so (trusted proxies).
import { createHash, timingSafeEqual } from "node:crypto";
import { realpathSync } from "node:fs";
import { isAbsolute, resolve, sep } from "node:path";
import { APPROVAL_MODES, type ApprovalMode, SANDBOX_MODES, type SandboxMode } from "../backends/types.ts";
import { configError } from "../errors.ts";
import type { RunOptions } from "../run.ts";
import type { OwnerScope, SessionStore } from "../sessions.ts";
import { HttpError } from "./http.ts";

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h) || h === "::ffff:127.0.0.1";
}

export function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

/** Hostname part of a Host header ("[::1]:80" → "::1", "a.b:80" → "a.b"). */
export function hostOf(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]"));
  const colon = h.lastIndexOf(":");
  return colon >= 0 && h.indexOf(":") === colon ? h.slice(0, colon) : h;
}

export class HostGuard {
  private readonly allowed: Set<string>;
  constructor(
    bindHost: string,
    extra: string[],
    private readonly any: boolean,
  ) {
    this.allowed = new Set(["localhost", "127.0.0.1", "::1", ...extra.map((h) => hostOf(h))]);
    if (!isWildcard(bindHost)) this.allowed.add(hostOf(bindHost));
  }
  check(req: Request): void {
    if (this.any) return;
    const host = req.headers.get("host");
    if (!host || !this.allowed.has(hostOf(host))) {
      throw new HttpError(403, `host ${JSON.stringify(host ?? "")} is not allowed (see --allowed-host)`);
    }
  }
}

export class Cors {
  constructor(private readonly origins: string[]) {}
  allows(origin: string): boolean {
    return this.origins.includes("*") || this.origins.includes(origin.replace(/\/$/, ""));
  }
  headers(origin: string | null): Record<string, string> {
    if (!origin || !this.allows(origin)) return {};
    return {
      "access-control-allow-origin": this.origins.includes("*") ? "*" : origin,
      "access-control-expose-headers": "retry-after, x-clickclack-session",
      vary: "Origin",
    };
  }
  /**
   * Answers preflights before authentication: browsers never send credentials on them, so
   * demanding a key here (a known clinvoker defect) blocks every browser client.
   */
  preflight(req: Request): Response {
    const origin = req.headers.get("origin");
    if (origin && !this.allows(origin)) throw new HttpError(403, `origin ${origin} is not allowed`);
    return new Response(null, {
      status: 204,
      headers: {
        ...this.headers(origin),
        "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
        "access-control-allow-headers":
          req.headers.get("access-control-request-headers") ??
          "authorization, content-type, x-api-key, anthropic-version, anthropic-beta",
        "access-control-max-age": "600",
      },
    });
  }
  /**
   * A cross-origin request from an unlisted site is refused outright, so a web page cannot
   * drive a keyless loopback gateway with a "simple" (preflight-free) request.
   */
  checkOrigin(req: Request): void {
    const origin = req.headers.get("origin");
    if (origin && !this.allows(origin)) throw new HttpError(403, `origin ${origin} is not allowed`);
  }
}

/** Who is calling: a non-secret id of the key, and whether it is an admin key. */
export interface Identity {
  owner: string;
  admin: boolean;
}

export class KeyRing {
  private readonly digests: Buffer[];
  private readonly admins: number;
  /** Admin keys see and control every session, including the operator's CLI sessions. */
  constructor(keys: string[], adminKeys: string[] = []) {
    this.admins = adminKeys.length;
    this.digests = [...adminKeys, ...keys].map((k) => createHash("sha256").update(k).digest());
  }
  get required(): boolean {
    return this.digests.length > 0;
  }
  /** Returns the presented key's identity; throws 401 when it is wrong. */
  authenticate(req: Request): Identity {
    if (!this.required) return { owner: "anonymous", admin: false };
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
    const key = bearer ?? req.headers.get("x-api-key");
    if (!key) throw new HttpError(401, "missing API key (Authorization: Bearer … or x-api-key)");
    const digest = createHash("sha256").update(key.trim()).digest();
    // Compare against every key, in constant time, so timing reveals nothing.
    let match = -1;
    this.digests.forEach((d, i) => {
      if (timingSafeEqual(d, digest)) match = i;
    });
    if (match < 0) throw new HttpError(401, "invalid API key");
    return { owner: `key-${digest.toString("hex").slice(0, 12)}`, admin: match < this.admins };
  }
}

/** The peer address from the socket; X-Forwarded-For only when the peer is a trusted proxy. */
const normalizeIp = (ip: string) => (ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip);

export function clientIp(req: Request, socketIp: string | undefined, trusted: string[]): string {
  const peer = socketIp ? normalizeIp(socketIp) : "unknown";
  if (!trusted.includes(peer)) return peer;
  const hops = (req.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((h) => normalizeIp(h.trim()))
    .filter(Boolean);
  // Walk from the nearest hop; the first address that is not one of our proxies is the client.
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!trusted.includes(hop)) return hop;
  }
  return peer;
}

/** Token bucket per caller: `perMinute` sustained, `burst` at once. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
  ) {}
  take(who: string): void {
    if (this.perMinute <= 0) return;
    const now = Date.now();
    const rate = this.perMinute / 60_000;
    const b = this.buckets.get(who) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + (now - b.at) * rate);
    b.at = now;
    if (b.tokens < 1) {
      this.buckets.set(who, b);
      const wait = Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000));
      throw new HttpError(429, `rate limit exceeded; retry in ${wait}s`, { "retry-after": String(wait) });
    }
    b.tokens -= 1;
    this.buckets.set(who, b);
    if (this.buckets.size > 10_000) this.prune(now);
  }
  private prune(now: number): void {
    for (const [k, b] of this.buckets) if (now - b.at > 3_600_000) this.buckets.delete(k);
  }
}

const rank = <T extends string>(list: readonly T[], v: T) => list.indexOf(v);

export interface PolicyConfig {
  defaultWorkdir: string;
  workdirAllow: string[];
  maxApproval: ApprovalMode;
  maxSandbox: SandboxMode;
  timeoutMs?: number;
  idleTimeoutMs?: number;
}

/** Server-side ceilings: a request can ask for less, never for more. */
export class Policy {
  private readonly roots: string[];
  constructor(private readonly cfg: PolicyConfig) {
    this.roots = (cfg.workdirAllow.length ? cfg.workdirAllow : [cfg.defaultWorkdir]).map((d) => {
      try {
        return realpathSync(resolve(d));
      } catch {
        throw configError(`allowed directory ${d} does not exist`);
      }
    });
  }

  private checkDir(dir: string): string {
    if (!isAbsolute(dir)) throw new HttpError(400, "workdir must be an absolute path");
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      throw new HttpError(400, `workdir ${dir} does not exist`);
    }
    // realpath first, so symlinks cannot point outside the allowed roots.
    if (!this.roots.some((r) => real === r || real.startsWith(r.endsWith(sep) ? r : r + sep))) {
      throw new HttpError(403, `workdir ${dir} is outside the allowed directories`);
    }
    return real;
  }

  apply(opts: RunOptions, store: SessionStore, scope: OwnerScope): RunOptions {
    const out: RunOptions = { ...opts, owner: scope };
    delete out.dryRun;
    delete out.autoResume;
    if (out.resume) {
      // A resumed session runs where it was created; that place must be allowed too.
      this.checkDir(store.resolve(out.resume, scope).workdir);
      delete out.workdir;
    } else {
      out.workdir = this.checkDir(out.workdir ?? this.cfg.defaultWorkdir);
    }
    out.approval = out.approval ?? this.cfg.maxApproval;
    if (rank(APPROVAL_MODES, out.approval) > rank(APPROVAL_MODES, this.cfg.maxApproval)) {
      throw new HttpError(403, `approval ${out.approval} exceeds this server's maximum (${this.cfg.maxApproval})`);
    }
    out.sandbox = out.sandbox ?? this.cfg.maxSandbox;
    if (rank(SANDBOX_MODES, out.sandbox) > rank(SANDBOX_MODES, this.cfg.maxSandbox)) {
      throw new HttpError(403, `sandbox ${out.sandbox} exceeds this server's maximum (${this.cfg.maxSandbox})`);
    }
    for (const [k, max] of [
      ["timeoutMs", this.cfg.timeoutMs],
      ["idleTimeoutMs", this.cfg.idleTimeoutMs],
    ] as const) {
      if (max) out[k] = Math.min(out[k] ?? max, max);
    }
    return out;
  }
}
