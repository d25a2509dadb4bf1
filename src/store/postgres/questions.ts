// Answering and resolving bots' questions on Postgres. Several processes may take answers to the
// same question at once: each mutation first locks the workspace's event row (which every
// event-writing transaction takes), then reads the question afresh under READ COMMITTED. The
// second of two concurrent answers therefore reads the first one's committed state and gets 409.
import { and, asc, eq, gt, isNotNull, isNull } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import { messageUpdated, questionSubmitted } from "../../chat/events.ts";
import { answerQuestion, type MessageQuestion, resolveQuestion } from "../../chat/questions.ts";
import type { ChatEvent } from "../../chat/types.ts";
import { pageBotQuestions } from "../questions-page.ts";
import type { QuestionMethods } from "../store.ts";
import type { Db, EventSink, PgGroupCommitWriter } from "./database.ts";
import { appendEvent } from "./events.ts";
import { hydrate } from "./hydrate.ts";
import { audienceOf, scopeOfRow } from "./messages.ts";
import { messages } from "./schema.ts";
import { first } from "./users.ts";

async function lockedQuestion(tx: Db, emit: EventSink, id: string) {
  const unlocked = await first(tx.select({ workspaceId: messages.workspaceId }).from(messages).where(eq(messages.id, id)));
  if (!unlocked) throw notFound("question");
  await emit.lock(tx, unlocked.workspaceId);
  const r = await first(tx.select().from(messages).where(eq(messages.id, id)).for("update"));
  if (!r || r.deletedAt || !r.question) throw notFound("question");
  return { row: r, stored: JSON.parse(r.question) as MessageQuestion };
}

export function pgQuestions(db: Db, writer: PgGroupCommitWriter): QuestionMethods {
  const save = (tx: Db, id: string, q: MessageQuestion) => tx.update(messages).set({ question: JSON.stringify(q) }).where(eq(messages.id, id));

  return {
    answerQuestion(messageId, input) {
      return writer.write(async (tx, emit) => {
        const { row, stored } = await lockedQuestion(tx, emit, messageId);
        const { question, replayed } = answerQuestion(stored, input, new Date().toISOString());
        if (replayed) return { message: (await hydrate(tx, [row], input.userId))[0]!, events: [] as ChatEvent[], replayed };
        await save(tx, messageId, question);
        const audience = await audienceOf(scopeOfRow(row), tx);
        const events = [
          await appendEvent(tx, emit, questionSubmitted(row, audience, question)),
          await appendEvent(tx, emit, messageUpdated(row, audience, { question })),
        ];
        return { message: (await hydrate(tx, [{ ...row, question: JSON.stringify(question) }], input.userId))[0]!, events, replayed };
      });
    },
    resolveQuestion(messageId, input) {
      return writer.write(async (tx, emit) => {
        const { row, stored } = await lockedQuestion(tx, emit, messageId);
        const { question, unchanged } = resolveQuestion(stored, row.authorId, input, new Date().toISOString());
        if (unchanged) return { message: (await hydrate(tx, [row], input.botId))[0]!, event: null };
        await save(tx, messageId, question);
        const event = await appendEvent(tx, emit, messageUpdated(row, await audienceOf(scopeOfRow(row), tx), { question }));
        return { message: (await hydrate(tx, [{ ...row, question: JSON.stringify(question) }], input.botId))[0]!, event };
      });
    },
    botQuestions(botId, workspaceId, q) {
      return pageBotQuestions((after, limit) =>
        db.select({ id: messages.id, workspaceId: messages.workspaceId, channelId: messages.channelId, dmId: messages.dmId, question: messages.question })
          .from(messages)
          .where(and(eq(messages.authorId, botId), eq(messages.workspaceId, workspaceId), isNotNull(messages.question), isNull(messages.deletedAt), gt(messages.id, after)))
          .orderBy(asc(messages.id)).limit(limit), q);
    },
  };
}
