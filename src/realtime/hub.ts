// The realtime hub: one Bun pub/sub topic per workspace audience, fed with committed events in
// cursor order. A socket first replays the log after its cursor, buffering whatever is
// committed meanwhile, then joins the topics; the buffer is deduplicated by cursor, so the switch
// from replay to live neither skips nor repeats an event.
//
// Alone (SQLite), the hub hears its own store's commits directly. Beside other processes
// (Postgres, see cluster.ts) it follows the log instead: a commit anywhere only nudges it, and it
// reads what was committed after the last cursor it dispatched (log-follower.ts), so events
// committed by several processes still reach every socket once, in cursor order, with no gaps.
import type { Server, ServerWebSocket } from "bun";
import type { Actor } from "../access/actor.ts";
import { LIMITS } from "../chat/rules.ts";
import type { ChatEvent, Role, StoredEvent } from "../chat/types.ts";
import type { ReplayResult, Store } from "../store/store.ts";
import { publicEvent } from "../chat/events.ts";
import { canSee } from "./gate.ts";
import { backgroundLog } from "../observability/log.ts";
import { backgroundSpan } from "../observability/tracing.ts";
import { LogFollower } from "./log-follower.ts";

export interface Subscriber {
  userId: string;
  workspaceId: string;
  /** What the socket was granted when it opened; a re-check that finds otherwise closes it. */
  role: Role;
  readsDms: boolean;
  /** How it authenticated, so the credential can be looked up again in durable state. */
  via: Actor["via"];
  credentialId?: string;
  /** A session's expiry: the socket closes then. */
  expiresAt?: string;
  /** A user-owned bot's owner: a moderation change of the owner re-checks the bot's sockets. */
  ownerId: string | null;
  /** How many re-checks the hub had started when the socket was granted (see open). */
  grantedAtRecheck: number;
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

/** A page of the log as replay sends it: the events and, index for index, their frames. */
type SharedReplay = ReplayResult & { frames: string[] };

/** How long sockets opening together may share a replay page while the log does not move. */
const REPLAY_SHARE_MS = 1000;

export const CLOSE = {
  resync: 4001,
  policy: 1008,
  overload: 1013,
} as const;

/**
 * Whether an open socket may stay open as it was granted, judged from durable state (credential,
 * membership, role). Supplied by the composition root; access rules live in src/access.
 */
export type SocketCheck = (sub: Subscriber) => Promise<boolean>;

/**
 * Changes made in this process reach open sockets at once (revocations re-check their sockets, a
 * moderation event its member's). A change made where the hub cannot hear it (the admin CLI in
 * another process) shows as foreign writes to the store: then every open socket is re-checked,
 * a slice per tick, so all of them within seconds at bounded cost, and none while nothing changed.
 */
const RECHECK = { everyMs: 1000, perTick: 256 } as const;

/** Bytes a socket may have queued before the sweep closes it as a slow consumer. */
const SLOW_CONSUMER_BYTES = 1024 * 1024;

/** An empty replay buffer: shared, and frozen so that a push to it throws instead of leaking events between sockets (a replaying socket gets its own on its first event). */
const NO_EVENTS = Object.freeze([]) as unknown as StoredEvent[];

const topicAll = (workspaceId: string) => `w:${workspaceId}`;
const topicGuest = (workspaceId: string) => `w:${workspaceId}:guest`;

export interface EphemeralEvent extends ChatEvent {
  recipients: string[] | null;
  direct_conversation_id: string | null;
}

/** Which sockets to re-check: every given field must match. Plain data, so it can cross processes. */
export interface SocketMatch {
  userId?: string;
  workspaceId?: string;
  credentialId?: string;
}

const matching = (m: SocketMatch) => (s: Subscriber) =>
  (m.userId === undefined || s.userId === m.userId) &&
  (m.workspaceId === undefined || s.workspaceId === m.workspaceId) &&
  (m.credentialId === undefined || s.credentialId === m.credentialId);

/** Hears sockets come and go (presence): called once per socket that was let in, and once when it leaves. */
export interface SocketListener {
  opened(sub: Subscriber): void;
  closed(sub: Subscriber): void;
}

/** The other server processes, when there are any: what happens here is repeated there. */
export interface HubPeers {
  ephemeral(e: EphemeralEvent): void;
  recheck(match: SocketMatch): void;
}

/**
 * The sockets of one workspace, indexed the ways delivery needs them, so that publishing an event
 * costs the same whether 10 or 10,000 sockets are open: the topic reaches the live ones natively,
 * the replaying few get it buffered, and a private event looks its recipients up by user.
 */
interface Room {
  id: string;
  /** Its topics' names, made once (not once per opening socket). */
  topic: string;
  guestTopic: string;
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
  private openByUser = new Map<string, number>();
  private openByCredential = new Map<string, number>();
  private sweepTimer: ReturnType<typeof setInterval> | null = null;
  private recheckTimer: ReturnType<typeof setInterval> | null = null;
  private recheckQueue: HubSocket[] = [];
  private recheckRunning = false;
  private foreignMark: number | null = null;
  private rechecksStarted = 0;
  private fullRecheckWanted = false;
  private follower: LogFollower | null = null;
  private peers: HubPeers | null = null;
  private socketListeners: SocketListener[] = [];
  /** Replay pages shared by sockets that open together, by workspace and cursor (see replayPage). */
  private replays = new Map<string, Map<string, { until: number; read: Promise<SharedReplay> }>>();
  stats = { delivered: 0, slowClosed: 0, rechecked: 0 };

