// A local stand-in for a browser's push service (what FCM or Mozilla's autopush are to Chrome and
// Firefox). Each subscription it hands out holds real user-agent keys, so it decrypts what the
// server sends (RFC 8291: ECDH P-256 + HKDF + AES-128-GCM, RFC 8188 aes128gcm framing) exactly as
// the browser would - proving the encryption, not just the POST. A subscription can be expired (410).
import { createDecipheriv, createECDH, hkdfSync, randomBytes } from "node:crypto";

export interface ReceivedWebPush {
  id: string;
  payload: string;
  authorization: string;
  ttl: string | null;
}

interface UserAgent {
  ecdh: ReturnType<typeof createECDH>;
  auth: Buffer;
  gone: boolean;
}

/** Decrypts an aes128gcm Web Push body with the user agent's private key and auth secret. */
export function decryptWebPush(body: Buffer, ua: { ecdh: ReturnType<typeof createECDH>; auth: Buffer }): string {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20]!;
  const senderPublic = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  if (record.length > recordSize) throw new Error("more than one record");
  const receiverPublic = ua.ecdh.getPublicKey();
  const shared = ua.ecdh.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), receiverPublic, senderPublic]);
  const ikm = Buffer.from(hkdfSync("sha256", shared, ua.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 2, then zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error("bad padding delimiter");
  return padded.subarray(0, end).toString("utf8");
}

/** `decrypt: false` answers like the service without proving the encryption (benchmarks: its CPU is not the server's). */
export function startFakePushService(opts: { decrypt?: boolean } = {}) {
  const agents = new Map<string, UserAgent>();
  const received: ReceivedWebPush[] = [];
  const errors: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const id = new URL(req.url).pathname.replace(/^\/push\//, "");
      const ua = agents.get(id);
      if (req.method !== "POST" || !ua) return new Response("no such subscription", { status: 404 });
      if (ua.gone) return new Response("subscription expired", { status: 410 });
      if (req.headers.get("content-encoding") !== "aes128gcm") return new Response("aes128gcm only", { status: 415 });
      if (opts.decrypt === false) {
        await req.arrayBuffer();
        received.push({ id, payload: "", authorization: "", ttl: null });
        return new Response(null, { status: 201 });
      }
      try {
        const payload = decryptWebPush(Buffer.from(await req.arrayBuffer()), ua);
        received.push({ id, payload, authorization: req.headers.get("authorization") ?? "", ttl: req.headers.get("ttl") });
      } catch (err) {
        errors.push((err as Error).message);
        return new Response("cannot decrypt", { status: 400 });
      }
      return new Response(null, { status: 201 });
    },
  });
  const base = `http://127.0.0.1:${server.port}`;
  return {
    received,
    errors,
    /** A new browser subscription: what PushSubscription.toJSON() would give the app. */
    subscribe() {
      const id = randomBytes(8).toString("hex");
      const ecdh = createECDH("prime256v1");
      ecdh.generateKeys();
      const auth = randomBytes(16);
      agents.set(id, { ecdh, auth, gone: false });
      return { id, json: { endpoint: `${base}/push/${id}`, expirationTime: null, keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: auth.toString("base64url") } } };
    },
    expire(id: string) {
      agents.get(id)!.gone = true;
    },
    async until(pred: (r: ReceivedWebPush[]) => boolean, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (!pred(received)) {
        if (Date.now() > end) throw new Error(`timed out waiting for web pushes; got ${JSON.stringify(received.map((r) => r.payload))} errors ${JSON.stringify(errors)}`);
        await Bun.sleep(20);
      }
      return received;
    },
    stop: () => server.stop(true),
  };
}
