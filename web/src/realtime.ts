// The realtime connection: one WebSocket per workspace that replays from the last processed
// cursor and then streams live events. It reconnects with backoff after a drop, a sleep or a
// server restart; a 4001 close (cursor unknown or too far behind) asks the app to reload its
// state from the tail. The cursor is kept in localStorage so a reload resumes where it stopped.
import { signal } from "@preact/signals";
import { api } from "./api.ts";
import { load, save } from "./state/storage.ts";
import type { ChatEvent } from "./types.ts";

export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline" | "stopped";

export const connection = signal<{ state: ConnectionState; retryAt?: number }>({ state: "connecting" });

export interface RealtimeHandlers {
  onEvent(event: ChatEvent): void;
  /** Reload state from the tail after a 4001; returns the cursor to resume from. */
  onResync(): Promise<string | null>;
  /** The socket is open again: a good moment to retry unsent messages. */
  onOpen(): void;
  /** Several connects failed: check whether the session is still valid. */
  onRepeatedFailure(): void;
}

const CLOSE_RESYNC = 4001;
const CLOSE_POLICY = 1008;
const MAX_BACKOFF_MS = 15_000;
// A timer that fires this much later than asked means the machine slept: the socket may be dead
// without knowing it, so reconnect instead of waiting for TCP to notice.
const SLEEP_GAP_MS = 12_000;

export const cursorKey = (userId: string, workspaceId: string) => `cursor:${userId}:${workspaceId}`;
export const loadCursor = (userId: string, workspaceId: string) => load<string | null>(cursorKey(userId, workspaceId), null);

/** The cursor a fresh client starts from: the end of the log, captured before state is loaded. */
export async function tailCursor(workspaceId: string): Promise<string | null> {
  const page = await api.events(workspaceId, { include_tail: true, limit: 1 });
  return page.tail_cursor || null;
}

export class RealtimeConnection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private lastTick = Date.now();
  private stopped = false;
  private resyncing = false;

  constructor(
    private readonly workspaceId: string,
    private readonly userId: string,
    private cursor: string | null,
    private readonly handlers: RealtimeHandlers,
  ) {}

  start(): void {
    addEventListener("online", this.onOnline);
    addEventListener("offline", this.onOffline);
    document.addEventListener("visibilitychange", this.onVisible);
    addEventListener("pagehide", this.flushCursor);
    this.watchdog = setInterval(this.tick, 2_000);
    if (navigator.onLine === false) connection.value = { state: "offline" };
    else this.connect();
  }

  stop(): void {
    this.stopped = true;
    removeEventListener("online", this.onOnline);
    removeEventListener("offline", this.onOffline);
    document.removeEventListener("visibilitychange", this.onVisible);
    removeEventListener("pagehide", this.flushCursor);
    clearInterval(this.watchdog);
    clearTimeout(this.retryTimer);
    this.flushCursor();
    this.drop();
    connection.value = { state: "stopped" };
  }

  /** Reconnect now (after a resync, a wake-up or coming back online). */
  reconnectNow(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.drop();
    this.attempt = 0;
    this.connect();
  }

  private connect(): void {
    if (this.stopped || this.ws) return;
    connection.value = { state: this.attempt === 0 && connection.peek().state !== "reconnecting" ? "connecting" : "reconnecting" };
    const url = new URL("/api/realtime/ws", location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("workspace_id", this.workspaceId);
    if (this.cursor) url.searchParams.set("after_cursor", this.cursor);
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.failures = 0;
      connection.value = { state: "live" };
      this.handlers.onOpen();
    };
    ws.onmessage = (m) => {
      if (this.ws !== ws) return;
      let event: ChatEvent;
      try {
        event = JSON.parse(String(m.data)) as ChatEvent;
      } catch {
        return;
      }
      // Cursors increase per workspace: anything at or below ours was already applied.
      if (event.cursor && this.cursor && event.cursor <= this.cursor) return;
      try {
        this.handlers.onEvent(event);
      } catch (err) {
        console.error("clickclack: event handler failed", event.type, err);
      }
      if (event.cursor) this.advance(event.cursor);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      if (e.code === CLOSE_RESYNC || e.code === CLOSE_POLICY) void this.resync();
      else this.scheduleRetry();
    };
  }

  private drop(): void {
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      try {
        ws.close();
      } catch {
        // already closing
      }
    }
  }

  private async resync(): Promise<void> {
    if (this.resyncing) return;
    this.resyncing = true;
    connection.value = { state: "reconnecting" };
    try {
      this.cursor = await this.handlers.onResync();
      this.flushCursor();
      this.attempt = 0;
      this.connect();
    } catch {
      this.scheduleRetry();
    } finally {
      this.resyncing = false;
    }
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    if (navigator.onLine === false) {
      connection.value = { state: "offline" };
      return;
    }
    this.failures++;
    if (this.failures === 3) this.handlers.onRepeatedFailure();
    const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt++);
    const delay = Math.round(base * (0.6 + Math.random() * 0.4));
    connection.value = { state: "reconnecting", retryAt: Date.now() + delay };
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private advance(cursor: string): void {
    this.cursor = cursor;
    // Written at most twice a second; pagehide writes the last one.
    this.saveTimer ??= setTimeout(this.flushCursor, 500);
  }

  private flushCursor = (): void => {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (this.cursor) save(cursorKey(this.userId, this.workspaceId), this.cursor);
  };

  private onOnline = (): void => this.reconnectNow();

  private onOffline = (): void => {
    clearTimeout(this.retryTimer);
    this.drop();
    connection.value = { state: "offline" };
  };

  private onVisible = (): void => {
    if (document.visibilityState === "visible" && !this.ws && navigator.onLine !== false) this.reconnectNow();
  };

  private tick = (): void => {
    const now = Date.now();
    const slept = now - this.lastTick > SLEEP_GAP_MS;
    this.lastTick = now;
    if (slept && navigator.onLine !== false) this.reconnectNow();
  };
}
