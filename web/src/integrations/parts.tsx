// Pieces every section of the integrations page shares: loading a list, a secret shown once with
// a copy button, and a status chip.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Icon } from "../components/Icon.tsx";
import { showToast } from "../state/ui.ts";

/** A list from the server: `undefined` while loading, the error's message when it failed. */
export function useLoaded<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [epoch, setEpoch] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    load().then(
      (d) => live && setData(d),
      (err) => live && setError((err as Error).message),
    );
    return () => {
      live = false;
    };
  }, [...deps, epoch]);
  return { data, error, setData, reload: () => setEpoch((e) => e + 1) };
}

export function Section({ id, title, intro, children }: { id: string; title: string; intro: ComponentChildren; children: ComponentChildren }) {
  return (
    <section class="integ-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <p class="integ-intro">{intro}</p>
      {children}
    </section>
  );
}

/** A secret the server will never show again: selectable, copyable, and said so plainly. */
const SIGNING_HINT = "Copy it now: it is shown only this once. Receivers use it to check the X-ClickClack-Signature header.";

export function SecretOnce({ label, secret, hint = SIGNING_HINT, onDone }: { label: string; secret: string; hint?: string; onDone: () => void }) {
  const id = `secret-${label.replace(/\W+/g, "-").toLowerCase()}`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      showToast("Copied");
    } catch {
      (document.getElementById(id) as HTMLInputElement | null)?.select();
      showToast("Select and copy it with Ctrl+C", "error");
    }
  };
  return (
    <div class="secret-once" role="status">
      <label class="field-label" for={id}>
        {label}
      </label>
      <p class="field-hint">{hint}</p>
      <div class="secret-row">
        <input id={id} class="field mono" readOnly value={secret} onFocus={(e) => (e.target as HTMLInputElement).select()} />
        <button type="button" class="button" onClick={() => void copy()}>
          <Icon name="copy" size={16} /> Copy
        </button>
        <button type="button" class="button" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

export function Chip({ tone, children }: { tone: "ok" | "warn" | "off"; children: ComponentChildren }) {
  return <span class={`chip chip-${tone}`}>{children}</span>;
}

export function Problem({ error }: { error: string | null }) {
  return error ? (
    <p class="field-error" role="alert">
      {error}
    </p>
  ) : null;
}
