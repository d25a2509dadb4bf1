// Slash commands in the composer: what the workspace offers (registered commands, which call an
// app's server, and bot menus, which are ordinary messages the bot reads), how a typed line is
// read as a command, and the replies only the caller sees ("only visible to you").
import { signal } from "@preact/signals";
import { api, routeMissing } from "../api.ts";
import type { ChatEvent, SlashCommandInfo, WorkspaceBotCommand } from "../types.ts";
import { users } from "./directory.ts";

export interface CommandOption {
  /** Lowercase with the leading slash, e.g. `/deploy`. */
  command: string;
  description: string;
  /** What to type after the command, e.g. `<environment>`. */
  hint: string;
  /** `slash`: run on the server through the app's callback; `bot`: posted as text for the bot. */
  source: "slash" | "bot";
  /** Who answers: the command's bot. */
  botUserId: string;
  botName: string | null;
}

interface Loaded {
  workspaceId: string;
  list: CommandOption[];
  at: number;
}
const FRESH_MS = 30_000;

export const commandList = signal<Loaded | null>(null);
let loading: { workspaceId: string; promise: Promise<CommandOption[]> } | null = null;

/** A server without bot menus (404) or a refused list simply has none. */
const orEmpty = <T>(p: Promise<T[]>): Promise<T[]> => p.catch((err) => (routeMissing(err) || (err as { status?: number }).status === 404 || (err as { status?: number }).status === 403 ? [] : Promise.reject(err)));

/** The workspace's commands; fetched again when older than a little while (or when forced). */
export function loadCommands(workspaceId: string, force = false): Promise<CommandOption[]> {
  const have = commandList.peek();
  if (!force && have?.workspaceId === workspaceId && Date.now() - have.at < FRESH_MS) return Promise.resolve(have.list);
  // A forced load means the menu changed since a load in flight began: that one may be stale.
  if (!force && loading?.workspaceId === workspaceId) return loading.promise;
  const promise = Promise.all([orEmpty(api.slashCommands(workspaceId).then((r) => r.slash_commands)), orEmpty(api.botCommands(workspaceId).then((r) => r.bot_commands ?? []))])
    .then(([slash, bots]) => {
      const list = mergeCommands(slash, bots, botLabel);
      // Only the newest load may set the menu; an older one answering late would undo a change.
      if (loading?.promise === promise) commandList.value = { workspaceId, list, at: Date.now() };
      return list;
    })
    .finally(() => {
      if (loading?.promise === promise) loading = null;
    });
  loading = { workspaceId, promise };
  return promise;
}

/**
 * The menu may have changed while we were not told (a bot's `bot_command.updated`, or a socket
 * that was down): load it again if a composer has it, else just forget it.
 */
export function commandsChanged(workspaceId: string): void {
  const have = commandList.peek();
  if (have?.workspaceId !== workspaceId) return;
  void loadCommands(workspaceId, true).catch(() => {
    if (commandList.peek() === have) commandList.value = { ...have, at: 0 };
  });
}

/** `bot_command.updated`: a bot replaced its menu (ephemeral, to the whole workspace). */
export function applyBotCommandsUpdated(event: ChatEvent): void {
  const workspaceId = typeof event.payload.workspace_id === "string" ? event.payload.workspace_id : event.workspace_id;
  if (workspaceId) commandsChanged(workspaceId);
}

/**
 * One menu from both sources, sorted by name: active registered commands, then bot menu entries
 * whose name no registered command (or earlier bot) took, as the server resolves a clash.
 */
export function mergeCommands(slash: SlashCommandInfo[], bots: WorkspaceBotCommand[], labelOf: (botUserId: string) => string | null): CommandOption[] {
  const list: CommandOption[] = slash
    .filter((c) => !c.revoked_at)
    .map((c) => ({ command: c.command, description: c.description, hint: "", source: "slash" as const, botUserId: c.bot_user_id, botName: labelOf(c.bot_user_id) }));
  const taken = new Set(list.map((c) => c.command));
  for (const b of bots) {
    const command = b.command.startsWith("/") ? b.command.toLowerCase() : `/${b.command.toLowerCase()}`;
    if (taken.has(command)) continue;
    taken.add(command);
    // The SDK's shape nests the bot; a flat `bot_user_id` is read too.
    const botUserId = b.bot?.id ?? (b as { bot_user_id?: string }).bot_user_id ?? "";
    list.push({ command, description: b.description ?? "", hint: b.args_hint ?? "", source: "bot", botUserId, botName: b.bot?.handle ? `@${b.bot.handle}` : labelOf(botUserId) });
  }
  return list.sort((a, b) => a.command.localeCompare(b.command));
}

function botLabel(id: string): string | null {
  const bot = users.peek().get(id);
  return bot ? `@${bot.handle}` : null;
}

/** The command being typed: only at the very start of the box, before any space. */
export function commandAt(text: string, caret: number): { query: string; start: number } | null {
  const m = /^\/([a-z0-9_-]{0,32})$/i.exec(text.slice(0, caret));
  return m ? { query: m[1]!.toLowerCase(), start: 0 } : null;
}

/** `/deploy prod` → `{command: "/deploy", text: "prod"}`; anything else (`/usr/bin`, `/ hi`) is not a command. */
export function parseCommand(text: string): { command: string; text: string } | null {
  const m = /^\/([a-z0-9_-]{1,32})(?:\s+([\s\S]*))?$/i.exec(text);
  return m ? { command: `/${m[1]!.toLowerCase()}`, text: (m[2] ?? "").trim() } : null;
}

/** Commands for a query: names that start with it first, then ones whose description mentions it. */
export function matchCommands(list: CommandOption[], query: string, limit = 10): CommandOption[] {
  const q = query.toLowerCase();
  const byName = list.filter((c) => c.command.slice(1).startsWith(q));
  const byWords = q ? list.filter((c) => !byName.includes(c) && (c.command.includes(q) || c.description.toLowerCase().includes(q))) : [];
  return [...byName, ...byWords].slice(0, limit);
}

// ---- Replies only the caller sees ----

export interface CommandNote {
  id: number;
  channelId: string;
  command: string | null;
  text: string;
  at: number;
}
export const commandNotes = signal<CommandNote[]>([]);
let nextNote = 1;
/** The HTTP answer and the private event carry the same reply; the second one within this window is the same note. */
const SAME_NOTE_MS = 15_000;

export function addCommandNote(channelId: string, text: string, command: string | null = null): void {
  if (!text.trim()) return;
  const now = Date.now();
  const notes = commandNotes.peek();
  const same = notes.find((n) => n.channelId === channelId && n.text === text && now - n.at < SAME_NOTE_MS);
  if (same) {
    // The event came first; the HTTP answer knows which command it was.
    if (command && !same.command) commandNotes.value = notes.map((n) => (n === same ? { ...n, command } : n));
    return;
  }
  commandNotes.value = [...notes, { id: nextNote++, channelId, command, text, at: now }].slice(-20);
}

export function dismissCommandNote(id: number): void {
  commandNotes.value = commandNotes.peek().filter((n) => n.id !== id);
}

/** `command.response`: the server's private ephemeral event for the caller (another tab, too). */
export function applyCommandResponse(event: ChatEvent, meId: string): void {
  const p = event.payload as Record<string, unknown>;
  const channelId = typeof p.channel_id === "string" ? p.channel_id : event.channel_id;
  if (typeof p.text !== "string" || !channelId || (p.user_id !== undefined && p.user_id !== meId)) return;
  addCommandNote(channelId, p.text);
}
