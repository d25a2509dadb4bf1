// What the interface shows besides the data: panels, dialogs, the message being edited or
// quoted, and drafts (kept per conversation, so switching away does not lose a half-typed line).
import { signal } from "@preact/signals";
import type { Message } from "../types.ts";
import { load, save } from "./storage.ts";

export type Panel = "pins" | "search" | "threads" | null;

export const panel = signal<Panel>(null);
export const quickSwitcherOpen = signal(false);
export const dmPickerOpen = signal(false);
export const sidebarOpen = signal(false);
/** The message whose text is being edited in place. */
export const editingId = signal<string | null>(null);
/** Quote-reply targets, per composer key. */
export const quoting = signal<Record<string, Message | null>>({});
/** Briefly highlighted after a jump (search result, link). */
export const highlightId = signal<string | null>(null);
export const searchQuery = signal("");
/** The dialog over the app, if any: browsing channels, a channel's settings, people, a profile, your settings. */
export type Dialog =
  | { kind: "channels" }
  | { kind: "channel-settings"; channelId: string }
  | { kind: "channel-members"; channelId: string }
  | { kind: "people"; title?: string }
  | { kind: "profile"; userId: string }
  | { kind: "settings" }
  | { kind: "bots"; workspaceId: string }
  | { kind: "invites" }
  | { kind: "workspace-settings" }
  | { kind: "audit-log" }
  | { kind: "delete-channel"; channelId: string };
export const dialog = signal<Dialog | null>(null);

/** Opens a dialog; on a phone the sidebar it was opened from gets out of the way. */
export function openDialog(d: Dialog): void {
  sidebarOpen.value = false;
  dialog.value = d;
}

/** The one message whose action toolbar shows (hovered or focused): never two at once. */
export const actionsFor = signal<string | null>(null);
/** An attached image open in the viewer. */
export const viewingImage = signal<{ id: string; filename: string; byte_size: number } | null>(null);
/** Very long messages opened past their fold; kept here so a row scrolled out and back stays open. */
export const unfolded = signal<ReadonlySet<string>>(new Set());

export function unfold(id: string): void {
  unfolded.value = new Set([...unfolded.peek(), id]);
}
/** A short message at the bottom of the screen ("Copied link", errors of background actions). */
export const toast = signal<{ text: string; tone: "info" | "error"; id: number } | null>(null);

let toastTimer: ReturnType<typeof setTimeout> | undefined;
export function showToast(text: string, tone: "info" | "error" = "info"): void {
  clearTimeout(toastTimer);
  toast.value = { text, tone, id: Date.now() };
  toastTimer = setTimeout(() => (toast.value = null), 4000);
}

export function highlight(id: string): void {
  highlightId.value = id;
  setTimeout(() => {
    if (highlightId.peek() === id) highlightId.value = null;
  }, 2600);
}

const drafts = load<Record<string, string>>("drafts", {});
let draftTimer: ReturnType<typeof setTimeout> | undefined;

export function draft(key: string): string {
  return drafts[key] ?? "";
}

export function setDraft(key: string, text: string): void {
  if (text) drafts[key] = text;
  else delete drafts[key];
  clearTimeout(draftTimer);
  draftTimer = setTimeout(() => save("drafts", drafts), 300);
}

export function setQuoting(key: string, message: Message | null): void {
  quoting.value = { ...quoting.peek(), [key]: message };
}

/** A confirmation dialog (deleting a message); the action runs when confirmed. */
export const confirming = signal<{ title: string; body: string; confirm: string; action: () => void } | null>(null);

/** A one-field dialog (naming a new channel or workspace); `submit` may throw to show an error. */
export interface NameRequest {
  title: string;
  placeholder: string;
  action: string;
  submit: (name: string, toggled: boolean) => Promise<void>;
  /** A yes/no choice beside the name (a private channel), off unless ticked. */
  toggle?: { label: string; hint: string };
  /** What the server will make of the name, shown while typing ("Will be created as #…"). */
  preview?: (name: string) => string | null;
  maxLength?: number;
}
export const naming = signal<NameRequest | null>(null);

export function askName(title: string, placeholder: string, action: string, submit: NameRequest["submit"], extra: Pick<NameRequest, "preview" | "maxLength" | "toggle"> = {}): void {
  naming.value = { title, placeholder, action, submit, ...extra };
}
