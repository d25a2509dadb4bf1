// Pushes new messages to people outside the app (Pushover, Web Push). It follows each workspace's durable
// event log from its own stored position (store.workerPositions), off the request path: posting
// only wakes it. A crash loses nothing (the position moves after delivery) and on Postgres several
// processes share the work (a position is held by one of them at a time). People with the app open
// get no push, and each device gets at most one per coalescing window (push-coalescer.ts).
import { loopOnPosts } from "./post-loop.ts";
import type { StoredEvent } from "../chat/types.ts";
import { type PagedMessage, pageWants, type PushCandidate, type WebPushSubscription } from "../chat/push.ts";
import { Limiter } from "../agents/limiter.ts";
import type { Store } from "../store/store.ts";
import { type PushNote, pushCoalescer } from "./push-coalescer.ts";
import type { PushoverClient } from "./pushover.ts";
import type { WebPushSender } from "./web-push.ts";

export const PUSH_WORKER = "push";
/** A push older than this is no news: after an outage (or on first start) the worker skips it. */
const STALE_AFTER_MS = 15 * 60_000;
const PAGE = 5_000;
/**
 * Under a stream of posts, passes over the log start an eighth of the coalescing window apart, two
 * seconds at most (post-loop.ts): fewer, larger pages to fold (measured: 0.84× of posting's rate
 * with passes a second apart and pages of 1,000 events, 0.92× with these), while the first push
 * after a quiet spell still goes at once. Without a window every message is pushed as soon as it can be.
 */
const MAX_PASS_GAP_MS = 2_000;
const RETRY_DELAYS_MS = [250, 1_000, 4_000];

/** Pushes in flight at once: enough to overlap the push services' answers, few enough that a burst never monopolises the event loop the posting path shares. */
const SENDS_AT_ONCE = 8;

export interface NotifyWorkerOptions {
  pushover: PushoverClient | null;
  webPush: WebPushSender | null;
  publicUrl: string | null;
  pollMs?: number;
  /** At most one push per device per this window; 0 pushes every message (push-coalescer.ts). */
  coalesceMs?: number;
}

/** A conversation's people who may be pushed (not connected), each with their devices' coalescing keys. */
type Audience = { candidate: PushCandidate; devices: { key: string; device: Device }[] }[];
type Device = { kind: "web"; sub: WebPushSubscription } | { kind: "pushover"; userKey: string };

