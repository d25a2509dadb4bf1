// The one error the SDK throws. `message` is the raw response body, exactly as the original SDK's
// `new Error(await res.text())`, so code that parses `err.message` keeps working; `status` and
// `code` are there for code that would rather not.

const CODE_BY_STATUS: Record<number, string> = {
  400: "invalid_request",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  410: "resync_required",
  413: "too_large",
  429: "rate_limited",
  503: "unavailable",
};

export class ClickClackError extends Error {
  override readonly name = "ClickClackError";
  /** The HTTP status, or 0 when no response arrived (server unreachable, DNS, TLS, abort). */
  readonly status: number;
  /** The server's machine code (`not_found`, `resync_required`, …); derived from the status when the server sent none (the Go server never does). */
  readonly code: string;
  /** The parsed JSON body, when it was JSON. */
  readonly body: unknown;
  readonly headers: Headers | undefined;

  constructor(message: string, init: { status: number; code?: string; body?: unknown; headers?: Headers; cause?: unknown }) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.body = init.body;
    this.headers = init.headers;
    this.code = init.code ?? CODE_BY_STATUS[init.status] ?? (init.status >= 500 ? "server_error" : init.status === 0 ? "network_error" : "http_error");
  }

  static async fromResponse(response: Response): Promise<ClickClackError> {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (a proxy's HTML page, say): keep the text.
    }
    const code = body && typeof body === "object" && typeof (body as { code?: unknown }).code === "string" ? (body as { code: string }).code : undefined;
    return new ClickClackError(text || `HTTP ${response.status}`, { status: response.status, code, body, headers: response.headers });
  }

  static network(url: string, cause: unknown): ClickClackError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new ClickClackError(`cannot reach ${url}: ${reason}`, { status: 0, code: "network_error", cause });
  }

  /** The human-readable `error` field when the body is a ClickClack error, else the raw text. */
  get detail(): string {
    const error = this.body && typeof this.body === "object" ? (this.body as { error?: unknown }).error : undefined;
    return typeof error === "string" ? error : this.message;
  }
}
