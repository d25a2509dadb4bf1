// ClickClackBot: a long-running event loop over the realtime socket. Compared with the original
// SDK's bot (one socket, no cursor), it resumes where it stopped: it keeps the cursor of the last
// event it finished, reconnects with jittered backoff, catches up after a 4001 over HTTP (or jumps
// to the tail when the log no longer has its cursor), ignores its own messages, and sends with
// nonces derived from the triggering event so a retried handler never double-posts.
import { backoffDelay, type BackoffOptions, sleep } from "./backoff.ts";
import { ClickClackClient, type ClickClackClientOptions } from "./client.ts";
import { defaultCursorStore } from "#default-cursor-store";
import type { CursorStore } from "./cursor-store.ts";
import { ClickClackError } from "./errors.ts";
import { eventNonce } from "./nonce.ts";
import type { Message, MessageInput, RealtimeEvent, User } from "./types.ts";

export type BotEventHandler = (event: RealtimeEvent, client: ClickClackClient, context: BotContext) => void | Promise<void>;

export interface ClickClackBotOptions extends ClickClackClientOptions {
  workspaceId: string;
  /** Where to start when the cursor store has nothing yet (default: the log's tail, i.e. only new events). */
  afterCursor?: string;
  onEvent: BotEventHandler;
  /** Called whenever the socket closes; the bot reconnects by itself unless stopped. */
  onClose?: (event?: CloseEvent) => void;
  /** Handler failures (after retries), persistence failures, and the fatal error that stopped the bot. */
  onError?: (error: unknown, event?: RealtimeEvent) => void;
  /** The log no longer held the bot's cursor; events between `from` and `to` were skipped. */
  onResync?: (info: { from: string | null; to: string | null }) => void;
  /** Each time a socket opens. */
  onConnect?: () => void;
  /** Default: a FileCursorStore in ./.clickclack/cursors (memory where there is no file system); false keeps nothing. */
  cursorStore?: CursorStore | false;
  /** Events handled at once (default 1: strictly one at a time, in order). */
  concurrency?: number;
  /** Default true: skip events about the bot's own messages (and its own typing/progress). */
  ignoreOwnMessages?: boolean;
  /** Handler attempts per event before it is reported to onError and skipped (default 3). */
  maxAttempts?: number;
  reconnect?: BackoffOptions;
  /** Events buffered before the bot pauses the socket until it catches up (default 5 000). */
  maxQueue?: number;
}

export type ReplyTarget = RealtimeEvent | string;
export interface SendOptions {
  /** An explicit nonce; by default one is derived from the event being handled. */
  nonce?: string;
  /** Tells two sends for the same event apart ("reply", "summary", …). */
  purpose?: string;
}
type Body = string | Omit<MessageInput, "nonce">;

const MESSAGE_EVENTS = new Set(["message.created", "thread.reply_created", "message.updated", "message.deleted"]);
const OWN_IDS_KEPT = 2_000;

interface Item {
  event: RealtimeEvent | null;
  /** The cursor that handling this item completes (null for ephemeral events). */
  cursor: string | null;
}
interface Slot {
  item: Item;
  state: "running" | "done" | "abandoned";
}

const isFatal = (err: unknown) => err instanceof ClickClackError && (err.status === 401 || err.status === 403);
const isNonceConflict = (err: unknown) =>
  err instanceof ClickClackError && (err.status === 409 || (err.status === 400 && /nonce was already used/.test(err.message)));
const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);

/** Helpers bound to the event being handled: their nonces are derived from it. */
export class BotContext {
  private counts = new Map<string, number>();

  constructor(
    private readonly bot: ClickClackBot,
    readonly event: RealtimeEvent,
  ) {}

  /** The nonce for the nth send of `purpose` while handling this event: the same on every retry. */
  nonce(purpose: string): string {
    const n = this.counts.get(purpose) ?? 0;
    this.counts.set(purpose, n + 1);
    return eventNonce(this.event.id, purpose, n);
  }

  reply(body: Body, options: SendOptions = {}) {
    return this.bot.reply(this.event, body, options);
  }
  react(emoji: string) {
    return this.bot.react(this.event, emoji);
  }
  progress(payload: string | Record<string, unknown>) {
    return this.bot.progress(this.event, payload);
  }
  sendChannelMessage(channelId: string, body: Body, options: SendOptions = {}) {
    return this.bot.sendChannelMessage(channelId, body, { ...options, nonce: options.nonce ?? this.nonce(options.purpose ?? `channel:${channelId}`) });
  }
  sendDirectMessage(conversationId: string, body: Body, options: SendOptions = {}) {
    return this.bot.sendDirectMessage(conversationId, body, { ...options, nonce: options.nonce ?? this.nonce(options.purpose ?? `dm:${conversationId}`) });
  }
}

