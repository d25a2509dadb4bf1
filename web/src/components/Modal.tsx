// A dialog: focus moves in and is kept there, Esc or a click on the backdrop closes it, and the
// focus returns to where it was.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

export function Modal({ label, onClose, children, class: cls }: { label: string; onClose: () => void; children: ComponentChildren; class?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>("input, button, [tabindex]:not([tabindex='-1'])");
    first?.focus();
    return () => before?.focus?.();
  }, []);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    } else if (e.key === "Tab") {
      const focusable = [...(ref.current?.querySelectorAll<HTMLElement>("input, button:not([disabled]), [href], [tabindex]:not([tabindex='-1'])") ?? [])];
      if (focusable.length === 0) return;
      const i = focusable.indexOf(document.activeElement as HTMLElement);
      if (e.shiftKey && i <= 0) {
        e.preventDefault();
        focusable[focusable.length - 1]!.focus();
      } else if (!e.shiftKey && i === focusable.length - 1) {
        e.preventDefault();
        focusable[0]!.focus();
      }
    }
  };
  return (
    <div class="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={ref} class={`modal ${cls ?? ""}`} role="dialog" aria-modal="true" aria-label={label} onKeyDown={onKey}>
        {children}
      </div>
    </div>
  );
}
