import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import { type Audience, channelAudience, dmAudience, messageCreated, messageDeleted, messageUpdated, pinChanged, reactionChanged, readMoved, threadReplyCreated, threadStateUpdated } from "../../chat/events.ts";
import { newId, newOrderedMessageRouteId } from "../../chat/ids.ts";
import { assertResponders, newQuestion } from "../../chat/questions.ts";
import {
  assertAuthor, assertCanPin, assertEditable, assertNonceReplay, assertQuotable, assertReplyTarget, assertThreadRoot, assertTopicFits,
  assertWithinBudget, budgetWindowStart, countersAfterReply, nextReadPointer, nonceFingerprint, quoteSnapshot,
} from "../../chat/posting.ts";
import { assertReactionFits } from "../../chat/reactions.ts";
import { BROADCAST_HANDLES, LIMITS, mentionedHandles } from "../../chat/rules.ts";
import type { ChatEvent, Message, ThreadState } from "../../chat/types.ts";
import type { MessageStore, PostMessageInput, QuestionMethods, Scope } from "../store.ts";
import type { Statement } from "bun:sqlite";
import { messagePage, threadPage, windowedSync, type WindowFetch } from "../window.ts";
import { type ThreadStamp, ThreadWindows } from "../thread-windows.ts";
import { lastReadSeq } from "./channels.ts";
import { privateReaders } from "./channel-members.ts";
import { type Db, type EventSink, type GroupCommitWriter, reading } from "./database.ts";
import { appendEvent } from "./events.ts";
import { authorRows, hydrate, reactionSummaries, reactorRows } from "./hydrate.ts";
import { MessageCache, type MessageStamp } from "../message-cache.ts";
import { now, toPinRecord, toThreadState } from "../rows.ts";
import { firstRow, insertRowSql, rowColumns } from "./rows.ts";
import { mentionCount, readRootMentions, recordReach } from "./notifications.ts";
import { peopleOf } from "./users.ts";
import { attachmentsFor, attachUploadRow, detachUploads } from "./uploads.ts";
import { budgetSpentAt } from "./slash-commands.ts";
import { channels, directConversations, dmMembers, messages, pins, reactions, readStates, topics } from "./schema.ts";

type Row = typeof messages.$inferSelect;

function fingerprint(input: PostMessageInput): string {
  return nonceFingerprint({ ...input, scopeId: input.scope.id });
}

export function scopeOfRow(r: Pick<Row, "workspaceId" | "channelId" | "dmId">): Scope {
  return r.channelId ? { kind: "channel", id: r.channelId, workspaceId: r.workspaceId } : { kind: "dm", id: r.dmId!, workspaceId: r.workspaceId };
}

function dmRecipients(db: Db, dmId: string): string[] {
  return db.select({ u: dmMembers.userId }).from(dmMembers).where(eq(dmMembers.dmId, dmId)).all().map((r) => r.u);
}

// Compiled once per database: mentions are on the post path (see bench/mentions.ts). The handles
// drive the join (CROSS JOIN fixes the order): left to the planner, SQLite walked every member
// of the workspace and probed users for each, ~0.5 ms per post at 1,000 members, which halved
// the write path's throughput when every message mentioned someone. The workspace is written
// `+?1` so that SQLite does not compile the statement again each time it is bound (see
// windowStatement below): 11 µs against 2.5 in a loop here.
const mentionStatements = new WeakMap<Db, { all: (workspace: string, handles: string) => { id: string }[] }>();
function mentionable(db: Db) {
  let st = mentionStatements.get(db);
  if (!st) {
    st = db.$client.query<{ id: string }, [string, string]>(`SELECT DISTINCT u.id FROM json_each(?2) h CROSS JOIN users u ON u.handle = h.value
      CROSS JOIN members m ON m.workspace_id = +?1 AND m.user_id = u.id WHERE u.deleted_at IS NULL`);
    mentionStatements.set(db, st);
  }
  return st;
}

