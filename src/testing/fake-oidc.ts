// A small, strict OpenID Connect provider stand-in: discovery, JWKS, authorize and a token
// endpoint issuing RS256-signed ID tokens. It checks what a real provider checks (client
// credentials, redirect URI, single-use codes, the PKCE binding), and a test can make it lie in
// the ways a hostile or broken provider would: a wrong nonce, an expired token, another domain,
// a token signed with a key that is not in its JWKS.
import type { Server } from "bun";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";

export interface FakeOidcPerson {
  sub: string;
  email: string;
  name?: string;
  email_verified?: boolean;
  groups?: string[];
}

/** How the next ID token is spoiled, if at all. */
export interface Spoil {
  wrongNonce?: boolean;
  expired?: boolean;
  wrongAudience?: boolean;
  foreignKey?: boolean;
}

interface IssuedCode {
  person: FakeOidcPerson;
  redirectUri: string;
  challenge: string;
  nonce: string;
  used: boolean;
}

export class FakeOidc {
  readonly clientId = "fake-oidc-client";
  readonly clientSecret = "fake-oidc-secret-DO-NOT-LEAK";
  /** Who the "browser" is signed in as at the provider. */
  signedIn: FakeOidcPerson | null = null;
  spoil: Spoil = {};
  lastTokenRefusal: string | null = null;
  private codes = new Map<string, IssuedCode>();
  private server: Server<undefined> | null = null;
  private keys!: { privateKey: CryptoKey; publicJwk: Record<string, unknown> };
  private foreign!: CryptoKey;

  get issuer(): string {
    if (!this.server) throw new Error("fake OIDC provider is not started");
    return `http://127.0.0.1:${this.server.port}`;
  }

  flags(extra: { allowedDomains?: string; requiredGroup?: string; moderatorGroup?: string } = {}): string[] {
    const flags = ["--oidc-issuer", this.issuer, "--oidc-client-id", this.clientId, "--oidc-client-secret", this.clientSecret, "--oidc-name", "Fake SSO"];
    if (extra.allowedDomains) flags.push("--oidc-allowed-domains", extra.allowedDomains);
    if (extra.requiredGroup) flags.push("--oidc-required-group", extra.requiredGroup);
    if (extra.moderatorGroup) flags.push("--oidc-moderator-group", extra.moderatorGroup);
    return flags;
  }

  async start(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    this.keys = { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" } };
    this.foreign = (await generateKeyPair("RS256")).privateKey;
    this.server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => this.handle(req) });
  }

  async stop(): Promise<void> {
    await this.server?.stop(true);
    this.server = null;
  }

  private async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/.well-known/openid-configuration") {
      return Response.json({
        issuer: this.issuer,
        authorization_endpoint: `${this.issuer}/authorize`,
        token_endpoint: `${this.issuer}/token`,
        jwks_uri: `${this.issuer}/jwks`,
        response_types_supported: ["code"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
        id_token_signing_alg_values_supported: ["RS256"],
      });
    }
    if (url.pathname === "/jwks") return Response.json({ keys: [this.keys.publicJwk] });
    if (url.pathname === "/authorize") return this.authorize(url);
    if (url.pathname === "/token" && req.method === "POST") return this.token(req);
    return new Response("not found", { status: 404 });
  }

  private authorize(url: URL): Response {
    const q = url.searchParams;
    if (q.get("client_id") !== this.clientId) return new Response("unknown client", { status: 400 });
    if (q.get("response_type") !== "code" || !q.get("scope")?.split(" ").includes("openid")) return new Response("not an OIDC code request", { status: 400 });
    if (q.get("code_challenge_method") !== "S256" || !q.get("code_challenge") || !q.get("nonce") || !q.get("state")) return new Response("PKCE, nonce and state are required", { status: 400 });
    if (!this.signedIn) return new Response("nobody signed in", { status: 401 });
    const code = crypto.randomUUID();
    this.codes.set(code, { person: this.signedIn, redirectUri: q.get("redirect_uri")!, challenge: q.get("code_challenge")!, nonce: q.get("nonce")!, used: false });
    const back = new URL(q.get("redirect_uri")!);
    back.searchParams.set("code", code);
    back.searchParams.set("state", q.get("state")!);
    return new Response(null, { status: 302, headers: { location: back.toString() } });
  }

  private refuse(why: string, error = "invalid_grant"): Response {
    this.lastTokenRefusal = why;
    return Response.json({ error }, { status: 400 });
  }

  private async token(req: Request): Promise<Response> {
    const form = new URLSearchParams(await req.text());
    const basic = req.headers.get("authorization");
    const [id, secret] = basic?.startsWith("Basic ") ? atob(basic.slice(6)).split(":").map(decodeURIComponent) : [form.get("client_id"), form.get("client_secret")];
    if (id !== this.clientId || secret !== this.clientSecret) return this.refuse("client", "invalid_client");
    const issued = this.codes.get(form.get("code") ?? "");
    if (!issued || issued.used) return this.refuse("code");
    issued.used = true;
    if (form.get("redirect_uri") !== issued.redirectUri) return this.refuse("redirect_uri");
    const verifier = form.get("code_verifier") ?? "";
    if (new Bun.CryptoHasher("sha256").update(verifier).digest("base64url") !== issued.challenge) return this.refuse("pkce");
    const now = Math.floor(Date.now() / 1000);
    const iat = this.spoil.expired ? now - 7200 : now;
    const { sub, ...claims } = issued.person;
    const idToken = await new SignJWT({ ...claims, nonce: this.spoil.wrongNonce ? "not-the-nonce" : issued.nonce })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer(this.issuer)
      .setAudience(this.spoil.wrongAudience ? "someone-else" : this.clientId)
      .setSubject(sub)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 600)
      .sign(this.spoil.foreignKey ? this.foreign : this.keys.privateKey);
    return Response.json({ access_token: crypto.randomUUID(), token_type: "Bearer", expires_in: 600, id_token: idToken });
  }
}
