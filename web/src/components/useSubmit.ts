// A form's submit: one request at a time, the server's refusal kept to show, and the form's
// controls left enabled (a disabled button would drop the keyboard focus to <body>).
import { useState } from "preact/hooks";

export function useSubmit(action: () => Promise<void>, onError?: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e?: Event) => {
    e?.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError((err as Error).message);
      onError?.();
    } finally {
      setBusy(false);
    }
  };
  return { submit, busy, error, setError };
}
