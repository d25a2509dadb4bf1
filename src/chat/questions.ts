// Questions (ask-user cards): a bot attaches a small form to one of its messages; a person answers
// it once; the bot hears `question.submitted` and then resolves it. The rules live here, as plain
// functions, so both stores decide the same thing inside their write transactions.
import { AppError, conflict, forbidden, invalid } from "./errors.ts";

export type QuestionStatus = "open" | "submitted" | "answered" | "cancelled" | "expired" | "failed";
/** What the asking bot may set a question to. */
export type QuestionResolutionStatus = "answered" | "cancelled" | "failed";

export interface QuestionOption {
  label: string;
  description?: string;
}

export interface QuestionItem {
  id: string;
  header: string;
  prompt: string;
  options?: QuestionOption[];
  multi_select?: boolean;
  allow_other?: boolean;
  other_placeholder?: string;
  url?: string;
}

/** Item id → the chosen labels (and any typed "other" text). */
export type QuestionAnswers = Record<string, string[]>;

export interface QuestionResponse {
  answers: QuestionAnswers;
  /** The person who answered; absent when the bot recorded an answer given elsewhere. */
  answered_by?: string;
  answered_at: string;
  /** "web": answered here; "external": the bot recorded an answer given elsewhere. */
  source: "web" | "external";
  /** The answerer's nonce: a retry with it gets the same result. */
  nonce?: string;
}

/** The question as stored with its message and sent on the wire (`message.question`). */
export interface MessageQuestion {
  message_id: string;
  status: QuestionStatus;
  version: number;
  title?: string;
  external_id?: string;
  items: QuestionItem[];
  responder_user_ids?: string[];
  expires_at: string;
  created_at: string;
  updated_at: string;
  response?: QuestionResponse;
  resolution_note?: string;
  resolved_at?: string;
}

/** What a bot posts under `question`, before it is checked. */
export interface QuestionInput {
  items: QuestionItem[];
  expires_at?: string;
  title?: string;
  external_id?: string;
  responder_user_ids?: string[];
}

export const QUESTION_LIMITS = {
  items: 5,
  options: 10,
  idPattern: /^[a-z][a-z0-9_]{0,63}$/,
  headerMax: 24,
  promptMax: 1000,
  labelMax: 80,
  descriptionMax: 200,
  placeholderMax: 60,
  urlMax: 2048,
  externalIdMax: 128,
  titleMax: 300,
  responders: 50,
  noteMax: 200,
  /** A typed answer ("other", or an item without options). */
  answerTextMax: 2000,
  minLifetimeMs: 10_000,
  maxLifetimeMs: 7 * 24 * 3600_000,
  defaultLifetimeMs: 24 * 3600_000,
} as const;

const chars = (s: string) => [...s].length;

function text(value: unknown, field: string, min: number, max: number): string {
  if (typeof value !== "string") throw invalid(`${field} must be a string`, "invalid_question");
  const s = value.trim();
  if (chars(s) < min || chars(s) > max) throw invalid(min > 0 ? `${field} must be ${min}–${max} characters` : `${field} must be at most ${max} characters`, "invalid_question");
  return s;
}

function optionalText(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  return text(value, field, 0, max) || undefined;
}

function item(raw: QuestionItem, index: number): QuestionItem {
  const at = `question.items[${index}]`;
  if (typeof raw.id !== "string" || !QUESTION_LIMITS.idPattern.test(raw.id)) {
    throw invalid(`${at}.id must match ${QUESTION_LIMITS.idPattern.source}`, "invalid_question");
  }
  const out: QuestionItem = {
    id: raw.id,
    header: text(raw.header, `${at}.header`, 1, QUESTION_LIMITS.headerMax),
    prompt: text(raw.prompt, `${at}.prompt`, 1, QUESTION_LIMITS.promptMax),
  };
  const options = raw.options ?? [];
  if (options.length > QUESTION_LIMITS.options) throw invalid(`${at} has more than ${QUESTION_LIMITS.options} options`, "invalid_question");
  const labels = new Set<string>();
  const cleaned = options.map((o, i) => {
    const label = text(o?.label, `${at}.options[${i}].label`, 1, QUESTION_LIMITS.labelMax);
    if (labels.has(label)) throw invalid(`${at} repeats the option "${label}"`, "invalid_question");
    labels.add(label);
    const description = optionalText(o?.description, `${at}.options[${i}].description`, QUESTION_LIMITS.descriptionMax);
    return description ? { label, description } : { label };
  });
  if (cleaned.length > 0) out.options = cleaned;
  if (raw.multi_select) {
    if (cleaned.length < 2) throw invalid(`${at}: multi_select needs at least 2 options`, "invalid_question");
    out.multi_select = true;
  }
  if (raw.allow_other) out.allow_other = true;
  const placeholder = optionalText(raw.other_placeholder, `${at}.other_placeholder`, QUESTION_LIMITS.placeholderMax);
  if (placeholder) out.other_placeholder = placeholder;
  const url = optionalText(raw.url, `${at}.url`, QUESTION_LIMITS.urlMax);
  if (url) {
    if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) throw invalid(`${at}.url must be an http(s) URL`, "invalid_question");
    out.url = url;
  }
  return out;
}

