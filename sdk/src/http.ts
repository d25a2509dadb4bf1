// The transport under every client method: URL building, the original SDK's headers, and the
// response contract (non-2xx throws, 204/205 and empty bodies give undefined).
import { ClickClackError } from "./errors.ts";

/** Any fetch-like function (globalThis.fetch, undici, a test double). */
export type Fetcher = (url: string, init: RequestInit) => Promise<Response>;

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  /** A JSON body (serialised here) or a FormData (sent as multipart). */
  body?: unknown;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

export class Http {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly fetcher: Fetcher,
    readonly credentials: { token?: string; userId?: string },
  ) {
    this.baseUrl = baseUrl.replace(/\/$/, "");
  }

  url(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) params.set(k, String(v));
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ""}`;
  }

  headers(method: string, body: unknown): Headers {
    const headers = new Headers({ Accept: "application/json" });
    const { token, userId } = this.credentials;
    if (body !== undefined && !(body instanceof FormData)) headers.set("Content-Type", "application/json");
    // A cookie session needs the CSRF header on writes; a Bearer token is not ambient, so not.
    if (!token && !SAFE_METHODS.has(method)) headers.set("X-ClickClack-CSRF", "1");
    if (token) headers.set("Authorization", `Bearer ${token}`);
    if (userId) headers.set("X-ClickClack-User", userId);
    return headers;
  }

  /** The raw response; throws ClickClackError (status 0) only when no response arrives. */
  async send(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const url = this.url(path, opts.query);
    const body = opts.body === undefined ? undefined : opts.body instanceof FormData ? opts.body : JSON.stringify(opts.body);
    try {
      return await this.fetcher(url, { method, headers: this.headers(method, opts.body), body });
    } catch (err) {
      throw ClickClackError.network(this.baseUrl, err);
    }
  }

  async read<T>(response: Response): Promise<T> {
    if (!response.ok) throw await ClickClackError.fromResponse(response);
    if (response.status === 204 || response.status === 205) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async request<T>(method: string, path: string, opts?: RequestOptions): Promise<T> {
    return this.read<T>(await this.send(method, path, opts));
  }

  /**
   * A nonce lookup: a 404 that carries the server's "nonce lookups supported" header means "no
   * such nonce" (undefined); any other 404 means the server cannot answer, and throws.
   */
  async findByNonce<T>(path: string, header: string, query: Query): Promise<T | undefined> {
    const response = await this.send("GET", path, { query });
    if (response.status === 404 && response.headers.get(header) === "supported") {
      await response.body?.cancel();
      return undefined;
    }
    return this.read<T>(response);
  }
}

/** A path segment, encoded: ids are safe, but emoji and route ids from users are not. */
export const seg = (value: string) => encodeURIComponent(value);
