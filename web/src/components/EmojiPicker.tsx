// The emoji picker: the reactions people use most, then the full Unicode set by group (loaded on
// first open, see emoji/data.ts), searchable by name, tag or :shortcode:. A popover that closes
// on Esc or a click outside. Keyboard: type to search, arrows move in the grid, Enter picks.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { emojiSet, loadEmoji, searchEmoji } from "../emoji/data.ts";

export const EMOJI = [
  "👍", "❤️", "😂", "🎉", "🙏", "👀", "🔥", "✅",
  "😄", "😅", "🤔", "😮", "😢", "😡", "👏", "🙌",
  "💯", "🚀", "✨", "💡", "⚠️", "❌", "➕", "👋",
];

const COLUMNS = 8;

interface Props {
  onPick: (emoji: string) => void;
  onClose: () => void;
  /** "React with 🎉", "Insert 🎉". */
  verb?: string;
  label?: string;
}

export function EmojiPicker({ onPick, onClose, verb = "React with", label = "Add a reaction" }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const grid = useRef<HTMLDivElement>(null);
  const [query, setQuery] = useState("");
  const [group, setGroup] = useState<number | null>(null);
  const set = emojiSet.value;
  // Open upwards when there is no room below (a message near the composer).
  const [up, setUp] = useState(false);
  useLayoutEffect(() => {
    const el = ref.current!;
    const limit = el.closest(".vlist")?.getBoundingClientRect().bottom ?? innerHeight;
    if (el.getBoundingClientRect().bottom > limit) setUp(true);
  }, []);
  useEffect(() => {
    void loadEmoji().catch(() => {});
    (ref.current?.querySelector(".emoji-choice") as HTMLButtonElement | null)?.focus();
    const outside = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    // Deferred so the click that opened the picker does not close it.
    const t = setTimeout(() => document.addEventListener("mousedown", outside), 0);
    return () => {
      clearTimeout(t);
      document.removeEventListener("mousedown", outside);
    };
  }, []);

  const choices: { char: string; label: string }[] = query.trim()
    ? set
      ? searchEmoji(set, query).map((e) => ({ char: e.char, label: e.label }))
      : []
    : group !== null && set
      ? set.list.filter((e) => e.group === group).map((e) => ({ char: e.char, label: e.label }))
      : EMOJI.map((char) => ({ char, label: set?.list.find((e) => e.char === char)?.label ?? char }));

  const onKey = (e: KeyboardEvent) => {
    const buttons = [...(grid.current?.querySelectorAll<HTMLButtonElement>(".emoji-choice") ?? [])];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const move = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS }[e.key];
    if (move !== undefined && (i >= 0 || e.key === "ArrowDown")) {
      e.preventDefault();
      buttons[i < 0 ? 0 : Math.max(0, Math.min(buttons.length - 1, i + move))]?.focus();
    } else if (e.key === "Enter" && i < 0 && buttons[0] && query) {
      e.preventDefault();
      onPick(buttons[0].dataset.char!);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    } else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && i >= 0) {
      // Typing on the grid searches.
      ref.current?.querySelector<HTMLInputElement>(".emoji-search")?.focus();
    }
  };
  return (
    <div ref={ref} class={`emoji-picker popover${up ? " up" : ""}`} role="dialog" aria-label={label} onKeyDown={onKey}>
      <input
        class="emoji-search picker-input"
        type="search"
        placeholder="Search emoji"
        aria-label="Search emoji"
        value={query}
        onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
      />
      <div class="emoji-groups" role="group" aria-label="Emoji groups">
        <button type="button" class={`emoji-group${group === null ? " active" : ""}`} aria-pressed={group === null} onClick={() => setGroup(null)}>
          Frequent
        </button>
        {set?.groups.map((g) => (
          <button type="button" class={`emoji-group${group === g.id ? " active" : ""}`} aria-pressed={group === g.id} onClick={() => (setGroup(g.id), setQuery(""))}>
            {g.name}
          </button>
        ))}
      </div>
      <div ref={grid} class="emoji-grid">
        {choices.map((c) => (
          <button type="button" class="emoji-choice" data-char={c.char} aria-label={`${verb} ${c.char}`} title={c.label} onClick={() => onPick(c.char)}>
            {c.char}
          </button>
        ))}
        {query.trim() && choices.length === 0 && <p class="emoji-none">{set ? "No emoji match." : "Loading emoji…"}</p>}
      </div>
    </div>
  );
}
