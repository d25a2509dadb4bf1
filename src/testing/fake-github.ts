// A small, strict stand-in for GitHub's OAuth web flow and the few REST endpoints sign-in uses.
// It checks what real GitHub checks (client id and secret, redirect URI, single-use codes) plus
// the PKCE binding, so a test that passes against it proves the server sends the right things.
import type { Server } from "bun";
import { png } from "../uploads/fixtures.ts";

export interface FakeGithubUser {
  id: number;
  login: string;
  name?: string | null;
  avatar_url?: string | null;
  /** The public profile email (GitHub's `email` field). */
  email?: string | null;
  /** What /user/emails answers; omitted = 404, as when the scope is missing. */
  emails?: { email: string; primary: boolean; verified: boolean }[];
  orgs?: string[];
}

interface IssuedCode {
  login: string;
  redirectUri: string;
  challenge: string;
  used: boolean;
}

export interface FakeGithubOptions {
  clientId?: string;
  clientSecret?: string;
}

export class FakeGithub {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly users = new Map<string, FakeGithubUser>();
  /** The account the "browser" is signed in to at GitHub; authorize issues codes for it. */
  signedIn: string | null = null;
  /** When set, the token endpoint answers this instead of a token (then clears it). */
  tokenFailure: { status: number; body: string } | null = null;
  /** Why the token endpoint last refused, e.g. "pkce" (tests assert on it). */
  lastTokenRefusal: string | null = null;
  /** Every access token handed out, so tests can check none leaks into a response. */
  readonly issuedTokens: string[] = [];
  private codes = new Map<string, IssuedCode>();
  private tokens = new Map<string, string>();
  private server: Server<undefined> | null = null;

  constructor(opts: FakeGithubOptions = {}) {
    this.clientId = opts.clientId ?? "fake-client-id";
    this.clientSecret = opts.clientSecret ?? "fake-client-secret-DO-NOT-LEAK";
  }

  get url(): string {
    if (!this.server) throw new Error("fake GitHub is not started");
    return `http://127.0.0.1:${this.server.port}`;
  }

  /** Where this fake serves a user's avatar (a small PNG), as GitHub's avatar host would. */
  avatarUrl(id: number): string {
    return `${this.url}/avatars/u/${id}`;
  }

  /** The flags that point a ClickClack server at this fake. */
  flags(extra: { allowedOrg?: string; moderatorOrg?: string; workspace?: string } = {}): string[] {
    const flags = ["--github-client-id", this.clientId, "--github-client-secret", this.clientSecret, "--github-url", this.url, "--github-api-url", this.url];
    if (extra.allowedOrg) flags.push("--github-allowed-org", extra.allowedOrg);
    if (extra.moderatorOrg) flags.push("--github-moderator-org", extra.moderatorOrg);
    if (extra.workspace) flags.push("--github-workspace", extra.workspace);
    return flags;
  }

  addUser(user: FakeGithubUser): FakeGithubUser {
    this.users.set(user.login, user);
    return user;
  }

  start(): this {
    this.server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => this.route(req) });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop(true);
    this.server = null;
  }

  private async route(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (req.method === "GET" && url.pathname === "/login/oauth/authorize") return this.authorize(url);
    if (req.method === "POST" && url.pathname === "/login/oauth/access_token") return this.accessToken(req);
    if (req.method === "GET" && url.pathname.startsWith("/user")) return this.api(req, url.pathname);
    // Avatars, as avatars.githubusercontent.com serves them: public, no token.
    if (req.method === "GET" && url.pathname.startsWith("/avatars/u/")) return new Response(png(40, 40), { headers: { "content-type": "image/png" } });
    return Response.json({ message: "Not Found" }, { status: 404 });
  }

  private authorize(url: URL): Response {
    const q = url.searchParams;
    const refuse = (why: string) => new Response(why, { status: 400 });
    if (q.get("client_id") !== this.clientId) return refuse("unknown client_id");
    const redirectUri = q.get("redirect_uri") ?? "";
    if (!/^https?:\/\/[^/]+\/api\/auth\/github\/callback$/.test(redirectUri)) return refuse("redirect_uri is not the registered callback");
    if (q.get("code_challenge_method") !== "S256") return refuse("code_challenge_method must be S256");
    const challenge = q.get("code_challenge") ?? "";
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return refuse("code_challenge must be base64url(SHA-256)");
    const state = q.get("state");
    if (!state) return refuse("state is required");
    if (!this.signedIn || !this.users.has(this.signedIn)) return refuse("nobody is signed in at the fake GitHub");
    const code = crypto.randomUUID();
    this.codes.set(code, { login: this.signedIn, redirectUri, challenge, used: false });
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    back.searchParams.set("state", state);
    return new Response(null, { status: 302, headers: { location: back.toString() } });
  }

  private async accessToken(req: Request): Promise<Response> {
    if (this.tokenFailure) {
      const f = this.tokenFailure;
      this.tokenFailure = null;
      return new Response(f.body, { status: f.status, headers: { "content-type": "application/json" } });
    }
    const form = new URLSearchParams(await req.text());
    // Real GitHub reports these as 200 with an `error` field.
    const refuse = (error: string, reason: string) => {
      this.lastTokenRefusal = reason;
      return Response.json({ error, error_description: reason });
    };
    if (form.get("client_id") !== this.clientId || form.get("client_secret") !== this.clientSecret) return refuse("incorrect_client_credentials", "client");
    const issued = this.codes.get(form.get("code") ?? "");
    if (!issued || issued.used) return refuse("bad_verification_code", "code");
    issued.used = true; // single use, even when the rest of the request is wrong
    if (form.get("redirect_uri") !== issued.redirectUri) return refuse("redirect_uri_mismatch", "redirect_uri");
    const verifier = form.get("code_verifier") ?? "";
    const hashed = new Bun.CryptoHasher("sha256").update(verifier).digest("base64url");
    if (hashed !== issued.challenge) return refuse("invalid_grant", "pkce");
    const token = `gho_${crypto.randomUUID().replaceAll("-", "")}`;
    this.tokens.set(token, issued.login);
    this.issuedTokens.push(token);
    this.lastTokenRefusal = null;
    return Response.json({ access_token: token, token_type: "bearer", scope: "read:user,user:email,read:org" });
  }

  private api(req: Request, path: string): Response {
    const m = /^Bearer (\S+)$/.exec(req.headers.get("authorization") ?? "");
    const login = m ? this.tokens.get(m[1]!) : undefined;
    const user = login ? this.users.get(login) : undefined;
    if (!user) return Response.json({ message: "Bad credentials" }, { status: 401 });
    if (path === "/user") {
      return Response.json({ id: user.id, login: user.login, name: user.name ?? null, avatar_url: user.avatar_url ?? null, email: user.email ?? null });
    }
    if (path === "/user/emails") return user.emails ? Response.json(user.emails) : Response.json({ message: "Not Found" }, { status: 404 });
    if (path === "/user/orgs") {
      const q = new URL(req.url).searchParams;
      const perPage = Number(q.get("per_page") ?? 30);
      const page = Number(q.get("page") ?? 1);
      const orgs = (user.orgs ?? []).slice((page - 1) * perPage, page * perPage);
      return Response.json(orgs.map((login) => ({ login })));
    }
    return Response.json({ message: "Not Found" }, { status: 404 });
  }
}
