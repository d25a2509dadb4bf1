// Ctrl/Cmd+K: type a few letters of a channel or person, arrows to choose, Enter to go.
import { useState } from "preact/hooks";
import { conversationPath, navigate } from "../routes.ts";
import { channels, dms, dmTitle } from "../state/directory.ts";
import { quickSwitcherOpen } from "../state/ui.ts";
import { Modal } from "./Modal.tsx";

interface Choice {
  key: string;
  label: string;
  hint: string;
  path: string;
  unread: number;
}

export function QuickSwitcher({ meId }: { meId: string }) {
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  if (!quickSwitcherOpen.value) return null;
  const close = () => {
    quickSwitcherOpen.value = false;
    setQuery("");
    setActive(0);
  };
  const all: Choice[] = [
    ...channels.value.map((c) => ({ key: c.id, label: `#${c.name}`, hint: c.display_title ?? "Channel", path: conversationPath("channel", c.id), unread: c.unread_count })),
    ...dms.value.map((d) => ({ key: d.id, label: dmTitle(d, meId), hint: "Direct message", path: conversationPath("dm", d.id), unread: d.unread_count })),
  ];
  const q = query.trim().toLowerCase().replace(/^#/, "");
  const list = all
    .filter((c) => !q || c.label.toLowerCase().replace(/^#/, "").includes(q))
    .sort((a, b) => Number(b.unread > 0) - Number(a.unread > 0))
    .slice(0, 12);
  const go = (c: Choice | undefined) => {
    if (!c) return;
    close();
    navigate(c.path);
  };
  return (
    <Modal label="Jump to a conversation" onClose={close} class="switcher">
      <input
        class="switcher-input"
        placeholder="Jump to a channel or person…"
        aria-label="Jump to a channel or person"
        role="combobox"
        aria-expanded="true"
        aria-controls="switcher-list"
        aria-activedescendant={list[active] ? `sw-${list[active]!.key}` : undefined}
        value={query}
        onInput={(e) => {
          setQuery((e.target as HTMLInputElement).value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            setActive((a) => (list.length ? (a + (e.key === "ArrowDown" ? 1 : list.length - 1)) % list.length : 0));
          } else if (e.key === "Enter") {
            e.preventDefault();
            go(list[active]);
          }
        }}
      />
      <ul class="switcher-list" id="switcher-list" role="listbox">
        {list.map((c, i) => (
          <li id={`sw-${c.key}`} role="option" aria-selected={i === active} class={i === active ? "active" : ""} onMouseDown={(e) => (e.preventDefault(), go(c))}>
            <span class="switcher-label">{c.label}</span>
            <span class="switcher-hint">{c.hint}</span>
            {c.unread > 0 && <span class="badge-unread">{c.unread}</span>}
          </li>
        ))}
        {list.length === 0 && <li class="switcher-empty">Nothing matches “{query}”.</li>}
      </ul>
    </Modal>
  );
}
