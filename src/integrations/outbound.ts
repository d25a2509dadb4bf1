// Every request the server makes to a URL someone typed in (event subscriptions, slash command
// callbacks) goes through here, because such a URL can point back into the operator's network
// (SSRF). The host is resolved once, every address checked, and the request sent to the checked
// address (TLS still verified against the host name), so a DNS answer cannot change in between.
// No redirects, no proxy, a timeout, and at most 64 KiB of the answer is read.
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { trustedProxies } from "../http/client-info.ts";

export const MAX_RESPONSE_BYTES = 64 * 1024;
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface OutboundPolicy {
  /** Any address at all (tests, closed networks): --allow-private-webhooks. */
  allowPrivate: boolean;
  /** Private ranges allowed anyway: --webhook-allow-cidrs. */
  allow: BlockList | null;
}

export function outboundPolicy(config: { allowPrivate: boolean; allowCidrs: string | null }): OutboundPolicy {
  return { allowPrivate: config.allowPrivate, allow: trustedProxies(config.allowCidrs) };
}

// Loopback, private, link-local (cloud metadata lives at 169.254.169.254), CGNAT, and the other
// special-purpose ranges nobody should be calling out to.
const FORBIDDEN = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["198.51.100.0", 24],
  ["203.0.113.0", 24], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) FORBIDDEN.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8], ["64:ff9b::", 96], ["2001:db8::", 32], ["fd00:ec2::", 32],
] as const) FORBIDDEN.addSubnet(net, bits, "ipv6");

/** IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it carries. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

export function addressAllowed(address: string, policy: OutboundPolicy): boolean {
  if (policy.allowPrivate) return true;
  const a = unmapped(address);
  const family = isIP(a) === 4 ? "ipv4" : "ipv6";
  if (policy.allow?.check(a, family)) return true;
  return !FORBIDDEN.check(a, family);
}

export class OutboundRefused extends Error {
  constructor(message: string, readonly code: "invalid_url" | "private_address" | "unresolvable") {
    super(message);
  }
}

/** Checks the shape of a callback URL at registration: http(s), a host, no credentials. */
export function checkCallbackUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRefused("callback_url is not a URL", "invalid_url");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new OutboundRefused("callback_url must be http or https", "invalid_url");
  if (url.username || url.password) throw new OutboundRefused("callback_url must not carry credentials", "invalid_url");
  if (!url.hostname) throw new OutboundRefused("callback_url needs a host", "invalid_url");
  return url;
}

/** Resolves the host and returns the one address the request will go to, or refuses. */
export async function resolvePinned(url: URL, policy: OutboundPolicy): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw new OutboundRefused(`cannot resolve ${host}`, "unresolvable");
    }
  }
  if (addresses.length === 0) throw new OutboundRefused(`cannot resolve ${host}`, "unresolvable");
  // Every answer must pass: otherwise a name with one public and one private address would do.
  const bad = addresses.find((a) => !addressAllowed(a, policy));
  if (bad) throw new OutboundRefused(`${host} resolves to a private address (${bad}); the operator has not allowed private webhooks`, "private_address");
  return addresses[0]!;
}

export interface OutboundResult {
  status: number;
  /** At most MAX_RESPONSE_BYTES of the answer, decoded as UTF-8. */
  body: string;
  truncated: boolean;
  durationMs: number;
}

/** Reads up to `max` bytes and cancels the rest. */
async function readCapped(res: Response, max: number): Promise<{ body: string; truncated: boolean }> {
  if (!res.body) return { body: "", truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > max) {
      chunks.push(value.subarray(0, max - size));
      truncated = true;
      await reader.cancel().catch(() => {});
      break;
    }
    size += value.byteLength;
    chunks.push(value);
  }
  return { body: new TextDecoder().decode(Buffer.concat(chunks)), truncated };
}

/**
 * POSTs a body to a callback URL under the outbound rules. Throws OutboundRefused when the URL
 * may not be called, and other errors (timeout, connection refused) as they come.
 */
export async function postOutbound(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  policy: OutboundPolicy,
  opts: { timeoutMs?: number } = {},
): Promise<OutboundResult> {
  const url = checkCallbackUrl(rawUrl);
  const address = await resolvePinned(url, policy);
  const pinned = new URL(url);
  pinned.hostname = isIP(address) === 6 ? `[${address}]` : address;
  const started = performance.now();
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const res = await fetch(pinned, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "user-agent": "ClickClack-Webhooks/1", ...headers, host: url.host },
    redirect: "manual",
    signal: timeout,
    proxy: undefined,
    tls: url.protocol === "https:" ? { serverName: url.hostname } : undefined,
  } as RequestInit);
  const { body: text, truncated } = await readCapped(res, MAX_RESPONSE_BYTES);
  return { status: res.status, body: text, truncated, durationMs: Math.round(performance.now() - started) };
}
