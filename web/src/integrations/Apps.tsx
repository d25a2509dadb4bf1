// Installed apps: each runs as one of the workspace's bots. Revoking one asks what to take with
// it (its slash commands, event subscriptions, bot tokens, the bot itself) and reports what went.
import { useState } from "preact/hooks";
import { Modal } from "../components/Modal.tsx";
import { useSubmit } from "../components/useSubmit.ts";
import { fullTime, plural } from "../format.ts";
import { showToast } from "../state/ui.ts";
import { type AppInstallation, integrationsApi, type RevokeAppOptions } from "./api.ts";
import { Chip, Problem, Section, useLoaded } from "./parts.tsx";

const OPTIONS: { key: keyof RevokeAppOptions; label: string }[] = [
  { key: "revoke_slash_commands", label: "Revoke its slash commands" },
  { key: "revoke_event_subscriptions", label: "Revoke its event subscriptions" },
  { key: "revoke_bot_tokens", label: "Revoke its bot's tokens" },
  { key: "delete_bot", label: "Delete its bot" },
];

export function Apps({ workspaceId }: { workspaceId: string }) {
  const list = useLoaded(() => integrationsApi.apps(workspaceId), [workspaceId]);
  const [revoking, setRevoking] = useState<AppInstallation | null>(null);
  const apps = list.data ?? [];
  return (
    <Section id="integ-apps" title="Apps" intro="Apps installed by their setup code or through the API. Each one posts as its own bot.">
      <Problem error={list.error} />
      {list.data && apps.length === 0 && <p class="integ-empty">No apps installed.</p>}
      {apps.length > 0 && (
        <ul class="integ-list" aria-label="Apps">
          {apps.map((a) => (
            <li class={`integ-item${a.revoked_at ? " revoked" : ""}`} aria-label={a.display_name}>
              <div class="integ-item-main">
                <div class="integ-item-title">
                  <strong>{a.display_name}</strong> <span class="mono integ-meta">{a.app_slug}</span> {a.revoked_at ? <Chip tone="off">Revoked</Chip> : <Chip tone="ok">Installed</Chip>}
                </div>
                <div class="integ-meta">
                  Installed {fullTime(a.created_at)}
                  {a.revoked_at && <> · revoked {fullTime(a.revoked_at)}</>}
                </div>
              </div>
              {!a.revoked_at && (
                <div class="integ-actions">
                  <button type="button" class="button" onClick={() => setRevoking(a)}>
                    Revoke…
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {revoking && (
        <RevokeApp
          app={revoking}
          onClose={() => setRevoking(null)}
          onDone={(next) => {
            setRevoking(null);
            list.setData((old) => old?.map((a) => (a.id === next.id ? next : a)));
          }}
        />
      )}
    </Section>
  );
}

function RevokeApp({ app, onClose, onDone }: { app: AppInstallation; onClose: () => void; onDone: (a: AppInstallation) => void }) {
  const [opts, setOpts] = useState<RevokeAppOptions>({ revoke_slash_commands: true, revoke_event_subscriptions: true, revoke_bot_tokens: false, delete_bot: false });
  const { submit, busy, error } = useSubmit(async () => {
    const result = await integrationsApi.revokeApp(app.id, opts);
    const r = result.revoked;
    showToast(`Revoked ${app.display_name}: ${plural(r.slash_commands, "slash command")}, ${plural(r.event_subscriptions, "event subscription")}, ${plural(r.bot_tokens, "bot token")}${result.deleted_bot ? ", bot deleted" : ""}`);
    onDone(result.installation);
  });
  return (
    <Modal label={`Revoke ${app.display_name}?`} onClose={onClose} class="confirm">
      <form onSubmit={submit}>
        <h2 class="modal-title">Revoke {app.display_name}?</h2>
        <fieldset class="event-types">
          <legend class="field-label">Also</legend>
          {OPTIONS.map((o) => (
            <label class="check">
              <input type="checkbox" checked={opts[o.key]} onChange={() => setOpts({ ...opts, [o.key]: !opts[o.key] })} /> {o.label}
            </label>
          ))}
        </fieldset>
        <Problem error={error} />
        <div class="modal-actions">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button danger" aria-busy={busy}>
            Revoke app
          </button>
        </div>
      </form>
    </Modal>
  );
}
