// The open thread: its root and a window of replies (latest first loaded), kept live by
// `thread.reply_created` events with one catch-up fetch per burst.
import { signal } from "@preact/signals";
import { api, ApiError } from "../api.ts";
import type { Message } from "../types.ts";
import { MessageCollection } from "./collection.ts";
import { rememberUsers } from "./directory.ts";

export class ThreadView extends MessageCollection {
  readonly root = signal<Message | null>(null);
  private readThrough = 0;

  constructor(readonly rootId: string) {
    super((m) => m.thread_seq ?? 0);
  }

  open(): Promise<void> {
    this.error.value = null;
    return this.loadWith("initial", async () => {
      try {
        const page = await api.thread(this.rootId, { latest: true, limit: 100 });
        rememberUsers([page.root.author]);
        this.root.value = page.root;
        this.reset({ messages: page.replies, has_older: page.has_older, has_newer: false });
        this.markRead(page.replies);
      } catch (err) {
        this.error.value = err instanceof ApiError && err.status === 404 ? "This thread no longer exists." : "Could not load the thread.";
      }
    });
  }

  loadOlder(): Promise<void> {
    if (!this.hasOlder.peek()) return Promise.resolve();
    return this.loadWith("older", async () => {
      const page = await api.thread(this.rootId, { before_seq: this.oldestSeq, limit: 100 });
      this.merge({ messages: page.replies, has_older: page.has_older, has_newer: false }, "older");
    });
  }

  protected override async fetchAfter(through: number): Promise<boolean> {
    const page = await api.thread(this.rootId, { after_seq: through, limit: 200 });
    this.root.value = page.root;
    this.upsert(page.replies);
    this.advanceThrough(page.replies);
    this.markRead(page.replies);
    return page.has_newer && page.replies.length > 0;
  }

  /** Replies shown in an open thread are read: the server clears their mentions on every device. */
  private markRead(replies: Message[]): void {
    const seq = Math.max(0, ...replies.map((m) => m.thread_seq ?? 0));
    if (seq <= this.readThrough || document.visibilityState === "hidden") return;
    this.readThrough = seq;
    void api.readThread(this.rootId, seq).catch(() => {});
  }

  patchRoot(fn: (m: Message) => Message | null): void {
    const r = this.root.peek();
    const next = r && fn(r);
    if (next) this.root.value = next;
  }
}

export const openThread = signal<ThreadView | null>(null);

export function showThread(rootId: string | null): void {
  const current = openThread.peek();
  if (current?.rootId === rootId) return;
  if (!rootId) {
    openThread.value = null;
    return;
  }
  const view = new ThreadView(rootId);
  openThread.value = view;
  void view.open();
}
