// Your settings: profile (display name, handle), appearance (system, light or dark; kept in this
// browser), and signing out, here or on every device.
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { signOut, signOutEverywhere, updateCurrentUser } from "../session.ts";
import { rememberUsers } from "../state/directory.ts";
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

export function SettingsDialog({ me }: { me: User }) {
  const [name, setName] = useState(me.display_name);
  const [handle, setHandle] = useState(me.handle);
  const { submit: save, busy: saving, error } = useSubmit(async () => {
    const change: { display_name?: string; handle?: string } = {};
    if (name.trim() !== me.display_name) change.display_name = name.trim();
    if (handle.trim().replace(/^@/, "") !== me.handle) change.handle = handle.trim();
    if (Object.keys(change).length === 0) return;
    const { user } = await api.updateMe(change);
    updateCurrentUser(user);
    rememberUsers([user]);
    showToast("Profile saved");
  });
  return (
    <Modal label="Settings" onClose={close} class="settings-dialog">
      <h2 class="modal-title">Settings</h2>
      <form onSubmit={save} class="settings-section" aria-labelledby="settings-profile">
        <h3 id="settings-profile">Profile</h3>
        <div class="profile-top">
          <Avatar id={me.id} user={me} size={48} />
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
