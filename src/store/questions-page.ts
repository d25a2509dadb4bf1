// GET /api/bots/self/questions over either store: questions are few per bot, and their shown
// status depends on the clock (an open question past its expiry reads as expired), so rows are
// read in id order in batches and filtered here rather than in dialect-specific JSON SQL.
import { parseStoredQuestion, questionMatches } from "../chat/questions.ts";
import type { BotQuestion } from "./store.ts";

export interface QuestionRow {
  id: string;
  workspaceId: string;
  channelId: string | null;
  dmId: string | null;
  question: string | null;
}

const BATCH = 200;

export async function pageBotQuestions(
  batchAfter: (afterId: string, limit: number) => Promise<QuestionRow[]> | QuestionRow[],
  q: { status?: string; updatedAfter?: string; cursor?: string; limit: number },
): Promise<{ questions: BotQuestion[]; next_cursor: string | null }> {
  const out: BotQuestion[] = [];
  let after = q.cursor ?? "";
  for (;;) {
    const rows = await batchAfter(after, BATCH);
    for (const r of rows) {
      const question = parseStoredQuestion(r.question);
      if (!question || !questionMatches(question, q)) continue;
      out.push({ ...question, workspace_id: r.workspaceId, channel_id: r.channelId, direct_conversation_id: r.dmId });
      if (out.length > q.limit) break;
    }
    if (out.length > q.limit || rows.length < BATCH) break;
    after = rows[rows.length - 1]!.id;
  }
  const more = out.length > q.limit;
  const questions = out.slice(0, q.limit);
  return { questions, next_cursor: more ? questions[questions.length - 1]!.message_id : null };
}
