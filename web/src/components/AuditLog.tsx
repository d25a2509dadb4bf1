// The audit log (owners and moderators): who did what to the workspace's administration, newest
// first, fifty at a time, each entry a sentence.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import { auditLine } from "../audit-lines.ts";
import { users, workspaceId } from "../state/directory.ts";
import { dialog } from "../state/ui.ts";
import type { AuditLogEntry } from "../types.ts";
import { Modal } from "./Modal.tsx";

const close = () => (dialog.value = null);
const nameOf = (id: string) => users.value.get(id)?.display_name ?? "someone";

export function AuditLog() {
  const ws = workspaceId.value;
  const [entries, setEntries] = useState<AuditLogEntry[]>([]);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [state, setState] = useState<"loading" | "ready" | "error">("loading");
  const load = async (before?: string) => {
    if (!ws) return;
    setState("loading");
    try {
      const page = await api.auditLog(ws, before);
      setEntries((had) => (before ? [...had, ...page.audit_log_entries] : page.audit_log_entries));
      setNext(page.next_cursor);
      setState("ready");
    } catch {
      setState("error");
    }
  };
  useEffect(() => void load(), [ws]);
  return (
    <Modal label="Audit log" onClose={close} class="audit-log">
      <h2 class="modal-title">Audit log</h2>
      <p class="modal-text">Every change to this workspace's people, channels, bots and integrations, newest first.</p>
      <ol class="audit-list" aria-label="Audit log entries">
        {entries.map((e) => (
          <li class="audit-entry">
            <span class="audit-line">{auditLine(e, nameOf)}</span>
            <time class="audit-time" dateTime={e.created_at}>{new Date(e.created_at).toLocaleString()}</time>
          </li>
        ))}
        {state === "ready" && entries.length === 0 && <li class="side-empty">Nothing recorded yet.</li>}
      </ol>
      {state === "error" && <p class="field-error" role="alert">Could not load the audit log.</p>}
      <div class="modal-actions">
        {next && (
          <button type="button" class="button" aria-disabled={state === "loading"} onClick={() => state !== "loading" && void load(next)}>
            Show older
          </button>
        )}
        <span class="grow" />
        <button type="button" class="button primary" onClick={close}>
          Done
        </button>
      </div>
    </Modal>
  );
}
