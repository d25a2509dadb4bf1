// The rules of the bot platform that both stores apply inside their writes: setup codes (a
// short-lived, single-use grant of one token), setup nonces (a retried "create" reuses its row),
// command menus, and retirement (the handle goes back to the pool, a tombstone remembers it).
import { conflict, invalid } from "./errors.ts";
import { newId } from "./ids.ts";
import { hashSecret } from "./secrets.ts";
import type { ChatEvent } from "./types.ts";

// ---- Setup codes -------------------------------------------------------------------------------

/** How long a minted setup code can be claimed. */
export const SETUP_CODE_TTL_MS = 10 * 60_000;
/** Crockford base32 without I, L, O, U: nothing to misread when a person types it. */
const CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LENGTH = 12;

/** A fresh code, `XXXX-XXXX-XXXX`: 60 random bits (the claim route is unauthenticated). */
export function newSetupCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(CODE_LENGTH));
  // 256 is a multiple of 32: masking keeps every character equally likely.
  const chars = [...bytes].map((b) => CODE_ALPHABET[b & 31]!).join("");
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

/** The code as stored (hashed): case and separators do not matter. Null when it cannot be a code. */
export function normalizeSetupCode(raw: string): string | null {
  const code = raw.toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== CODE_LENGTH) return null;
  for (const c of code) if (!CODE_ALPHABET.includes(c)) return null;
  return code;
}

export function hashSetupCode(normalized: string): string {
  return hashSecret(`bot-setup-code:${normalized}`);
}

/** What the installer that claims a code should configure (the original's keys, camelCase). */
export interface SetupDefaults {
  defaultTo?: string;
  allowFrom?: string[];
  agentActivity?: boolean;
}

export function normalizeSetupDefaults(d: SetupDefaults | undefined): SetupDefaults {
  const out: SetupDefaults = {};
  if (!d) return out;
  const to = d.defaultTo?.trim();
  if (to) {
    if (!/^(channel|user|dm):[^\s]{1,128}$/.test(to)) throw invalid("defaults.defaultTo must look like channel:<name>, user:<handle> or dm:<id>", "invalid_defaults");
    out.defaultTo = to;
  }
  const from = (d.allowFrom ?? []).map((a) => a.trim()).filter(Boolean);
  if (from.length > 0) out.allowFrom = [...new Set(from)];
  if (d.agentActivity !== undefined) out.agentActivity = d.agentActivity;
  return out;
}

/** The claim's defaults: the stored ones, with the workspace's first channel as where to post. */
export function claimDefaults(stored: SetupDefaults, firstChannel: string | null): SetupDefaults {
  return stored.defaultTo || !firstChannel ? stored : { ...stored, defaultTo: `channel:${firstChannel}` };
}

export interface BotSetupCode {
  id: string;
  bot_user_id: string;
  workspace_id: string;
  token_name: string;
  scopes: string[];
  defaults: SetupDefaults;
  created_by: string;
  created_at: string;
  expires_at: string;
  /** The plain code: in the response that minted it only. */
  code?: string;
}

/** A code the claim may spend: not spent, not expired. */
export function claimable(row: { claimedAt: string | null; expiresAt: string }, now = Date.now()): boolean {
  return row.claimedAt === null && Date.parse(row.expiresAt) > now;
}

// ---- Setup nonces ------------------------------------------------------------------------------

export type NonceKind = "bot" | "token";

/** Checked by the routes: 16–128 characters, as the original. */
export function checkSetupNonce(nonce: string | undefined): string | null {
  if (nonce === undefined || nonce === "") return null;
  if (nonce.length < 16 || nonce.length > 128) throw invalid("setup_nonce must be 16–128 characters", "invalid_nonce");
  return nonce;
}

/** What a retry must repeat for the nonce to replay: the same kind of request, the same payload. */
export function nonceFingerprint(kind: NonceKind, payload: Record<string, unknown>): string {
  return JSON.stringify([kind, ...Object.keys(payload).sort().map((k) => [k, payload[k]])]);
}

