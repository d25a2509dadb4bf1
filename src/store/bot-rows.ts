// Row → wire mappers of the bot platform, shared by both stores (their rows have the same shape).
import type { BotCommand, BotSetupCode, SetupDefaults } from "../chat/bots.ts";
import type { BotToken } from "./store.ts";

export interface TokenRow {
  id: string;
  botUserId: string;
  workspaceId: string;
  name: string;
  scopes: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function toToken(r: TokenRow): BotToken {
  return { id: r.id, bot_user_id: r.botUserId, workspace_id: r.workspaceId, name: r.name, scopes: JSON.parse(r.scopes), created_at: r.createdAt, last_used_at: r.lastUsedAt, revoked_at: r.revokedAt };
}

export interface SetupCodeRow {
  id: string;
  workspaceId: string;
  botUserId: string;
  tokenName: string;
  scopes: string;
  defaults: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
}

export function toSetupCode(r: SetupCodeRow): BotSetupCode {
  return {
    id: r.id, bot_user_id: r.botUserId, workspace_id: r.workspaceId, token_name: r.tokenName, scopes: JSON.parse(r.scopes),
    defaults: JSON.parse(r.defaults) as SetupDefaults, created_by: r.createdBy, created_at: r.createdAt, expires_at: r.expiresAt,
  };
}

export interface CommandRow {
  id: string;
  workspaceId: string;
  botUserId: string;
  command: string;
  description: string;
  argsHint: string;
  createdAt: string;
  updatedAt: string;
}

export function toCommand(r: CommandRow): BotCommand {
  return { id: r.id, workspace_id: r.workspaceId, bot_user_id: r.botUserId, command: r.command, description: r.description, args_hint: r.argsHint, created_at: r.createdAt, updated_at: r.updatedAt };
}

export const byCommand = (a: { command: string }, b: { command: string }) => (a.command < b.command ? -1 : a.command > b.command ? 1 : 0);
