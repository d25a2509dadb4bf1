// HTTP plumbing shared by the three APIs: errors in each API's own shape (clients' SDKs
// parse them), JSON bodies read with a hard size limit, and JSON responses.
import { AgentError } from "../errors.ts";

export type Api = "rest" | "openai" | "anthropic";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const OPENAI_TYPES: Record<number, [string, string]> = {
  400: ["invalid_request_error", "invalid_request"],
  401: ["authentication_error", "invalid_api_key"],
  403: ["permission_error", "forbidden"],
  404: ["invalid_request_error", "not_found"],
  409: ["invalid_request_error", "conflict"],
  413: ["invalid_request_error", "request_too_large"],
  415: ["invalid_request_error", "unsupported_media_type"],
  429: ["rate_limit_error", "rate_limit_exceeded"],
  502: ["server_error", "backend_failed"],
  503: ["server_error", "backend_unavailable"],
  504: ["server_error", "timeout"],
};

const ANTHROPIC_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  409: "invalid_request_error",
  413: "request_too_large",
  415: "invalid_request_error",
  429: "rate_limit_error",
  503: "overloaded_error",
};

export function errorBody(api: Api, status: number, message: string): object {
  if (api === "anthropic") {
    return { type: "error", error: { type: ANTHROPIC_TYPES[status] ?? "api_error", message } };
  }
  const [type, code] = OPENAI_TYPES[status] ?? ["server_error", "internal_error"];
  // The REST API shares OpenAI's widely understood shape.
  return { error: { message, type, param: null, code } };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function errorResponse(api: Api, status: number, message: string, headers: Record<string, string> = {}) {
  return json(errorBody(api, status, message), status, headers);
}

/** Maps anything thrown by a handler to a proper status; unexpected errors stay opaque. */
export function fromError(api: Api, e: unknown): Response {
  if (e instanceof HttpError) return errorResponse(api, e.status, e.message, e.headers);
  if (e instanceof AgentError) return errorResponse(api, e.httpStatus, e.message);
  console.error("agent gateway: unexpected error", e);
  return errorResponse(api, 500, "internal error");
}

/** Reads a JSON body, refusing more than `limit` bytes even without a Content-Length. */
export async function readJson(req: Request, limit: number): Promise<unknown> {
  const type = req.headers.get("content-type");
  if (type && !/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new HttpError(415, "Content-Type must be application/json");
  }
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, `request body over ${limit} bytes`);
  if (!req.body) throw new HttpError(400, "request body is required");
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new HttpError(413, `request body over ${limit} bytes`);
    }
    parts.push(value);
  }
  const text = new TextDecoder().decode(Buffer.concat(parts));
  if (text.trim() === "") throw new HttpError(400, "request body is required");
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "request body is not valid JSON");
  }
}

export const STATUS_FOR_RUN = { failed: 502, timeout: 504, cancelled: 499, rejected: 503 } as const;

/** A run turned away at capacity: come back after this many seconds. */
export const RETRY_AFTER_S = 5;
