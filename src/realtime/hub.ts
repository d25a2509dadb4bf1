// The realtime hub: one Bun pub/sub topic per workspace audience, fed by the store's commit
// stream in cursor order. A socket first replays the log after its cursor, buffering whatever is
// committed meanwhile, then joins the topics; the buffer is deduplicated by cursor, so the switch
// from replay to live neither skips nor repeats an event.
import type { Server, ServerWebSocket } from "bun";
import { LIMITS } from "../chat/rules.ts";
import type { ChatEvent, Role, StoredEvent } from "../chat/types.ts";
import type { Store } from "../store/store.ts";
import { publicEvent } from "../chat/events.ts";
import { canSee } from "./gate.ts";

export interface Subscriber {
  id: number;
  userId: string;
  workspaceId: string;
  role: Role;
  credentialId?: string;
  /** While replaying: the cursor of the last durable event sent or skipped. */
  lastCursor: string | null;
  state: "replaying" | "live" | "closed";
  buffer: StoredEvent[];
  /** Counted among its person's and credential's open sockets (until it closes). */
  counted?: boolean;
}

/** Decides whether one more socket may open, given what its person and credential hold. */
export type SocketCap = (open: { person: number; credential: number }, hasCredential: boolean) => string | null;

export type HubSocket = ServerWebSocket<Subscriber>;

export const CLOSE = {
  resync: 4001,
  policy: 1008,
  overload: 1013,
} as const;

/** Bytes a socket may have queued before the sweep closes it as a slow consumer. */
const SLOW_CONSUMER_BYTES = 1024 * 1024;

const topicAll = (workspaceId: string) => `w:${workspaceId}`;
const topicGuest = (workspaceId: string) => `w:${workspaceId}:guest`;

export interface EphemeralEvent extends ChatEvent {
  recipients: string[] | null;
  direct_conversation_id: string | null;
}

/**
 * The sockets of one workspace, indexed the ways delivery needs them, so that publishing an event
 * costs the same whether 10 or 10,000 sockets are open: the topic reaches the live ones natively,
 * the replaying few get it buffered, and a private event looks its recipients up by user.
 */
interface Room {
  all: Set<HubSocket>;
  replaying: Set<HubSocket>;
  byUser: Map<string, Set<HubSocket>>;
}

export class Hub {
  private server: Server<Subscriber> | null = null;
  private rooms = new Map<string, Room>(); // workspace → sockets
  // Guest channels per workspace: the only channel fact gating needs, loaded once per workspace
  // and kept current from channel.created events.
  private guestChannels = new Map<string, Set<string>>();
  private nextId = 1;
  private openByUser = new Map<string, number>();
  private openByCredential = new Map<string, number>();
  private sweepTimer: ReturnType<typeof setInterval> | null = null;
  stats = { delivered: 0, slowClosed: 0 };

  constructor(private store: Store, private socketCap: SocketCap = () => null) {
    store.events.onCommit((events) => this.dispatch(events));
  }

  attach(server: Server<Subscriber>): void {
    this.server = server;
    this.sweepTimer = setInterval(() => this.sweep(), 200);
    this.sweepTimer.unref?.();
  }

  detach(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    this.server = null;
  }

  newSubscriber(input: { userId: string; workspaceId: string; role: Role; credentialId?: string; afterCursor: string | null }): Subscriber {
    return { id: this.nextId++, userId: input.userId, workspaceId: input.workspaceId, role: input.role, credentialId: input.credentialId, lastCursor: input.afterCursor, state: "replaying", buffer: [] };
  }

