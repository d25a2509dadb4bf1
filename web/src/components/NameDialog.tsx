// Asks for a name (a new channel, a new workspace) and shows the server's answer if it refuses.
import { useState } from "preact/hooks";
import { naming } from "../state/ui.ts";
import { Modal } from "./Modal.tsx";

export function NameDialog() {
  const d = naming.value;
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!d) return null;
  const close = () => {
    naming.value = null;
    setName("");
    setError(null);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!name.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      await d.submit(name.trim());
      close();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal label={d.title} onClose={close} class="name-dialog">
      <form onSubmit={submit}>
        <h2 class="modal-title">{d.title}</h2>
        <label class="field-label" for="name-dialog-input">
          Name
        </label>
        <input id="name-dialog-input" class="field" value={name} placeholder={d.placeholder} maxLength={80} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        {error && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
        <div class="modal-actions">
          <button type="button" class="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" class="button primary" disabled={!name.trim() || busy}>
            {d.action}
          </button>
        </div>
      </form>
    </Modal>
  );
}