  constructor(private store: Store, private check: SocketCheck = async () => true, private socketCap: SocketCap = () => null) {
    store.events.onCommit((events) => {
      if (!this.follower) return this.dispatch(events);
      const last = new Map<string, string>();
      for (const e of events) last.set(e.workspace_id, e.cursor);
      for (const [workspaceId, cursor] of last) this.follower.nudge(workspaceId, cursor);
    });
  }

  /**
   * Several processes share the log: from now on committed events are read back from it in
   * cursor order (own commits included), and ephemeral events and re-checks are repeated on the
   * peers. Called once, before the server accepts sockets.
   */
  joinCluster(peers: HubPeers): LogFollower {
    this.peers = peers;
    this.follower = new LogFollower(this.store, {
      dispatch: (events) => this.dispatch(events),
      lost: (workspaceId) => {
        for (const ws of this.rooms.get(workspaceId)?.all ?? []) this.close(ws, CLOSE.resync, "realtime replay limit exceeded; resync required");
      },
    });
    return this.follower;
  }

  attach(server: Server<Subscriber>): void {
    this.server = server;
    this.sweepTimer = setInterval(() => this.sweep(), 200);
    this.sweepTimer.unref?.();
    this.recheckTimer = setInterval(() => void this.recheckSlice(), RECHECK.everyMs);
    this.recheckTimer.unref?.();
  }

  /** Hears every socket let in and every one that leaves (see SocketListener). */
  listen(listener: SocketListener): void {
    this.socketListeners.push(listener);
  }

  detach(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.recheckTimer) clearInterval(this.recheckTimer);
    this.sweepTimer = null;
    this.recheckTimer = null;
    this.server = null;
  }