export class ClickClackBot {
  readonly client: ClickClackClient;
  /** The bot's own user, known once started. */
  user: User | null = null;
  private readonly options: ClickClackBotOptions;
  private readonly store: CursorStore | null;
  private readonly concurrency: number;
  private readonly maxQueue: number;
  private key = "";
  /** The last durable cursor taken into the queue, and the last one fully handled. */
  private received: string | null = null;
  private committed: string | null = null;
  private saved: string | null = null;
  private queue: Item[] = [];
  private window: Slot[] = [];
  private contexts = new Map<string, BotContext>();
  private ownIds = new Set<string>();
  private socket: WebSocket | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private paused = false;
  private reconnecting: Promise<void> | null = null;
  private resyncNeeded = false;
  private resyncStreak = 0;
  private fatal: unknown = null;
  private abort = new AbortController();
  private saving: Promise<void> | null = null;
  private saveAgain = false;
  private waiters: { ready: () => boolean; resolve: () => void }[] = [];

  constructor(options: ClickClackBotOptions) {
    this.options = options;
    this.client = new ClickClackClient(options);
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    this.maxQueue = Math.max(10, options.maxQueue ?? 5_000);
    this.store = options.cursorStore === false ? null : (options.cursorStore ?? defaultCursorStore());
  }

  /** The cursor of the last event the bot finished with (what it resumes after). */
  get cursor(): string | null {
    return this.committed;
  }

  get connected(): boolean {
    return this.socket?.readyState === 1;
  }

  /**
   * Starts the loop; resolves once the first socket is open. Idempotent while running. Rejects
   * only on a credential the server refuses (401/403); an unreachable server is retried.
   */
  start(): Promise<void> {
    if (this.running) return this.running;
    this.stopped = false;
    this.fatal = null;
    this.abort = new AbortController();
    const run = this.boot().catch((err) => {
      this.running = null;
      this.stopped = true;
      throw err;
    });
    this.running = run;
    return run;
  }

  /** Closes the socket, lets the handlers in flight finish and saves the cursor. */
  async stop(): Promise<void> {
    if (this.stopped && !this.running) return;
    this.stopped = true;
    this.abort.abort();
    // Events not yet started stay after the saved cursor: the next start replays them.
    this.queue = [];
    this.socket?.close(1000, "bot stopped");
    this.socket = null;
    await this.until(() => !this.window.some((s) => s.state === "running"));
    this.window = [];
    this.received = this.committed;
    this.paused = false;
    await this.flush();
    await this.running?.catch(() => {});
    this.running = null;
  }

  // ---- Helpers (original names, plus nonces) ----

  sendChannelMessage(channelId: string, body: Body, options: SendOptions = {}): Promise<Message> {
    return this.send((nonce) => this.client.channels.sendMessage(channelId, { ...toInput(body), nonce }), options.nonce);
  }

  sendDirectMessage(conversationId: string, body: Body, options: SendOptions = {}): Promise<Message> {
    return this.send((nonce) => this.client.dms.sendMessage(conversationId, { ...toInput(body), nonce }), options.nonce);
  }

  /** Replies in the thread of the message an event is about (or of a message id). */
  async reply(target: ReplyTarget, body: Body, options: SendOptions = {}): Promise<Message> {
    const root = await this.threadRoot(target);
    const nonce = options.nonce ?? (typeof target === "string" ? undefined : this.context(target).nonce(options.purpose ?? "reply"));
    const { body: text, quoted_message_id } = toInput(body);
    return this.send((n) => this.client.threads.reply(root, { body: text, quoted_message_id: quoted_message_id ?? undefined, nonce: n }), nonce);
  }

  /** Adds a reaction (idempotent on the server: reacting twice is a no-op). */
  react(target: ReplyTarget, emoji: string) {
    const id = typeof target === "string" ? target : str(target.payload.message_id);
    if (!id) throw new Error(`a ${(target as RealtimeEvent).type} event names no message to react to`);
    return this.client.reactions.add(id, emoji);
  }

  /** Publishes an `agent.progress` ephemeral event next to the message being handled (bot tokens only). */
  progress(target: RealtimeEvent | { channelId?: string; directConversationId?: string }, payload: string | Record<string, unknown>) {
    const data = typeof payload === "string" ? { text: payload } : payload;
    if ("type" in target && "payload" in target) {
      const p = target.payload;
      return this.client.events.publishEphemeral({
        workspaceId: this.options.workspaceId,
        type: "agent.progress",
        channelId: str(p.direct_conversation_id) ? undefined : (target.channel_id ?? str(p.channel_id)),
        directConversationId: str(p.direct_conversation_id),
        payload: { event_id: target.id, message_id: str(p.root_message_id) ?? str(p.message_id), ...data },
      });
    }
    return this.client.events.publishEphemeral({ workspaceId: this.options.workspaceId, type: "agent.progress", ...target, payload: data });
  }

