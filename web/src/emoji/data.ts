// The full emoji set (Emojibase: Unicode's list with CLDR names, tags and GitHub shortcodes),
// loaded on first use as its own chunk so the first page load does not carry ~100 KB of data.
import { signal } from "@preact/signals";

export interface Emoji {
  /** What is sent and shown: emoji presentation, the variation selector only where needed. */
  char: string;
  label: string;
  shortcodes: string[];
  /** Lower-case words to search: label words, tags and shortcodes. */
  words: string[];
  group: number;
}

export interface EmojiSet {
  list: Emoji[];
  groups: { id: number; name: string }[];
  byShortcode: Map<string, Emoji>;
}

export const emojiSet = signal<EmojiSet | null>(null);
let loading: Promise<EmojiSet> | null = null;

const SKIN_TONES = 2; // Emojibase's "component" group: skin tones and hair, not emoji to pick

/** From the code points, so 👍 (already emoji-presentation) and ❤️ (needs U+FE0F) come out as people type them. */
function charOf(hexcode: string): string {
  const points = hexcode.split("-").map((h) => Number.parseInt(h, 16));
  const s = String.fromCodePoint(...points);
  return points.length === 1 && !/\p{Emoji_Presentation}/u.test(s) ? `${s}\uFE0F` : s;
}

export function loadEmoji(): Promise<EmojiSet> {
  loading ??= Promise.all([
    import("emojibase-data/en/compact.json"),
    import("emojibase-data/en/shortcodes/github.json"),
    import("emojibase-data/en/messages.json"),
  ]).then(([compact, github, messages]) => {
    const codes = (github.default ?? github) as Record<string, string | string[]>;
    const list: Emoji[] = [];
    const byShortcode = new Map<string, Emoji>();
    for (const e of (compact.default ?? compact) as { hexcode: string; label: string; group?: number; order?: number; tags?: string[] }[]) {
      if (e.group === undefined || e.group === SKIN_TONES) continue;
      const raw = codes[e.hexcode];
      const shortcodes = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      const emoji: Emoji = {
        char: charOf(e.hexcode),
        label: e.label,
        shortcodes,
        words: [...e.label.toLowerCase().split(/[\s:,]+/), ...(e.tags ?? []), ...shortcodes].filter(Boolean),
        group: e.group,
      };
      list.push(emoji);
      for (const code of shortcodes) byShortcode.set(code, emoji);
    }
    const groups = ((messages.default ?? messages) as { groups: { message: string; order: number }[] }).groups
      .filter((g) => g.order !== SKIN_TONES)
      .map((g) => ({ id: g.order, name: g.message }));
    const set = { list, groups, byShortcode };
    emojiSet.value = set;
    return set;
  });
  return loading;
}

/** Best matches first: a shortcode or word that starts with the query, then one that contains it. */
export function searchEmoji(set: EmojiSet, query: string, limit = 64): Emoji[] {
  const q = query.toLowerCase().replace(/^:|:$/g, "").trim();
  if (!q) return [];
  const exact: Emoji[] = [];
  const starts: Emoji[] = [];
  const contains: Emoji[] = [];
  for (const e of set.list) {
    if (e.shortcodes.includes(q)) exact.push(e);
    else if (e.words.some((w) => w.startsWith(q))) starts.push(e);
    else if (q.length > 2 && (e.label.toLowerCase().includes(q) || e.shortcodes.some((c) => c.includes(q)))) contains.push(e);
  }
  return [...exact, ...starts, ...contains].slice(0, limit);
}

/** `:shortcode` being typed before the caret (two characters at least, as Slack does). */
export function shortcodeAt(text: string, caret: number): { query: string; start: number } | null {
  const m = /(^|\s):([a-z0-9_+-]{2,40})$/i.exec(text.slice(0, caret));
  return m ? { query: m[2]!.toLowerCase(), start: caret - m[2]!.length - 1 } : null;
}
