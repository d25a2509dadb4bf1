// Your settings: profile (picture, display name, handle, time zone), appearance (system, light or
// dark; kept in this browser), and signing out, here or on every device.
import { useRef, useState } from "preact/hooks";
import { api } from "../api.ts";
import { deviceTimeZone, signOut, signOutEverywhere, updateCurrentUser } from "../session.ts";
import { rememberUsers, workspaceId } from "../state/directory.ts";
import { setTheme, theme, type Theme } from "../state/prefs.ts";
import { dialog, showToast } from "../state/ui.ts";
import type { User } from "../types.ts";
import { Avatar } from "./Avatar.tsx";
import { Modal } from "./Modal.tsx";
import { useSubmit } from "./useSubmit.ts";

const close = () => (dialog.value = null);
const THEMES: { id: Theme; label: string }[] = [
  { id: "system", label: "Match the system" },
  { id: "light", label: "Light" },
  { id: "dark", label: "Dark" },
];

const zones = (): string[] => {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return [];
  }
};

function saved(user: User, message: string): void {
  updateCurrentUser(user);
  rememberUsers([user]);
  showToast(message);
}

/** Your picture: an image you upload (kept as an upload of the open workspace), or none. */
function PictureControls({ me }: { me: User }) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const wsId = workspaceId.value;
  if (!wsId) return null;
  const change = async (file: File | null) => {
    setBusy(true);
    try {
      if (file) {
        const { upload } = await api.upload(wsId, file, `avatar-${crypto.randomUUID()}`);
        saved((await api.updateMe({ avatar_upload_id: upload.id })).user, "Picture updated");
      } else saved((await api.updateMe({ avatar_upload_id: null })).user, "Picture removed");
    } catch (err) {
      showToast(`Could not change your picture: ${(err as Error).message}`, "error");
    } finally {
      setBusy(false);
      if (input.current) input.current.value = "";
    }
  };
  return (
    <div class="picture-controls">
      <input ref={input} id="settings-picture" type="file" accept="image/png,image/jpeg,image/gif,image/webp" class="sr-only" aria-label="Picture file" tabIndex={-1} onChange={(e) => void change((e.target as HTMLInputElement).files?.[0] ?? null)} />
      <button type="button" class="button small" aria-disabled={busy} onClick={() => !busy && input.current?.click()}>
        {busy ? "Uploading…" : "Change picture"}
      </button>
      {me.avatar_url && (
        <button type="button" class="button small" aria-disabled={busy} onClick={() => !busy && void change(null)}>
          Remove
        </button>
      )}
    </div>
  );
}

export function SettingsDialog({ me }: { me: User }) {
  const [name, setName] = useState(me.display_name);
  const [handle, setHandle] = useState(me.handle);
  const [zone, setZone] = useState(me.time_zone ?? deviceTimeZone() ?? "");
  const { submit: save, busy: saving, error } = useSubmit(async () => {
    const change: { display_name?: string; handle?: string; time_zone?: string } = {};
    if (name.trim() !== me.display_name) change.display_name = name.trim();
    if (handle.trim().replace(/^@/, "") !== me.handle) change.handle = handle.trim();
    if (zone.trim() !== (me.time_zone ?? "")) change.time_zone = zone.trim();
    if (Object.keys(change).length === 0) return;
    saved((await api.updateMe(change)).user, "Profile saved");
  });
  return (
    <Modal label="Settings" onClose={close} class="settings-dialog">
      <h2 class="modal-title">Settings</h2>
      <form onSubmit={save} class="settings-section" aria-labelledby="settings-profile">
        <h3 id="settings-profile">Profile</h3>
        <div class="profile-top">
          <div class="picture-column">
            <Avatar id={me.id} user={me} size={48} />
            <PictureControls me={me} />
          </div>
          <div class="grow">
            <label class="field-label" for="settings-name">
              Display name
            </label>
            <input id="settings-name" class="field" value={name} maxLength={80} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
            <label class="field-label spaced" for="settings-handle">
              Handle
            </label>
            <input id="settings-handle" class="field" value={handle} maxLength={33} aria-describedby="settings-handle-hint" onInput={(e) => setHandle((e.target as HTMLInputElement).value)} />
            <p class="field-hint" id="settings-handle-hint">
              How people @mention you: 2–32 of a–z, 0–9, _ and -.
            </p>
            <label class="field-label spaced" for="settings-zone">
              Time zone
            </label>
            <input id="settings-zone" class="field" list="settings-zones" value={zone} maxLength={64} aria-describedby="settings-zone-hint" onInput={(e) => setZone((e.target as HTMLInputElement).value)} />
            <datalist id="settings-zones">
              {zones().map((z) => (
                <option value={z} />
              ))}
            </datalist>
            <p class="field-hint" id="settings-zone-hint">
              Others see your local time on your profile.
            </p>
          </div>
        </div>
        {error && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
        <div class="modal-actions">
          <button type="submit" class="button primary" aria-disabled={saving}>
            Save profile
          </button>
        </div>
      </form>
      <fieldset class="settings-section">
        <legend>Appearance</legend>
        {THEMES.map((t) => (
          <label class="radio">
            <input type="radio" name="theme" value={t.id} checked={theme.value === t.id} onChange={() => setTheme(t.id)} /> {t.label}
          </label>
        ))}
      </fieldset>
      <section class="settings-section" aria-labelledby="settings-sessions">
        <h3 id="settings-sessions">Sessions</h3>
        <div class="modal-actions start">
          <button type="button" class="button" onClick={() => (close(), void signOut())}>
            Sign out
          </button>
          <button type="button" class="button danger-outline" onClick={() => (close(), void signOutEverywhere())}>
            Sign out everywhere
          </button>
        </div>
        <p class="field-hint">Signing out everywhere ends your sessions in every browser and app, this one included.</p>
      </section>
    </Modal>
  );
}
