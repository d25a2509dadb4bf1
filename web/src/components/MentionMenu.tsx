// `@` autocomplete for the composer: finds the `@query` before the caret, suggests members (from
// the loaded directory, then the server's member search for larger workspaces), and renders the
// list, which also serves `:` emoji and `/` commands. The composer owns the keyboard; this file
// owns matching and drawing.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import { rememberUsers, users, workspaceId } from "../state/directory.ts";
import type { CommandOption } from "../state/commands.ts";
import type { User } from "../types.ts";
import { Avatar } from "./Avatar.tsx";

/** The mention being typed: its query and where it starts in the text. */
export function mentionAt(text: string, caret: number): { query: string; start: number } | null {
  const m = /(^|\s)@([a-z0-9_-]{0,32})$/i.exec(text.slice(0, caret));
  return m ? { query: m[2]!.toLowerCase(), start: caret - m[2]!.length - 1 } : null;
}

function matches(list: Iterable<User>, query: string, meId: string): User[] {
  const out: User[] = [];
  for (const u of list) {
    if (u.id === meId) continue;
    if (!query || u.handle.toLowerCase().startsWith(query) || u.display_name.toLowerCase().split(/\s+/).some((w) => w.startsWith(query))) out.push(u);
  }
  return out.sort((a, b) => a.handle.localeCompare(b.handle)).slice(0, 8);
}

/** Suggestions for a query; asks the server when the loaded directory has few answers. */
export function useMentionSuggestions(query: string | null, meId: string): User[] {
  const [, setFetched] = useState(0);
  const local = query === null ? [] : matches(users.value.values(), query, meId);
  useEffect(() => {
    const ws = workspaceId.peek();
    if (query === null || !query || local.length >= 5 || !ws) return;
    const t = setTimeout(() => {
      api.members(ws, { q: query, limit: 8 }).then(
        (page) => {
          rememberUsers(page.members.map((m) => m.user));
          setFetched((x) => x + 1);
        },
        () => {},
      );
    }, 150);
    return () => clearTimeout(t);
  }, [query]);
  return local;
}

/** What the composer's menu offers: a person, everyone (`@channel`, `@here`), an emoji, or a command. */
export type Suggestion =
  | { kind: "user"; user: User }
  | { kind: "broadcast"; handle: "channel" | "here"; hint: string }
  | { kind: "emoji"; char: string; shortcode: string }
  | { kind: "command"; option: CommandOption };

const BROADCASTS = [
  { handle: "channel" as const, hint: "Notify everyone in this channel" },
  { handle: "here" as const, hint: "Notify everyone in this channel who is online" },
];

/** `@channel` and `@here` for a query, in channels only (a DM has no one else to address). */
export function broadcastSuggestions(query: string, inChannel: boolean): Suggestion[] {
  if (!inChannel) return [];
  return BROADCASTS.filter((b) => b.handle.startsWith(query)).map((b) => ({ kind: "broadcast", ...b }));
}

/** The text a suggestion puts in place of what was typed. */
export function insertionOf(s: Suggestion): string {
  if (s.kind === "command") return `${s.option.command} `;
  return s.kind === "user" ? `@${s.user.handle} ` : s.kind === "broadcast" ? `@${s.handle} ` : `${s.char} `;
}

export function MentionMenu({ options, active, onPick, id }: { options: Suggestion[]; active: number; onPick: (s: Suggestion) => void; id: string }) {
  if (options.length === 0) return null;
  const kind = options[0]!.kind;
  return (
    <ul class="mention-menu popover" role="listbox" id={id} aria-label={kind === "emoji" ? "Emoji" : kind === "command" ? "Commands" : "People"}>
      {options.map((s, i) => (
        <li
          role="option"
          id={`${id}-${i}`}
          aria-selected={i === active}
          class={i === active ? "active" : ""}
          onMouseDown={(e) => {
            e.preventDefault(); // keep the focus in the composer
            onPick(s);
          }}
        >
          {s.kind === "user" ? (
            <>
              <Avatar id={s.user.id} user={s.user} size={22} />
              <span class="mention-name">{s.user.display_name}</span>
              <span class="mention-handle">@{s.user.handle}</span>
            </>
          ) : s.kind === "command" ? (
            <>
              <span class="mention-broadcast" aria-hidden="true">
                /
              </span>
              <span class="mention-name">
                {s.option.command}
                {s.option.hint && <span class="command-hint"> {s.option.hint}</span>}
              </span>
              <span class="mention-handle">
                {s.option.description}
                {s.option.botName && <span class="command-bot"> · {s.option.botName}</span>}
              </span>
            </>
          ) : s.kind === "broadcast" ? (
            <>
              <span class="mention-broadcast" aria-hidden="true">
                @
              </span>
              <span class="mention-name">@{s.handle}</span>
              <span class="mention-handle">{s.hint}</span>
            </>
          ) : (
            <>
              <span class="mention-emoji" aria-hidden="true">
                {s.char}
              </span>
              <span class="mention-name">:{s.shortcode}:</span>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