export function startNotifyWorker(store: Store, opts: NotifyWorkerOptions): () => Promise<void> {
  const url = opts.publicUrl ? `${opts.publicUrl.replace(/\/$/, "")}/` : undefined;
  const slots = new Limiter(SENDS_AT_ONCE);
  const inFlight = new Set<Promise<void>>();

  async function sendNow(device: Device, note: PushNote): Promise<void> {
    const release = await slots.acquire();
    try {
      if (device.kind === "pushover") {
        const pushover = opts.pushover!;
        await withRetries(() => pushover.send({ userKey: device.userKey, title: note.title, message: note.body, url }));
      } else {
        const webPush = opts.webPush!;
        // What the service worker shows (web/public/sw.js), and where a click takes the person.
        const payload = JSON.stringify({ title: note.title, body: note.body.slice(0, 1000), ...note.target });
        await withRetries(async () => {
          if ((await webPush.send(device.sub, payload)) === "gone") await store.notifications.dropPushEndpoint(device.sub.endpoint);
          return true;
        });
      }
    } finally {
      release();
    }
  }
  function send(device: Device, note: PushNote): Promise<void> {
    const p = sendNow(device, note).finally(() => inFlight.delete(p));
    inFlight.add(p);
    return p;
  }
  const coalescing = (opts.coalesceMs ?? 0) > 0;
  const coalescer = pushCoalescer<Device>(opts.coalesceMs ?? 0, send);

  /**
   * Pushes a page of the log. Its messages are folded per conversation: who may be pushed is read
   * once per conversation and pass (a busy channel's page holds hundreds of messages to the same
   * thousand people, and the reads run on the cores posting needs), and each device is offered
   * its share of the page at once (how many, the first and the last) rather than message by
   * message.
   */
  async function deliverPage(events: StoredEvent[], audiences: Map<string, Audience>): Promise<void> {
    const conversations = new Map<string, { ids: string[]; authors: string[]; page: PagedMessage[] }>();
    const fresh: { key: string; id: string; authorId: string; reply: boolean }[] = [];
    for (const event of events) {
      if (event.type !== "message.created" && event.type !== "thread.reply_created") continue;
      const p = event.payload as { message_id?: string; author_id?: string; kind?: string; direct_conversation_id?: string };
      if (!p.message_id || !p.author_id || p.kind) continue;
      if (Date.now() - Date.parse(event.created_at) > STALE_AFTER_MS) continue;
      const key = event.channel_id ?? event.direct_conversation_id ?? p.message_id;
      fresh.push({ key, id: p.message_id, authorId: p.author_id, reply: event.type === "thread.reply_created" });
    }
    if (fresh.length === 0) return;
    const mentioned = await store.digests.mentionedBy(fresh.map((m) => m.id));
    for (const m of fresh) {
      let conversation = conversations.get(m.key);
      if (!conversation) conversations.set(m.key, (conversation = { ids: [], authors: [], page: [] }));
      conversation.ids.push(m.id);
      conversation.authors.push(m.authorId);
      conversation.page.push({ authorId: m.authorId, reply: m.reply, mentioned: new Set(mentioned.get(m.id)) });
    }

    const at = new Date();
    const plans: { devices: Audience[number]["devices"]; first: string; count: number; last: string }[] = [];
    const needed = new Map<string, string>();
    for (const [key, { ids, authors, page }] of conversations) {
      const wants = pageWants(page);
      for (const { candidate, devices } of await audienceOf(key, ids, audiences)) {
        const wanted = wants(candidate, at);
        if (!wanted) continue;
        // Without a window every message is its own push; with one, a device's share of the page folds.
        const spans = coalescing ? [[wanted.first, wanted.count, wanted.last] as const] : wanted.indices().map((i) => [i, 1, i] as const);
        for (const [first, count, last] of spans) {
          plans.push({ devices, first: ids[first]!, count, last: ids[last]! });
          needed.set(ids[first]!, authors[first]!).set(ids[last]!, authors[last]!);
        }
      }
    }
    if (plans.length === 0) return;
    // The text of the few messages that open or close someone's share (most people share them).
    const notes = new Map<string, PushNote | null>();
    for (const [id, authorId] of needed) notes.set(id, await noteOf(id, authorId));
    const sends: Promise<void>[] = [];
    for (const plan of plans) {
      // A message deleted since it was posted lends its place to the other end of the share.
      const first = notes.get(plan.first) ?? notes.get(plan.last);
      const last = notes.get(plan.last) ?? first;
      if (!first || !last) continue;
      for (const { key, device } of plan.devices) {
        const sent = coalescer.offer(key, device, first, plan.count, last);
        if (sent) sends.push(sent);
      }
    }
    // The log position moves only once what went out now has been delivered (or given up).
    await Promise.all(sends);
  }

  /**
   * Who may be pushed in a conversation, read once per pass over the log (a pass may take several
   * pages): a preference or device changed during a pass applies from the next one.
   */
  async function audienceOf(key: string, ids: string[], audiences: Map<string, Audience>): Promise<Audience> {
    const known = audiences.get(key);
    if (known) return known;
    // The first message stands for its conversation; if it was deleted meanwhile, the last.
    let candidates = await store.notifications.pushCandidates(ids[0]!);
    if (candidates.length === 0 && ids.length > 1) candidates = await store.notifications.pushCandidates(ids.at(-1)!);
    // Someone with the app open somewhere already hears it there (and gets the desktop
    // notification): no push for them. One query for all of the conversation's candidates.
    const connected = candidates.length ? await store.presence.connectedAmong(candidates.map((c) => c.userId)) : new Set<string>();
    const audience: Audience = [];
    for (const candidate of candidates) {
      if (connected.has(candidate.userId)) continue;
      const devices = [
        ...(opts.pushover && candidate.pushoverKey ? [{ key: `pushover\0${candidate.pushoverKey}`, device: { kind: "pushover" as const, userKey: candidate.pushoverKey } }] : []),
        ...(opts.webPush ? candidate.subscriptions.map((sub) => ({ key: `web\0${sub.endpoint}`, device: { kind: "web" as const, sub } })) : []),
      ];
      if (devices.length) audience.push({ candidate, devices });
    }
    // An empty answer may mean these messages were deleted: the next page asks again.
    if (candidates.length) audiences.set(key, audience);
    return audience;
  }

  /** What a push says about one message; null once it is deleted. */
  async function noteOf(messageId: string, authorId: string): Promise<PushNote | null> {
    const [message, author] = await Promise.all([store.messages.get(messageId, authorId), store.users.get(authorId)]);
    if (!message || message.deleted_at || !author) return null;
    const place = message.channel_id ? `#${(await store.channels.record(message.channel_id))?.name ?? "channel"}` : "a direct message";
    return {
      title: `${author.display_name} in ${place}`, body: message.body, place, author: author.display_name,
      target: {
        message_id: message.id, workspace_id: message.workspace_id, channel_id: message.channel_id,
        direct_conversation_id: message.direct_conversation_id, thread_root_id: message.parent_message_id ? message.thread_root_id : null,
      },
    };
  }

  async function followWorkspace(workspaceId: string): Promise<void> {
    await store.workerPositions.advance(PUSH_WORKER, workspaceId, async (after) => {
      // Nobody to push to: nothing in the log so far concerns this worker (a key set later counts
      // from then). The tail is read first, so a message posted after a key was set is never skipped.
      const tail = await store.events.tail(workspaceId);
      if (!(await store.notifications.anyPushAddress())) return tail;
      let cursor = after;
      const audiences = new Map<string, Audience>();
      for (;;) {
        const page = await store.events.replayAfter(workspaceId, cursor, PAGE);
        if (page.status === "unknown_cursor") return store.events.tail(workspaceId);
        if (loop.stopped) return cursor;
        await deliverPage(page.events, audiences);
        cursor = page.events.at(-1)?.cursor ?? cursor;
        if (!page.hasMore || loop.stopped) return cursor;
      }
    });
  }

  // Other processes (a second server on Postgres, the admin CLI) post too: look now and then.
  const loop = loopOnPosts(store, { name: "notify worker", pollMs: opts.pollMs ?? 5_000, minGapMs: Math.min(MAX_PASS_GAP_MS, (opts.coalesceMs ?? 0) / 8) }, async () => {
    for (const w of await store.workspaces.listAll()) {
      if (loop.stopped) return;
      await followWorkspace(w.id);
    }
  });
  return async () => {
    await loop.stop();
    // A summary still folding is dropped (see push-coalescer.ts); one already going out finishes.
    coalescer.stop();
    await Promise.all(inFlight);
  };
}

/** Retries a delivery that failed in a way worth retrying; gives up quietly after the last delay. */
async function withRetries(send: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await send();
      return;
    } catch (err) {
      if (attempt >= RETRY_DELAYS_MS.length) {
        console.error("push delivery gave up:", (err as Error).message);
        return;
      }
      await Bun.sleep(RETRY_DELAYS_MS[attempt]!);
    }
  }
}
