// The workspace's administration, from the workspace menu: the audit log (owners and moderators),
// handing the workspace to another member, and deleting it after seeing what goes (the owner).
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import { navigate } from "../routes.ts";
import { currentWorkspace, loadWorkspaces } from "../state/directory.ts";
import { startWorkspace, workspaceStatus } from "../state/sync.ts";
import { dialog, openDialog, showToast } from "../state/ui.ts";
import type { Member, User, WorkspaceDeletePreview } from "../types.ts";
import { bytes } from "./DeleteChannel.tsx";
import { Modal } from "./Modal.tsx";
import { useSubmit } from "./useSubmit.ts";

const close = () => (dialog.value = null);
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

function TransferOwnership({ workspaceId, me }: { workspaceId: string; me: User }) {
  const [people, setPeople] = useState<Member[]>([]);
  const [to, setTo] = useState("");
  const [confirming, setConfirming] = useState(false);
  useEffect(() => {
    api.members(workspaceId, { limit: 200 }).then((r) => setPeople(r.members.filter((m) => m.user.id !== me.id && m.user.kind === "human" && (m.role === "member" || m.role === "moderator"))), () => setPeople([]));
  }, [workspaceId]);
  const heir = people.find((p) => p.user.id === to);
  const { submit, busy, error } = useSubmit(async () => {
    if (!heir) return;
    await api.transferOwnership(workspaceId, heir.user.id);
    await loadWorkspaces();
    close();
    showToast(`${heir.user.display_name} owns the workspace now; you are a moderator`);
  });
  return (
    <form class="settings-section" aria-labelledby="ws-transfer" onSubmit={submit}>
      <h3 id="ws-transfer">Transfer ownership</h3>
      <p class="field-hint">The new owner must already be a member. You stay on as a moderator.</p>
      <label class="field-label spaced" for="ws-heir">
        New owner
      </label>
      <select id="ws-heir" class="field" value={to} onChange={(e) => { setTo((e.target as HTMLSelectElement).value); setConfirming(false); }}>
        <option value="">Choose a member</option>
        {people.map((p) => (
          <option value={p.user.id}>
            {p.user.display_name} (@{p.user.handle}, {p.role})
          </option>
        ))}
      </select>
      {confirming && heir && (
        <p class="field-error" role="alert">
          {heir.user.display_name} will own the workspace and can remove you. Transfer it?
        </p>
      )}
      {error && <p class="field-error" role="alert">{error}</p>}
      <div class="settings-row">
        {/* Distinct keys: the first click must not land on the confirming button that replaces it. */}
        {!confirming ? (
          <button key="ask" type="button" class="button danger-outline" aria-disabled={!heir} onClick={() => heir && setConfirming(true)}>
            Transfer ownership…
          </button>
        ) : (
          <button key="confirm" type="submit" class="button danger" aria-disabled={busy}>
            Transfer to {heir?.user.display_name}
          </button>
        )}
      </div>
    </form>
  );
}

function DeleteWorkspace({ workspaceId, me }: { workspaceId: string; me: User }) {
  const [preview, setPreview] = useState<WorkspaceDeletePreview | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const show = () => api.workspaceDeletePreview(workspaceId).then((r) => setPreview(r.delete_preview), (err: Error) => setFailed(err.message));
  const { submit, busy, error } = useSubmit(async () => {
    await api.deleteWorkspace(workspaceId);
    close();
    const left = await loadWorkspaces();
    navigate("/app");
    if (left[0]) void startWorkspace(left[0].id, me);
    else workspaceStatus.value = { state: "ready" };
    showToast(`${preview?.name ?? "The workspace"} was deleted`);
  });
  return (
    <form class="settings-section" aria-labelledby="ws-delete" onSubmit={submit}>
      <h3 id="ws-delete">Delete workspace</h3>
      {!preview && (
        <div class="settings-row">
          <button type="button" class="button danger-outline" onClick={() => void show()}>
            Delete workspace…
          </button>
        </div>
      )}
      {failed && <p class="field-error" role="alert">{failed}</p>}
      {preview && (
        <>
          <p class="modal-text">Deleting {preview.name} cannot be undone. Going with it:</p>
          <ul class="preview-counts" aria-label="What is deleted">
            <li>{plural(preview.members, "person", "people")}' access</li>
            <li>{plural(preview.channels, "channel")} and {plural(preview.messages, "message")}</li>
            <li>{plural(preview.uploads, "file")} ({bytes(preview.upload_bytes)})</li>
            <li>{plural(preview.bots, "bot")}</li>
          </ul>
          {error && <p class="field-error" role="alert">{error}</p>}
          <div class="settings-row">
            <button type="button" class="button" onClick={() => setPreview(null)}>
              Keep it
            </button>
            <button type="submit" class="button danger" aria-disabled={busy}>
              Delete {preview.name} for good
            </button>
          </div>
        </>
      )}
    </form>
  );
}

export function WorkspaceSettings({ me }: { me: User }) {
  const ws = currentWorkspace.value;
  if (!ws) return null;
  const owner = ws.role === "owner";
  return (
    <Modal label="Workspace settings" onClose={close} class="settings-dialog workspace-settings">
      <h2 class="modal-title">{ws.name}</h2>
      <section class="settings-section" aria-labelledby="ws-audit">
        <h3 id="ws-audit">Audit log</h3>
        <p class="field-hint">Who changed roles, channels, bots and integrations, and when.</p>
        <div class="settings-row">
          <button type="button" class="button" onClick={() => openDialog({ kind: "audit-log" })}>
            Open the audit log
          </button>
        </div>
      </section>
      {owner && <TransferOwnership workspaceId={ws.id} me={me} />}
      {owner && <DeleteWorkspace workspaceId={ws.id} me={me} />}
      {!owner && <p class="field-hint">Only the owner can hand the workspace over or delete it.</p>}
      <div class="modal-actions">
        <span class="grow" />
        <button type="button" class="button primary" onClick={close}>
          Done
        </button>
      </div>
    </Modal>
  );
}
