// Editing a message in place: Enter saves, Shift+Enter adds a line, Esc cancels.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api.ts";
import { patchEverywhere } from "../state/sync.ts";
import { editingId, showToast } from "../state/ui.ts";
import type { Message } from "../types.ts";
import { confirmDelete } from "./MessageActions.tsx";

export function EditBox({ message }: { message: Message }) {
  const [text, setText] = useState(message.body);
  const [saving, setSaving] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = ref.current!;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  useEffect(() => {
    const el = ref.current!;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 320)}px`;
  }, [text]);

  const done = () => {
    editingId.value = null;
  };
  const save = async () => {
    const body = text.trim();
    if (body === message.body) return done();
    // An emptied message is a delete, as in most chat apps; ask first.
    if (!body) {
      done();
      return confirmDelete(message);
    }
    setSaving(true);
    try {
      const { message: m } = await api.edit(message.id, body);
      patchEverywhere(m.id, () => m);
      done();
    } catch (err) {
      showToast(`Could not save: ${(err as Error).message}`, "error");
      setSaving(false);
    }
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void save();
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      done();
    }
  };
  return (
    <div class="edit-box">
      <textarea ref={ref} value={text} aria-label="Edit message" disabled={saving} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} onKeyDown={onKey} rows={1} />
      <div class="edit-hint">
        Esc to <button type="button" class="linkish" onClick={done}>cancel</button> · Enter to <button type="button" class="linkish" onClick={() => void save()}>save</button>
      </div>
    </div>
  );
}
