// Keeps the app in step with the server: starts a workspace (lists, then the socket from the last
// cursor), routes every realtime event to the state it changes, and reloads from the tail when
// the server says our cursor is gone (close 4001).
import { loadChannelPrefs } from "./prefs.ts";
import { signal } from "@preact/signals";
import { api, ApiError } from "../api.ts";
import { loadCursor, RealtimeConnection, tailCursor } from "../realtime.ts";
import { loadSession } from "../session.ts";
import type { ChatEvent, Message, ThreadState, User } from "../types.ts";
import { notifyInBackground } from "./notify.ts";
import { channelMembersEpoch, loadDirectory, loadWorkspaces, noteMention, noteMessage, noteRead, noteThreadRead, refreshChannels, refreshDms, workspaceId } from "./directory.ts";
import { withReaction } from "./collection.ts";
import { commandsChanged } from "./commands.ts";
import { applyEphemeral } from "./ephemeral.ts";
import { applyPresence, loadPresence, stopWatchingActivity, watchActivity } from "./presence.ts";
import { flushOutbox, restoreOutbox } from "./outbox.ts";
import { load, save } from "./storage.ts";
import { openThread } from "./thread.ts";
import { allTimelines, existingTimeline, forgetTimelines } from "./timeline.ts";

export const workspaceStatus = signal<{ state: "idle" | "loading" | "ready" | "error"; message?: string }>({ state: "idle" });
/** Bumped when every open view must reload from scratch (after a resync). */
export const reloadEpoch = signal(0);
/** Bumped when a channel's pins change, so an open pins panel refreshes. */
export const pinsEpoch = signal(0);

let connection: RealtimeConnection | null = null;
let me: User | null = null;

const ACTIVITY_KINDS = new Set(["agent_commentary", "agent_tool"]);
const str = (v: unknown) => (typeof v === "string" && v ? v : null);

export const lastWorkspaceKey = (userId: string) => `workspace:${userId}`;
export const lastWorkspace = (userId: string) => load<string | null>(lastWorkspaceKey(userId), null);

export async function startWorkspace(id: string, user: User): Promise<void> {
  if (workspaceId.peek() === id && workspaceStatus.peek().state !== "error" && connection) return;
  connection?.stop();
  connection = null;
  me = user;
  forgetTimelines();
  openThread.value = null;
  workspaceId.value = id;
  save(lastWorkspaceKey(user.id), id);
  workspaceStatus.value = { state: "loading" };
  try {
    // The tail is read before the lists, so nothing that happens in between can be missed.
    const cursor = loadCursor(user.id, id) ?? (await tailCursor(id));
    await loadDirectory(id, user.id);
    void loadChannelPrefs(id);
    restoreOutbox(user.id);
    workspaceStatus.value = { state: "ready" };
    connection = new RealtimeConnection(id, user.id, cursor, {
      onEvent: (e) => applyEvent(e),
      onResync: () => resync(id, user.id),
      onOpen: () => {
        flushOutbox();
        void loadPresence(id);
        void loadChannelPrefs(id);
        commandsChanged(id); // a bot may have changed its menu while the socket was down
      },
      onRepeatedFailure: () => void loadSession(),
    });
    connection.start();
    watchActivity(id);
  } catch (err) {
    workspaceStatus.value = { state: "error", message: err instanceof ApiError ? err.message : "Could not reach the server." };
  }
}

export function stopSync(): void {
  stopWatchingActivity();
  connection?.stop();
  connection = null;
  workspaceStatus.value = { state: "idle" };
}

async function resync(id: string, userId: string): Promise<string | null> {
  const tail = await tailCursor(id);
  await Promise.all([loadWorkspaces(), loadDirectory(id, userId)]);
  forgetTimelines();
  reloadEpoch.value++;
  void openThread.peek()?.open();
  return tail;
}

// ---- Message changes: fetched once per burst, applied wherever the message is shown ----

/** Applies a change to a message wherever it is shown: timelines, the thread and its root. */
export function patchEverywhere(id: string, fn: (m: Message) => Message | null): void {
  for (const t of allTimelines()) t.patch(id, fn);
  const view = openThread.peek();
  if (view) {
    view.patch(id, fn);
    if (view.rootId === id) view.patchRoot(fn);
  }
}

function isShown(id: string): boolean {
  for (const t of allTimelines()) if (t.has(id)) return true;
  const view = openThread.peek();
  return !!view && (view.rootId === id || view.has(id));
}

const refreshQueue = new Set<string>();
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

