// What a reaction may be: one emoji (a single grapheme cluster that Unicode recommends for
// general interchange, skin tones, flags and ZWJ sequences included) or a `:shortcode:` GitHub
// and Slack people know. Anything else is text, and text belongs in a message.
import { conflict, invalid } from "./errors.ts";
import { LIMITS } from "./rules.ts";

const RGI_EMOJI = /^\p{RGI_Emoji}$/v;
const SHORTCODE = /^:([a-z0-9_+-]{1,60}):$/;
// The shortcode table is built on the first shortcode reaction, not at every start.
let shortcodes: ReadonlySet<string> | null = null;
const knownShortcode = (name: string) =>
  (shortcodes ??= new Set((require("gemoji") as typeof import("gemoji")).gemoji.flatMap((g) => g.names))).has(name);
// Made on the first reaction too: building a segmenter loads ICU's break rules, 2 ms of every start.
let graphemes: Intl.Segmenter | null = null;

/** True for one emoji grapheme cluster or a known shortcode. */
export function isReactionEmoji(emoji: string): boolean {
  const code = SHORTCODE.exec(emoji);
  if (code) return knownShortcode(code[1]!);
  if (emoji.length === 0 || emoji.length > LIMITS.emojiMaxChars) return false;
  let clusters = 0;
  for (const _ of (graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" })).segment(emoji)) if (++clusters > 1) return false;
  // Text-presentation symbols (❤ without U+FE0F) are the same emoji to a reader.
  return RGI_EMOJI.test(emoji) || RGI_EMOJI.test(`${emoji}\uFE0F`);
}

/** The emoji of a new reaction, trimmed; 400 invalid_emoji otherwise. */
export function reactionEmoji(raw: string): string {
  const emoji = raw.trim();
  if (!isReactionEmoji(emoji)) throw invalid("a reaction is one emoji or a known :shortcode:", "invalid_emoji");
  return emoji;
}

/** A message holds a bounded set of different reactions; joining one already there is fine. */
export function assertReactionFits(emojiOnMessage: string[], emoji: string): void {
  if (emojiOnMessage.length >= LIMITS.reactionsPerMessage && !emojiOnMessage.includes(emoji)) {
    throw conflict(`a message holds at most ${LIMITS.reactionsPerMessage} different reactions`, "reaction_limit");
  }
}
