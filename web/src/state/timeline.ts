// A channel's or DM's message window. It opens at the latest page, at the first unread message
// (with a divider) or around a linked message, pages older and newer on demand, and catches up
// after realtime events with one `after_seq` fetch however many events arrive at once.
import { signal } from "@preact/signals";
import { api, ApiError } from "../api.ts";
import type { Message, Scope } from "../types.ts";
import { MessageCollection } from "./collection.ts";

const PAGE = 100;
/** Scrolling pages in bigger steps: fewer round trips through a long history. */
const SCROLL_PAGE = 200;
/** When fewer messages than this are unread, the latest page already reaches the divider. */
const UNREAD_IN_LATEST = 70;

export const channelSeq = (m: Message) => m.channel_seq ?? 0;

export class Timeline extends MessageCollection {
  /** The first unread sequence number when the conversation was opened; the divider sits above it. */
  readonly dividerSeq = signal<number | null>(null);
  /** Ids of pinned messages (channels only). */
  readonly pinned = signal<ReadonlySet<string>>(new Set());
  /** Incremented to ask the list to scroll to `focusId` (a jump, the divider, the bottom). */
  readonly focus = signal<{ key: string | null; seq: number; at: "center" | "top" | "bottom" }>({ key: null, seq: 0, at: "bottom" });

  constructor(readonly scope: Scope) {
    super(channelSeq);
  }

  private page(query: { after_seq?: number; before_seq?: number; around_seq?: number; limit?: number }) {
    return api.page(this.scope.kind, this.scope.id, { limit: PAGE, ...query });
  }

  private request(at: "center" | "top" | "bottom", key: string | null): void {
    this.focus.value = { key, seq: this.focus.peek().seq + 1, at };
  }

  /** First load: around a message, at the first unread, or at the end. */
  open(opts: { messageSeq?: number; messageId?: string; lastReadSeq: number; lastSeq: number; unread: number }): Promise<void> {
    this.error.value = null;
    return this.loadWith("initial", async () => {
      try {
        if (opts.messageSeq !== undefined) {
          this.dividerSeq.value = null;
          this.reset(await this.page({ around_seq: opts.messageSeq }));
          this.request("center", opts.messageId ?? null);
        } else if (opts.unread > 0 && opts.lastReadSeq < opts.lastSeq) {
          const first = opts.lastReadSeq + 1;
          this.dividerSeq.value = first;
          this.reset(opts.lastSeq - opts.lastReadSeq <= UNREAD_IN_LATEST ? await this.page({}) : await this.page({ around_seq: first }));
          this.request("top", "divider");
        } else {
          this.dividerSeq.value = null;
          this.reset(await this.page({}));
          this.request("bottom", null);
        }
      } catch (err) {
        this.error.value = err instanceof ApiError ? err.message : "Could not load messages. Retrying when the connection is back.";
        throw err;
      }
    });
  }

  loadOlder(): Promise<void> {
    if (!this.hasOlder.peek()) return Promise.resolve();
    return this.loadWith("older", async () => this.merge(await this.page({ before_seq: this.oldestSeq, limit: SCROLL_PAGE }), "older"));
  }

  loadNewer(): Promise<void> {
    if (!this.hasNewer.peek()) return Promise.resolve();
    return this.loadWith("newer", async () => this.merge(await this.page({ after_seq: this.through, limit: SCROLL_PAGE }), "newer"));
  }

  /** Back to the live end (the "Jump to latest" button). */
  async jumpToLatest(): Promise<void> {
    try {
      if (this.hasNewer.peek()) this.reset(await this.page({}));
    } finally {
      // Offline, the window stays where it is; its end is still where a pending message shows.
      this.request("bottom", null);
    }
  }

  protected override followsLive(): boolean {
    return !this.hasNewer.peek();
  }

  protected override async fetchAfter(through: number): Promise<boolean> {
    const page = await this.page({ after_seq: through, limit: SCROLL_PAGE });
    this.upsert(page.messages);
    this.advanceThrough(page.messages);
    return page.has_newer && page.messages.length > 0;
  }

  async loadPins(): Promise<Message[]> {
    if (this.scope.kind !== "channel") return [];
    const { messages } = await api.pins(this.scope.id);
    this.pinned.value = new Set(messages.map((m) => m.id));
    return messages;
  }
}

const timelines = new Map<string, Timeline>();

export function timelineFor(scope: Scope): Timeline {
  let t = timelines.get(scope.id);
  if (!t) {
    t = new Timeline(scope);
    timelines.set(scope.id, t);
  }
  return t;
}

export function existingTimeline(scopeId: string): Timeline | undefined {
  return timelines.get(scopeId);
}

export function allTimelines(): Iterable<Timeline> {
  return timelines.values();
}

/** After a resync or a workspace switch, windows may be stale: start over. */
export function forgetTimelines(): void {
  timelines.clear();
}
