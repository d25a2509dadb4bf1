// The signature receivers verify: HMAC-SHA256 over "<timestamp>.<raw body>" with the signing
// secret, sent as `sha256=<hex>` (the original server's scheme, so its receivers work unchanged).
import { createHmac } from "node:crypto";

export function signatureOf(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export function signedHeaders(secret: string, body: string, extra: Record<string, string> = {}): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return { "X-ClickClack-Timestamp": timestamp, "X-ClickClack-Signature": signatureOf(secret, timestamp, body), ...extra };
}
