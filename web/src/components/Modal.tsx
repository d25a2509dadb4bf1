// A dialog: focus moves in and is kept there, Esc or a click on the backdrop closes it, and the
// focus returns to where it was. Keys are heard at the document, not on the dialog: when the
// focused control goes away (a button disabled while the server answers), focus falls to <body>
// and the dialog must still answer Esc and Tab.
import type { ComponentChildren } from "preact";
import { createPortal } from "preact/compat";
import { useLayoutEffect, useRef } from "preact/hooks";

const FOCUSABLE = "input:not([disabled]), textarea:not([disabled]), select:not([disabled]), button:not([disabled]), [href], [tabindex]:not([tabindex='-1'])";

/** Open dialogs, innermost last: only the innermost one answers keys. */
const stack: HTMLElement[] = [];

export function Modal({ label, onClose, children, class: cls }: { label: string; onClose: () => void; children: ComponentChildren; class?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  // A layout effect: the keys are heard from the moment the dialog is on screen (an effect runs
  // after paint, and an Esc pressed in between was lost).
  useLayoutEffect(() => {
    const dialog = ref.current!;
    const before = document.activeElement as HTMLElement | null;
    dialog.querySelector<HTMLElement>(FOCUSABLE)?.focus();
    stack.push(dialog);
    const onKey = (e: KeyboardEvent) => {
      if (stack.at(-1) !== dialog || e.defaultPrevented) return;
      if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        close.current();
      } else if (e.key === "Tab") {
        const focusable = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)];
        if (focusable.length === 0) return;
        const i = focusable.indexOf(document.activeElement as HTMLElement);
        if (i < 0) {
          // Focus was lost (to <body>): bring it back in.
          e.preventDefault();
          (e.shiftKey ? focusable.at(-1)! : focusable[0]!).focus();
        } else if (e.shiftKey && i === 0) {
          e.preventDefault();
          focusable.at(-1)!.focus();
        } else if (!e.shiftKey && i === focusable.length - 1) {
          e.preventDefault();
          focusable[0]!.focus();
        }
      }
    };
    // Bubbling at the document: controls inside may handle a key first, and the app's own Esc
    // (on window, closing a thread) sees it as handled.
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      stack.splice(stack.indexOf(dialog), 1);
      before?.focus?.();
    };
  }, []);
  // Portalled: a dialog opened from a message row must not live inside the list's transformed window.
  return createPortal(
    <div class="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close.current()}>
      <div ref={ref} class={`modal ${cls ?? ""}`} role="dialog" aria-modal="true" aria-label={label}>
        {children}
      </div>
    </div>,
    document.body,
  );
}