/** Mentioned handles that belong to members of the workspace (and of the DM or private channel, there). */
function resolveMentions(db: Db, scope: Scope, audience: Audience, body: string): string[] {
  const handles = mentionedHandles(body).filter((h) => !BROADCAST_HANDLES.has(h));
  if (handles.length === 0) return [];
  const found = mentionable(db).all(scope.workspaceId, JSON.stringify(handles)).map((r) => r.id);
  const within = audience.recipients;
  if (within) {
    const inScope = new Set(within);
    return found.filter((id) => inScope.has(id));
  }
  return found;
}

/** Who hears of a message in this scope (a DM's or a private channel's members are read inside the write). */
export function audienceOf(scope: Scope, db: Db): Audience {
  return scope.kind === "channel" ? channelAudience(scope.id, privateReaders(db, scope.id)) : dmAudience(scope.id, dmRecipients(db, scope.id));
}

/** Recent distinct reply authors, newest first, at most three. */
function recentReplyAuthors(db: Db, rootId: string): string[] {
  return db
    .all<{ author_id: string }>(sql`SELECT author_id FROM messages WHERE thread_root_id = ${rootId} AND parent_message_id IS NOT NULL
      AND deleted_at IS NULL GROUP BY author_id ORDER BY max(thread_seq) DESC LIMIT ${LIMITS.recentReplyAuthors}`)
    .map((r) => r.author_id);
}

function refreshThreadState(db: Db, rootId: string): ThreadState {
  const agg = firstRow<{ n: number; last: string | null }>(db, sql`SELECT count(*) AS n, max(created_at) AS last FROM messages
    WHERE thread_root_id = ${rootId} AND parent_message_id IS NOT NULL AND deleted_at IS NULL`);
  const authors = recentReplyAuthors(db, rootId);
  db.update(messages)
    .set({ replyCount: agg?.n ?? 0, lastReplyAt: agg?.last ?? null, lastReplyAuthorIds: JSON.stringify(authors) })
    .where(eq(messages.id, rootId))
    .run();
  return { root_message_id: rootId, reply_count: agg?.n ?? 0, last_reply_at: agg?.last ?? null, last_reply_author_ids: authors };
}



/** A message row's columns named as drizzle's row type names them, for plain prepared statements. */
const MESSAGE_ROW = rowColumns(messages);
// What a page's window reads of each message; the rest comes from the cache, or is read for the
// stale ones. The author's version comes along, probed by key: no query of its own for the
// authors while they are unchanged. A subquery, not a join: the same lookups, but a statement
// with a join cost 3–7 µs more per run here (a thread's root read: 4.4 µs against 0.9).
const STAMP = "m.id AS id, m.version AS version, m.author_id AS authorId, (SELECT u.version FROM users u WHERE u.id = m.author_id) AS authorVersion, m.channel_seq AS channelSeq, m.thread_seq AS threadSeq, m.parent_message_id AS parentMessageId";
type PageStamp = MessageStamp & Pick<Row, "channelSeq" | "threadSeq" | "parentMessageId">;

