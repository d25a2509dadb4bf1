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
export const naming = signal<{ title: string; placeholder: string; action: string; submit: (name: string) => Promise<void> } | null>(null);

export function askName(title: string, placeholder: string, action: string, submit: (name: string) => Promise<void>): void {
  naming.value = { title, placeholder, action, submit };
}