  newSubscriber(input: Omit<Subscriber, "grantedAtRecheck" | "lastCursor" | "state" | "buffer"> & { afterCursor: string | null }): Subscriber {
    const { afterCursor, ...granted } = input;
    // The workspace and user ids arrive as fresh strings with every request: sockets share the
    // room's, and their person's other sockets' (one string fewer to keep per socket).
    const room = this.rooms.get(granted.workspaceId);
    const workspaceId = room?.id ?? granted.workspaceId;
    const userId = room?.byUser.get(granted.userId)?.values().next().value?.data.userId ?? granted.userId;
    // Every field written here, in one order: all sockets' data share one object shape, with no
    // field added later (memory per socket is measured, bench/connections.ts).
    return {
      userId,
      workspaceId,
      role: granted.role,
      readsDms: granted.readsDms,
      via: granted.via,
      credentialId: granted.credentialId,
      expiresAt: granted.expiresAt,
      ownerId: granted.ownerId,
      grantedAtRecheck: this.rechecksStarted,
      lastCursor: afterCursor,
      state: "replaying",
      // A buffer of its own only once an event arrives while it replays (most sockets get none).
      buffer: NO_EVENTS,
      counted: false,
    };
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
    for (const l of this.socketListeners) l.opened(sub);
    let room = this.rooms.get(sub.workspaceId);
    if (!room) this.rooms.set(sub.workspaceId, (room = { id: sub.workspaceId, topic: topicAll(sub.workspaceId), guestTopic: topicGuest(sub.workspaceId), all: new Set(), replaying: new Set(), byUser: new Map() }));
    // Registered before anything is read (the guest channels, the log): anything committed from
    // here on reaches the buffer, and anything committed before is in the log. A workspace is
    // followed (on Postgres) as long as its room has sockets, so registering first also keeps a
    // socket that is closing meanwhile from ending the following this one needs.
    room.all.add(ws);
    room.replaying.add(ws);
    let mine = room.byUser.get(sub.userId);
    if (!mine) room.byUser.set(sub.userId, (mine = new Set()));
    mine.add(ws);
    // A re-check that ran between the grant and now could not see this socket: judge it too.
    if (sub.grantedAtRecheck !== this.rechecksStarted) void this.recheckSockets([ws]);
    try {
      // Following starts before the guest channels load, so no channel.created falls between them.
      if (this.follower) await this.follower.track(sub.workspaceId);
      if (isClosed(sub)) return;
      await this.loadGuestChannels(sub.workspaceId);
      if (isClosed(sub)) return;
      let scanned = 0;
      for (;;) {
        const page = await this.replayPage(sub.workspaceId, sub.lastCursor);
        if (isClosed(sub)) return;
        if (page.status === "unknown_cursor") return this.close(ws, CLOSE.resync, "realtime replay limit exceeded; resync required");
        scanned += page.events.length;
        if (scanned > LIMITS.replayCap) return this.close(ws, CLOSE.resync, "realtime replay limit exceeded; resync required");
        for (let i = 0; i < page.events.length; i++) {
          const e = page.events[i]!;
          if (this.visible(sub, e)) {
            if (!this.send(ws, page.frames[i]!)) return;
          }
          sub.lastCursor = e.cursor;
        }
        if (!page.hasMore) break;
      }
      if (isClosed(sub)) return;
      // Following other processes' commits, this process may not yet have dispatched what the
      // socket just replayed; going live before it has would repeat those events on the topic.
      if (this.follower) await this.follower.reached(sub.workspaceId, sub.lastCursor);
      if (isClosed(sub)) return;
      for (const e of sub.buffer) {
        if (sub.lastCursor !== null && e.cursor <= sub.lastCursor) continue;
        if (this.visible(sub, e)) {
          if (!this.send(ws, JSON.stringify(publicEvent(e)))) return;
        }
        sub.lastCursor = e.cursor;
      }
      // What replay needed is dropped: an idle live socket keeps only its grant (memory per socket
      // is measured, bench/connections.ts).
      sub.buffer = NO_EVENTS;
      sub.lastCursor = null;
      sub.state = "live";
      room.replaying.delete(ws);
      ws.subscribe(sub.role === "guest" ? room.guestTopic : room.topic);
    } catch (err) {
      backgroundLog().error({ err }, "realtime replay failed");
      this.close(ws, CLOSE.overload, "realtime replay interrupted; reconnect with after_cursor");
    }
  }

