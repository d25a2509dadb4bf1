// An ordered, de-duplicated window of messages (a channel's roots or a thread's replies) with the
// paging flags of the server's pages. Merging is by id, so a message that arrives twice (from the
// POST answer and from the realtime catch-up) is shown once.
import { signal } from "@preact/signals";
import type { Message, Reaction } from "../types.ts";
import { prerender } from "../markdown.ts";
import { rememberAuthors } from "./directory.ts";

export interface Page {
  messages: Message[];
  has_older: boolean;
  has_newer: boolean;
}

/** A message with one reaction's count set (reaction events carry the new count). */
export function withReaction(m: Message, emoji: string, count: number, mine: boolean | null): Message {
  const reactions: Reaction[] = (m.reactions ?? []).map((r) => ({ ...r }));
  const r = reactions.find((x) => x.emoji === emoji);
  if (r) {
    r.count = count;
    if (mine !== null) r.reacted_by_me = mine;
  } else if (count > 0) reactions.push({ emoji, count, reacted_by_me: mine ?? false });
  return { ...m, reactions: reactions.filter((x) => x.count > 0) };
}

export class MessageCollection {
  readonly messages = signal<Message[]>([]);
  readonly hasOlder = signal(false);
  readonly hasNewer = signal(false);
  readonly loading = signal<null | "initial" | "older" | "newer">("initial");
  readonly error = signal<string | null>(null);

  /**
   * Every message up to this sequence number is loaded. Catch-up fetches start here, not at the
   * newest message shown: your own message, inserted when its POST returns, may have overtaken
   * someone else's that is still on its way.
   */
  protected through = 0;

  private catchingUp: Promise<void> | null = null;
  private again = false;
  private catchUpAfterOpen = false;

  constructor(readonly seqOf: (m: Message) => number) {}

  /** Fetches the messages after `through` and merges them; true when the server has more. */
  protected fetchAfter(_through: number): Promise<boolean> {
    return Promise.resolve(false);
  }

  /** Whether events should trigger a catch-up (not while viewing older history, say). */
  protected followsLive(): boolean {
    return true;
  }

  /** Runs a page load under the loading flag. After the first load, catches up on events that
   * arrived while it was on its way. */
  protected async loadWith(kind: "initial" | "older" | "newer", load: () => Promise<void>): Promise<void> {
    if (kind !== "initial" && this.loading.peek()) return;
    this.loading.value = kind;
    try {
      await load();
    } finally {
      this.loading.value = null;
    }
    if (kind === "initial" && this.catchUpAfterOpen) {
      this.catchUpAfterOpen = false;
      void this.catchUp();
    }
  }

  /** Events said new messages exist: fetch everything after `through`, once per burst. */
  catchUp(): Promise<void> {
    if (!this.followsLive()) return Promise.resolve();
    if (this.loading.peek() === "initial") {
      this.catchUpAfterOpen = true;
      return Promise.resolve();
    }
    if (this.catchingUp) {
      this.again = true;
      return this.catchingUp;
    }
    this.catchingUp = (async () => {
      try {
        do {
          this.again = false;
          while (await this.fetchAfter(this.through));
        } while (this.again);
      } finally {
        this.catchingUp = null;
      }
    })();
    return this.catchingUp;
  }

  protected advanceThrough(messages: Message[]): void {
    for (const m of messages) this.through = Math.max(this.through, this.seqOf(m));
  }

  get oldestSeq(): number {
    const first = this.messages.peek()[0];
    return first ? this.seqOf(first) : 0;
  }

  get newestSeq(): number {
    const list = this.messages.peek();
    const last = list[list.length - 1];
    return last ? this.seqOf(last) : 0;
  }

  has(id: string): boolean {
    return this.messages.peek().some((m) => m.id === id);
  }

  find(id: string): Message | undefined {
    return this.messages.peek().find((m) => m.id === id);
  }

  /** Replaces the window with a page (first load, jump). */
  reset(page: Page): void {
    rememberAuthors(page.messages);
    prerender(page.messages.map((m) => m.body));
    this.messages.value = [...page.messages].sort((a, b) => this.seqOf(a) - this.seqOf(b));
    this.through = 0;
    this.advanceThrough(page.messages);
    this.hasOlder.value = page.has_older;
    this.hasNewer.value = page.has_newer;
  }

  /** Adds or replaces messages, keeping sequence order. */
  upsert(list: Message[]): void {
    if (list.length === 0) return;
    rememberAuthors(list);
    prerender(list.map((m) => m.body));
    const incoming = new Map(list.map((m) => [m.id, m]));
    const current = this.messages.peek();
    const next = current.map((m) => {
      const n = incoming.get(m.id);
      if (!n) return m;
      incoming.delete(m.id);
      return n;
    });
    if (incoming.size) {
      next.push(...incoming.values());
      next.sort((a, b) => this.seqOf(a) - this.seqOf(b));
    }
    this.messages.value = next;
  }

  /** Changes one message in place; `fn` returns null to leave it alone. */
  patch(id: string, fn: (m: Message) => Message | null): void {
    const current = this.messages.peek();
    const i = current.findIndex((m) => m.id === id);
    if (i < 0) return;
    const changed = fn(current[i]!);
    if (!changed) return;
    const next = current.slice();
    next[i] = changed;
    this.messages.value = next;
  }

  merge(page: Page, direction: "older" | "newer"): void {
    this.upsert(page.messages);
    if (direction === "newer") this.advanceThrough(page.messages);
    if (direction === "older") this.hasOlder.value = page.has_older;
    else this.hasNewer.value = page.has_newer;
  }
}
