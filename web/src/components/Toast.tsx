// One short notice at a time, announced to screen readers.
import { toast } from "../state/ui.ts";

export function Toast() {
  const t = toast.value;
  return (
    <div class="toast-region" role="status" aria-live="polite">
      {t && (
        <div key={t.id} class={`toast toast-${t.tone}`}>
          {t.text}
        </div>
      )}
    </div>
  );
}
