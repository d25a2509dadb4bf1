// Asks for a name (a new channel, a new workspace) and shows the server's answer if it refuses.
// Where the server normalises the name (channel slugs), the dialog shows what will be created.
import { useRef, useState } from "preact/hooks";
import { naming } from "../state/ui.ts";
import { Icon } from "./Icon.tsx";
import { Modal } from "./Modal.tsx";
import { useSubmit } from "./useSubmit.ts";

export function NameDialog() {
  const d = naming.value;
  const [name, setName] = useState("");
  const [toggled, setToggled] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const close = () => {
    naming.value = null;
    setName("");
    setToggled(false);
    setError(null);
  };
  const { submit, busy, error, setError } = useSubmit(
    async () => {
      if (!d || !name.trim()) return;
      await d.submit(name.trim(), toggled);
      close();
    },
    // Back to the field, whichever way the form was submitted: the name is what needs fixing.
    () => input.current?.focus(),
  );
  if (!d) return null;
  const preview = name.trim() && d.preview ? d.preview(name) : null;
  return (
    <Modal label={d.title} onClose={close} class="name-dialog">
      <form onSubmit={submit}>
        <h2 class="modal-title">{d.title}</h2>
        <label class="field-label" for="name-dialog-input">
          Name
        </label>
        <input
          ref={input}
          id="name-dialog-input"
          class="field"
          value={name}
          placeholder={d.placeholder}
          maxLength={d.maxLength ?? 80}
          aria-describedby={preview ? "name-dialog-preview" : undefined}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
        {preview && (
          <p class="field-hint" id="name-dialog-preview" aria-live="polite">
            {preview}
          </p>
        )}
        {d.toggle && (
          <>
            <label class="toggle-row" for="name-dialog-toggle">
              <input id="name-dialog-toggle" type="checkbox" checked={toggled} aria-describedby="name-dialog-toggle-hint" onChange={(e) => setToggled((e.target as HTMLInputElement).checked)} />
              <Icon name="lock" size={16} />
              {d.toggle.label}
            </label>
            <p class="field-hint" id="name-dialog-toggle-hint">
              {d.toggle.hint}
            </p>
          </>
        )}
        {error && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
        <div class="modal-actions">
          <button type="button" class="button" onClick={close}>
            Cancel
          </button>
          {/* Not disabled while busy: a disabled button drops the focus to <body>. */}
          <button type="submit" class="button primary" disabled={!name.trim()} aria-disabled={busy}>
            {d.action}
          </button>
        </div>
      </form>
    </Modal>
  );
}