  /**
   * A page of the workspace's log after `cursor`, with each event's frame. Sockets that open
   * together (a reconnect storm after a restart, a team arriving in the morning) replay the same
   * pages: each is read and each event serialised once for all of them, not once per socket, which
   * was most of what an opening socket allocated. A page is kept until the workspace's log moves
   * (dispatch drops the workspace's pages) and for a second at most (pruning does not dispatch).
   * Sharing is safe because a socket registers for live events before it asks: an event committed
   * after a page was read either reaches its buffer or, dispatched earlier, dropped the page.
   */
  private replayPage(workspaceId: string, cursor: string | null): Promise<SharedReplay> {
    let pages = this.replays.get(workspaceId);
    if (!pages) this.replays.set(workspaceId, (pages = new Map()));
    const key = cursor ?? "";
    const now = performance.now();
    const kept = pages.get(key);
    if (kept && kept.until > now) return kept.read;
    const read = this.store.events.replayAfter(workspaceId, cursor, LIMITS.replayPage).then((page) => ({ ...page, frames: page.events.map((e) => JSON.stringify(publicEvent(e))) }));
    const entry = { until: now + REPLAY_SHARE_MS, read };
    pages.set(key, entry);
    // A failed read is not shared: the next socket asks again.
    read.catch(() => {
      if (pages.get(key) === entry) pages.delete(key);
    });
    return read;
  }

  closed(ws: HubSocket): void {
    ws.data.state = "closed";
    if (ws.data.counted) {
      ws.data.counted = false;
      bump(this.openByUser, ws.data.userId, -1);
      if (ws.data.credentialId) bump(this.openByCredential, ws.data.credentialId, -1);
      for (const l of this.socketListeners) l.closed(ws.data);
    }
    const room = this.rooms.get(ws.data.workspaceId);
    if (!room) return;
    room.all.delete(ws);
    room.replaying.delete(ws);
    const mine = room.byUser.get(ws.data.userId);
    mine?.delete(ws);
    if (mine && mine.size === 0) room.byUser.delete(ws.data.userId);
    if (room.all.size === 0) {
      this.rooms.delete(ws.data.workspaceId);
      this.replays.delete(ws.data.workspaceId);
      // Nobody here listens to it any more: stop reading its log; the guest channels, no longer
      // kept current, are loaded afresh with the next socket.
      if (this.follower) {
        this.follower.untrack(ws.data.workspaceId);
        this.guestChannels.delete(ws.data.workspaceId);
      }
    }
  }

  /**
   * Re-checks now the sockets that match (after a revocation, a moderation change): those no
   * longer allowed as they were opened close with 1008 and reconnect under what holds now.
   */
  async recheck(match: SocketMatch): Promise<void> {
    this.peers?.recheck(match);
    await this.recheckLocal(matching(match));
  }

  /** Re-checks the matching sockets of this process only (a peer asked, or an event here). */
  async recheckLocal(match: SocketMatch | ((s: Subscriber) => boolean)): Promise<void> {
    if (typeof match !== "function") match = matching(match);
    this.rechecksStarted++;
    const found: HubSocket[] = [];
    for (const room of this.rooms.values()) for (const ws of room.all) if (match(ws.data)) found.push(ws);
    await this.recheckSockets(found);
  }

  private async recheckSlice(): Promise<void> {
    if (this.recheckRunning) return;
    this.recheckRunning = true;
    try {
      const mark = await this.store.foreignWrites();
      if (mark !== this.foreignMark) {
        this.foreignMark = mark;
        this.fullRecheckWanted = true;
      }
      // A pass already under way finishes first; a change seen meanwhile asks for one more.
      if (this.recheckQueue.length === 0 && this.fullRecheckWanted) {
        this.fullRecheckWanted = false;
        this.rechecksStarted++;
        for (const room of this.rooms.values()) for (const ws of room.all) this.recheckQueue.push(ws);
      }
      await this.recheckSockets(this.recheckQueue.splice(0, RECHECK.perTick));
    } catch (err) {
      // The store closing under a tick at shutdown, or a failed read: the next tick tries again.
      if (this.server) backgroundLog().error({ err }, "realtime re-check failed");
    } finally {
      this.recheckRunning = false;
    }
  }

