// Which browser requests come from our own pages. A page on another origin (even of the same
// site: another port, a sibling subdomain) can make a signed-in browser send its cookie, or reach
// a dev server on loopback; the Origin and Sec-Fetch-Site headers it cannot forge tell them apart.
import { forbidden } from "../chat/errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A request that changes something, or opens a socket that reads everything live. */
export function isUnsafe(request: Request): boolean {
  return !SAFE_METHODS.has(request.method) || request.headers.get("upgrade")?.toLowerCase() === "websocket";
}

/**
 * Refuses a browser request from a page that is not ours: our origin is the one the request was
 * addressed to, or `--public-url`'s (behind a proxy the Host may be 127.0.0.1). Requests without
 * these headers are not from a browser page (scripts, the SDK) and pass.
 */
export function assertOwnOrigin(request: Request, publicUrl: string | null): void {
  const origin = request.headers.get("origin");
  if (origin) {
    const own = new Set([new URL(request.url).origin]);
    if (publicUrl) own.add(new URL(publicUrl).origin);
    if (!own.has(origin)) throw forbidden(`requests from ${origin} are not allowed: open ClickClack at its own address`, "csrf");
  }
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") throw forbidden("cross-site requests are not allowed", "csrf");
}

/**
 * The CSRF rule for what the session cookie (or its absence, at sign-out) decides: an unsafe
 * request must say so with X-ClickClack-CSRF: 1, which no cross-site form or simple request can
 * send, and come from our own origin. A WebSocket upgrade cannot carry the header: origin only.
 */
export function assertCsrfSafe(request: Request, publicUrl: string | null): void {
  if (!isUnsafe(request)) return;
  const upgrade = SAFE_METHODS.has(request.method);
  if (!upgrade && request.headers.get("x-clickclack-csrf") !== "1") throw forbidden("cross-site session requests are not allowed: send X-ClickClack-CSRF: 1", "csrf");
  assertOwnOrigin(request, publicUrl);
}
