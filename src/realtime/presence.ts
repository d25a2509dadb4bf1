// Presence as this process sees its sockets: counts them per person, writes the counts to the
// store in small batches (a burst of reconnects is one write, not one per socket), renews them on
// a heartbeat and publishes presence.changed when a person's team-wide status changed.
// Other processes hear those events through the hub's cluster relay; a process that dies stops
// renewing, and the next sweep anywhere announces its people offline.
import { newId } from "../chat/ids.ts";
import { PRESENCE_HEARTBEAT_MS, PRESENCE_TTL_MS, type PresenceChange, presencePayload } from "../chat/presence.ts";
import { backgroundLog } from "../observability/log.ts";
import type { Store } from "../store/store.ts";
import type { EphemeralEvent, SocketListener, Subscriber } from "./hub.ts";

type Publish = (e: EphemeralEvent) => void;
type Key = string;

const keyOf = (workspaceId: string, userId: string): Key => `${workspaceId}\0${userId}`;

/** How long socket opens and closes gather before they are written. */
const FLUSH_DELAY_MS = 50;

export class Presence implements SocketListener {
  readonly processId = crypto.randomUUID();
  private sockets = new Map<Key, number>();
  /** People whose count changed since the last write (true: a socket opened). */
  private pending = new Map<Key, boolean>();
  private flushing: Promise<void> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private store: Store,
    private publish: Publish,
    private opts: { ttlMs: number; heartbeatMs: number } = { ttlMs: PRESENCE_TTL_MS, heartbeatMs: PRESENCE_HEARTBEAT_MS },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.heartbeat(), this.opts.heartbeatMs);
    this.timer.unref?.();
  }

  /** Marks this process's people offline (a clean stop; kill -9 is covered by expiry). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flushing;
    for (const key of this.sockets.keys()) this.pending.set(key, false);
    this.sockets.clear();
    await this.flush();
  }

  opened(sub: Subscriber): void {
    const key = keyOf(sub.workspaceId, sub.userId);
    this.sockets.set(key, (this.sockets.get(key) ?? 0) + 1);
    this.pending.set(key, true);
    this.schedule();
  }

  closed(sub: Subscriber): void {
    const key = keyOf(sub.workspaceId, sub.userId);
    const left = (this.sockets.get(key) ?? 1) - 1;
    if (left > 0) this.sockets.set(key, left);
    else this.sockets.delete(key);
    if (!this.pending.has(key)) this.pending.set(key, false);
    this.schedule();
  }

  /** A connected person says they are away (idle, app in the background) or back. */
  async setAway(workspaceId: string, userId: string, away: boolean): Promise<EphemeralEvent> {
    const change = await this.store.presence.setAway(workspaceId, userId, away);
    return this.announce(change);
  }

  private schedule(): void {
    if (this.flushing) return;
    // A moment later: every socket opened or closed meanwhile goes in one write. A burst of
    // reconnects (thousands of sockets over a second) is a few dozen writes, not one per turn
    // of the event loop; nobody notices a presence dot that turns green 50 ms later.
    this.flushing = new Promise<void>((resolve) => setTimeout(resolve, FLUSH_DELAY_MS)).then(() => this.flush()).finally(() => {
      this.flushing = null;
      if (this.pending.size > 0) this.schedule();
    });
  }

  private async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    const rows = batch.map(([key, opened]) => {
      const [workspaceId, userId] = key.split("\0") as [string, string];
      return { workspaceId, userId, sockets: this.sockets.get(key) ?? 0, opened };
    });
    try {
      for (const change of await this.store.presence.report(this.processId, rows, this.expiry())) this.announce(change);
    } catch (err) {
      // Written again with the next change or heartbeat; meanwhile presence may lag, nothing else.
      for (const [key, opened] of batch) if (!this.pending.has(key)) this.pending.set(key, opened);
      backgroundLog().warn({ err }, "presence: could not record sockets");
    }
  }

  private async heartbeat(): Promise<void> {
    try {
      for (const change of await this.store.presence.sweep(this.processId, this.expiry())) this.announce(change);
    } catch (err) {
      backgroundLog().warn({ err }, "presence: heartbeat failed");
    }
  }

  private expiry(): string {
    return new Date(Date.now() + this.opts.ttlMs).toISOString();
  }

  private announce(change: PresenceChange): EphemeralEvent {
    const event: EphemeralEvent = {
      id: newId("eph"),
      cursor: "",
      type: "presence.changed",
      workspace_id: change.workspaceId,
      channel_id: null,
      seq: null,
      created_at: new Date().toISOString(),
      payload: presencePayload(change),
      recipients: null,
      direct_conversation_id: null,
    };
    this.publish(event);
    return event;
  }
}
