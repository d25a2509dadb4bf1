// A client's X-Correlation-ID travels with the request into the events it causes (payload
// `correlation_id`, as the original), so a bot can match the event it hears to the call it made.
// The writers batch many requests into one transaction, so each write captures the id when it
// is queued and runs under it (bindCorrelation), not under whichever request started the batch.
import { AsyncLocalStorage } from "node:async_hooks";

const current = new AsyncLocalStorage<string | undefined>();
const MAX_LENGTH = 128;

/** Runs a request's work with its correlation id (ignored when absent or unreasonable). */
export function withCorrelation<T>(id: string | null | undefined, fn: () => T): T {
  const clean = id && id.length <= MAX_LENGTH && /^[\x21-\x7e]+$/.test(id) ? id : undefined;
  return current.run(clean, fn);
}

/** Wraps a queued write so it runs under the correlation id of the request that queued it. */
export function bindCorrelation<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const id = current.getStore();
  if (id === undefined) return fn;
  return (...args: A) => current.run(id, () => fn(...args));
}

/** An event payload with the caller's correlation id, when there is one. */
export function stampCorrelation(payload: Record<string, unknown>): Record<string, unknown> {
  const id = current.getStore();
  return id === undefined ? payload : { ...payload, correlation_id: id };
}
