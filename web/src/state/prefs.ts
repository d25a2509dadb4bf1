// Personal preferences kept in this browser: starred and muted channels (per person and
// workspace) and the colour theme. The server has no preference storage yet, so these do not
// follow you to another browser; when it does, this module is the one place to change.
import { computed, effect, signal } from "@preact/signals";
import { load, save } from "./storage.ts";

export type Theme = "system" | "light" | "dark";

interface ChannelPrefs {
  starred: string[];
  muted: string[];
}

let prefsKey = "";
const channelPrefs = signal<ChannelPrefs>({ starred: [], muted: [] });
export const starred = computed(() => new Set(channelPrefs.value.starred));
export const muted = computed(() => new Set(channelPrefs.value.muted));

/** Loads the preferences of one person in one workspace (called when a workspace starts). */
export function loadChannelPrefs(userId: string, workspaceId: string): void {
  prefsKey = `prefs:${userId}:${workspaceId}`;
  channelPrefs.value = load<ChannelPrefs>(prefsKey, { starred: [], muted: [] });
}

function toggle(list: "starred" | "muted", channelId: string): void {
  const current = channelPrefs.peek()[list];
  const next = current.includes(channelId) ? current.filter((id) => id !== channelId) : [...current, channelId];
  channelPrefs.value = { ...channelPrefs.peek(), [list]: next };
  if (prefsKey) save(prefsKey, channelPrefs.peek());
}

export const toggleStar = (channelId: string) => toggle("starred", channelId);
export const toggleMute = (channelId: string) => toggle("muted", channelId);

export const theme = signal<Theme>(load<Theme>("theme", "system"));

export function setTheme(next: Theme): void {
  theme.value = next;
  save("theme", next === "system" ? null : next);
}

// The stylesheet picks colours with light-dark(); forcing a scheme is one attribute.
effect(() => {
  const t = theme.value;
  if (t === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
});
