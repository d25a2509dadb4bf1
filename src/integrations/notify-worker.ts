// Pushes new messages to people outside the app (Pushover, Web Push). It follows each workspace's durable
// event log from its own stored position (store.workerPositions), off the request path: posting
// only wakes it. A crash loses nothing (the position moves after delivery) and on Postgres several
// processes share the work (a position is held by one of them at a time). People with the app open
// get no push, and each device gets at most one per coalescing window (push-coalescer.ts).
import { loopOnPosts } from "./post-loop.ts";
import type { StoredEvent } from "../chat/types.ts";
import { type PushCandidate, type WebPushSubscription, wantsPush } from "../chat/push.ts";
import { Limiter } from "../agents/limiter.ts";
import type { Store } from "../store/store.ts";
import { type PushNote, pushCoalescer } from "./push-coalescer.ts";
import type { PushoverClient } from "./pushover.ts";
import type { WebPushSender } from "./web-push.ts";

export const PUSH_WORKER = "push";
/** A push older than this is no news: after an outage (or on first start) the worker skips it. */
const STALE_AFTER_MS = 15 * 60_000;
const PAGE = 200;
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
  const coalescer = pushCoalescer<Device>(opts.coalesceMs ?? 0, send);

  /**
   * Who may be pushed for a message in a conversation, read once per page of the log rather than
   * once per message: in a busy workspace a page holds many messages to the same thousand people,
   * and the reads run on the cores posting needs. Only who is mentioned is read per message. A
   * preference changed within a page (milliseconds of log) applies from the next page.
   */
  type Audience = { candidates: PushCandidate[]; connected: Set<string> };
  let audiences = new Map<string, Audience>();

  async function audienceOf(scopeKey: string, messageId: string): Promise<Audience & { mentioned: Set<string> | null }> {
    const known = audiences.get(scopeKey);
    if (known) return { ...known, mentioned: new Set(await store.digests.mentionedBy(messageId)) };
    const candidates = await store.notifications.pushCandidates(messageId);
    // Someone with the app open somewhere already hears it there (and gets the desktop
    // notification): no push for them. One query for all of the conversation's candidates.
    const connected = candidates.length ? await store.presence.connectedAmong(candidates.map((c) => c.userId)) : new Set<string>();
    // An empty answer may mean this message was deleted: the next one asks again.
    if (candidates.length) audiences.set(scopeKey, { candidates, connected });
    return { candidates, connected, mentioned: null };
  }

  async function deliver(event: StoredEvent): Promise<void> {
    const p = event.payload as { message_id?: string; author_id?: string; kind?: string; direct_conversation_id?: string };
    if (!p.message_id || !p.author_id || p.kind) return;
    if (Date.now() - Date.parse(event.created_at) > STALE_AFTER_MS) return;
    const authorId = p.author_id;
    // Like the original, every new message reaches those who want all of them; a thread reply only
    // those it concerns (mentioned, or following the thread: both leave a mention row).
    const reply = event.type === "thread.reply_created";
    const audience = await audienceOf(event.channel_id ?? event.direct_conversation_id ?? p.message_id, p.message_id);
    const candidates = audience.candidates
      // A copy only for those whose mention differs from the page's first message (few, usually).
      .map((c) => (audience.mentioned && audience.mentioned.has(c.userId) !== c.mentioned ? { ...c, mentioned: !c.mentioned } : c))
      .filter((c) => !audience.connected.has(c.userId) && wantsPush(c, authorId) && (!reply || c.mentioned));
    if (candidates.length === 0) return;
    const [message, author] = await Promise.all([store.messages.get(p.message_id, authorId), store.users.get(authorId)]);
    if (!message || message.deleted_at || !author) return;
    const place = message.channel_id ? `#${(await store.channels.record(message.channel_id))?.name ?? "channel"}` : "a direct message";
    const note: PushNote = {
      title: `${author.display_name} in ${place}`, body: message.body, place, author: author.display_name,
      target: {
        message_id: message.id, workspace_id: message.workspace_id, channel_id: message.channel_id,
        direct_conversation_id: message.direct_conversation_id, thread_root_id: message.parent_message_id ? message.thread_root_id : null,
      },
    };
    const sends: Promise<void>[] = [];
    const offer = (key: string, device: Device) => {
      const sent = coalescer.offer(key, device, note);
      if (sent) sends.push(sent);
    };
    for (const c of candidates) {
      if (opts.pushover && c.pushoverKey) offer(`pushover\0${c.pushoverKey}`, { kind: "pushover", userKey: c.pushoverKey });
      if (opts.webPush) for (const sub of c.subscriptions) offer(`web\0${sub.endpoint}`, { kind: "web", sub });
    }
    // The log position moves only once what went out now has been delivered (or given up).
    await Promise.all(sends);
  }

  async function followWorkspace(workspaceId: string): Promise<void> {
    await store.workerPositions.advance(PUSH_WORKER, workspaceId, async (after) => {
      // Nobody to push to: nothing in the log so far concerns this worker (a key set later counts
      // from then). The tail is read first, so a message posted after a key was set is never skipped.
      const tail = await store.events.tail(workspaceId);
      if (!(await store.notifications.anyPushAddress())) return tail;
      let cursor = after;
      for (;;) {
        const page = await store.events.replayAfter(workspaceId, cursor, PAGE);
        audiences = new Map();
        if (page.status === "unknown_cursor") return store.events.tail(workspaceId);
        for (const event of page.events) {
          if (loop.stopped) return cursor;
          if (event.type === "message.created" || event.type === "thread.reply_created") await deliver(event);
          cursor = event.cursor;
        }
        if (!page.hasMore || loop.stopped) return cursor;
      }
    });
  }

  // Other processes (a second server on Postgres, the admin CLI) post too: look now and then.
  const loop = loopOnPosts(store, { name: "notify worker", pollMs: opts.pollMs ?? 5_000 }, async () => {
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
