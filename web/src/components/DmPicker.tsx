// Starting a direct message: search the member directory, pick one or more people, go. The
// server reuses the conversation when it already exists for the same people.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import { startDm } from "../conversations.ts";
import { rememberUsers, users, workspaceId } from "../state/directory.ts";
import { dmPickerOpen, showToast } from "../state/ui.ts";
import type { User } from "../types.ts";
import { Avatar } from "./Avatar.tsx";
import { Icon } from "./Icon.tsx";
import { Modal } from "./Modal.tsx";

const MAX_OTHERS = 31;

export function DmPicker({ meId }: { meId: string }) {
  const [query, setQuery] = useState("");
  const [picked, setPicked] = useState<User[]>([]);
  const [busy, setBusy] = useState(false);
  const open = dmPickerOpen.value;
  useEffect(() => {
    const ws = workspaceId.peek();
    if (!open || !ws) return;
    const t = setTimeout(() => api.members(ws, { q: query.trim() || undefined, limit: 50 }).then((p) => rememberUsers(p.members.map((m) => m.user)), () => {}), 120);
    return () => clearTimeout(t);
  }, [open, query]);
  if (!open) return null;
  const close = () => {
    dmPickerOpen.value = false;
    setQuery("");
    setPicked([]);
  };
  const q = query.trim().toLowerCase();
  const people = [...users.value.values()]
    .filter((u) => u.id !== meId && (!q || u.display_name.toLowerCase().includes(q) || u.handle.includes(q)))
    .sort((a, b) => a.display_name.localeCompare(b.display_name))
    .slice(0, 30);
  const toggle = (u: User) => setPicked((p) => (p.some((x) => x.id === u.id) ? p.filter((x) => x.id !== u.id) : p.length >= MAX_OTHERS ? p : [...p, u]));
  const start = async () => {
    if (picked.length === 0) return;
    setBusy(true);
    try {
      await startDm(picked.map((u) => u.id));
      close();
    } catch (err) {
      showToast(`Could not start the conversation: ${(err as Error).message}`, "error");
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal label="New direct message" onClose={close} class="dm-picker">
      <h2 class="modal-title">New direct message</h2>
      <div class="picked">
        {picked.map((u) => (
          <button type="button" class="chip" aria-label={`Remove ${u.display_name}`} onClick={() => toggle(u)}>
            {u.display_name} <Icon name="close" size={12} />
          </button>
        ))}
        <input
          class="picker-input"
          placeholder={picked.length ? "Add more people…" : "Find people by name or @handle"}
          aria-label="Find people"
          value={query}
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && people[0] && query) {
              e.preventDefault();
              toggle(people[0]);
              setQuery("");
            }
          }}
        />
      </div>
      <ul class="people" role="listbox" aria-multiselectable="true" aria-label="People">
        {people.map((u) => {
          const on = picked.some((x) => x.id === u.id);
          return (
            <li role="option" aria-selected={on}>
              <button type="button" class={`person${on ? " on" : ""}`} onClick={() => toggle(u)}>
                <Avatar id={u.id} user={u} size={28} presence />
                <span class="person-name">{u.display_name}</span>
                <span class="person-handle">@{u.handle}</span>
                {u.kind === "bot" && <span class="badge">Bot</span>}
                {on && <Icon name="check" size={16} />}
              </button>
            </li>
          );
        })}
        {people.length === 0 && <li class="switcher-empty">Nobody matches “{query}”.</li>}
      </ul>
      <div class="modal-actions">
        <button type="button" class="button" onClick={close}>
          Cancel
        </button>
        <button type="button" class="button primary" disabled={picked.length === 0 || busy} onClick={() => void start()}>
          {picked.length > 1 ? `Start group conversation (${picked.length + 1})` : "Start conversation"}
        </button>
      </div>
    </Modal>
  );
}
