import { and, asc, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { conflict, forbidden, invalid, notFound, tooMany } from "../../chat/errors.ts";
import { newId, newRouteId } from "../../chat/ids.ts";
import { BROADCAST_HANDLES, LIMITS, mentionedHandles } from "../../chat/rules.ts";
import type { ChatEvent, MessagePage, ThreadPage, ThreadState } from "../../chat/types.ts";
import type { MessageStore, PostMessageInput, Scope } from "../store.ts";
import { now, toThreadState } from "../sqlite/rows.ts";
import { windowed } from "../window.ts";
import { countAll, lastReadSeq } from "./channels.ts";
import type { Db, EventSink, PgGroupCommitWriter } from "./database.ts";
import { appendEvent, lockWorkspace } from "./events.ts";
import { hydrate, reactionSummaries } from "./hydrate.ts";
import { attachUploadRow, detachUploads } from "./uploads.ts";
import { channels, directConversations, dmMembers, members, messages, pins, reactions, readStates, topics, users } from "./schema.ts";
import { first } from "./users.ts";

type Row = typeof messages.$inferSelect;

/** What a nonce remembers of a post: the same nonce with another payload is a conflict. */
function fingerprint(input: PostMessageInput): string {
  return new Bun.CryptoHasher("sha256")
    .update(JSON.stringify([input.scope.id, input.body, input.parentMessageId ?? null, input.quotedMessageId ?? null, input.kind ?? "message", input.turnId ?? null, input.topicId ?? null]))
    .digest("base64");
}

function scopeOfRow(r: Row): Scope {
  return r.channelId ? { kind: "channel", id: r.channelId, workspaceId: r.workspaceId } : { kind: "dm", id: r.dmId!, workspaceId: r.workspaceId };
}

async function dmRecipients(db: Db, dmId: string): Promise<string[]> {
  return (await db.select({ u: dmMembers.userId }).from(dmMembers).where(eq(dmMembers.dmId, dmId)).orderBy(asc(dmMembers.userId))).map((r) => r.u);
}

/** Mentioned handles that belong to members of the workspace (and of the DM, in a DM). */
async function resolveMentions(db: Db, scope: Scope, body: string): Promise<string[]> {
  const handles = mentionedHandles(body).filter((h) => !BROADCAST_HANDLES.has(h));
  if (handles.length === 0) return [];
  const found = (await db
    .select({ id: users.id })
    .from(users)
    .innerJoin(members, and(eq(members.userId, users.id), eq(members.workspaceId, scope.workspaceId)))
    .where(and(inArray(users.handle, handles), isNull(users.deletedAt)))).map((r) => r.id);
  if (scope.kind === "dm") {
    const inDm = new Set(await dmRecipients(db, scope.id));
    return found.filter((id) => inDm.has(id));
  }
  return found;
}

export async function eventScope(scope: Scope, db: Db) {
  return scope.kind === "channel"
    ? { channelId: scope.id, dmId: null, recipients: null }
    : { channelId: null, dmId: scope.id, recipients: await dmRecipients(db, scope.id) };
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

export function pgMessages(db: Db, writer: PgGroupCommitWriter): MessageStore {
  const byId = (q: Db, id: string) => first(q.select().from(messages).where(eq(messages.id, id)));
  const one = async (q: Db, id: string, viewerId: string) => (await hydrate(q, [(await byId(q, id))!], viewerId))[0]!;
  const reactionCount = async (tx: Db, id: string, emoji: string) =>
    (await first(tx.select({ n: countAll }).from(reactions).where(and(eq(reactions.messageId, id), eq(reactions.emoji, emoji)))))?.n ?? 0;

  async function post(tx: Db, emit: EventSink, input: PostMessageInput) {
    const fp = input.nonce ? fingerprint(input) : null;
    if (input.nonce) {
      const existing = await first(tx.select().from(messages).where(and(eq(messages.authorId, input.authorId), eq(messages.nonce, input.nonce))));
      if (existing) {
        if (existing.nonceFingerprint !== fp) throw conflict("nonce was already used for a different message", "nonce_conflict");
        return { message: await one(tx, existing.id, input.authorId), events: [] as ChatEvent[], replayed: true, threadState: undefined as ThreadState | undefined };
      }
    }

    if (input.budget) {
      // One author's budgeted posts queue on a transaction lock in every process: the count
      // they check cannot grow under them.
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`budget:${input.scope.workspaceId}:${input.authorId}`}, 0))`);
      const since = new Date(Date.now() - input.budget.windowMs).toISOString();
      const recent = await tx.select({ at: messages.createdAt }).from(messages)
        .where(and(eq(messages.workspaceId, input.scope.workspaceId), eq(messages.authorId, input.authorId), gt(messages.createdAt, since)))
        .orderBy(asc(messages.createdAt));
      if (recent.length >= input.budget.max) {
        const retry = (Date.parse(recent[0]!.at) + input.budget.windowMs - Date.now()) / 1000;
        throw tooMany(`waiting room post limit reached: ${input.budget.max} messages per 24 hours`, retry, "guest_post_limit");
      }
    }

    if (input.topicId) {
      const topic = await first(tx.select().from(topics).where(eq(topics.id, input.topicId)));
      if (!topic || topic.workspaceId !== input.scope.workspaceId || (topic.channelId !== null && topic.channelId !== input.scope.id)) throw notFound("topic");
    }

    let root: Row | undefined;
    if (input.parentMessageId) {
      root = await byId(tx, input.parentMessageId);
      if (!root || root.workspaceId !== input.scope.workspaceId || (input.scope.kind === "channel" ? root.channelId : root.dmId) !== input.scope.id) {
        throw notFound("parent message");
      }
      if (root.parentMessageId !== null) throw invalid("threads are one level deep: reply to the thread's root message", "nested_thread");
      if (root.deletedAt) throw notFound("parent message");
    }

    let quote: Row | undefined;
    if (input.quotedMessageId) {
      quote = await byId(tx, input.quotedMessageId);
      if (!quote || quote.deletedAt) throw notFound("quoted message");
      const sameScope = (input.scope.kind === "channel" ? quote.channelId : quote.dmId) === input.scope.id;
      if (!sameScope) throw invalid("a quote must come from the same channel, DM or thread", "quote_out_of_scope");
    }

    // Roots take the next channel (or DM) sequence number; replies take the next number of their
    // thread. Both are incremented in place: the row stays locked to COMMIT, so a number is never
    // handed out twice, whichever process asks.
    let channelSeq: number | null = null;
    let threadSeq: number | null = null;
    if (root) {
      const [r] = await tx.update(messages).set({ threadLastSeq: sql`${messages.threadLastSeq} + 1` }).where(eq(messages.id, root.id)).returning({ s: messages.threadLastSeq });
      threadSeq = r!.s;
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
      quotedBodySnapshot: quote ? quote.body.slice(0, 1000) : null,
      quotedAuthorId: quote?.authorId ?? null,
      createdAt: at,
      editedAt: null,
      deletedAt: null,
      replyCount: 0,
      lastReplyAt: null,
      lastReplyAuthorIds: null,
      threadLastSeq: 0,
    };
    if (!root) row.threadRootId = row.id;
    await tx.insert(messages).values(row);
    // The file goes with its message in the same write: both or neither.
    if (input.uploadId) await attachUploadRow(tx, input.uploadId, row);

    const scope = await eventScope(input.scope, tx);
    const mentioned = await resolveMentions(tx, input.scope, input.body);
    const dmPart = row.dmId ? { direct_conversation_id: row.dmId } : {};
    const noncePart = row.nonce ? { nonce: row.nonce } : {};
    const events: ChatEvent[] = [];
    let threadState: ThreadState | undefined;
    if (!root) {
      events.push(await appendEvent(tx, emit, {
        workspaceId: input.scope.workspaceId,
        type: "message.created",
        channelId: scope.channelId,
        dmId: scope.dmId,
        recipients: scope.recipients,
        seq: channelSeq,
        payload: {
          message_id: row.id,
          author_id: row.authorId,
          ...dmPart,
          ...noncePart,
          ...(row.topicId ? { topic_id: row.topicId } : {}),
          ...(row.kind !== "message" ? { kind: row.kind } : {}),
          ...(row.turnId ? { turn_id: row.turnId } : {}),
        },
        mentionedUserIds: mentioned,
      }));
    } else {
      threadState = await refreshThreadState(tx, root.id);
      events.push(await appendEvent(tx, emit, {
        workspaceId: input.scope.workspaceId,
        type: "thread.reply_created",
        channelId: scope.channelId,
        dmId: scope.dmId,
        recipients: scope.recipients,
        payload: { message_id: row.id, root_message_id: root.id, author_id: row.authorId, thread_seq: threadSeq, ...dmPart, ...noncePart,
          ...(row.kind !== "message" ? { kind: row.kind } : {}), ...(row.turnId ? { turn_id: row.turnId } : {}) },
        mentionedUserIds: mentioned,
      }));
      events.push(await appendEvent(tx, emit, {
        workspaceId: input.scope.workspaceId,
        type: "thread.state_updated",
        channelId: scope.channelId,
        dmId: scope.dmId,
        recipients: scope.recipients,
        payload: { root_message_id: root.id, thread_state: threadState, ...dmPart },
      }));
    }
    return { message: (await hydrate(tx, [row], input.authorId, { withAttachments: Boolean(input.uploadId) }))[0]!, events, replayed: false, threadState };
  }

  function windowQuery(column: "channel" | "dm" | "thread", scopeId: string, topicId: string | undefined) {
    return async (cmp: "lt" | "lte" | "gt" | "none", seq: number, order: "asc" | "desc", limit: number): Promise<Row[]> => {
      const seqCol = column === "thread" ? messages.threadSeq : messages.channelSeq;
      const conds = column === "thread"
        ? [eq(messages.threadRootId, scopeId), sql`${messages.parentMessageId} IS NOT NULL`]
        : [eq(column === "channel" ? messages.channelId : messages.dmId, scopeId), isNull(messages.parentMessageId)];
      if (cmp === "lt") conds.push(sql`${seqCol} < ${seq}`);
      if (cmp === "lte") conds.push(sql`${seqCol} <= ${seq}`);
      if (cmp === "gt") conds.push(sql`${seqCol} > ${seq}`);
      if (topicId) conds.push(eq(messages.topicId, topicId));
      return db.select().from(messages).where(and(...conds)).orderBy(order === "asc" ? asc(seqCol) : desc(seqCol)).limit(limit);
    };
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
        if (r.deletedAt) throw conflict("a deleted message cannot be edited", "message_deleted");
        if (r.authorId !== actorId) throw forbidden("only the author can edit a message", "not_author");
        const at = now();
        await tx.update(messages).set({ body, editedAt: at }).where(eq(messages.id, id));
        const scope = scopeOfRow(r);
        const es = await eventScope(scope, tx);
        const event = await appendEvent(tx, emit, {
          workspaceId: r.workspaceId,
          type: "message.updated",
          channelId: es.channelId,
          dmId: es.dmId,
          recipients: es.recipients,
          seq: r.channelSeq ?? r.threadSeq,
          payload: { message_id: id, root_message_id: r.threadRootId, author_id: r.authorId, edited_at: at, ...(r.dmId ? { direct_conversation_id: r.dmId } : {}) },
          mentionedUserIds: await resolveMentions(tx, scope, body),
        });
        return { message: await one(tx, id, actorId), event };
      });
    },
    remove(id, actorId) {
      return writer.write(async (tx, emit) => {
        const r = await byId(tx, id);
        if (!r || r.deletedAt) throw notFound("message");
        const at = now();
        await tx.update(messages).set({ deletedAt: at }).where(eq(messages.id, id));
        await tx.delete(pins).where(eq(pins.messageId, id));
        await tx.delete(reactions).where(eq(reactions.messageId, id));
        await detachUploads(tx, id, at);
        const scope = scopeOfRow(r);
        const es = await eventScope(scope, tx);
        const event = await appendEvent(tx, emit, {
          workspaceId: r.workspaceId,
          type: "message.deleted",
          channelId: es.channelId,
          dmId: es.dmId,
          recipients: es.recipients,
          seq: r.channelSeq ?? r.threadSeq,
          payload: { message_id: id, root_message_id: r.threadRootId, deleted_by: actorId, ...(r.dmId ? { direct_conversation_id: r.dmId } : {}) },
        });
        if (r.parentMessageId) {
          const state = await refreshThreadState(tx, r.parentMessageId);
          await appendEvent(tx, emit, {
            workspaceId: r.workspaceId, type: "thread.state_updated", channelId: es.channelId, dmId: es.dmId, recipients: es.recipients,
            payload: { root_message_id: r.parentMessageId, thread_state: state, ...(r.dmId ? { direct_conversation_id: r.dmId } : {}) },
          });
        }
        return { message: await one(tx, id, actorId), event };
      });
    },
    async page(scope, window, viewerId, topicId) {
      const { rows, hasOlder, hasNewer } = await windowed(window, (r) => r.channelSeq ?? 0, windowQuery(scope.kind, scope.id, topicId));
      return {
        messages: await hydrate(db, rows, viewerId),
        oldest_seq: rows[0]?.channelSeq ?? 0,
        newest_seq: rows[rows.length - 1]?.channelSeq ?? 0,
        has_older: hasOlder,
        has_newer: hasNewer,
      } satisfies MessagePage;
    },
    async thread(rootId, window, viewerId) {
      const root = await byId(db, rootId);
      if (!root) throw notFound("message");
      if (root.parentMessageId !== null) throw invalid("that message is a reply; open its root's thread", "not_thread_root");
      const { rows, hasOlder, hasNewer } = await windowed(window, (r) => r.threadSeq ?? 0, windowQuery("thread", rootId, undefined));
      const [rootMsg, ...replies] = await hydrate(db, [root, ...rows], viewerId);
      return {
        root: rootMsg!,
        replies,
        thread_state: toThreadState(root),
        oldest_seq: rows[0]?.threadSeq ?? 0,
        newest_seq: rows[rows.length - 1]?.threadSeq ?? 0,
        has_older: hasOlder,
        has_newer: hasNewer,
      } satisfies ThreadPage;
    },
    react(id, userId, emoji, on) {
      return writer.write(async (tx, emit) => {
        const r = await byId(tx, id);
        if (!r || r.deletedAt) throw notFound("message");
        const changed = on
          ? (await tx.insert(reactions).values({ messageId: id, userId, emoji, createdAt: now() }).onConflictDoNothing().returning({ e: reactions.emoji })).length
          : (await tx.delete(reactions).where(and(eq(reactions.messageId, id), eq(reactions.userId, userId), eq(reactions.emoji, emoji))).returning({ e: reactions.emoji })).length;
        let event: ChatEvent | null = null;
        if (changed > 0) {
          const es = await eventScope(scopeOfRow(r), tx);
          event = await appendEvent(tx, emit, {
            workspaceId: r.workspaceId,
            type: on ? "reaction.added" : "reaction.removed",
            channelId: es.channelId, dmId: es.dmId, recipients: es.recipients,
            seq: r.channelSeq ?? r.threadSeq,
            payload: { message_id: id, emoji, user_id: userId, root_message_id: r.threadRootId, count: await reactionCount(tx, id, emoji), ...(r.dmId ? { direct_conversation_id: r.dmId } : {}) },
          });
        }
        return { event, reactions: (await reactionSummaries(tx, [id], userId)).get(id) ?? [] };
      });
    },
    pin(channelId, messageId, actorId) {
      return writer.write(async (tx, emit) => {
        const r = await byId(tx, messageId);
        if (!r || r.deletedAt || r.channelId !== channelId) throw notFound("message");
        await lockWorkspace(tx, r.workspaceId);
        const existing = await first(tx.select().from(pins).where(and(eq(pins.channelId, channelId), eq(pins.messageId, messageId))));
        if (existing) throw conflict("message is already pinned", "already_pinned");
        const n = (await first(tx.select({ n: countAll }).from(pins).where(eq(pins.channelId, channelId))))?.n ?? 0;
        if (n >= LIMITS.pinsPerChannel) throw conflict(`a channel holds at most ${LIMITS.pinsPerChannel} pins`, "pin_limit");
        await tx.insert(pins).values({ channelId, messageId, pinnedBy: actorId, pinnedAt: now() });
        const event = await appendEvent(tx, emit, {
          workspaceId: r.workspaceId, type: "pin.added", channelId, seq: r.channelSeq ?? r.threadSeq,
          payload: { channel_id: channelId, message_id: messageId, pinned_by: actorId },
        });
        return { pinned_message: await one(tx, messageId, actorId), event };
      });
    },
    unpin(channelId, messageId, actorId) {
      return writer.write(async (tx, emit) => {
        const r = await byId(tx, messageId);
        if (!r || r.channelId !== channelId) throw notFound("message");
        const removed = await tx.delete(pins).where(and(eq(pins.channelId, channelId), eq(pins.messageId, messageId))).returning({ m: pins.messageId });
        if (removed.length === 0) throw notFound("pin");
        const event = await appendEvent(tx, emit, {
          workspaceId: r.workspaceId, type: "pin.removed", channelId, seq: r.channelSeq ?? r.threadSeq,
          payload: { channel_id: channelId, message_id: messageId, pinned_by: actorId },
        });
        return { event };
      });
    },
    async pins(channelId, viewerId) {
      const rows = await db.select({ m: messages }).from(pins).innerJoin(messages, eq(messages.id, pins.messageId))
        .where(and(eq(pins.channelId, channelId), isNull(messages.deletedAt))).orderBy(desc(pins.pinnedAt));
      return hydrate(db, rows.map((r) => r.m), viewerId);
    },
    markRead(scope, userId, seq) {
      return writer.write(async (tx, emit) => {
        const last = scope.kind === "channel"
          ? (await first(tx.select({ s: channels.lastSeq }).from(channels).where(eq(channels.id, scope.id))))?.s
          : (await first(tx.select({ s: directConversations.lastSeq }).from(directConversations).where(eq(directConversations.id, scope.id))))?.s;
        if (last === undefined) throw notFound(scope.kind === "channel" ? "channel" : "direct conversation");
        // Read pointers only move forward, and never past what exists. The pointer's row is
        // locked first, so two processes moving it at once cannot move it backwards.
        await tx.execute(sql`SELECT 1 FROM read_states WHERE scope_id = ${scope.id} AND user_id = ${userId} FOR UPDATE`);
        const previous = await lastReadSeq(tx, scope.id, userId);
        const target = Math.min(Math.max(seq, 0), last);
        const at = now();
        if (target <= previous) {
          const existing = await first(tx.select().from(readStates).where(and(eq(readStates.scopeId, scope.id), eq(readStates.userId, userId))));
          return { receipt: { scope_id: scope.id, user_id: userId, last_read_seq: previous, last_read_at: existing?.lastReadAt ?? at }, event: null };
        }
        await tx.insert(readStates).values({ scopeId: scope.id, userId, lastReadSeq: target, lastReadAt: at })
          .onConflictDoUpdate({ target: [readStates.scopeId, readStates.userId], set: { lastReadSeq: target, lastReadAt: at } });
        const event = await appendEvent(tx, emit, {
          workspaceId: scope.workspaceId,
          type: scope.kind === "channel" ? "channel.read" : "dm.read",
          channelId: scope.kind === "channel" ? scope.id : null,
          dmId: scope.kind === "dm" ? scope.id : null,
          recipients: [userId],
          seq: target,
          payload: { user_id: userId, scope_id: scope.id, ...(scope.kind === "channel" ? { channel_id: scope.id } : { direct_conversation_id: scope.id }), last_read_seq: target, last_read_at: at },
        });
        return { receipt: { scope_id: scope.id, user_id: userId, last_read_seq: target, last_read_at: at }, event };
      });
    },
  };
}
