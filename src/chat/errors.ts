// Domain errors carry the HTTP status and the stable machine `code` of the wire contract, so
// the store can refuse a write from deep inside a transaction and the client still gets
// `{error, code}` with the right status.
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const invalid = (message: string, code = "invalid_request") => new AppError(400, code, message);
export const unauthenticated = (message = "authentication required") =>
  new AppError(401, "unauthenticated", message);
export const forbidden = (message: string, code = "forbidden") => new AppError(403, code, message);
export const notFound = (what: string) => new AppError(404, "not_found", `${what} not found`);
export const conflict = (message: string, code = "conflict") => new AppError(409, code, message);
export const tooLarge = (message: string, code = "too_large") => new AppError(413, code, message);
export const tooMany = (message: string, retryAfterSeconds: number, code = "rate_limited") =>
  new AppError(429, code, message, undefined, { "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))) });
export const unavailable = (message: string) => new AppError(503, "unavailable", message);
/** A search stopped at its time budget (--search-budget-ms), on either store. */
export const searchTimedOut = (budgetMs: number) =>
  new AppError(503, "search_timeout", `the search took longer than ${budgetMs} ms; narrow it down`, undefined, { "Retry-After": "1" });
