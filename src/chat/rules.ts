// Limits and validation rules of the chat domain, in one place so the HTTP schemas, the store
// and the tests agree.
export const LIMITS = {
  bodyMaxChars: 40_000,
  nonceMaxChars: 128,
  displayNameMax: 80,
  channelNameMax: 80,
  workspaceNameMax: 80,
  dmMaxMembers: 32,
  pinsPerChannel: 100,
  /** Distinct emoji on one message: enough for any real conversation, not a page of noise. */
  reactionsPerMessage: 50,
  /** The longest emoji sequence (a ZWJ family with skin tones) is well under this. */
  emojiMaxChars: 32,
  pageMax: 200,
  pageDefault: 100,
  replayPage: 500,
  replayCap: 5_000,
  jsonBodyBytes: 1024 * 1024,
  recentReplyAuthors: 3,
} as const;

/** Guests ("waiting room") may post this many messages per rolling 24 hours. */
export const GUEST_POSTS_PER_DAY = 3;

export const HANDLE_PATTERN = /^[a-z0-9][a-z0-9_-]{1,31}$/;
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A readable handle from a display name; uniqueness is the store's job. */
export function handleFrom(displayName: string): string {
  const base = displayName
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "")
    .slice(0, 24);
  return base.length >= 2 ? base : `user${base}`;
}

export function slugFrom(name: string): string {
  const base = name.normalize("NFKD").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 48);
  return base.length > 0 ? base : "workspace";
}

/** The name a requested channel name becomes (a slug, as in the Go server); null when reserved. */
export function channelNameFrom(raw: string): string | null {
  const name = slugFrom(raw).slice(0, LIMITS.channelNameMax);
  if (name === "workspace") return "general";
  if (name === "guest") return null;
  return name;
}

const MENTION = /(^|[^a-zA-Z0-9_@])@([a-z0-9][a-z0-9_-]{1,31})/g;

/** `@handle` tokens in a Markdown body, outside code spans and fences. */
export function mentionedHandles(body: string): string[] {
  const withoutCode = body.replace(/```[\s\S]*?```/g, " ").replace(/`[^`\n]*`/g, " ");
  const found = new Set<string>();
  for (const m of withoutCode.matchAll(MENTION)) found.add(m[2]!.toLowerCase());
  return [...found];
}

/** `@channel`, `@here`, `@all`, `@everyone` address people, never a user called that. */
export const BROADCAST_HANDLES: ReadonlySet<string> = new Set(["channel", "here", "all", "everyone"]);

