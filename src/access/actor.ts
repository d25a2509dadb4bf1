// Who is calling. Resolution order follows the wire contract: a Bearer token, then the session
// cookie, then (dev mode, loopback only) the X-ClickClack-User header or the first user.
import { forbidden, unauthenticated } from "../chat/errors.ts";
import type { Role, User } from "../chat/types.ts";
import type { Store } from "../store/store.ts";
import { clientAddress, isLoopback } from "../http/client-info.ts";
import { assertOwnOrigin, isUnsafe } from "./origin.ts";

export type Scope =
  | "workspaces:read" | "channels:read" | "channels:write" | "messages:read" | "messages:write"
  | "threads:read" | "threads:write" | "dms:read" | "dms:write" | "realtime:read" | "uploads:write"
  | "profile:read" | "commands:write" | "agent_activity:write";

export interface Actor {
  user: User;
  via: "dev" | "session" | "cookie" | "bot_token";
  /**
   * Bot tokens only: what the token may do now (its scopes within its owner's current role), and
   * the one workspace it is bound to.
   */
  scopes?: ReadonlySet<Scope>;
  /** A user-owned bot's token: the owner's role in the token's workspace (null: not a member). */
  ownerRole?: Role | null;
  /** What the token itself carries, before its owner's role bounds it. */
  tokenScopes?: ReadonlySet<Scope>;
  tokenWorkspaceId?: string;
  /** The credential's id, so revocation can find its open sockets. */
  credentialId?: string;
  /** When a session credential expires: its open sockets close then. */
  expiresAt?: string;
}

/** The refusal for a scope the actor cannot use, saying whether the token or its owner lacks it. */
export function missingScope(actor: Actor, scope: Scope) {
  if (actor.ownerRole !== undefined && !actor.scopes?.has(scope) && actor.tokenScopes?.has(scope)) {
    return forbidden(`this bot's owner is ${actor.ownerRole ? `a ${actor.ownerRole}` : "no longer a member"} here: their bot cannot use ${scope}`, "owner_role");
  }
  return forbidden(`this token lacks the ${scope} scope`, "missing_scope");
}

/** A credential verifier: identity (sessions, bot tokens) plugs in here. */
export type CredentialResolver = (request: Request) => Promise<Actor | null | undefined>;

export class Authenticator {
  private resolvers: CredentialResolver[] = [];

  constructor(private store: Store, private dev: boolean, private publicUrl: string | null = null) {}

  use(resolver: CredentialResolver): this {
    this.resolvers.push(resolver);
    return this;
  }

  private cache = new WeakMap<Request, Promise<Actor | null>>();

  /** The actor, or null when the request carries no usable credential. Resolved once per request. */
  resolve(request: Request): Promise<Actor | null> {
    let pending = this.cache.get(request);
    if (!pending) this.cache.set(request, (pending = this.resolveUncached(request)));
    return pending;
  }

  private async resolveUncached(request: Request): Promise<Actor | null> {
    for (const resolver of this.resolvers) {
      const actor = await resolver(request);
      if (actor) return actor;
    }
    if (this.dev && isLoopback(clientAddress(request))) {
      // No credential at all: a page on any other origin could act as the first user otherwise.
      if (isUnsafe(request)) assertOwnOrigin(request, this.publicUrl);
      const header = request.headers.get("x-clickclack-user");
      if (header) {
        const user = await this.store.users.get(header);
        if (!user) throw unauthenticated(`X-ClickClack-User ${header} does not exist`);
        return { user, via: "dev" };
      }
      const first = await this.store.users.first();
      if (first) return { user: first, via: "dev" };
    }
    return null;
  }

  async require(request: Request): Promise<Actor> {
    const actor = await this.resolve(request);
    if (!actor) throw unauthenticated();
    return actor;
  }
}