  private async recheckSockets(sockets: HubSocket[]): Promise<void> {
    // Sockets opened alike (one person's tabs) are judged once.
    const verdicts = new Map<string, Promise<boolean>>();
    for (const ws of sockets) {
      const sub = ws.data;
      if (isClosed(sub)) continue;
      const key = `${sub.via}|${sub.credentialId}|${sub.userId}|${sub.workspaceId}|${sub.role}|${sub.readsDms}`;
      let verdict = verdicts.get(key);
      if (!verdict) verdicts.set(key, (verdict = this.check(sub)));
      let allowed: boolean;
      try {
        allowed = await verdict;
      } catch (err) {
        // A failed lookup is not a refusal: the next round asks again.
        backgroundLog().error({ err }, "realtime re-check failed");
        continue;
      }
      this.stats.rechecked++;
      if (!allowed) this.close(ws, CLOSE.policy, "credential or workspace access changed; reconnect");
    }
  }

  /** Committed durable events, in cursor order. */
  dispatch(events: StoredEvent[]): void {
    const span = backgroundSpan("realtime.fanout", { "clickclack.events": events.length, "clickclack.workspace_id": events[0]?.workspace_id ?? "" });
    const delivered = this.stats.delivered;
    try {
      this.dispatchEach(events);
    } finally {
      span?.setAttribute("clickclack.deliveries", this.stats.delivered - delivered);
      span?.end();
    }
  }

  private dispatchEach(events: StoredEvent[]): void {
    for (const e of events) {
      this.replays.delete(e.workspace_id);
      this.rememberChannel(e);
      this.deliver(e, true);
      if (e.type === "member.moderation_updated") {
        // The member's sockets, and those of the bots they own, may have lost or changed access.
        const userId = e.payload.user_id;
        // Every process dispatches the event itself: nothing to relay.
        void this.recheckLocal((s) => s.workspaceId === e.workspace_id && (s.userId === userId || s.ownerId === userId));
      }
    }
  }

  /** Ephemeral events (typing, presence, agent progress): live sockets only, never stored. */
  publishEphemeral(e: EphemeralEvent): void {
    this.peers?.ephemeral(e);
    this.deliverEphemeral(e);
  }

  /** An ephemeral event for this process's sockets only (a peer published it). */
  deliverEphemeral(e: EphemeralEvent): void {
    this.deliver(e as unknown as StoredEvent, false);
  }

  private deliver(e: StoredEvent, durable: boolean): void {
    const room = this.rooms.get(e.workspace_id);
    if (!room) return;
    // Ephemeral events carry an empty cursor, as the Go server sends them: there is nothing to resume.
    const frame = JSON.stringify(durable ? publicEvent(e) : { ...publicEvent(e), cursor: "" });
    if (durable) {
      for (const ws of room.replaying) {
        if (!this.visible(ws.data, e)) continue;
        if (ws.data.buffer === NO_EVENTS) ws.data.buffer = [];
        ws.data.buffer.push(e);
      }
    } else {
      // An ephemeral event has no place in the log's order: a socket still replaying gets it now
      // rather than never (a presence change while it caught up would otherwise stay unknown).
      for (const ws of room.replaying) if (this.visible(ws.data, e)) this.send(ws, frame);
    }
    if (e.recipients) {
      for (const userId of e.recipients) {
        for (const ws of room.byUser.get(userId) ?? []) if (ws.data.state === "live" && this.visible(ws.data, e)) this.send(ws, frame);
      }
      return;
    }
    // What a guest may see (src/realtime/gate.ts): the guest topic gets it, or not.
    const guestVisible = canSee({ userId: "", role: "guest", readsDms: false }, e, (channelId) => this.isGuestChannel(e.workspace_id, channelId));
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
    const now = new Date().toISOString();
    for (const ws of set) {
      if (ws.data.expiresAt && ws.data.expiresAt <= now) {
        this.close(ws, CLOSE.policy, "session expired; sign in again");
      } else if (ws.getBufferedAmount() > SLOW_CONSUMER_BYTES) {
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