  // ---- The loop ----

  private async boot(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.user = await this.client.me();
        this.key = `${this.options.workspaceId}.${this.user.id}`;
        const saved = this.committed ?? (this.store ? await this.store.load(this.key) : null);
        this.committed = this.received = saved ?? this.options.afterCursor ?? (await this.tail());
        break;
      } catch (err) {
        if (isFatal(err) || this.stopped) throw err;
        await sleep(backoffDelay(attempt, this.options.reconnect), this.abort.signal);
        if (this.stopped) return;
      }
    }
    if (this.stopped) return;
    if (!(await this.connect())) await this.reconnect();
    if (this.fatal) throw this.fatal;
  }

  /** The log's current end: a first run starts here instead of replaying history. */
  private async tail(): Promise<string | null> {
    const page = await this.client.events.list(this.options.workspaceId, { includeTail: true, limit: 1 });
    return page.tail_cursor || null;
  }

  /** Opens a socket after `received`; true once it is open, false if it closed first. */
  private connect(): Promise<boolean> {
    return new Promise((resolve) => {
      let opened = false;
      const socket: WebSocket = this.client.events.subscribe({
        workspaceId: this.options.workspaceId,
        afterCursor: this.received ?? undefined,
        onOpen: () => {
          // stop() ran while this socket was connecting.
          if (this.stopped) socket.close(1000, "bot stopped");
          opened = true;
          resolve(true);
          this.options.onConnect?.();
        },
        onEvent: (event) => {
          if (this.socket !== socket) return;
          this.resyncStreak = 0;
          this.accept(event);
        },
        onClose: (event) => {
          if (this.socket === socket) this.socket = null;
          if (!opened) resolve(false);
          else this.closed(event);
          this.options.onClose?.(event);
        },
      });
      this.socket = socket;
    });
  }

  private closed(event: CloseEvent): void {
    if (this.stopped || this.paused) return;
    if (event.code === 1008) return this.fail(new ClickClackError(`realtime access revoked: ${event.reason}`, { status: 403, code: "access_revoked" }));
    if (event.code === 4001) {
      this.resyncNeeded = true;
      this.resyncStreak++;
    }
    void this.reconnect();
  }

  /** One reconnect loop at a time; resolves once a socket is open, or the bot stopped or failed. */
  private reconnect(): Promise<void> {
    this.reconnecting ??= this.reconnectLoop().finally(() => {
      this.reconnecting = null;
    });
    return this.reconnecting;
  }

  private async reconnectLoop(): Promise<void> {
    for (let attempt = 0; !this.stopped && !this.paused; attempt++) {
      await sleep(backoffDelay(attempt, this.options.reconnect), this.abort.signal);
      if (this.stopped) return;
      try {
        if (this.resyncNeeded) await this.resync();
        if (await this.connect()) return;
        // Refused before opening: ask over HTTP whether the credential is the reason.
        await this.client.me();
      } catch (err) {
        if (isFatal(err)) return this.fail(err);
        if (!(err instanceof ClickClackError && err.status === 0)) this.options.onError?.(err);
      }
    }
  }

  /**
   * After a 4001: the socket will not replay from our cursor (too far behind, or unknown). Catch
   * up over HTTP while the log still has the cursor; when it does not (410, or a second 4001 with
   * no progress), skip to the tail and say so.
   */
  private async resync(): Promise<void> {
    const ws = this.options.workspaceId;
    if (this.resyncStreak < 2) {
      try {
        for (;;) {
          const page = await this.client.events.list(ws, { afterCursor: this.received ?? undefined, limit: 500 });
          for (const event of page.events) this.accept(event);
          // next_cursor also covers events this caller may not see.
          if (page.next_cursor && (!this.received || page.next_cursor > this.received)) this.enqueue({ event: null, cursor: (this.received = page.next_cursor) });
          if (!page.has_more || this.stopped) break;
          await this.until(() => this.queue.length <= this.maxQueue / 2 || this.stopped);
        }
        this.resyncNeeded = false;
        return;
      } catch (err) {
        if (!(err instanceof ClickClackError && err.status === 410)) throw err;
      }
    }
    const from = this.received;
    const to = await this.tail();
    this.received = to;
    this.enqueue({ event: null, cursor: to });
    this.resyncNeeded = false;
    this.resyncStreak = 0;
    this.options.onResync?.({ from, to });
  }

  private fail(err: unknown): void {
    this.fatal = err;
    this.options.onError?.(err);
    void this.stop();
  }

  private accept(event: RealtimeEvent): void {
    if (event.cursor) {
      // Cursors grow with the log: anything at or below ours is a replay we already have.
      if (this.received && event.cursor <= this.received) return;
      this.received = event.cursor;
    }
    this.enqueue({ event, cursor: event.cursor || null });
    if (this.queue.length >= this.maxQueue && this.socket) {
      this.paused = true;
      this.socket.close(1000, "bot paused: catching up");
    }
  }

  private enqueue(item: Item): void {
    this.queue.push(item);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.queue.length && this.window.filter((s) => s.state === "running").length < this.concurrency) {
      const slot: Slot = { item: this.queue.shift()!, state: "running" };
      this.window.push(slot);
      const event = slot.item.event;
      if (!event) {
        slot.state = "done";
        continue;
      }
      void this.handle(event).then((completed) => {
        slot.state = completed ? "done" : "abandoned";
        this.pump();
      });
    }
    while (this.window[0]?.state === "done") {
      const { item } = this.window.shift()!;
      if (item.cursor) {
        this.committed = item.cursor;
        this.persist();
      }
    }
    if (this.paused && !this.stopped && this.queue.length <= this.maxQueue / 2) {
      this.paused = false;
      void this.reconnect();
    }
    this.waiters = this.waiters.filter((w) => (w.ready() ? (w.resolve(), false) : true));
  }

  /** Runs the handler with retries; false when the bot stopped before the event was handled. */
  private async handle(event: RealtimeEvent): Promise<boolean> {
    if (this.isOwn(event)) return true;
    const attempts = Math.max(1, this.options.maxAttempts ?? 3);
    try {
      for (let attempt = 1; ; attempt++) {
        const context = new BotContext(this, event);
        this.contexts.set(event.id, context);
        try {
          await this.options.onEvent(event, this.client, context);
          return true;
        } catch (err) {
          if (this.stopped) return false;
          if (attempt >= attempts) {
            this.options.onError?.(err, event);
            return true;
          }
          await sleep(backoffDelay(attempt - 1, { initialDelayMs: 200, maxDelayMs: 5_000 }), this.abort.signal);
          if (this.stopped) return false;
        }
      }
    } finally {
      this.contexts.delete(event.id);
    }
  }

  private isOwn(event: RealtimeEvent): boolean {
    const me = this.user?.id;
    if (this.options.ignoreOwnMessages === false || !me) return false;
    const p = event.payload;
    // The Go server's thread.reply_created carries no author_id: the ids of what we sent cover it.
    if (MESSAGE_EVENTS.has(event.type)) return p.author_id === me || this.ownIds.has(String(p.message_id));
    return !event.cursor && p.user_id === me;
  }

  private context(event: RealtimeEvent): BotContext {
    return this.contexts.get(event.id) ?? new BotContext(this, event);
  }

  private async threadRoot(target: ReplyTarget): Promise<string> {
    if (typeof target !== "string") {
      const p = target.payload;
      if (target.type === "thread.reply_created" && str(p.root_message_id)) return p.root_message_id as string;
      if (target.type === "message.created" && str(p.message_id)) return p.message_id as string;
      if (!str(p.message_id)) throw new Error(`a ${target.type} event names no message to reply to`);
      target = p.message_id as string;
    }
    const message = await this.client.messages.get(target);
    return message.parent_message_id ?? message.id;
  }

  private async send(post: (nonce: string | undefined) => Promise<Message>, nonce: string | undefined): Promise<Message> {
    let message: Message;
    try {
      message = await post(nonce);
    } catch (err) {
      // Same nonce, different body (a handler that rolls dice): the first attempt's message stands.
      const existing = nonce && isNonceConflict(err) ? await this.client.messages.findByNonce(this.options.workspaceId, nonce) : undefined;
      if (!existing) throw err;
      message = existing;
    }
    this.ownIds.add(message.id);
    if (this.ownIds.size > OWN_IDS_KEPT) this.ownIds.delete(this.ownIds.values().next().value as string);
    return message;
  }

  /** Saves the committed cursor; writes coalesce, so a burst of events costs one write in flight. */
  private persist(): void {
    if (!this.store) return;
    this.saveAgain = true;
    this.saving ??= this.saveLoop(this.store).finally(() => {
      this.saving = null;
    });
  }

  private async saveLoop(store: CursorStore): Promise<void> {
    while (this.saveAgain) {
      this.saveAgain = false;
      const cursor = this.committed;
      if (!cursor || cursor === this.saved) continue;
      try {
        await store.save(this.key, cursor);
        this.saved = cursor;
      } catch (err) {
        this.options.onError?.(err);
      }
    }
  }

  private async flush(): Promise<void> {
    this.persist();
    while (this.saving) await this.saving;
  }

  private until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ready, resolve }));
  }
}

function toInput(body: Body): MessageInput {
  return typeof body === "string" ? { body } : body;
}