/** A nonce seen before: the same payload replays the row; another payload is a 409. */
export function assertNonceReplay(stored: string, fingerprint: string): void {
  if (stored !== fingerprint) throw conflict("setup_nonce was used for a different request", "setup_nonce_conflict");
}

// ---- Command menus -----------------------------------------------------------------------------

export const MAX_BOT_COMMANDS = 100;
const COMMAND_PATTERN = /^\/[a-z0-9_-]{1,32}$/;

export interface BotCommandInput {
  command: string;
  description: string;
  args_hint?: string;
}

/** A bot's command as it stored it. */
export interface BotCommand {
  id: string;
  workspace_id: string;
  bot_user_id: string;
  command: string;
  description: string;
  args_hint: string;
  created_at: string;
  updated_at: string;
}

/** A command in a workspace's menu, with the bot that answers it. */
export interface WorkspaceBotCommand {
  id: string;
  command: string;
  description: string;
  args_hint: string;
  bot: { id: string; handle: string; display_name: string; avatar_url: string };
  created_at: string;
  updated_at: string;
}

/** `Status` and `/status` are the same command: lowercase, one leading slash. */
export const commandName = (raw: string) => `/${raw.trim().replace(/^\/+/, "").toLowerCase()}`;

/** Validates a whole menu before anything is written, so a bad entry leaves the old menu in place. */
export function normalizeCommands(input: BotCommandInput[]): Required<BotCommandInput>[] {
  if (input.length > MAX_BOT_COMMANDS) throw invalid(`a bot has at most ${MAX_BOT_COMMANDS} commands`, "too_many_commands");
  const seen = new Set<string>();
  return input.map((c, i) => {
    const command = commandName(c.command);
    if (!COMMAND_PATTERN.test(command)) throw invalid(`commands[${i}].command must be 1–32 of a-z, 0-9, _ and - (after one /)`, "invalid_command");
    if (seen.has(command)) throw invalid(`commands[${i}].command repeats ${command}`, "duplicate_command");
    seen.add(command);
    const description = c.description.trim();
    if (description.length < 1 || [...description].length > 100) throw invalid(`commands[${i}].description must be 1–100 characters`, "invalid_command");
    const args_hint = (c.args_hint ?? "").trim();
    if ([...args_hint].length > 100) throw invalid(`commands[${i}].args_hint must be at most 100 characters`, "invalid_command");
    return { command, description, args_hint };
  });
}

/**
 * The workspace's menu: sorted by the bot's handle, then command. A registered slash command
 * (with its callback) wins a clash: the bot's entry of that name is left out.
 */
export function workspaceMenu(commands: WorkspaceBotCommand[], registered: ReadonlySet<string>): WorkspaceBotCommand[] {
  return commands
    .filter((c) => !registered.has(c.command))
    .sort((a, b) => (a.bot.handle < b.bot.handle ? -1 : a.bot.handle > b.bot.handle ? 1 : a.command < b.command ? -1 : a.command > b.command ? 1 : 0));
}

/**
 * Told to the workspace's sockets when a bot replaced its menu, so composers reload it. Ephemeral
 * (no cursor, not in the log), as the original's: the menu itself is read from the route.
 */
export function botCommandsUpdated(workspaceId: string, botUserId: string): ChatEvent & { recipients: null; direct_conversation_id: null } {
  return {
    id: newId("eph"), cursor: "", type: "bot_command.updated", workspace_id: workspaceId, channel_id: null, seq: null,
    created_at: new Date().toISOString(), payload: { workspace_id: workspaceId, bot_user_id: botUserId }, recipients: null, direct_conversation_id: null,
  };
}

// ---- Retirement --------------------------------------------------------------------------------

/** What `DELETE /api/bots/{id}` answers: the tombstone. */
export interface DeletedBot {
  id: string;
  display_name: string;
  former_handle: string;
  deleted_at: string;
  /** Where it was a member (for the re-check of sockets); not on the wire. */
  workspace_ids: string[];
}

/**
 * The handle a retired bot keeps so that its former one is free again: a handle can never
 * contain `~`, so this cannot collide with one anybody may choose; the id makes it unique.
 */
export const retiredHandle = (botUserId: string) => `~${botUserId}`;
