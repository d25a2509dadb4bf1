// Answering and resolving bots' questions on SQLite. The group-commit writer runs one mutation
// at a time, so reading the question and writing its next state in one mutation is atomic: of
// two concurrent answers the second sees the first and gets 409.
import { and, asc, eq, gt, isNotNull, isNull } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import { messageUpdated, questionSubmitted } from "../../chat/events.ts";
import { answerQuestion, type MessageQuestion, resolveQuestion } from "../../chat/questions.ts";
import type { ChatEvent } from "../../chat/types.ts";
import { pageBotQuestions } from "../questions-page.ts";
import type { QuestionMethods } from "../store.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { appendEvent } from "./events.ts";
import { hydrate } from "./hydrate.ts";
import { audienceOf, scopeOfRow } from "./messages.ts";
import { messages } from "./schema.ts";

export function sqliteQuestions(db: Db, writer: GroupCommitWriter): QuestionMethods {
  const withQuestion = (id: string) => {
    const r = db.select().from(messages).where(eq(messages.id, id)).get();
    if (!r || r.deletedAt || !r.question) throw notFound("question");
    return { row: r, stored: JSON.parse(r.question) as MessageQuestion };
  };
  const save = (id: string, q: MessageQuestion) => db.update(messages).set({ question: JSON.stringify(q) }).where(eq(messages.id, id)).run();

  return {
    answerQuestion(messageId, input) {
      return writer.write((emit) => {
        const { row, stored } = withQuestion(messageId);
        const { question, replayed } = answerQuestion(stored, input, new Date().toISOString());
        if (replayed) return { message: hydrate(db, [row], input.userId)[0]!, events: [] as ChatEvent[], replayed };
        save(messageId, question);
        const audience = audienceOf(scopeOfRow(row), db);
        const events = [
          appendEvent(db, emit, questionSubmitted(row, audience, question)),
          appendEvent(db, emit, messageUpdated(row, audience, { question })),
        ];
        return { message: hydrate(db, [{ ...row, question: JSON.stringify(question) }], input.userId)[0]!, events, replayed };
      });
    },
    resolveQuestion(messageId, input) {
      return writer.write((emit) => {
        const { row, stored } = withQuestion(messageId);
        const { question, unchanged } = resolveQuestion(stored, row.authorId, input, new Date().toISOString());
        if (unchanged) return { message: hydrate(db, [row], input.botId)[0]!, event: null };
        save(messageId, question);
        const event = appendEvent(db, emit, messageUpdated(row, audienceOf(scopeOfRow(row), db), { question }));
        return { message: hydrate(db, [{ ...row, question: JSON.stringify(question) }], input.botId)[0]!, event };
      });
    },
    botQuestions(botId, workspaceId, q) {
      return pageBotQuestions((after, limit) =>
        db.select({ id: messages.id, workspaceId: messages.workspaceId, channelId: messages.channelId, dmId: messages.dmId, question: messages.question })
          .from(messages)
          .where(and(eq(messages.authorId, botId), eq(messages.workspaceId, workspaceId), isNotNull(messages.question), isNull(messages.deletedAt), gt(messages.id, after)))
          .orderBy(asc(messages.id)).limit(limit).all(), q);
    },
  };
}