/**
 * Checks what a bot attached and returns the question as it will be stored (status open,
 * version 1). `messageId` is the id the message is about to get.
 */
export function newQuestion(raw: QuestionInput, messageId: string, at: string): MessageQuestion {
  if (!raw || typeof raw !== "object" || !Array.isArray(raw.items)) throw invalid("question.items is required", "invalid_question");
  if (raw.items.length < 1 || raw.items.length > QUESTION_LIMITS.items) throw invalid(`a question has 1–${QUESTION_LIMITS.items} items`, "invalid_question");
  const items = raw.items.map(item);
  if (new Set(items.map((i) => i.id)).size !== items.length) throw invalid("question item ids must be unique", "invalid_question");
  const nowMs = Date.parse(at);
  let expires = nowMs + QUESTION_LIMITS.defaultLifetimeMs;
  if (raw.expires_at !== undefined && raw.expires_at !== null) {
    expires = typeof raw.expires_at === "string" ? Date.parse(raw.expires_at) : Number.NaN;
    if (!Number.isFinite(expires)) throw invalid("question.expires_at must be an RFC 3339 time", "invalid_question_expiry");
    const lifetime = expires - nowMs;
    if (lifetime < QUESTION_LIMITS.minLifetimeMs || lifetime > QUESTION_LIMITS.maxLifetimeMs) {
      throw invalid("question.expires_at must be between 10 seconds and 7 days from now", "invalid_question_expiry");
    }
  }
  const responders = raw.responder_user_ids ?? [];
  if (!Array.isArray(responders) || responders.length > QUESTION_LIMITS.responders || responders.some((r) => typeof r !== "string" || r.length === 0 || r.length > 64)) {
    throw invalid(`question.responder_user_ids holds at most ${QUESTION_LIMITS.responders} user ids`, "invalid_question");
  }
  const q: MessageQuestion = {
    message_id: messageId,
    status: "open",
    version: 1,
    items,
    expires_at: new Date(expires).toISOString(),
    created_at: at,
    updated_at: at,
  };
  const title = optionalText(raw.title, "question.title", QUESTION_LIMITS.titleMax);
  if (title) q.title = title;
  const externalId = optionalText(raw.external_id, "question.external_id", QUESTION_LIMITS.externalIdMax);
  if (externalId) q.external_id = externalId;
  if (responders.length > 0) q.responder_user_ids = [...new Set(responders)];
  return q;
}

/** Responders must be people of the workspace; `found` are the listed ids that are. */
export function assertResponders(q: MessageQuestion, found: readonly string[]): void {
  const known = new Set(found);
  const unknown = (q.responder_user_ids ?? []).filter((id) => !known.has(id));
  if (unknown.length > 0) throw invalid(`not people of this workspace: ${unknown.join(", ")}`, "invalid_responders");
}

/** The status as of `at`: an open question past its expiry reads as expired, without a write. */
export function shownQuestion(q: MessageQuestion, at = Date.now()): MessageQuestion {
  return q.status === "open" && Date.parse(q.expires_at) <= at ? { ...q, status: "expired" } : q;
}

export function parseStoredQuestion(json: string | null): MessageQuestion | null {
  return json ? shownQuestion(JSON.parse(json) as MessageQuestion) : null;
}

/** Whether this person may answer (no responder list: anyone who can read the message). */
export function mayAnswer(q: Pick<MessageQuestion, "responder_user_ids">, userId: string): boolean {
  const list = q.responder_user_ids ?? [];
  return list.length === 0 || list.includes(userId);
}

const sameAnswers = (a: QuestionAnswers, b: QuestionAnswers) => JSON.stringify(sortedAnswers(a)) === JSON.stringify(sortedAnswers(b));
const sortedAnswers = (a: QuestionAnswers) => Object.keys(a).sort().map((k) => [k, a[k]]);

/** Every item answered, with labels it offers or typed text where it takes text. */
export function checkedAnswers(q: MessageQuestion, raw: unknown): QuestionAnswers {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw invalid("answers must map item ids to lists of answers", "invalid_answer");
  const given = raw as Record<string, unknown>;
  const ids = new Set(q.items.map((i) => i.id));
  for (const key of Object.keys(given)) if (!ids.has(key)) throw invalid(`no item "${key}" in this question`, "invalid_answer");
  const out: QuestionAnswers = {};
  for (const it of q.items) {
    const values = given[it.id];
    if (!Array.isArray(values) || values.length === 0) throw invalid(`item "${it.id}" needs an answer`, "invalid_answer");
    const cleaned = values.map((v) => (typeof v === "string" ? v.trim() : ""));
    if (cleaned.some((v) => v === "" || chars(v) > QUESTION_LIMITS.answerTextMax)) throw invalid(`answers to "${it.id}" must be 1–${QUESTION_LIMITS.answerTextMax} characters`, "invalid_answer");
    if (new Set(cleaned).size !== cleaned.length) throw invalid(`item "${it.id}" repeats an answer`, "invalid_answer");
    const labels = new Set((it.options ?? []).map((o) => o.label));
    const typed = cleaned.filter((v) => !labels.has(v));
    const takesText = labels.size === 0 || it.allow_other === true;
    if (typed.length > 0 && !takesText) throw invalid(`"${typed[0]}" is not an option of "${it.id}"`, "invalid_answer");
    if (typed.length > 1) throw invalid(`item "${it.id}" takes one typed answer`, "invalid_answer");
    if (!it.multi_select && cleaned.length > 1) throw invalid(`item "${it.id}" takes one answer`, "invalid_answer");
    out[it.id] = cleaned;
  }
  return out;
}

