// Connected accounts' row <-> wire mapping, shared by both stores (the columns are the same).
import type { ConnectedAccount } from "../chat/connected-accounts.ts";

export interface ConnectedAccountRow {
  id: string;
  workspaceId: string;
  userId: string;
  provider: string;
  providerAccountId: string;
  displayName: string;
  scopes: string;
  metadata: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

export function toConnectedAccount(r: ConnectedAccountRow): ConnectedAccount {
  return {
    id: r.id, workspace_id: r.workspaceId, user_id: r.userId, provider: r.provider, provider_account_id: r.providerAccountId, display_name: r.displayName,
    scopes: JSON.parse(r.scopes) as string[], metadata: JSON.parse(r.metadata) as Record<string, unknown>, created_at: r.createdAt, revoked_at: r.revokedAt,
  };
}
