// Presence: whether a person is connected right now, shared across the team (and across server
// processes). Derived from open sockets, never claimed: a person is online while any of their
// sockets is open, away when they said so (idle, the app in the background) while connected, and
// offline when no socket is left — or when the process holding their sockets stopped renewing it.
export type PresenceStatus = "online" | "away" | "offline";

export interface PresenceChange {
  workspaceId: string;
  userId: string;
  status: PresenceStatus;
}

/** A row of this process lives this long unless its heartbeat renews it. */
export const PRESENCE_TTL_MS = 60_000;
/** How often a process renews its rows and drops the expired rows of every process. */
export const PRESENCE_HEARTBEAT_MS = 20_000;

export function presenceStatus(liveSockets: boolean, away: boolean): PresenceStatus {
  if (!liveSockets) return "offline";
  return away ? "away" : "online";
}

/** The presence.changed payload every client receives: who, and what they are now. */
export function presencePayload(change: PresenceChange): { user_id: string; status: PresenceStatus } {
  return { user_id: change.userId, status: change.status };
}
