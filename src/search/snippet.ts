// A search result's snippet: the part of the message around its first match, on one line, with
// the matched ranges as offsets into the snippet. Offsets count UTF-16 code units, the unit of
// JavaScript's String.prototype.slice, so `snippet.slice(start, end)` is the matched text.
//
// Matching mirrors the indexes: case and diacritics are folded ("cafe" highlights "Café"),
// prefix terms match where a word starts, substrings anywhere, phrases word by word.
import type { HighlightTerm } from "./query.ts";

export interface Range {
  start: number;
  end: number;
}

export const SNIPPET_CHARS = 200;
const LEAD = 48;
const ELLIPSIS = "…";

/** Case- and diacritic-folded text, with the original offset of every folded code unit. */
function fold(text: string): { folded: string; origin: number[] } {
  let folded = "";
  const origin: number[] = [];
  let i = 0;
  for (const ch of text) {
    // A lone combining mark folds to nothing, as the indexes' remove_diacritics does.
    const f = ch.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
    for (let k = 0; k < f.length; k++) origin.push(i);
    folded += f;
    i += ch.length;
  }
  origin.push(text.length);
  return { folded, origin };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function pattern(terms: HighlightTerm[]): RegExp | null {
  const parts = terms
    .map((t) => {
      const words = fold(t.text).folded.split(/\s+/).filter(Boolean).map(escape);
      if (words.length === 0) return null;
      if (t.phrase) return `(?<![\\p{L}\\p{N}])${words.join("[^\\p{L}\\p{N}]+")}(?![\\p{L}\\p{N}])`;
      const body = words.join("\\s+");
      return t.wordStart ? `(?<![\\p{L}\\p{N}])${body}` : body;
    })
    .filter((p): p is string => p !== null)
    // Longest first, so "deployment" wins over "deploy" where both match.
    .sort((a, b) => b.length - a.length);
  return parts.length ? new RegExp(parts.join("|"), "gu") : null;
}

/** Every match of the terms in `text`, merged where they overlap. */
export function findMatches(text: string, terms: HighlightTerm[]): Range[] {
  const re = pattern(terms);
  if (!re) return [];
  const { folded, origin } = fold(text);
  const ranges: Range[] = [];
  for (const m of folded.matchAll(re)) {
    if (m[0].length === 0) continue;
    const start = origin[m.index]!;
    const end = origin[m.index + m[0].length]!;
    const last = ranges[ranges.length - 1];
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else ranges.push({ start, end });
  }
  return ranges;
}

/** Moves an offset off the second half of a surrogate pair. */
function safe(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff ? i - 1 : i;
}

export function snippet(body: string, terms: HighlightTerm[], max = SNIPPET_CHARS): { snippet: string; highlights: Range[] } {
  const text = body.replace(/\s+/g, " ").trim();
  const matches = findMatches(text, terms);
  if (text.length <= max) return { snippet: text, highlights: matches };
  const first = matches[0]?.start ?? 0;
  let start = Math.max(0, first - LEAD);
  // Start at a word if one begins shortly before the cut.
  if (start > 0) {
    const space = text.lastIndexOf(" ", start);
    if (space >= 0 && start - space < 16) start = space + 1;
  }
  start = safe(text, start);
  let end = Math.min(text.length, start + max);
  if (end < text.length) {
    const space = text.lastIndexOf(" ", end);
    if (space > Math.max(start, first) + 16 && end - space < 24) end = space;
    end = safe(text, end);
  }
  const prefix = start > 0 ? ELLIPSIS : "";
  const middle = text.slice(start, end).trimEnd();
  const shift = prefix.length - start;
  const limit = prefix.length + middle.length;
  const highlights = matches
    .filter((r) => r.end > start && r.start < end)
    .map((r) => ({ start: Math.max(r.start, start) + shift, end: Math.min(r.end + shift, limit) }))
    .filter((r) => r.end > r.start);
  return { snippet: prefix + middle + (end < text.length ? ELLIPSIS : ""), highlights };
}
