// The client's address, recorded by the server's fetch wrapper before Elysia sees the request.
// It is the socket's peer, unless that peer is a proxy the operator trusts (--trusted-proxy):
// only then is X-Forwarded-For or Forwarded read, since any other client could forge them.
import { BlockList, isIP } from "node:net";

const addresses = new WeakMap<Request, string>();

/** Parses `--trusted-proxy` (CIDRs or single addresses, comma separated); throws on a bad entry. */
export function trustedProxies(spec: string | null): BlockList | null {
  if (!spec || spec.trim() === "") return null;
  const list = new BlockList();
  for (const raw of spec.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const [address, bits] = entry.split("/") as [string, string | undefined];
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    const prefix = bits === undefined ? max : Number(bits);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > max || (bits !== undefined && !/^\d+$/.test(bits))) {
      throw new Error(`not an address or CIDR: ${JSON.stringify(entry)}`);
    }
    list.addSubnet(address, prefix, family === 4 ? "ipv4" : "ipv6");
  }
  return list;
}

function trusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** The hops a request passed through, nearest last: X-Forwarded-For, else Forwarded's for=. */
function forwardedChain(request: Request): string[] {
  const xff = request.headers.get("x-forwarded-for");
  if (xff) return xff.split(",").map((a) => a.trim()).filter(Boolean);
  const forwarded = request.headers.get("forwarded");
  if (!forwarded) return [];
  const out: string[] = [];
  for (const element of forwarded.split(",")) {
    const m = /(?:^|;)\s*for\s*=\s*("?)([^";]+)\1/i.exec(element);
    if (m) out.push(m[2]!.trim().replace(/^\[([^\]]+)\](?::\d+)?$/, "$1").replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, "$1"));
  }
  return out;
}

/**
 * The client's address: walking the forwarded chain from the nearest hop, the first address that
 * is not a trusted proxy. A chain that names only trusted proxies yields the farthest of them.
 */
export function resolveClientAddress(request: Request, peer: string | undefined, proxies: BlockList | null): string | undefined {
  if (!peer || !proxies || !trusted(proxies, peer)) return peer;
  const chain = forwardedChain(request).filter((a) => isIP(a) !== 0);
  let address = peer;
  for (let i = chain.length - 1; i >= 0; i--) {
    address = chain[i]!;
    if (!trusted(proxies, address)) break;
  }
  return address;
}

export function rememberAddress(request: Request, address: string | undefined): void {
  if (address) addresses.set(request, address);
}

export function clientAddress(request: Request): string | undefined {
  return addresses.get(request);
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}
