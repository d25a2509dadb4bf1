// Asks before something that cannot be undone (deleting a message).
import { confirming } from "../state/ui.ts";
import { Modal } from "./Modal.tsx";

export function ConfirmDialog() {
  const c = confirming.value;
  if (!c) return null;
  const close = () => (confirming.value = null);
  return (
    <Modal label={c.title} onClose={close} class="confirm">
      <h2 class="modal-title">{c.title}</h2>
      <p class="modal-text">{c.body}</p>
      <div class="modal-actions">
        <button type="button" class="button" onClick={close}>
          Cancel
        </button>
        <button
          type="button"
          class="button danger"
          onClick={() => {
            close();
            c.action();
          }}
        >
          {c.confirm}
        </button>
      </div>
    </Modal>
  );
}
