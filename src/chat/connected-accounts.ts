// Connected accounts: an account a person holds elsewhere (GitHub, an issue tracker, a CI),
// recorded in a workspace so that integrations know who is who. One active record per
// (workspace, provider, account); revoking keeps the row (who had it, until when) and frees the
// account to be connected again.
import { conflict } from "./errors.ts";

export interface ConnectedAccount {
  id: string;
  workspace_id: string;
  user_id: string;
  provider: string;
  provider_account_id: string;
  display_name: string;
  scopes: string[];
  metadata: Record<string, unknown>;
  created_at: string;
  revoked_at: string | null;
}

export const PROVIDER_PATTERN = /^[a-z][a-z0-9_.-]{0,31}$/;
export const CONNECTED_LIMITS = { accountIdMax: 200, displayNameMax: 80, scopesMax: 50, scopeMax: 100, metadataBytes: 16 * 1024 };

/** The active record for this account exists already: connecting it twice is a conflict. */
export function assertAccountFree(taken: boolean, provider: string): void {
  if (taken) throw conflict(`this ${provider} account is already connected in this workspace`, "account_already_connected");
}

/** Who may see or revoke a record: its person, and the workspace's owners and moderators. */
export function mayHandleAccount(viewer: { userId: string; manager: boolean }, account: { user_id: string }): boolean {
  return viewer.manager || viewer.userId === account.user_id;
}

/**
 * A person's ways to sign in. Unlinking GitHub is refused when nothing else lets them in: an
 * email this server can sign them in with (sign-in links or OIDC), or a password.
 */
export function assertAnotherWayIn(other: { email: boolean; password: boolean }): void {
  if (!other.email && !other.password) throw conflict("GitHub is your only way to sign in: add an email or a password first", "last_sign_in_method");
}
