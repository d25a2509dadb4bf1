// A small emoji picker: the reactions people actually use, in a popover that closes on Esc or a
// click outside. Keyboard: arrows move, Enter picks.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";

export const EMOJI = [
  "👍", "❤️", "😂", "🎉", "🙏", "👀", "🔥", "✅",
  "😄", "😅", "🤔", "😮", "😢", "😡", "👏", "🙌",
  "💯", "🚀", "✨", "💡", "⚠️", "❌", "➕", "👋",
];

export function EmojiPicker({ onPick, onClose }: { onPick: (emoji: string) => void; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  // Open upwards when there is no room below (a message near the composer).
  const [up, setUp] = useState(false);
  useLayoutEffect(() => {
    const el = ref.current!;
    const limit = el.closest(".vlist")?.getBoundingClientRect().bottom ?? innerHeight;
    if (el.getBoundingClientRect().bottom > limit) setUp(true);
  }, []);
  useEffect(() => {
    (ref.current?.querySelector("button") as HTMLButtonElement | null)?.focus();
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
  const onKey = (e: KeyboardEvent) => {
    const buttons = [...(ref.current?.querySelectorAll("button") ?? [])];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const move = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 8, ArrowUp: -8 }[e.key];
    if (move !== undefined) {
      e.preventDefault();
      buttons[Math.max(0, Math.min(buttons.length - 1, i + move))]?.focus();
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    }
  };
  return (
    <div ref={ref} class={`emoji-picker popover${up ? " up" : ""}`} role="dialog" aria-label="Add a reaction" onKeyDown={onKey}>
      {EMOJI.map((emoji) => (
        <button type="button" class="emoji-choice" aria-label={`React with ${emoji}`} onClick={() => onPick(emoji)}>
          {emoji}
        </button>
      ))}
    </div>
  );
}
