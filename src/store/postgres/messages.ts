import { and, asc, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import { type Audience, channelAudience, dmAudience, messageCreated, messageDeleted, messageUpdated, pinChanged, reactionChanged, readMoved, threadReplyCreated, threadStateUpdated } from "../../chat/events.ts";
import {
  assertAuthor, assertCanPin, assertEditable, assertNonceReplay, assertQuotable, assertReplyTarget, assertThreadRoot, assertTopicFits,
  assertWithinBudget, budgetWindowStart, countersAfterReply, nextReadPointer, nonceFingerprint, quoteSnapshot, type ThreadCounters,
} from "../../chat/posting.ts";
import { newId, newRouteId } from "../../chat/ids.ts";
import { assertResponders, newQuestion } from "../../chat/questions.ts";
import { assertReactionFits } from "../../chat/reactions.ts";
import { BROADCAST_HANDLES, LIMITS, mentionedHandles } from "../../chat/rules.ts";
import type { ChatEvent, Message, ThreadState } from "../../chat/types.ts";
import type { MessageStore, PostMessageInput, QuestionMethods, Scope } from "../store.ts";
import { now, toPinRecord, toThreadState } from "../rows.ts";
import { messagePage, threadPage, windowed } from "../window.ts";
import { ThreadWindows } from "../thread-windows.ts";
import { privateReaders } from "./channel-members.ts";
import { countAll, lastReadSeq } from "./channels.ts";
import type { Db, EventSink, PgGroupCommitWriter } from "./database.ts";
import { appendEvent } from "./events.ts";
import { attachmentsFor, authorRows, hydrate, reactionSummaries, reactorRows } from "./hydrate.ts";
import { MessageCache, type MessageStamp } from "../message-cache.ts";
import { mentionCount, readRootMentions, recordReach } from "./notifications.ts";
import { peopleOf } from "./users.ts";
import { attachUploadRow, detachUploads } from "./uploads.ts";
import { assertBudgetLeft } from "./slash-commands.ts";
import { channels, directConversations, dmMembers, members, messages, pins, reactions, readStates, topics, users } from "./schema.ts";
import { first } from "./users.ts";

type Row = typeof messages.$inferSelect;
// What a page's window reads of each message; the rest comes from the cache, or is read for the
// stale ones. The author's version comes along by a join: no query of its own for the authors
// while they are unchanged.
const STAMP = {
  id: messages.id, version: messages.version, authorId: messages.authorId, authorVersion: users.version,
  channelSeq: messages.channelSeq, threadSeq: messages.threadSeq, parentMessageId: messages.parentMessageId,
};
type PageStamp = MessageStamp & Pick<Row, "channelSeq" | "threadSeq" | "parentMessageId">;
// A thread's root comes with the people's epoch: with the root's version, it says whether the
// window of replies read before still stands (src/store/thread-windows.ts).
const THREAD_ROOT = { ...STAMP, usersEpoch: sql<number>`(SELECT epoch FROM users_epoch WHERE id = 1)` };

function fingerprint(input: PostMessageInput): string {
  return nonceFingerprint({ ...input, scopeId: input.scope.id });
}

export function scopeOfRow(r: Row): Scope {
  return r.channelId ? { kind: "channel", id: r.channelId, workspaceId: r.workspaceId } : { kind: "dm", id: r.dmId!, workspaceId: r.workspaceId };
}

async function dmRecipients(db: Db, dmId: string): Promise<string[]> {
  return (await db.select({ u: dmMembers.userId }).from(dmMembers).where(eq(dmMembers.dmId, dmId)).orderBy(asc(dmMembers.userId))).map((r) => r.u);
}

/** Mentioned handles that belong to members of the workspace (and of the DM or private channel, there). */
async function resolveMentions(db: Db, scope: Scope, body: string): Promise<string[]> {
  const handles = mentionedHandles(body).filter((h) => !BROADCAST_HANDLES.has(h));
  if (handles.length === 0) return [];
  const found = (await db
    .select({ id: users.id })
    .from(users)
    .innerJoin(members, and(eq(members.userId, users.id), eq(members.workspaceId, scope.workspaceId)))
    .where(and(inArray(users.handle, handles), isNull(users.deletedAt)))).map((r) => r.id);
  const within = (await audienceOf(scope, db)).recipients;
  if (within) {
    const inScope = new Set(within);
    return found.filter((id) => inScope.has(id));
  }
  return found;
}

/** Who hears of a message in this scope (a DM's or a private channel's members are read inside the write). */
export async function audienceOf(scope: Scope, db: Db): Promise<Audience> {
  return scope.kind === "channel" ? channelAudience(scope.id, await privateReaders(db, scope.id)) : dmAudience(scope.id, await dmRecipients(db, scope.id));
}

async function refreshThreadState(tx: Db, rootId: string): Promise<ThreadState> {
  const [agg] = await tx.execute<{ n: number; last: string | null }>(sql`SELECT count(*)::int AS n, max(created_at) AS last FROM messages
    WHERE thread_root_id = ${rootId} AND parent_message_id IS NOT NULL AND deleted_at IS NULL`);
  const authors = (await tx.execute<{ author_id: string }>(sql`SELECT author_id FROM messages WHERE thread_root_id = ${rootId} AND parent_message_id IS NOT NULL
      AND deleted_at IS NULL GROUP BY author_id ORDER BY max(thread_seq) DESC LIMIT ${LIMITS.recentReplyAuthors}`)).map((r) => r.author_id);
  await tx.update(messages)
    .set({ replyCount: agg?.n ?? 0, lastReplyAt: agg?.last ?? null, lastReplyAuthorIds: JSON.stringify(authors) })
    .where(eq(messages.id, rootId));
  return { root_message_id: rootId, reply_count: agg?.n ?? 0, last_reply_at: agg?.last ?? null, last_reply_author_ids: authors };
}

export function pgMessages(db: Db, writer: PgGroupCommitWriter): Omit<MessageStore, keyof QuestionMethods> {
  const byId = (q: Db, id: string) => first(q.select().from(messages).where(eq(messages.id, id)));
  const one = async (q: Db, id: string, viewerId: string) => (await hydrate(q, [(await byId(q, id))!], viewerId))[0]!;
  const reactionCount = async (tx: Db, id: string, emoji: string) =>
    (await first(tx.select({ n: countAll }).from(reactions).where(and(eq(reactions.messageId, id), eq(reactions.emoji, emoji)))))?.n ?? 0;

  async function post(tx: Db, emit: EventSink, input: PostMessageInput) {
    const fp = input.nonce ? fingerprint(input) : null;
    if (input.nonce) {
      const existing = await first(tx.select().from(messages).where(and(eq(messages.authorId, input.authorId), eq(messages.nonce, input.nonce))));
      if (existing) {
        assertNonceReplay(existing.nonceFingerprint, fp, "message");
        return { message: await one(tx, existing.id, input.authorId), events: [] as ChatEvent[], replayed: true, threadState: undefined as ThreadState | undefined };
      }
    }

    if (input.budget) await assertBudgetLeft(tx, emit, input.scope.workspaceId, input.authorId, input.budget);

    // The lookups the rules need go out together (one round trip, pipelined).
    const [topic, root, quote] = await Promise.all([
      input.topicId ? first(tx.select().from(topics).where(eq(topics.id, input.topicId))) : undefined,
      input.parentMessageId ? byId(tx, input.parentMessageId) : undefined,
      input.quotedMessageId ? byId(tx, input.quotedMessageId) : undefined,
    ]);
    if (input.topicId) assertTopicFits(topic, input.scope);
    if (input.parentMessageId) assertReplyTarget(root, input.scope);
    if (input.quotedMessageId) assertQuotable(quote, input.scope);

    // Roots take the next channel (or DM) sequence number; replies take the next number of their
    // thread. Both are incremented in place: the row stays locked to COMMIT, so a number is never
    // handed out twice, whichever process asks.
    let channelSeq: number | null = null;
    let threadSeq: number | null = null;
    // The workspace's cursor lock comes before any sequence row: a batch that already holds it
    // (an earlier post) and waits for a channel row must never face a writer in another process
    // holding that channel row and waiting for the workspace — a deadlock no retry of this
    // mutation could resolve, since the lock is the batch's. Sent pipelined ahead of the update.
    const locked = emit.lock(tx, input.scope.workspaceId);
    locked.catch(() => {}); // awaited below; a failure here also fails the next statement
    // The root's thread counters as they stand under its row lock (another process may have
    // replied since `root` was read): the new ones follow from them (countersAfterReply).
    let rootCounters: ThreadCounters | null = null;
    if (root) {
      const [r] = await tx.update(messages).set({ threadLastSeq: sql`${messages.threadLastSeq} + 1` }).where(eq(messages.id, root.id))
        .returning({ s: messages.threadLastSeq, replyCount: messages.replyCount, lastReplyAt: messages.lastReplyAt, lastReplyAuthorIds: messages.lastReplyAuthorIds });
      threadSeq = r!.s;
      rootCounters = r!;
    } else if (input.scope.kind === "channel") {
      const [r] = await tx.update(channels).set({ lastSeq: sql`${channels.lastSeq} + 1` }).where(eq(channels.id, input.scope.id)).returning({ s: channels.lastSeq });
      if (!r) throw notFound("channel");
      channelSeq = r.s;
    } else {
      const [r] = await tx.update(directConversations).set({ lastSeq: sql`${directConversations.lastSeq} + 1` }).where(eq(directConversations.id, input.scope.id)).returning({ s: directConversations.lastSeq });
      if (!r) throw notFound("direct conversation");
      channelSeq = r.s;
      // A new message brings a closed conversation back for everyone in it.
      await tx.update(dmMembers).set({ hiddenAt: null }).where(eq(dmMembers.dmId, input.scope.id));
    }

    const at = now();
    const row: Row = {
      id: newId("msg"),
      routeId: newRouteId("M"),
      workspaceId: input.scope.workspaceId,
      channelId: input.scope.kind === "channel" ? input.scope.id : null,
      dmId: input.scope.kind === "dm" ? input.scope.id : null,
      authorId: input.authorId,
      parentMessageId: root?.id ?? null,
      threadRootId: root?.id ?? "",
      topicId: input.topicId ?? null,
      channelSeq,
      threadSeq,
      body: input.body,
      kind: input.kind ?? "message",
      turnId: input.turnId ?? null,
      nonce: input.nonce ?? null,
      nonceFingerprint: fp,
      quotedMessageId: quote?.id ?? null,
      quotedBodySnapshot: quote ? quoteSnapshot(quote.body) : null,
      quotedAuthorId: quote?.authorId ?? null,
      webhook: input.webhook ? JSON.stringify(input.webhook) : null,
      createdAt: at,
      editedAt: null,
      deletedAt: null,
      replyCount: 0,
      lastReplyAt: null,
      lastReplyAuthorIds: null,
      threadLastSeq: 0,
      question: null,
      version: 0,
    };
    if (!root) row.threadRootId = row.id;
    if (input.question) {
      const question = newQuestion(input.question, row.id, at);
      assertResponders(question, await peopleOf(tx, input.scope.workspaceId, question.responder_user_ids ?? []));
      row.question = JSON.stringify(question);
    }
    // The insert, the event's recipients and mentions, the workspace's cursor lock and the author
    // go out together: one round trip for all of them.
    const [, audience, mentioned, , author] = await Promise.all([
      tx.insert(messages).values(row),
      audienceOf(input.scope, tx),
      resolveMentions(tx, input.scope, input.body),
      locked,
      input.uploadId ? undefined : hydrate(tx, [row], input.authorId, { withAttachments: false }),
    ]);
    // The file goes with its message in the same write: both or neither.
    if (input.uploadId) await attachUploadRow(tx, input.uploadId, row);
    const events: ChatEvent[] = [];
    let threadState: ThreadState | undefined;
    if (!root) {
      events.push(await appendEvent(tx, emit, messageCreated(row, audience, mentioned)));
    } else {
      // No scan of the whole thread per reply: that made long threads slow to write to.
      const counters = countersAfterReply(rootCounters!, row);
      await tx.update(messages).set(counters).where(eq(messages.id, root.id));
      threadState = toThreadState({ ...root, ...counters });
      events.push(
        await appendEvent(tx, emit, threadReplyCreated(row, audience, mentioned)),
        await appendEvent(tx, emit, threadStateUpdated(row, audience, threadState)),
      );
    }
    await recordReach(tx, emit, input.scope, row, root?.authorId ?? null, mentioned, input.body);
    const message = author?.[0] ?? (await hydrate(tx, [row], input.authorId, { withAttachments: true }))[0]!;
    return { message, events, replayed: false, threadState };
  }

  const stamped = <T extends typeof STAMP>(columns: T = STAMP as T) => db.select(columns).from(messages).innerJoin(users, eq(users.id, messages.authorId));
  const threadWindows = new ThreadWindows<PageStamp>();

  function windowQuery(column: "channel" | "dm" | "thread", scopeId: string, topicId: string | undefined) {
    return async (cmp: "lt" | "lte" | "gt" | "none", seq: number, order: "asc" | "desc", limit: number): Promise<PageStamp[]> => {
      const seqCol = column === "thread" ? messages.threadSeq : messages.channelSeq;
      const conds = column === "thread"
        ? [eq(messages.threadRootId, scopeId), sql`${messages.parentMessageId} IS NOT NULL`]
        : [eq(column === "channel" ? messages.channelId : messages.dmId, scopeId), isNull(messages.parentMessageId)];
      if (cmp === "lt") conds.push(sql`${seqCol} < ${seq}`);
      if (cmp === "lte") conds.push(sql`${seqCol} <= ${seq}`);
      if (cmp === "gt") conds.push(sql`${seqCol} > ${seq}`);
      if (topicId) conds.push(eq(messages.topicId, topicId));
      return stamped().where(and(...conds)).orderBy(order === "asc" ? asc(seqCol) : desc(seqCol)).limit(limit);
    };
  }

  // Pages reuse each message's rendering while its version stands (src/store/message-cache.ts).
  const cache = new MessageCache();
  async function rendered(stamps: MessageStamp[], viewerId: string): Promise<Message[]> {
    const plan = cache.lookup(stamps);
    if (plan.stale.length > 0) {
      // The rows first: reactions and files read after them can only be newer than the
      // versions the renderings are kept under.
      const rows = await db.select().from(messages).where(inArray(messages.id, plan.stale));
      const [reactors, attachments] = await Promise.all([reactorRows(db, plan.stale), attachmentsFor(db, plan.stale)]);
      cache.fill(plan, rows, reactors, attachments);
    }
    if (plan.staleAuthors.length > 0) cache.fillAuthors(plan, await authorRows(db, plan.staleAuthors));
    return cache.render(plan, stamps, viewerId);
  }

  return {
    post(input) {
      return writer.write((tx, emit) => post(tx, emit, input));
    },
    async get(id, viewerId) {
      const r = await byId(db, id);
      return r ? (await hydrate(db, [r], viewerId))[0]! : null;
    },
    async scopeOf(id) {
      const r = await byId(db, id);
      return r ? { scope: scopeOfRow(r), authorId: r.authorId, parentMessageId: r.parentMessageId, deleted: r.deletedAt !== null } : null;
    },
    async byNonce(workspaceId, authorId, nonce, viewerId) {
      const r = await first(db.select().from(messages).where(and(eq(messages.authorId, authorId), eq(messages.nonce, nonce), eq(messages.workspaceId, workspaceId))));
      return r ? (await hydrate(db, [r], viewerId))[0]! : null;
    },
    edit(id, body, actorId) {
      return writer.write(async (tx, emit) => {
        const r = await byId(tx, id);
        if (!r) throw notFound("message");
        assertAuthor(r, actorId, "edit");
        assertEditable(r);
        await emit.lock(tx, r.workspaceId);
        const at = now();
        await tx.update(messages).set({ body, editedAt: at }).where(eq(messages.id, id));
        const scope = scopeOfRow(r);
        const [audience, mentioned] = await Promise.all([audienceOf(scope, tx), resolveMentions(tx, scope, body)]);
        const event = await appendEvent(tx, emit, messageUpdated(r, audience, { editedAt: at, mentionedUserIds: mentioned }));
        return { message: await one(tx, id, actorId), event };
      });
    },
    remove(id, actorId) {
      return writer.write(async (tx, emit) => {
        const r = await byId(tx, id);
        if (!r || r.deletedAt) throw notFound("message");
        await emit.lock(tx, r.workspaceId);
        const at = now();
        // The words go from the row itself and from every quote of it, so neither a backup nor
        // an export keeps what its author deleted.
        await tx.update(messages).set({ deletedAt: at, body: "" }).where(eq(messages.id, id));
        await tx.update(messages).set({ quotedBodySnapshot: null }).where(eq(messages.quotedMessageId, id));
        await tx.delete(pins).where(eq(pins.messageId, id));
        await tx.delete(reactions).where(eq(reactions.messageId, id));
        await detachUploads(tx, id, at);
        const audience = await audienceOf(scopeOfRow(r), tx);
        const event = await appendEvent(tx, emit, messageDeleted(r, audience, actorId));
        if (r.parentMessageId) {
          const state = await refreshThreadState(tx, r.parentMessageId);
          await appendEvent(tx, emit, threadStateUpdated(r, audience, state));
        }
        return { message: await one(tx, id, actorId), event };
      });
    },
    async page(scope, window, viewerId, topicId) {
      const page = await windowed(window, (r) => r.channelSeq ?? 0, { rows: windowQuery(scope.kind, scope.id, topicId) });
      return messagePage(page, await rendered(page.rows, viewerId));
    },
    async thread(rootId, window, viewerId) {
      const [root] = await stamped(THREAD_ROOT).where(eq(messages.id, rootId));
      if (!root) throw notFound("message");
      assertThreadRoot(root);
      const page = threadWindows.reuse(rootId, window, root)
        ?? threadWindows.keep(rootId, window, root, await windowed(window, (r) => r.threadSeq ?? 0, { rows: windowQuery("thread", rootId, undefined) }));
      const [rootMsg, ...replies] = await rendered([root, ...page.rows], viewerId);
      if (rootMsg?.id !== rootId) throw notFound("message");
      return threadPage(page, rootMsg, replies, rootMsg.thread_state!);
    },
    react(id, userId, emoji, on) {
      return writer.write(async (tx, emit) => {
        const r = await byId(tx, id);
        if (!r || r.deletedAt) throw notFound("message");
        await emit.lock(tx, r.workspaceId);
        // The workspace's lock is held: no other process adds an emoji between count and insert.
        if (on) assertReactionFits((await tx.selectDistinct({ emoji: reactions.emoji }).from(reactions).where(eq(reactions.messageId, id))).map((d) => d.emoji), emoji);
        const changed = on
          ? (await tx.insert(reactions).values({ messageId: id, userId, emoji, createdAt: now() }).onConflictDoNothing().returning({ e: reactions.emoji })).length
          : (await tx.delete(reactions).where(and(eq(reactions.messageId, id), eq(reactions.userId, userId), eq(reactions.emoji, emoji))).returning({ e: reactions.emoji })).length;
        let event: ChatEvent | null = null;
        if (changed > 0) {
          const [audience, count] = await Promise.all([audienceOf(scopeOfRow(r), tx), reactionCount(tx, id, emoji)]);
          event = await appendEvent(tx, emit, reactionChanged(r, audience, { emoji, userId, added: on, count }));
        }
        return { event, reactions: (await reactionSummaries(tx, [id], userId)).get(id) ?? [] };
      });
    },
    pin(channelId, messageId, actorId) {
      return writer.write(async (tx, emit) => {
        const r = await byId(tx, messageId);
        if (!r || r.deletedAt || r.channelId !== channelId) throw notFound("message");
        await emit.lock(tx, r.workspaceId);
        const [existing, pinned] = await Promise.all([
          first(tx.select().from(pins).where(and(eq(pins.channelId, channelId), eq(pins.messageId, messageId)))),
          first(tx.select({ n: countAll }).from(pins).where(eq(pins.channelId, channelId))),
        ]);
        assertCanPin(Boolean(existing), pinned?.n ?? 0);
        const pin = { channelId, messageId, pinnedBy: actorId, pinnedAt: now() };
        await tx.insert(pins).values(pin);
        const event = await appendEvent(tx, emit, pinChanged(r, channelId, await privateReaders(tx, channelId), actorId, true));
        return { pinned_message: await one(tx, messageId, actorId), pin: toPinRecord(pin), event };
      });
    },
    unpin(channelId, messageId, actorId) {
      return writer.write(async (tx, emit) => {
        const r = await byId(tx, messageId);
        if (!r || r.channelId !== channelId) throw notFound("message");
        await emit.lock(tx, r.workspaceId);
        const removed = await tx.delete(pins).where(and(eq(pins.channelId, channelId), eq(pins.messageId, messageId))).returning({ m: pins.messageId });
        if (removed.length === 0) throw notFound("pin");
        const event = await appendEvent(tx, emit, pinChanged(r, channelId, await privateReaders(tx, channelId), actorId, false));
        return { event };
      });
    },
    async pins(channelId, viewerId) {
      const rows = await db.select({ m: messages }).from(pins).innerJoin(messages, eq(messages.id, pins.messageId))
        .where(and(eq(pins.channelId, channelId), isNull(messages.deletedAt))).orderBy(desc(pins.pinnedAt));
      return hydrate(db, rows.map((r) => r.m), viewerId);
    },
    async pinRecords(channelId) {
      const rows = await db.select({ p: pins }).from(pins).innerJoin(messages, eq(messages.id, pins.messageId))
        .where(and(eq(pins.channelId, channelId), isNull(messages.deletedAt))).orderBy(desc(pins.pinnedAt));
      return rows.map((r) => toPinRecord(r.p));
    },
    markRead(scope, userId, seq) {
      return writer.write(async (tx, emit) => {
        const last = scope.kind === "channel"
          ? (await first(tx.select({ s: channels.lastSeq }).from(channels).where(eq(channels.id, scope.id))))?.s
          : (await first(tx.select({ s: directConversations.lastSeq }).from(directConversations).where(eq(directConversations.id, scope.id))))?.s;
        if (last === undefined) throw notFound(scope.kind === "channel" ? "channel" : "direct conversation");
        await emit.lock(tx, scope.workspaceId);
        // Read pointers only move forward, and never past what exists. The pointer's row is
        // locked first, so two processes moving it at once cannot move it backwards.
        await tx.execute(sql`SELECT 1 FROM read_states WHERE scope_id = ${scope.id} AND user_id = ${userId} FOR UPDATE`);
        const previous = await lastReadSeq(tx, scope.id, userId);
        const target = nextReadPointer(previous, seq, last);
        const at = now();
        if (target === null) {
          const existing = await first(tx.select().from(readStates).where(and(eq(readStates.scopeId, scope.id), eq(readStates.userId, userId))));
          return { receipt: { scope_id: scope.id, user_id: userId, last_read_seq: previous, last_read_at: existing?.lastReadAt ?? at }, event: null };
        }
        await tx.insert(readStates).values({ scopeId: scope.id, userId, lastReadSeq: target, lastReadAt: at })
          .onConflictDoUpdate({ target: [readStates.scopeId, readStates.userId], set: { lastReadSeq: target, lastReadAt: at } });
        await readRootMentions(tx, userId, scope.id, target, at);
        const event = await appendEvent(tx, emit, readMoved(scope, userId, target, at, await mentionCount(tx, userId, scope.id)));
        return { receipt: { scope_id: scope.id, user_id: userId, last_read_seq: target, last_read_at: at }, event };
      });
    },
  };
}
