// Personal preferences: starred and muted channels, kept by the server so they follow you to
// every device, and the colour theme, kept in this browser. Muting a channel here sets its
// notification preference to "mentions" (no unread count, no notification but for mentions); a
// channel set to "muted" through the API (nothing at all) shows as muted too.
import { computed, effect, signal } from "@preact/signals";
import { api } from "../api.ts";
import { showToast } from "./ui.ts";
import { load, save } from "./storage.ts";

export type Theme = "system" | "light" | "dark";

interface ChannelPrefs {
  starred: string[];
  muted: string[];
}

const channelPrefs = signal<ChannelPrefs>({ starred: [], muted: [] });
export const starred = computed(() => new Set(channelPrefs.value.starred));
export const muted = computed(() => new Set(channelPrefs.value.muted));

type Edit = { list: "starred" | "muted"; channelId: string; on: boolean };

function withEdit(prefs: ChannelPrefs, { list, channelId, on }: Edit): ChannelPrefs {
  const rest = prefs[list].filter((id) => id !== channelId);
  return { ...prefs, [list]: on ? [...rest, channelId] : rest };
}

/**
 * Choices made while a load is on its way: the load's answer may predate them (a star clicked
 * just as the app opened), so they are applied again on top of it instead of being lost.
 */
const editsDuringLoads = new Set<Edit[]>();

function record(edit: Edit): void {
  for (const edits of editsDuringLoads) edits.push(edit);
}

/** Loads a person's choices in a workspace (when it starts, and again after reconnecting). */
export async function loadChannelPrefs(workspaceId: string): Promise<void> {
  const edits: Edit[] = [];
  editsDuringLoads.add(edits);
  try {
    const { channels } = await api.channelPreferences(workspaceId);
    const loaded = { starred: channels.filter((c) => c.starred).map((c) => c.channel_id), muted: channels.filter((c) => c.preference === "mentions" || c.preference === "muted").map((c) => c.channel_id) };
    channelPrefs.value = edits.reduce(withEdit, loaded);
  } catch {
    // Offline: the sidebar keeps what it showed.
  } finally {
    editsDuringLoads.delete(edits);
  }
}

/** Flips a choice at once and asks the server; a refusal puts it back and says so. */
async function toggle(list: "starred" | "muted", channelId: string): Promise<void> {
  const on = !channelPrefs.peek()[list].includes(channelId);
  const edit = { list, channelId, on };
  channelPrefs.value = withEdit(channelPrefs.peek(), edit);
  record(edit);
  try {
    if (list === "starred") await (on ? api.star(channelId) : api.unstar(channelId));
    else await api.setChannelPreference(channelId, on ? "mentions" : "all");
  } catch (err) {
    const undo = { ...edit, on: !on };
    channelPrefs.value = withEdit(channelPrefs.peek(), undo);
    record(undo);
    showToast(`Could not ${list === "starred" ? (on ? "star" : "unstar") : on ? "mute" : "unmute"} the channel: ${(err as Error).message}`, "error");
  }
}

export const toggleStar = (channelId: string) => void toggle("starred", channelId);
export const toggleMute = (channelId: string) => void toggle("muted", channelId);

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
