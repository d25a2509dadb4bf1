// The mention digest: people who were away when someone mentioned them (directly, by @channel as
// their preference allows, or in a thread they follow) get one email listing what they have not
// read, at most once per interval. It follows each workspace's durable event log from its own
// position (store.workerPositions), noting who is away when a mention is committed; a second loop
// mails those whose interval has passed. Both survive a restart: positions and pending marks are
// rows. Nothing here runs on the request path.
import { loopOnPosts } from "./post-loop.ts";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { StoredEvent } from "../chat/types.ts";
import type { Store } from "../store/store.ts";
import { type DigestItem, digestMail, type Mailer } from "./mail.ts";

export const DIGEST_WORKER = "digest";
const PAGE = 200;
/** Items listed in one mail; the rest are counted. */
const ITEMS_PER_MAIL = 20;
/** On a first start (or after a long outage) older mentions are not news worth a mail. */
const STALE_AFTER_MS = 24 * 3_600_000;
const SECRET_NAME = "digest-unsubscribe";

export interface DigestWorkerOptions {
  mailer: Mailer;
  /** Whether the person has the app open anywhere (presence, across every server process). */
  isConnected: (userId: string) => Promise<boolean>;
  /** Base of the links in the mail (the public URL, or the address the server listens on). */
  baseUrl: string;
  intervalMs: number;
  pollMs?: number;
}

/** The key that signs unsubscribe links: made once per database, so links outlive restarts. */
export function unsubscribeKey(store: Store): Promise<string> {
  return store.digests.serverSecret(SECRET_NAME, () => randomBytes(32).toString("base64url"));
}

/** The key if any mail was ever signed with it (checking a link must not write). */
export function existingUnsubscribeKey(store: Store): Promise<string | null> {
  return store.digests.serverSecret(SECRET_NAME, null);
}

const mac = (key: string, userId: string) => createHmac("sha256", key).update(`digest-unsubscribe\n${userId}`).digest("base64url");

/** `<user id>.<signature>`: names the person and proves the server wrote it, with no sign-in. */
export function unsubscribeToken(key: string, userId: string): string {
  return `${Buffer.from(userId).toString("base64url")}.${mac(key, userId)}`;
}

/** The person a token names, or null when it was not signed with this key. */
export function verifyUnsubscribeToken(key: string, token: string): string | null {
  const [id, sig] = token.split(".");
  if (!id || !sig) return null;
  const userId = Buffer.from(id, "base64url").toString();
  const want = Buffer.from(mac(key, userId));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got) ? userId : null;
}

export function startDigestWorker(store: Store, opts: DigestWorkerOptions): () => Promise<void> {
  const base = opts.baseUrl.replace(/\/$/, "");

  /** Marks who a committed mention found away; their mail waits for the sender loop. */
  async function followWorkspace(workspaceId: string): Promise<void> {
    await store.workerPositions.advance(DIGEST_WORKER, workspaceId, async (after) => {
      let cursor = after;
      for (;;) {
        const page = await store.events.replayAfter(workspaceId, cursor, PAGE);
        if (page.status === "unknown_cursor") return store.events.tail(workspaceId);
        const messageOf = (event: StoredEvent) => {
          const messageId = (event.payload as { message_id?: string }).message_id;
          const fresh = Date.now() - Date.parse(event.created_at) < STALE_AFTER_MS;
          return (event.type === "message.created" || event.type === "thread.reply_created") && fresh ? messageId : undefined;
        };
        // Who the page's messages mention, in one read.
        const mentioned = await store.digests.mentionedBy(page.events.map(messageOf).filter((id) => id !== undefined));
        for (const event of page.events) {
          if (loop.stopped) return cursor;
          const people = mentioned.get(messageOf(event) ?? "");
          if (people) {
            const away: string[] = [];
            for (const u of people) if (!(await opts.isConnected(u))) away.push(u);
            await store.digests.markPending(away, event.created_at);
          }
          cursor = event.cursor;
        }
        if (!page.hasMore || loop.stopped) return cursor;
      }
    });
  }

  async function describe(messageId: string, userId: string): Promise<DigestItem | null> {
    const message = await store.messages.get(messageId, userId);
    if (!message || message.deleted_at) return null;
    const author = await store.users.get(message.author_id);
    const channel = message.channel_id ? await store.channels.record(message.channel_id) : null;
    const inReply = message.parent_message_id !== null && message.parent_message_id !== undefined;
    const where = channel ? `${inReply ? "a thread in " : ""}#${channel.name}` : inReply ? "a thread in a direct message" : "a direct message";
    const path = channel
      ? inReply ? `/app/c/${channel.id}/t/${message.thread_root_id}` : `/app/c/${channel.id}/m/${message.id}`
      : `/app/d/${message.direct_conversation_id}`;
    const excerpt = message.body.length > 280 ? `${message.body.slice(0, 279)}…` : message.body;
    return { author: author?.display_name ?? "Someone", where, excerpt, url: `${base}${path}` };
  }

  /** Mails everyone whose digest is due; a failed mail puts the person back in the queue. */
  async function sendDue(): Promise<void> {
    const now = Date.now();
    const due = await store.digests.claimDue(new Date(now - opts.intervalMs).toISOString(), new Date(now).toISOString(), 50);
    if (due.length === 0) return;
    const key = await unsubscribeKey(store);
    for (const d of due) {
      if (loop.stopped) return;
      // Back in the app since: what they missed is in front of them.
      if (await opts.isConnected(d.userId)) continue;
      const unread = await store.digests.unreadMentions(d.userId, d.previousSentAt, ITEMS_PER_MAIL + 100);
      const items = (await Promise.all(unread.slice(0, ITEMS_PER_MAIL).map((m) => describe(m.messageId, d.userId)))).filter((i): i is DigestItem => i !== null);
      if (items.length === 0) continue;
      const mail = digestMail(d.email, {
        items, more: Math.max(0, unread.length - ITEMS_PER_MAIL),
        unsubscribeUrl: `${base}/digest/unsubscribe?token=${unsubscribeToken(key, d.userId)}`,
        oneClickUrl: `${base}/api/digest/unsubscribe?token=${unsubscribeToken(key, d.userId)}`,
        settingsUrl: `${base}/app/settings`,
      });
      try {
        await opts.mailer.send(mail);
      } catch (err) {
        console.error("digest mail failed:", (err as Error).message);
        await store.digests.markPending([d.userId], new Date().toISOString());
      }
    }
  }

  // Due mails come from the clock, and other processes post too.
  const loop = loopOnPosts(store, { name: "digest worker", pollMs: opts.pollMs ?? Math.min(30_000, Math.max(250, opts.intervalMs / 4)) }, async () => {
    for (const w of await store.workspaces.listAll()) {
      if (loop.stopped) return;
      await followWorkspace(w.id);
    }
    if (!loop.stopped) await sendDue();
  });
  return () => loop.stop();
}
