// Rendered messages kept between page reads. A page's window reads only each message's id and
// version and its author's id and version; a message whose rendering is missing or older than its
// row is rendered anew from its row, reactions and attachments, an author likewise from their
// row, and the others are reused as they are. Triggers move a message's version on every change
// to its row, its reactions or its attachments, and a person's on every change to theirs
// (migrations SQLite 0021–0022, Postgres 0018–0019), so a rendering is never served past a change,
// and on Postgres every process's cache follows the same versions. Who reads (`reacted_by_me`) is
// applied on every page.
//
// Renderings are frozen and shared, by every reader who reacted to none of them and, for each
// reader who did, by all of that reader's pages, so that the HTTP layer can keep each one's JSON
// too (src/http/render-json.ts).
import type { Message, ReactionSummary, User } from "../chat/types.ts";
import type { Upload } from "../uploads/types.ts";
import { toMessage, toUser } from "./rows.ts";
import type * as s from "./sqlite/schema.ts";

type MessageRow = typeof s.messages.$inferSelect;
type UserRow = typeof s.users.$inferSelect;

/** What a window reads of each message: enough to find its rendering and its author's. */
export type MessageStamp = { id: string; version: number; authorId: string; authorVersion: number };
/** One person's reaction, oldest first (the order a message lists its emoji in). */
export type ReactorRow = { message_id: string; emoji: string; user_id: string };

interface Entry {
  version: number;
  /** For nobody in particular: reacted_by_me is false throughout. */
  message: Message;
  /** Who reacted with each emoji, for a reader's reacted_by_me (null: no reactions). */
  reactors: Map<string, Set<string>> | null;
  /** The rendering as each reader who reacted sees it, frozen too, made on their first read. */
  seenBy: Map<string, Message> | null;
}

/** A page's messages as the cache found them, until it is rendered. */
export interface RenderPlan {
  entries: Map<string, Entry>;
  stale: string[];
  authors: Map<string, User>;
  staleAuthors: string[];
}

/** Messages a store keeps rendered (some 1.5 KB each with their JSON); the least recently read go first beyond this. */
const CAPACITY = 10_000;

/** Holds the author's place among the keys (after the row's, as hydrate writes them) until a page puts the author in. */
const NO_AUTHOR = Object.freeze({}) as User;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export class MessageCache {
  private entries = new Map<string, Entry>();
  /** Each author's wire object under their row's version. */
  private people = new Map<string, { version: number; user: User }>();

  constructor(private capacity = CAPACITY) {}

  /**
   * Looks a page's messages up: the renderings it can reuse, and the ids whose rendering is
   * missing or older than their row (to be read and passed to `fill`). The page holds on to what
   * it found, so a concurrent page making room (on Postgres, between awaits) cannot take it away.
   */
  lookup(stamps: readonly MessageStamp[]): RenderPlan {
    const plan: RenderPlan = { entries: new Map(), stale: [], authors: new Map(), staleAuthors: [] };
    for (const st of stamps) {
      const entry = this.entries.get(st.id);
      if (entry?.version !== st.version) plan.stale.push(st.id);
      else {
        plan.entries.set(st.id, entry);
        // Used again: the newest of all now, the last to go when room is made.
        this.entries.delete(st.id);
        this.entries.set(st.id, entry);
      }
      if (plan.authors.has(st.authorId) || plan.staleAuthors.includes(st.authorId)) continue;
      const person = this.people.get(st.authorId);
      if (person?.version === st.authorVersion) plan.authors.set(st.authorId, person.user);
      else plan.staleAuthors.push(st.authorId);
    }
    return plan;
  }

  /** Renders authors anew from their rows (each with the version read with it). */
  fillAuthors(plan: RenderPlan, rows: readonly UserRow[]): void {
    if (this.people.size + rows.length > this.capacity) this.people.clear();
    for (const row of rows) {
      const user = Object.freeze(toUser(row));
      plan.authors.set(row.id, user);
      this.people.set(row.id, { version: row.version, user });
    }
  }

  /**
   * Renders rows anew. `reactors` are their reactions oldest first, `attachments` their files;
   * each row carries its own version, read with it, so reactions or files read a moment later
   * can only be newer than the version they are kept under (the next page renders them again).
   */
  fill(plan: RenderPlan, rows: readonly MessageRow[], reactors: readonly ReactorRow[], attachments: Map<string, Upload[]>): void {
    const byMessage = new Map<string, Map<string, Set<string>>>();
    for (const r of reactors) {
      let emoji = byMessage.get(r.message_id);
      if (!emoji) byMessage.set(r.message_id, (emoji = new Map()));
      let who = emoji.get(r.emoji);
      if (!who) emoji.set(r.emoji, (who = new Set()));
      who.add(r.user_id);
    }
    for (const r of rows) {
      const m = toMessage(r);
      const deleted = r.deletedAt !== null;
      const reacted = deleted ? undefined : byMessage.get(r.id);
      // The keys in the order the rest of the API writes them (hydrate): author, reactions, files.
      m.author = NO_AUTHOR;
      m.reactions = reacted ? [...reacted].map(([emoji, who]): ReactionSummary => ({ emoji, count: who.size, reacted_by_me: false })) : [];
      m.attachments = deleted ? [] : (attachments.get(r.id) ?? []);
      const entry: Entry = { version: r.version, message: deepFreeze(m), reactors: reacted ?? null, seenBy: null };
      plan.entries.set(r.id, entry);
      this.entries.delete(r.id);
      this.entries.set(r.id, entry);
    }
    for (const id of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(id);
    }
  }

  /**
   * The messages, in order, as this reader sees them. A stamp whose row was not there to fill
   * (deleted for good meanwhile) is left out.
   */
  render(plan: RenderPlan, stamps: readonly MessageStamp[], viewerId: string): Message[] {
    const out: Message[] = [];
    for (const st of stamps) {
      const entry = plan.entries.get(st.id);
      if (!entry) continue;
      const author = plan.authors.get(st.authorId);
      if (entry.message.author !== author) {
        const { author: _, ...rest } = entry.message;
        entry.message = Object.freeze(author ? { ...entry.message, author } : rest);
        entry.seenBy = null;
      }
      out.push(this.asSeenBy(entry, viewerId));
    }
    return out;
  }

  private asSeenBy(entry: Entry, viewerId: string): Message {
    const { reactors, message } = entry;
    if (!reactors) return message;
    let mine = false;
    for (const who of reactors.values()) if (who.has(viewerId)) mine = true;
    if (!mine) return message;
    let seen = entry.seenBy?.get(viewerId);
    if (!seen) {
      seen = deepFreeze({ ...message, reactions: message.reactions!.map((r) => (reactors.get(r.emoji)!.has(viewerId) ? { ...r, reacted_by_me: true } : r)) });
      (entry.seenBy ??= new Map()).set(viewerId, seen);
    }
    return seen;
  }
}
