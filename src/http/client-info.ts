// The socket's address, recorded by the server's fetch wrapper before Elysia sees the request.
// Headers such as X-Forwarded-For are never consulted: they are the client's to forge.
const addresses = new WeakMap<Request, string>();

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