  connectionCount(): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.all.size;
    return n;
  }

  /** Called from the WebSocket open handler. */
  async open(ws: HubSocket): Promise<void> {
    const sub = ws.data;
    const refusal = this.socketCap({ person: this.openByUser.get(sub.userId) ?? 0, credential: sub.credentialId ? (this.openByCredential.get(sub.credentialId) ?? 0) : 0 }, Boolean(sub.credentialId));
    if (refusal) return this.close(ws, CLOSE.overload, refusal);
    sub.counted = true;
    bump(this.openByUser, sub.userId, 1);
    if (sub.credentialId) bump(this.openByCredential, sub.credentialId, 1);
    await this.loadGuestChannels(sub.workspaceId);
    if (isClosed(sub)) return;
    let room = this.rooms.get(sub.workspaceId);
    if (!room) this.rooms.set(sub.workspaceId, (room = { all: new Set(), replaying: new Set(), byUser: new Map() }));
    // Registered before the first read of the log: anything committed from here on reaches the
    // buffer, and anything committed before is in the log.
    room.all.add(ws);
    room.replaying.add(ws);
    let mine = room.byUser.get(sub.userId);
    if (!mine) room.byUser.set(sub.userId, (mine = new Set()));
    mine.add(ws);
    try {
      let scanned = 0;
      for (;;) {
        const page = await this.store.events.replayAfter(sub.workspaceId, sub.lastCursor, LIMITS.replayPage);
        if (isClosed(sub)) return;
        if (page.status === "unknown_cursor") return this.close(ws, CLOSE.resync, "realtime replay limit exceeded; resync required");
        scanned += page.events.length;
        if (scanned > LIMITS.replayCap) return this.close(ws, CLOSE.resync, "realtime replay limit exceeded; resync required");
        for (const e of page.events) {
          if (this.visible(sub, e)) {
            if (!this.send(ws, JSON.stringify(publicEvent(e)))) return;
          }
          sub.lastCursor = e.cursor;
        }
        if (!page.hasMore) break;
      }
      if (isClosed(sub)) return;
      for (const e of sub.buffer) {
        if (sub.lastCursor !== null && e.cursor <= sub.lastCursor) continue;
        if (this.visible(sub, e)) {
          if (!this.send(ws, JSON.stringify(publicEvent(e)))) return;
        }
        sub.lastCursor = e.cursor;
      }
      sub.buffer = [];
      sub.state = "live";
      room.replaying.delete(ws);
      ws.subscribe(sub.role === "guest" ? topicGuest(sub.workspaceId) : topicAll(sub.workspaceId));
    } catch (err) {
      console.error("realtime replay failed", err);
      this.close(ws, CLOSE.overload, "realtime replay interrupted; reconnect with after_cursor");
    }
  }

  closed(ws: HubSocket): void {
    ws.data.state = "closed";
    if (ws.data.counted) {
      ws.data.counted = false;
      bump(this.openByUser, ws.data.userId, -1);
      if (ws.data.credentialId) bump(this.openByCredential, ws.data.credentialId, -1);
    }
    const room = this.rooms.get(ws.data.workspaceId);
    if (!room) return;
    room.all.delete(ws);
    room.replaying.delete(ws);
    const mine = room.byUser.get(ws.data.userId);
    mine?.delete(ws);
    if (mine && mine.size === 0) room.byUser.delete(ws.data.userId);
    if (room.all.size === 0) this.rooms.delete(ws.data.workspaceId);
  }

  /** Closes every socket that matches, e.g. those of a revoked credential. */
  closeWhere(match: (s: Subscriber) => boolean, code: number, reason: string): number {
    let n = 0;
    for (const room of this.rooms.values()) {
      for (const ws of room.all) {
        if (match(ws.data)) {
          this.close(ws, code, reason);
          n++;
        }
      }
    }
    return n;
  }

  /** Committed durable events, in cursor order. */
  dispatch(events: StoredEvent[]): void {
    for (const e of events) {
      this.rememberChannel(e);
      this.deliver(e, true);
    }
  }

  /** Ephemeral events (typing, presence, agent progress): live sockets only, never stored. */
  publishEphemeral(e: EphemeralEvent): void {
    this.deliver(e as unknown as StoredEvent, false);
  }

  private deliver(e: StoredEvent, durable: boolean): void {
    const room = this.rooms.get(e.workspace_id);
    if (!room) return;
    // Ephemeral events carry an empty cursor, as the Go server sends them: there is nothing to resume.
    const frame = JSON.stringify(durable ? publicEvent(e) : { ...publicEvent(e), cursor: "" });
    if (durable) {
      for (const ws of room.replaying) if (this.visible(ws.data, e)) ws.data.buffer.push(e);
    }
    if (e.recipients) {
      for (const userId of e.recipients) {
        for (const ws of room.byUser.get(userId) ?? []) if (ws.data.state === "live") this.send(ws, frame);
      }
      return;
    }
    const guestVisible = !e.channel_id || this.isGuestChannel(e.workspace_id, e.channel_id);
    if (this.server) {
      let backpressure = this.server.publish(topicAll(e.workspace_id), frame) === -1;
      if (guestVisible) backpressure = this.server.publish(topicGuest(e.workspace_id), frame) === -1 || backpressure;
      // Someone is behind: find them now, before Bun's hard limit drops them without a reason.
      if (backpressure) this.sweepSet(room.all);
    }
    this.stats.delivered += room.all.size;
  }

  private rememberChannel(e: StoredEvent): void {
    if (e.type === "channel.created" && e.channel_id && e.payload.kind === "guest") {
      this.guestChannels.get(e.workspace_id)?.add(e.channel_id);
    }
  }

  private async loadGuestChannels(workspaceId: string): Promise<void> {
    if (this.guestChannels.has(workspaceId)) return;
    const guest = await this.store.channels.list(workspaceId, "", { guestOnly: true, includeArchived: true });
    if (!this.guestChannels.has(workspaceId)) this.guestChannels.set(workspaceId, new Set(guest.map((c) => c.id)));
  }

  private isGuestChannel(workspaceId: string, channelId: string): boolean {
    return this.guestChannels.get(workspaceId)?.has(channelId) ?? false;
  }

  private visible(sub: Subscriber, e: StoredEvent): boolean {
    return canSee(sub, e, (channelId) => this.isGuestChannel(sub.workspaceId, channelId));
  }

  private send(ws: HubSocket, frame: string): boolean {
    const status = ws.send(frame);
    if (status === 0) {
      this.close(ws, CLOSE.overload, "realtime buffer overflow; reconnect with after_cursor to replay");
      return false;
    }
    this.stats.delivered++;
    return true;
  }

  private close(ws: HubSocket, code: number, reason: string): void {
    if (ws.data.state === "closed") return;
    this.closed(ws);
    try {
      ws.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  /** Slow consumers are cut loose instead of holding frames for them without bound. */
  private sweep(): void {
    for (const room of this.rooms.values()) this.sweepSet(room.all);
  }

  private sweepSet(set: Set<HubSocket>): void {
    for (const ws of set) {
      if (ws.getBufferedAmount() > SLOW_CONSUMER_BYTES) {
        this.stats.slowClosed++;
        this.close(ws, CLOSE.overload, "realtime buffer overflow; reconnect with after_cursor to replay");
      }
    }
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}

// A socket can close during any await; TypeScript cannot see that the state changed.
const isClosed = (sub: Subscriber) => sub.state === "closed";