export function sqliteMessages(db: Db, writer: GroupCommitWriter): Omit<MessageStore, keyof QuestionMethods> {
  // The write path's statements, compiled once (building and preparing SQL per call dominated
  // the cost of a post), as plain SQL: drizzle's prepared queries fill their placeholders and map
  // their rows in JavaScript on every run (a post in process: 140-153 µs of CPU this way, 150-156
  // through drizzle).
  const q = {
    byId: db.$client.query<Row, { id: string }>(`SELECT ${MESSAGE_ROW} FROM messages WHERE id = $id`),
    // What access checks need (every read or write of one message starts with one).
    scopeOf: db.$client.query<Pick<Row, "workspaceId" | "channelId" | "dmId" | "authorId" | "parentMessageId" | "deletedAt">, { id: string }>(
      "SELECT workspace_id AS workspaceId, channel_id AS channelId, dm_id AS dmId, author_id AS authorId, parent_message_id AS parentMessageId, deleted_at AS deletedAt FROM messages WHERE id = $id",
    ),
    byNonce: db.$client.query<Row, { author: string; nonce: string }>(`SELECT ${MESSAGE_ROW} FROM messages WHERE author_id = $author AND nonce = $nonce`),
    nextChannelSeq: db.$client.query<{ s: number }, { id: string }>("UPDATE channels SET last_seq = last_seq + 1 WHERE id = $id RETURNING last_seq AS s"),
    nextDmSeq: db.$client.query<{ s: number }, { id: string }>("UPDATE direct_conversations SET last_seq = last_seq + 1 WHERE id = $id RETURNING last_seq AS s"),
    topic: db.select().from(topics).where(eq(topics.id, sql.placeholder("id"))).prepare(),
    insert: db.$client.query<never, Row>(insertRowSql(messages)),
    recordReply: db.$client.query<never, { id: string; seq: number; count: number; at: string | null; authors: string | null }>(
      "UPDATE messages SET thread_last_seq = $seq, reply_count = $count, last_reply_at = $at, last_reply_author_ids = $authors WHERE id = $id",
    ),
  };
  const byId = (id: string) => q.byId.get({ id }) ?? undefined;
  const one = (id: string, viewerId: string): Message => hydrate(db, [byId(id)!], viewerId)[0]!;
  const reactionCount = (id: string, emoji: string) =>
    firstRow<{ n: number }>(db, sql`SELECT count(*) AS n FROM reactions WHERE message_id = ${id} AND emoji = ${emoji}`)?.n ?? 0;

  function post(emit: EventSink, input: PostMessageInput) {
    const fp = input.nonce ? fingerprint(input) : null;
    if (input.nonce) {
      const existing = q.byNonce.get({ author: input.authorId, nonce: input.nonce });
      if (existing) {
        assertNonceReplay(existing.nonceFingerprint, fp, "message");
        return { message: one(existing.id, input.authorId), events: [] as ChatEvent[], replayed: true, threadState: undefined as ThreadState | undefined };
      }
    }

    if (input.budget) {
      assertWithinBudget(input.budget, budgetSpentAt(db, input.scope.workspaceId, input.authorId, budgetWindowStart(input.budget)));
    }

    if (input.topicId) {
      assertTopicFits(q.topic.get({ id: input.topicId }), input.scope);
    }

    let root: Row | undefined;
    if (input.parentMessageId) {
      root = byId(input.parentMessageId);
      assertReplyTarget(root, input.scope);
    }

    let quote: Row | undefined;
    if (input.quotedMessageId) {
      quote = byId(input.quotedMessageId);
      assertQuotable(quote, input.scope);
    }

    // Roots take the next channel (or DM) sequence number; replies take the next number of their
    // thread. Both are allocated here, inside the write, and never handed out again.
    let channelSeq: number | null = null;
    let threadSeq: number | null = null;
    if (root) {
      threadSeq = root.threadLastSeq + 1;
    } else if (input.scope.kind === "channel") {
      const r = q.nextChannelSeq.get({ id: input.scope.id });
      if (!r) throw notFound("channel");
      channelSeq = r.s;
    } else {
      const r = q.nextDmSeq.get({ id: input.scope.id });
      if (!r) throw notFound("direct conversation");
      channelSeq = r.s;
      // A new message brings a closed conversation back for everyone in it.
      db.update(dmMembers).set({ hiddenAt: null }).where(eq(dmMembers.dmId, input.scope.id)).run();
    }

    const at = now();
    const row: Row = {
      id: newId("msg"),
      routeId: newOrderedMessageRouteId(),
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
      assertResponders(question, peopleOf(db, input.scope.workspaceId, question.responder_user_ids ?? []));
      row.question = JSON.stringify(question);
    }
    q.insert.run(row);
    // The file goes with its message in the same write: both or neither.
    if (input.uploadId) attachUploadRow(db, input.uploadId, row);

    // Who may hear of it, read once for the events, the mentions and the followers.
    const audience = audienceOf(input.scope, db);
    const mentioned = resolveMentions(db, input.scope, audience, input.body);
    const events: ChatEvent[] = [];
    let threadState: ThreadState | undefined;
    if (!root) {
      events.push(appendEvent(db, emit, messageCreated(row, audience, mentioned)));
    } else {
      // The root's counters follow from its own (countersAfterReply), in the row that takes the
      // thread's seq: a scan of the whole thread per reply made long threads slow to write to.
      const counters = countersAfterReply(root, row);
      q.recordReply.run({ id: root.id, seq: threadSeq!, count: counters.replyCount, at: counters.lastReplyAt, authors: counters.lastReplyAuthorIds });
      threadState = toThreadState({ ...root, ...counters });
      events.push(
        appendEvent(db, emit, threadReplyCreated(row, audience, mentioned)),
        appendEvent(db, emit, threadStateUpdated(row, audience, threadState)),
      );
    }
    recordReach(db, emit, input.scope, audience, row, root?.authorId ?? null, mentioned, input.body);
    return { message: hydrate(db, [row], input.authorId, { withAttachments: Boolean(input.uploadId) })[0]!, events, replayed: false, threadState };
  }

  // Window queries come in a handful of shapes (scope × comparison × order × topic, rows or only
  // whether one exists): each shape is compiled once, on first use, as plain SQL whose columns are
  // named as the row type's keys. Every column is text or integer, so the rows need no mapping;
  // going through drizzle's row mapper was a third of a channel page's time in the store.
  const windowStatements = new Map<string, Statement>();
  function windowStatement(column: "channel" | "dm" | "thread", cmp: "lt" | "lte" | "gt" | "none", order: "asc" | "desc", topic: boolean, exists = false) {
    const key = `${column}:${cmp}:${order}:${topic}:${exists}`;
    let st = windowStatements.get(key);
    if (!st) {
      const seqCol = column === "thread" ? "thread_seq" : "channel_seq";
      // Parameters are written `+$name`: SQLite plans with the value of a bare parameter compared
      // to an indexed column or given as the LIMIT, and so compiles the statement again each time
      // it is bound: 8–10 µs of a short window's 12–14 in a loop here, and several times that in
      // the server. The unary plus leaves the value, and the index it is compared on, as they were.
      const conds = column === "thread"
        ? ["thread_root_id = +$scope", "parent_message_id IS NOT NULL"]
        : [`${column === "channel" ? "channel_id" : "dm_id"} = +$scope`, "parent_message_id IS NULL"];
      if (cmp !== "none") conds.push(`${seqCol} ${{ lt: "<", lte: "<=", gt: ">" }[cmp]} +$seq`);
      if (topic) conds.push("topic_id = +$topic");
      st = db.$client.query(`SELECT ${exists ? "1 AS x" : STAMP} FROM messages m WHERE ${conds.map((c) => `m.${c}`).join(" AND ")} ORDER BY m.${seqCol} ${order} LIMIT +$limit`);
      windowStatements.set(key, st);
    }
    return st;
  }

  /** Rows and existence checks of one scope's window (src/store/window.ts). */
  function windowQuery(column: "channel" | "dm" | "thread", scopeId: string, topicId: string | undefined): WindowFetch<PageStamp> {
    const params = (cmp: string, seq: number, limit: number) => ({
      scope: scopeId, limit, ...(cmp !== "none" ? { seq } : {}), ...(topicId ? { topic: topicId } : {}),
    });
    return {
      rows: (cmp, seq, order, limit) => windowStatement(column, cmp, order, Boolean(topicId)).all(params(cmp, seq, limit)) as PageStamp[],
      exists: (cmp, seq, order) => windowStatement(column, cmp, order, Boolean(topicId), true).get(params(cmp, seq, 1)) !== null,
    };
  }

  // Pages reuse each message's rendering while its version stands (src/store/message-cache.ts).
  const cache = new MessageCache();
  const rowsIn = db.$client.query<Row, { ids: string }>(`SELECT ${MESSAGE_ROW} FROM messages WHERE id IN (SELECT value FROM json_each($ids))`);
  // A thread's root comes with the people's epoch: with the root's version, it says whether the
  // window of replies read before still stands (src/store/thread-windows.ts).
  const threadRootOf = db.$client.query<PageStamp & ThreadStamp, { id: string }>(
    `SELECT ${STAMP}, (SELECT epoch FROM users_epoch WHERE id = 1) AS usersEpoch FROM messages m WHERE m.id = $id`,
  );
  const threadWindows = new ThreadWindows<PageStamp>();
  function rendered(stamps: MessageStamp[], viewerId: string): Message[] {
    const plan = cache.lookup(stamps);
    if (plan.stale.length > 0) {
      const ids = JSON.stringify(plan.stale);
      cache.fill(plan, rowsIn.all({ ids }), reactorRows(db, ids), attachmentsFor(db, plan.stale));
    }
    if (plan.staleAuthors.length > 0) cache.fillAuthors(plan, authorRows(db, plan.staleAuthors));
    return cache.render(plan, stamps, viewerId);
  }

  return {
    post(input) {
      return writer.write((emit) => post(emit, input));
    },
    async get(id, viewerId) {
      return reading(db.$client, () => {
        const r = byId(id);
        return r ? hydrate(db, [r], viewerId)[0]! : null;
      });
    },
    async scopeOf(id) {
      const r = reading(db.$client, () => q.scopeOf.get({ id }));
      return r ? { scope: scopeOfRow(r), authorId: r.authorId, parentMessageId: r.parentMessageId, deleted: r.deletedAt !== null } : null;
    },
    async byNonce(workspaceId, authorId, nonce, viewerId) {
      const r = db.select().from(messages).where(and(eq(messages.authorId, authorId), eq(messages.nonce, nonce), eq(messages.workspaceId, workspaceId))).get();
      return r ? hydrate(db, [r], viewerId)[0]! : null;
    },
    edit(id, body, actorId) {
      return writer.write((emit) => {
        const r = byId(id);
        if (!r) throw notFound("message");
        assertAuthor(r, actorId, "edit");
        assertEditable(r);
        const at = now();
        db.update(messages).set({ body, editedAt: at }).where(eq(messages.id, id)).run();
        const scope = scopeOfRow(r);
        const audience = audienceOf(scope, db);
        const event = appendEvent(db, emit, messageUpdated(r, audience, { editedAt: at, mentionedUserIds: resolveMentions(db, scope, audience, body) }));
        return { message: one(id, actorId), event };
      });
    },
    remove(id, actorId) {
      return writer.write((emit) => {
        const r = byId(id);
        if (!r || r.deletedAt) throw notFound("message");
        const at = now();
        // The words go from the row itself and from every quote of it, so neither a backup nor
        // an export keeps what its author deleted.
        db.update(messages).set({ deletedAt: at, body: "" }).where(eq(messages.id, id)).run();
        db.update(messages).set({ quotedBodySnapshot: null }).where(eq(messages.quotedMessageId, id)).run();
        db.delete(pins).where(eq(pins.messageId, id)).run();
        db.delete(reactions).where(eq(reactions.messageId, id)).run();
        detachUploads(db, id, at);
        const audience = audienceOf(scopeOfRow(r), db);
        const event = appendEvent(db, emit, messageDeleted(r, audience, actorId));
        if (r.parentMessageId) appendEvent(db, emit, threadStateUpdated(r, audience, refreshThreadState(db, r.parentMessageId)));
        return { message: one(id, actorId), event };
      });
    },
    async page(scope, window, viewerId, topicId) {
      return reading(db.$client, () => {
        const page = windowedSync(window, (r) => r.channelSeq ?? 0, windowQuery(scope.kind, scope.id, topicId));
        return messagePage(page, rendered(page.rows, viewerId));
      });
    },
    async thread(rootId, window, viewerId) {
      return reading(db.$client, () => {
        const root = threadRootOf.get({ id: rootId });
        if (!root) throw notFound("message");
        assertThreadRoot(root);
        const page = threadWindows.reuse(rootId, window, root)
          ?? threadWindows.keep(rootId, window, root, windowedSync(window, (r) => r.threadSeq ?? 0, windowQuery("thread", rootId, undefined)));
        const [rootMsg, ...replies] = rendered([root, ...page.rows], viewerId);
        return threadPage(page, rootMsg!, replies, rootMsg!.thread_state!);
      });
    },
    react(id, userId, emoji, on) {
      return writer.write((emit) => {
        const r = byId(id);
        if (!r || r.deletedAt) throw notFound("message");
        if (on) assertReactionFits(db.all<{ emoji: string }>(sql`SELECT DISTINCT emoji FROM reactions WHERE message_id = ${id}`).map((d) => d.emoji), emoji);
        const changed = on
          ? db.insert(reactions).values({ messageId: id, userId, emoji, createdAt: now() }).onConflictDoNothing().returning({ e: reactions.emoji }).all().length
          : db.delete(reactions).where(and(eq(reactions.messageId, id), eq(reactions.userId, userId), eq(reactions.emoji, emoji))).returning({ e: reactions.emoji }).all().length;
        let event: ChatEvent | null = null;
        if (changed > 0) {
          event = appendEvent(db, emit, reactionChanged(r, audienceOf(scopeOfRow(r), db), { emoji, userId, added: on, count: reactionCount(id, emoji) }));
        }
        return { event, reactions: reactionSummaries(db, [id], userId).get(id) ?? [] };
      });
    },
    pin(channelId, messageId, actorId) {
      return writer.write((emit) => {
        const r = byId(messageId);
        if (!r || r.deletedAt || r.channelId !== channelId) throw notFound("message");
        const existing = db.select().from(pins).where(and(eq(pins.channelId, channelId), eq(pins.messageId, messageId))).get();
        const n = firstRow<{ n: number }>(db, sql`SELECT count(*) AS n FROM pins WHERE channel_id = ${channelId}`)?.n ?? 0;
        assertCanPin(Boolean(existing), n);
        const pin = { channelId, messageId, pinnedBy: actorId, pinnedAt: now() };
        db.insert(pins).values(pin).run();
        const event = appendEvent(db, emit, pinChanged(r, channelId, privateReaders(db, channelId), actorId, true));
        return { pinned_message: one(messageId, actorId), pin: toPinRecord(pin), event };
      });
    },
    unpin(channelId, messageId, actorId) {
      return writer.write((emit) => {
        const r = byId(messageId);
        if (!r || r.channelId !== channelId) throw notFound("message");
        const removed = db.delete(pins).where(and(eq(pins.channelId, channelId), eq(pins.messageId, messageId))).returning({ m: pins.messageId }).all();
        if (removed.length === 0) throw notFound("pin");
        const event = appendEvent(db, emit, pinChanged(r, channelId, privateReaders(db, channelId), actorId, false));
        return { event };
      });
    },
    async pins(channelId, viewerId) {
      const rows = db.select({ m: messages }).from(pins).innerJoin(messages, eq(messages.id, pins.messageId))
        .where(and(eq(pins.channelId, channelId), isNull(messages.deletedAt))).orderBy(desc(pins.pinnedAt)).all();
      return hydrate(db, rows.map((r) => r.m), viewerId);
    },
    async pinRecords(channelId) {
      return db.select({ p: pins }).from(pins).innerJoin(messages, eq(messages.id, pins.messageId))
        .where(and(eq(pins.channelId, channelId), isNull(messages.deletedAt))).orderBy(desc(pins.pinnedAt)).all().map((r) => toPinRecord(r.p));
    },
    markRead(scope, userId, seq) {
      return writer.write((emit) => {
        const last = scope.kind === "channel"
          ? db.select({ s: channels.lastSeq }).from(channels).where(eq(channels.id, scope.id)).get()?.s
          : db.select({ s: directConversations.lastSeq }).from(directConversations).where(eq(directConversations.id, scope.id)).get()?.s;
        if (last === undefined) throw notFound(scope.kind === "channel" ? "channel" : "direct conversation");
        const previous = lastReadSeq(db, scope.id, userId);
        const target = nextReadPointer(previous, seq, last);
        const at = now();
        if (target === null) {
          const existing = db.select().from(readStates).where(and(eq(readStates.scopeId, scope.id), eq(readStates.userId, userId))).get();
          return { receipt: { scope_id: scope.id, user_id: userId, last_read_seq: previous, last_read_at: existing?.lastReadAt ?? at }, event: null };
        }
        db.insert(readStates).values({ scopeId: scope.id, userId, lastReadSeq: target, lastReadAt: at })
          .onConflictDoUpdate({ target: [readStates.scopeId, readStates.userId], set: { lastReadSeq: target, lastReadAt: at } }).run();
        readRootMentions(db, userId, scope.id, target, at);
        const event = appendEvent(db, emit, readMoved(scope, userId, target, at, mentionCount(db, userId, scope.id)));
        return { receipt: { scope_id: scope.id, user_id: userId, last_read_seq: target, last_read_at: at }, event };
      });
    },
  };
}
