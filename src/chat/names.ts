// Display names and handles as people see them in every member list and mention. A name is
// stored NFC-normalised; characters that hide text or change its direction (controls, bidi
// overrides and isolates, zero-width and filler characters) are refused, so nobody can look like
// somebody else or reverse the text around their name. Handles are plain a–z, 0–9, _ and -, and
// never a broadcast word (@here reaches everyone, not a person called "here").
import { invalid } from "./errors.ts";
import { BROADCAST_HANDLES, HANDLE_PATTERN, LIMITS } from "./rules.ts";

// Controls, format characters (bidi marks, overrides and isolates, zero-width spaces and joiners,
// word joiners, BOM, tags), line and paragraph separators, and blank-looking fillers.
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0\u2800\u034F\u180B-\u180F]/u;
// The one format character a name may hold: the joiner inside an emoji sequence (👩‍💻).
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}[\u{1F3FB}-\u{1F3FF}\uFE0F]?)\u200D(?=\p{Extended_Pictographic})/gu;

/** Whether a name holds a character that hides or reorders text. */
export function hasHiddenCharacters(name: string): boolean {
  return HIDDEN.test(name.replace(EMOJI_JOINER, ""));
}

/** A display name to store: NFC, trimmed, 1–80 characters, nothing hidden; 400 otherwise. */
export function displayName(raw: string, field = "display_name"): string {
  const name = raw.normalize("NFC").trim();
  if (name.length === 0 || name.length > LIMITS.displayNameMax) throw invalid(`${field} must be 1–${LIMITS.displayNameMax} characters`, "invalid_name");
  if (hasHiddenCharacters(name)) throw invalid(`${field} must not contain control, invisible or text-direction characters`, "invalid_name");
  return name;
}

/** A name from elsewhere (a GitHub profile): hidden characters dropped instead of refused. */
export function cleanedDisplayName(raw: string, fallback: string): string {
  const name = raw.normalize("NFC").replace(EMOJI_JOINER, "\uE000").replace(new RegExp(HIDDEN.source, "gu"), "").replaceAll("\uE000", "\u200D").trim();
  return (name || fallback).slice(0, LIMITS.displayNameMax);
}

/** A handle as typed (`@Ada`, ` ada `): lowercase, 2–32 of a-z 0-9 _ -, not a broadcast word. */
export function handle(raw: string): string {
  const h = raw.normalize("NFC").trim().replace(/^@/, "").toLowerCase();
  if (!HANDLE_PATTERN.test(h)) throw invalid("handle must be 2–32 of a-z, 0-9, _ and -, starting with a letter or digit", "invalid_handle");
  if (BROADCAST_HANDLES.has(h)) throw invalid(`@${h} addresses everyone and cannot be a handle`, "handle_reserved");
  return h;
}
