// Deterministic nonces: a bot that handles the same event twice (a crash before its cursor was
// saved, a retried handler) sends the same nonce, and the server answers with the message it
// already stored instead of posting a second one.

const NONCE_MAX = 128;

/** FNV-1a, twice with different seeds: short, stable, and dependency-free. */
function hash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193 + 0x2f) >>> 0;
  }
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
}

/** `cc:<event id>:<purpose>[:<n>]`, hashed down when it would pass the server's 128-character limit. */
export function eventNonce(eventId: string, purpose: string, n = 0): string {
  const nonce = `cc:${eventId}:${purpose}${n > 0 ? `:${n}` : ""}`;
  return nonce.length <= NONCE_MAX ? nonce : `cc:${eventId.slice(0, 60)}:${hash(nonce)}`;
}
