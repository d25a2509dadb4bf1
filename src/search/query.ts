// The search query language, and its translation into safe SQLite FTS5 MATCH expressions.
//
// Any string is a valid query but one: a before:/after: date past the year 9999 (400 invalid_date,
// since stored times cannot be compared with it). Words are ANDed;
// "double quotes" make an exact phrase; filters are from:@handle, in:#channel, in:thread,
// before:YYYY-MM-DD, after:YYYY-MM-DD and has:file. Every term reaches FTS5 as a quoted string
// (so FTS operators, column filters, `*`, `^` and parentheses are only ever text), bare AND, OR,
// NOT and NEAR are dropped, and punctuation around a word is trimmed.
//
// Which index answers a term:
// - shorter than 3 characters: the word index, as a prefix ("go" finds "golang");
// - 3 characters or more: the trigram index, as a substring ("ploy" finds "deployment");
// - a quoted phrase: the word index, token by token ("exact phrase" matches "exact, phrase");
// - text in a script written without spaces (Japanese, Chinese, Korean, Thai): the trigram
//   index, and below 3 characters (東京) a substring scan, since no trigram is that short.

import { invalid } from "../chat/errors.ts";
import { dayInRange } from "../chat/time.ts";

export type TermIndex = "word" | "trigram" | "scan";

export interface QueryTerm {
  text: string;
  phrase: boolean;
  index: TermIndex;
}

/** How the snippet finds a term again in a message body. */
export interface HighlightTerm {
  text: string;
  /** Only where a word starts (prefix terms); otherwise anywhere (substrings). */
  wordStart: boolean;
  phrase: boolean;
}

export interface ParsedQuery {
  terms: QueryTerm[];
  /** Handles, lowercase, without "@". */
  from: string[];
  /** Channel names, without "#". */
  in: string[];
  /** Messages created before this UTC day (YYYY-MM-DD). */
  before: string | null;
  /** Messages created after this UTC day (YYYY-MM-DD). */
  after: string | null;
  hasFile: boolean;
  inThread: boolean;
  /** FTS5 expression for the word index, or null. */
  wordMatch: string | null;
  /** FTS5 expression for the trigram index, or null. */
  trigramMatch: string | null;
  /** Substrings no index can answer (short CJK): checked against the body. */
  scan: string[];
  highlights: HighlightTerm[];
  /** Nothing to look for: no term and no filter. */
  empty: boolean;
}

export const QUERY_LIMITS = { chars: 1000, terms: 12, termChars: 64, filters: 8 } as const;

const OPERATORS = new Set(["AND", "OR", "NOT", "NEAR"]);
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const EDGE = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}\p{M}]+$/gu;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HANDLE = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const CHANNEL = /^[a-z0-9][a-z0-9_-]{0,79}$/;

const chars = (s: string) => [...s].length;
const clip = (s: string, n: number) => (chars(s) > n ? [...s].slice(0, n).join("") : s);
const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;

function validDate(value: string): string | null {
  const m = DATE.exec(value);
  if (!m) return null;
  const d = new Date(`${value}T00:00:00Z`);
  // Date rolls 2024-02-31 over to March; a real date survives the round trip.
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value ? value : null;
}

/**
 * Splits into words and "quoted phrases"; an unclosed quote runs to the end. Parentheses
 * separate words too, so NEAR(a b) reads as NEAR, a, b.
 */
function tokenize(raw: string): { text: string; quoted: boolean }[] {
  const input = raw.replace(/[()]/g, " ");
  const out: { text: string; quoted: boolean }[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      const close = input.indexOf('"', i + 1);
      const end = close === -1 ? input.length : close;
      out.push({ text: input.slice(i + 1, end), quoted: true });
      i = end + 1;
    } else {
      let j = i;
      while (j < input.length && !/\s/.test(input[j]!) && input[j] !== '"') j++;
      out.push({ text: input.slice(i, j), quoted: false });
      i = j;
    }
  }
  return out;
}

type Filters = Pick<ParsedQuery, "from" | "in" | "before" | "after" | "hasFile" | "inThread">;

