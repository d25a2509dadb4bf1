// Runs are not safe to repeat (an agent edits files), so a client that retries must get the
// first answer back instead of a second run. A POST carrying `Idempotency-Key` is claimed
// per API key in the session database; a repeat replays the stored response (streams too,
// as recorded), a repeat while the first is still running is told to come back later, and
// the same key with a different body is refused.
import { createHash } from "node:crypto";
import type { SessionStore } from "../sessions.ts";
import { HttpError } from "./http.ts";

const KEY = /^[\x21-\x7e]{1,255}$/;
/** Stored responses are kept a day: long enough for any client's retry loop. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

async function readLimited(req: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, `request body over ${limit} bytes`);
  const body = new Uint8Array(await req.arrayBuffer());
  if (body.byteLength > limit) throw new HttpError(413, `request body over ${limit} bytes`);
  return body;
}

/** Headers worth replaying: the body's type and our own session header. */
function keptHeaders(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["content-type", "x-clickclack-session", "cache-control"]) {
    const v = res.headers.get(name);
    if (v) out[name] = v;
  }
  return out;
}

/** Nothing ran for these (rate limited, queue full, backend missing): a retry may run. */
const NOTHING_RAN = new Set([429, 503]);

export async function idempotent(
  store: SessionStore,
  owner: string,
  req: Request,
  maxBody: number,
  handle: (req: Request) => Promise<Response>,
): Promise<Response> {
  const key = req.headers.get("idempotency-key") ?? "";
  if (!KEY.test(key)) throw new HttpError(400, "Idempotency-Key must be 1-255 visible ASCII characters");
  const body = await readLimited(req, maxBody);
  const path = new URL(req.url).pathname;
  const hash = createHash("sha256").update(path).update("\0").update(body).digest("hex");
  const storeKey = `${owner}\0${key}`;
  store.pruneIdempotency(Date.now() - IDEMPOTENCY_TTL_MS);
  const claim = store.claimIdempotency(storeKey, hash);
  if (claim.kind === "mismatch") throw new HttpError(422, "this Idempotency-Key was already used with a different request");
  if (claim.kind === "busy") {
    // Worth retrying: once the first request finishes, the retry gets its answer.
    throw new HttpError(409, "a request with this Idempotency-Key is still running", { "retry-after": "2", "x-should-retry": "true" });
  }
  if (claim.kind === "replay") {
    return new Response(new Uint8Array(claim.body), { status: claim.status, headers: { ...claim.headers, "idempotent-replayed": "true" } });
  }

  let res: Response;
  try {
    res = await handle(new Request(req.url, { method: req.method, headers: req.headers, body, signal: req.signal }));
  } catch (e) {
    store.releaseIdempotency(storeKey);
    throw e;
  }
  if (NOTHING_RAN.has(res.status) || !res.body) {
    store.releaseIdempotency(storeKey);
    return res;
  }
  const headers = keptHeaders(res);
  const type = res.headers.get("content-type") ?? "";
  if (!type.includes("event-stream") && !type.includes("ndjson")) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    store.completeIdempotency(storeKey, res.status, headers, bytes);
    return new Response(bytes, { status: res.status, headers: res.headers });
  }
  // A stream is recorded as it passes; a client that goes away cancels the run, so nothing
  // is stored and a retry runs afresh.
  const chunks: Uint8Array[] = [];
  const record = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      chunks.push(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      store.completeIdempotency(storeKey, res.status, headers, Buffer.concat(chunks));
    },
  });
  const piped = res.body.pipeThrough(record);
  const reader = piped.getReader();
  const out = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel(reason) {
      store.releaseIdempotency(storeKey);
      await reader.cancel(reason);
    },
  });
  return new Response(out, { status: res.status, headers: res.headers });
}
