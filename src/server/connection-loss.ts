// Which uncaught errors mean "the database connection went away" (the server outlives those: the
// pool reconnects and /readyz says 503 meanwhile), and which are bugs (fatal).
const CONNECTION_LOSS = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT"]);

/** A lost or refused connection (the driver's own codes, or the socket's), not a bug. */
export function isConnectionLoss(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string" && CONNECTION_LOSS.has(e.code)) return true;
  }
  return isWriteAfterDrop(err);
}

/**
 * postgres.js (3.4) defers small writes to the next turn of the event loop; when the connection
 * drops in between, the deferred write finds its socket gone and throws from a timer ("null is
 * not an object (evaluating 'socket.write')" in its `nextWrite`), outside any query. The
 * connection is lost all the same and its queries fail through their own promises: seen as the
 * server dying once in a few dozen outages (src/store/postgres/availability.test.ts).
 */
function isWriteAfterDrop(err: unknown): boolean {
  return err instanceof TypeError && err.message.includes("socket.write") && /\bnextWrite\b/.test(err.stack ?? "");
}
