// Incoming webhooks: a secret URL per channel that other systems POST to (Slack and Mattermost
// JSON). The section is absent when the server has no such routes.
import { useState } from "preact/hooks";
import { useSubmit } from "../components/useSubmit.ts";
import { fullTime } from "../format.ts";
import { channels } from "../state/directory.ts";
import { confirming, showToast } from "../state/ui.ts";
import { createIncomingWebhook, deleteIncomingWebhook, type IncomingWebhook, listIncomingWebhooks } from "./api.ts";
import { Problem, SecretOnce, Section, useLoaded } from "./parts.tsx";

export function Webhooks({ workspaceId }: { workspaceId: string }) {
  const list = useLoaded(() => listIncomingWebhooks(workspaceId), [workspaceId]);
  const [shown, setShown] = useState<{ name: string; url: string } | null>(null);
  if (list.data === null) return null; // not on this server
  const hooks = list.data ?? [];
  const channelName = (id: string) => channels.value.find((c) => c.id === id)?.name ?? id;
  const remove = (h: IncomingWebhook) =>
    (confirming.value = {
      title: `Delete the webhook “${h.display_name}”?`,
      body: "Its URL stops working at once.",
      confirm: "Delete webhook",
      action: () =>
        void deleteIncomingWebhook(h.id).then(
          () => list.setData((old) => old?.filter((x) => x.id !== h.id)),
          (err) => showToast(`Could not delete: ${(err as Error).message}`, "error"),
        ),
    });
  return (
    <Section id="integ-webhooks" title="Incoming webhooks" intro="A secret URL that posts to one channel. It accepts Slack- and Mattermost-style JSON (text, username, icon_url, attachments); keep it private, anyone with it can post.">
      {shown && <SecretOnce label={`URL of ${shown.name}`} secret={shown.url} onDone={() => setShown(null)} />}
      <CreateForm
        workspaceId={workspaceId}
        onDone={(h) => {
          list.setData((old) => [h, ...(old ?? [])]);
          if (h.url) setShown({ name: h.display_name, url: h.url });
        }}
      />
      <Problem error={list.error} />
      {list.data && hooks.length === 0 && <p class="integ-empty">No incoming webhooks yet.</p>}
      {hooks.length > 0 && (
        <ul class="integ-list" aria-label="Incoming webhooks">
          {hooks.map((h) => (
            <li class="integ-item" aria-label={h.display_name}>
              <div class="integ-item-main">
                <div class="integ-item-title">
                  <strong>{h.display_name}</strong> <span class="integ-meta">→ #{channelName(h.channel_id)}</span>
                </div>
                {h.url && <div class="mono integ-meta">{h.url}</div>}
                <div class="integ-meta">Added {fullTime(h.created_at)}</div>
              </div>
              <div class="integ-actions">
                <button type="button" class="button" onClick={() => remove(h)}>
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function CreateForm({ workspaceId, onDone }: { workspaceId: string; onDone: (h: IncomingWebhook) => void }) {
  const [name, setName] = useState("");
  const [channel, setChannel] = useState("");
  const channelId = channel || channels.value[0]?.id || "";
  const { submit, busy, error } = useSubmit(async () => {
    onDone(await createIncomingWebhook(workspaceId, { channel_id: channelId, display_name: name.trim() }));
    setName("");
  });
  return (
    <form class="integ-form" onSubmit={submit} aria-label="Add an incoming webhook">
      <div class="integ-grid">
        <div>
          <label class="field-label" for="hook-name">
            Name
          </label>
          <input id="hook-name" class="field" placeholder="CI" required maxLength={80} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </div>
        <div>
          <label class="field-label" for="hook-channel">
            Posts to
          </label>
          <select id="hook-channel" class="field" value={channelId} onChange={(e) => setChannel((e.target as HTMLSelectElement).value)}>
            {channels.value.map((c) => (
              <option value={c.id}>#{c.name}</option>
            ))}
          </select>
        </div>
      </div>
      <Problem error={error} />
      <button type="submit" class="button primary" aria-busy={busy}>
        Create webhook
      </button>
    </form>
  );
}
