// Invites, for owners and moderators: make a link (role, how long, how many people), copy it,
// see who may still use which link, and revoke one. The link's token is shown once, when made.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import { currentWorkspace } from "../state/directory.ts";
import { dialog, showToast } from "../state/ui.ts";
import type { Invite } from "../types.ts";
import { Modal } from "./Modal.tsx";

const close = () => (dialog.value = null);
const EXPIRY: [string, number | null][] = [["1 day", 24], ["7 days", 168], ["30 days", 720], ["Never", null]];
const STATUS: Record<Invite["status"], string> = { active: "Active", expired: "Expired", revoked: "Revoked", used_up: "Used up" };

function usesText(i: Invite): string {
  return i.uses_left === null ? `${i.uses} used, no limit` : `${i.uses_left} of ${i.max_uses} left`;
}

export function InvitesDialog() {
  const ws = currentWorkspace.value;
  const [list, setList] = useState<Invite[] | null>(null);
  const [role, setRole] = useState<"member" | "guest">("member");
  const [expiry, setExpiry] = useState("168");
  const [uses, setUses] = useState("");
  const [made, setMade] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const reload = () => ws && api.invites(ws.id).then((r) => setList(r.invites), (err: Error) => setError(err.message));
  useEffect(() => void reload(), [ws?.id]);
  if (!ws) return null;

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const maxUses = uses.trim() === "" ? null : Number(uses);
      const res = await api.createInvite(ws.id, { role, expires_in_hours: expiry === "never" ? null : Number(expiry), max_uses: maxUses });
      setMade(res.url);
      await reload();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const copy = async () => {
    if (!made) return;
    try {
      await navigator.clipboard.writeText(made);
      showToast("Invite link copied");
    } catch {
      showToast("Select the link and copy it", "error");
    }
  };
  const revoke = async (id: string) => {
    try {
      await api.revokeInvite(ws.id, id);
      await reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <Modal label="Invites" onClose={close} class="invites-dialog">
      <h2 class="modal-title">Invite people to {ws.name}</h2>
      <form class="invite-form" onSubmit={create}>
        <label>
          Role
          <select class="field" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as "member" | "guest")}>
            <option value="member">Member</option>
            <option value="guest">Guest (#guest only)</option>
          </select>
        </label>
        <label>
          Expires after
          <select class="field" value={expiry} onChange={(e) => setExpiry((e.target as HTMLSelectElement).value)}>
            {EXPIRY.map(([label, hours]) => (
              <option value={hours === null ? "never" : String(hours)}>{label}</option>
            ))}
          </select>
        </label>
        <label>
          Uses
          <input class="field" type="number" min={1} max={10000} placeholder="No limit" value={uses} onInput={(e) => setUses((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="button primary" disabled={busy}>
          Create link
        </button>
      </form>
      {made && (
        <div class="invite-made">
          <label for="invite-url">New invite link (shown once)</label>
          <input id="invite-url" class="field" readOnly value={made} onFocus={(e) => (e.target as HTMLInputElement).select()} />
          <button type="button" class="button" onClick={() => void copy()}>
            Copy link
          </button>
        </div>
      )}
      {error && (
        <p class="login-alert" role="alert">
          {error}
        </p>
      )}
      {!list ? (
        <p class="list-status">Loading invites…</p>
      ) : (
        <ul class="browser-list" aria-label="Invite links">
          {list.map((i) => (
            <li class="browser-item invite-item">
              <span class="person-names">
                <span class="browser-name">
                  {i.role === "guest" ? "Guest" : "Member"} link · {STATUS[i.status]}
                </span>
                <span class="browser-topic">
                  {usesText(i)}
                  {i.expires_at ? ` · until ${new Date(i.expires_at).toLocaleString()}` : " · no expiry"}
                  {i.email ? ` · for ${i.email}` : ""}
                </span>
              </span>
              {i.status === "active" && (
                <button type="button" class="button" aria-label={`Revoke invite made ${new Date(i.created_at).toLocaleString()}`} onClick={() => void revoke(i.id)}>
                  Revoke
                </button>
              )}
            </li>
          ))}
          {list.length === 0 && <li class="side-empty">No invite links yet.</li>}
        </ul>
      )}
    </Modal>
  );
}
