// Secrets: random tokens with a recognisable prefix, stored only as SHA-256 hashes.
import { timingSafeEqual } from "node:crypto";

export type SecretPrefix = "ccb" | "sst" | "mgt" | "ccs" | "ccw" | "inv";

export function newSecret(prefix: SecretPrefix): string {
  return `${prefix}_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")}`;
}

export function hashSecret(secret: string): string {
  return new Bun.CryptoHasher("sha256").update(secret).digest("hex");
}

/** Constant-time comparison of two hex hashes (the lookup is by hash; this guards the match). */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}