/** Applies `key:value` if it is a filter we know with a valid value; false leaves it as text. */
function applyFilter(token: string, f: Filters): boolean {
  const colon = token.indexOf(":");
  if (colon <= 0) return false;
  const key = token.slice(0, colon).toLowerCase();
  const value = token.slice(colon + 1);
  const lower = value.toLowerCase();
  switch (key) {
    case "from": {
      const handle = lower.replace(/^@/, "");
      if (!HANDLE.test(handle)) return false;
      f.from.push(handle);
      return true;
    }
    case "in": {
      if (lower === "thread" || lower === "threads") return (f.inThread = true);
      const name = lower.replace(/^#/, "");
      if (!CHANNEL.test(name)) return false;
      f.in.push(name);
      return true;
    }
    case "before":
    case "after": {
      // A year past 9999 is a date nothing can be compared with: refused, not read as text.
      if (/^\d{5,}-\d{2}-\d{2}$/.test(value)) throw invalid(`${key}: dates run to 9999-12-30`, "invalid_date");
      const day = validDate(value);
      if (!day) return false;
      if (!dayInRange(day)) throw invalid(`${key}: dates run to 9999-12-30`, "invalid_date");
      f[key] = day;
      return true;
    }
    case "has":
      if (lower === "file" || lower === "files" || lower === "attachment" || lower === "attachments") return (f.hasFile = true);
      return false;
    default:
      return false;
  }
}

function routeTerm(text: string, phrase: boolean): QueryTerm {
  const unspaced = UNSPACED.test(text);
  if (unspaced) return { text, phrase, index: chars(text) >= 3 ? "trigram" : "scan" };
  if (phrase) return { text, phrase, index: "word" };
  return { text, phrase, index: chars(text) >= 3 ? "trigram" : "word" };
}

export function parseQuery(raw: string): ParsedQuery {
  // Control characters (NUL included) are never part of a search.
  const input = clip(raw, QUERY_LIMITS.chars).replace(/\p{Cc}/gu, " ").normalize("NFC");
  const f: Filters = { from: [], in: [], before: null, after: null, hasFile: false, inThread: false };
  const terms: QueryTerm[] = [];
  let filters = 0;
  for (const token of tokenize(input)) {
    if (!token.quoted && filters < QUERY_LIMITS.filters && applyFilter(token.text, f)) {
      filters++;
      continue;
    }
    if (terms.length >= QUERY_LIMITS.terms) continue;
    if (token.quoted) {
      const words = token.text.split(/\s+/).map((w) => w.replace(EDGE, "")).filter((w) => w !== "");
      if (words.length === 0) continue;
      const text = clip(words.join(" "), QUERY_LIMITS.termChars * 2);
      // A quoted single word is an exact word, not a prefix or substring.
      terms.push(words.length === 1 && !UNSPACED.test(text) ? { text, phrase: true, index: "word" } : routeTerm(text, true));
      continue;
    }
    const text = clip(token.text.replace(EDGE, ""), QUERY_LIMITS.termChars);
    if (text === "" || OPERATORS.has(text)) continue;
    terms.push(routeTerm(text, false));
  }
  const seen = new Set<string>();
  const unique = terms.filter((t) => {
    const key = `${t.index}:${t.phrase}:${t.text.toLowerCase()}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  const word = unique.filter((t) => t.index === "word").map((t) => (t.phrase ? quote(t.text) : `${quote(t.text)}*`));
  const trigram = unique.filter((t) => t.index === "trigram").map((t) => quote(t.text));
  const hasFilter = f.from.length > 0 || f.in.length > 0 || f.before !== null || f.after !== null || f.hasFile || f.inThread;
  return {
    ...f,
    terms: unique,
    wordMatch: word.length ? word.join(" AND ") : null,
    trigramMatch: trigram.length ? trigram.join(" AND ") : null,
    scan: unique.filter((t) => t.index === "scan").map((t) => t.text),
    highlights: unique.map((t) => ({ text: t.text, wordStart: t.index === "word", phrase: t.phrase && t.index === "word" })),
    empty: unique.length === 0 && !hasFilter,
  };
}
