// Who is around: the server derives it from open sockets (every device, every server process) and
// announces changes as presence.changed. This browser says "away" for its person after a while
// without input or in the background, and "online" again at the next sign of life.
import { signal } from "@preact/signals";
import { api } from "../api.ts";
import type { ChatEvent } from "../types.ts";

export type Presence = "online" | "away";

/** user id → online or away; anyone missing is offline. */
export const presence = signal<ReadonlyMap<string, Presence>>(new Map());

const IDLE_MS = 10 * 60_000;
const HIDDEN_MS = 5 * 60_000;

/** The whole picture, after (re)connecting: changes announced while disconnected were missed. */
export async function loadPresence(workspaceId: string): Promise<void> {
  try {
    const { presence: list } = await api.presence(workspaceId);
    presence.value = new Map(list.map((p) => [p.user_id, p.status]));
  } catch {
    // Guests are not told who is around; without the list, nobody shows a dot.
    presence.value = new Map();
  }
}

export function applyPresence(e: ChatEvent): void {
  const userId = e.payload.user_id;
  const status = e.payload.status;
  if (typeof userId !== "string") return;
  const next = new Map(presence.peek());
  if (status === "online" || status === "away") next.set(userId, status);
  else if (status === "offline") next.delete(userId);
  else return;
  presence.value = next;
}

let watching: { workspaceId: string; stop: () => void } | null = null;

/** Tells the server when this person goes idle or comes back, while a workspace is open. */
export function watchActivity(workspaceId: string): void {
  watching?.stop();
  let away = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const say = (status: Presence) => {
    if ((status === "away") === away) return;
    away = status === "away";
    void api.ephemeral({ workspace_id: workspaceId, type: "presence.changed", payload: { status } }).catch(() => {
      away = !away; // said again at the next change
    });
  };
  const idleIn = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => say("away"), ms);
  };
  const active = () => {
    if (document.visibilityState === "hidden") return;
    say("online");
    idleIn(IDLE_MS);
  };
  const visibility = () => (document.visibilityState === "hidden" ? idleIn(HIDDEN_MS) : active());
  const events = ["pointerdown", "keydown", "wheel", "touchstart"] as const;
  for (const e of events) window.addEventListener(e, active, { passive: true });
  document.addEventListener("visibilitychange", visibility);
  idleIn(document.visibilityState === "hidden" ? HIDDEN_MS : IDLE_MS);
  watching = {
    workspaceId,
    stop: () => {
      clearTimeout(timer);
      for (const e of events) window.removeEventListener(e, active);
      document.removeEventListener("visibilitychange", visibility);
    },
  };
}

export function stopWatchingActivity(): void {
  watching?.stop();
  watching = null;
}