function refreshMessage(id: string, deletedAt?: string): void {
  if (!isShown(id)) return;
  if (deletedAt) patchEverywhere(id, (m) => ({ ...m, deleted_at: deletedAt, body: "" }));
  refreshQueue.add(id);
  refreshTimer ??= setTimeout(() => {
    refreshTimer = undefined;
    const ids = [...refreshQueue];
    refreshQueue.clear();
    for (const mid of ids) {
      api.message(mid).then(
        ({ message }) => patchEverywhere(mid, () => message),
        () => {}, // deleted for good or no longer visible: the local patch stands
      );
    }
  }, 30);
}

function setThreadState(rootId: string, state: ThreadState): void {
  patchEverywhere(rootId, (m) => ({ ...m, thread_state: state }));
}

export function applyEvent(e: ChatEvent): void {
  if (!me) return;
  const p = e.payload;
  const scopeId = str(p.direct_conversation_id) ?? e.channel_id ?? str(p.channel_id);
  switch (e.type) {
    case "message.created": {
      if (!scopeId || typeof e.seq !== "number") return;
      const known = noteMessage(scopeId, e.seq, str(p.author_id) ?? "", me.id, ACTIVITY_KINDS.has(String(p.kind)));
      if (str(p.direct_conversation_id) && str(p.author_id) !== me.id && str(p.message_id) && !ACTIVITY_KINDS.has(String(p.kind))) notifyInBackground(str(p.message_id)!, { kind: "dm", id: scopeId }, null, e.created_at);
      if (!known && str(p.direct_conversation_id) && workspaceId.peek()) void refreshDms(workspaceId.peek()!);
      void existingTimeline(scopeId)?.catchUp();
      return;
    }
    case "thread.reply_created": {
      const view = openThread.peek();
      if (view && view.rootId === str(p.root_message_id)) void view.catchUp();
      return;
    }
    case "thread.state_updated": {
      const rootId = str(p.root_message_id);
      if (rootId && p.thread_state) setThreadState(rootId, p.thread_state as ThreadState);
      return;
    }
    case "message.updated":
      if (str(p.message_id)) refreshMessage(str(p.message_id)!);
      return;
    case "message.deleted":
      if (str(p.message_id)) refreshMessage(str(p.message_id)!, e.created_at);
      return;
    case "reaction.added":
    case "reaction.removed": {
      const id = str(p.message_id);
      const emoji = str(p.emoji);
      if (!id || !emoji) return;
      const mine = str(p.user_id) === me.id ? e.type === "reaction.added" : null;
      const count = typeof p.count === "number" ? p.count : null;
      if (count === null) refreshMessage(id);
      else patchEverywhere(id, (m) => withReaction(m, emoji, count, mine));
      return;
    }
    case "pin.added":
    case "pin.removed": {
      const t = scopeId ? existingTimeline(scopeId) : undefined;
      const id = str(p.message_id);
      if (t && id) {
        const next = new Set(t.pinned.peek());
        if (e.type === "pin.added") next.add(id);
        else next.delete(id);
        t.pinned.value = next;
      }
      pinsEpoch.value++;
      return;
    }
    case "channel.read":
    case "dm.read": {
      if (str(p.user_id) !== me.id) return;
      const target = str(p.scope_id) ?? scopeId;
      const seq = typeof p.last_read_seq === "number" ? p.last_read_seq : e.seq;
      if (target && typeof seq === "number") noteRead(target, seq, typeof p.mention_count === "number" ? p.mention_count : undefined);
      return;
    }
    case "mention.created": {
      noteMention();
      const id = str(p.message_id);
      const root = str(p.root_message_id);
      if (id && scopeId) notifyInBackground(id, { kind: str(p.direct_conversation_id) ? "dm" : "channel", id: scopeId }, root && root !== id ? root : null, e.created_at);
      return;
    }
    case "thread.read": {
      const rootId = str(p.root_message_id);
      if (rootId && typeof p.last_read_seq === "number") noteThreadRead(rootId, str(p.scope_id) ?? scopeId, p.last_read_seq, typeof p.mention_count === "number" ? p.mention_count : undefined);
      return;
    }
    case "channel.created":
    case "channel.updated":
      if (workspaceId.peek()) void refreshChannels(workspaceId.peek()!);
      return;
    case "channel.member_added":
    case "channel.member_removed":
      // Added: the channel appears in my lists; removed: it leaves them (an open page of it then
      // says it is out of reach). Either way an open member list reloads.
      channelMembersEpoch.value += 1;
      if (workspaceId.peek() && str(p.user_id) === me.id) void refreshChannels(workspaceId.peek()!);
      return;
    case "workspace.updated":
    case "workspace.ownership_transferred":
      void loadWorkspaces();
      return;
    case "presence.changed":
      applyPresence(e);
      return;
    default:
      if (!e.cursor) applyEphemeral(e, me.id);
  }
}