export interface AnswerInput {
  userId: string;
  answers: unknown;
  expectedVersion?: number;
  nonce?: string | null;
}

/**
 * The first valid answer wins. Returns the question after the answer, or `replayed` when this is
 * the same person retrying with the same nonce and answers (nothing is written again).
 */
export function answerQuestion(stored: MessageQuestion, input: AnswerInput, at: string): { question: MessageQuestion; replayed: boolean } {
  const q = shownQuestion(stored, Date.parse(at));
  const previous = q.response;
  if (input.nonce && previous?.nonce === input.nonce && previous.answered_by === input.userId) {
    if (!sameAnswers(previous.answers, checkedAnswers(q, input.answers))) throw conflict("this nonce was used with other answers", "nonce_conflict");
    return { question: q, replayed: true };
  }
  if (!mayAnswer(q, input.userId)) throw forbidden("you are not asked to answer this question", "not_a_responder");
  if (q.status === "expired") throw new AppError(409, "question_expired", "the question has expired", { question_status: q.status, version: q.version });
  if (q.status !== "open") throw new AppError(409, "question_closed", "the question was already answered or closed", { question_status: q.status, version: q.version });
  if (input.expectedVersion !== undefined && input.expectedVersion !== q.version) {
    throw new AppError(409, "version_conflict", `the question is at version ${q.version}`, { version: q.version });
  }
  const answers = checkedAnswers(q, input.answers);
  const response: QuestionResponse = { answers, answered_by: input.userId, answered_at: at, source: "web" };
  if (input.nonce) response.nonce = input.nonce;
  return { question: { ...q, status: "submitted", version: q.version + 1, updated_at: at, response }, replayed: false };
}

export interface ResolutionInput {
  botId: string;
  status: QuestionResolutionStatus;
  note?: string | null;
  /** An answer given elsewhere (e.g. in a terminal), recorded when resolving an open question. */
  answers?: unknown;
  expectedVersion?: number;
}

/**
 * The asking bot closes its question: answered (after a submission, or with an answer given
 * elsewhere), cancelled or failed. Resolving again with the same status is a no-op (`unchanged`).
 */
export function resolveQuestion(stored: MessageQuestion, authorId: string, input: ResolutionInput, at: string): { question: MessageQuestion; unchanged: boolean } {
  if (authorId !== input.botId) throw forbidden("only the bot that asked may resolve its question", "not_the_asker");
  const q = shownQuestion(stored, Date.parse(at));
  const note = input.note?.trim() || undefined;
  if (note && chars(note) > QUESTION_LIMITS.noteMax) throw invalid(`note must be at most ${QUESTION_LIMITS.noteMax} characters`, "invalid_note");
  if (q.status === input.status) return { question: q, unchanged: true };
  if (input.expectedVersion !== undefined && input.expectedVersion !== q.version) {
    throw new AppError(409, "version_conflict", `the question is at version ${q.version}`, { version: q.version });
  }
  if (q.status !== "open" && q.status !== "submitted") {
    throw new AppError(409, q.status === "expired" ? "question_expired" : "question_closed", `the question is already ${q.status}`, { question_status: q.status, version: q.version });
  }
  const next: MessageQuestion = { ...q, status: input.status, version: q.version + 1, updated_at: at, resolved_at: at };
  if (note) next.resolution_note = note;
  if (input.answers !== undefined && input.answers !== null) {
    if (q.status !== "open" || input.status !== "answered") throw invalid("answers go with resolving an open question as answered", "invalid_answer");
    next.response = { answers: checkedAnswers(q, input.answers), answered_at: at, source: "external" };
  } else if (input.status === "answered" && q.status === "open") {
    throw invalid("an open question is resolved as answered with the answers given elsewhere", "invalid_answer");
  }
  return { question: next, unchanged: false };
}

/** Filters of `GET /api/bots/self/questions`: `pending` is every question the bot still owes work on. */
export function questionMatches(q: MessageQuestion, filter: { status?: string; updatedAfter?: string }): boolean {
  if (filter.updatedAfter && !(q.updated_at > filter.updatedAfter)) return false;
  if (!filter.status) return true;
  if (filter.status === "pending") return q.status === "open" || q.status === "submitted";
  return q.status === filter.status;
}

export const QUESTION_STATUSES: readonly QuestionStatus[] = ["open", "submitted", "answered", "cancelled", "expired", "failed"];
