// Incoming webhooks: a secret URL per channel that other systems POST to (Slack and Mattermost
// JSON). The URL is the only credential, so the server shows it once (on create and on rotate).
import { useState } from "preact/hooks";
import { useSubmit } from "../components/useSubmit.ts";
import { fullTime } from "../format.ts";
import { channels } from "../state/directory.ts";
import { confirming, showToast } from "../state/ui.ts";
import type { IncomingWebhook } from "../types.ts";
import { incomingWebhooksApi } from "./api.ts";
import { Problem, SecretOnce, Section, useLoaded } from "./parts.tsx";

const URL_HINT = "Copy it now: it is shown only this once. Anyone who has it can post to the channel.";

export function Webhooks({ workspaceId }: { workspaceId: string }) {
  const list = useLoaded(() => incomingWebhooksApi.list(workspaceId), [workspaceId]);
  const [shown, setShown] = useState<{ name: string; url: string } | null>(null);
  const hooks = list.data ?? [];
  const channelName = (id: string) => channels.value.find((c) => c.id === id)?.name ?? id;
  // The list never carries URLs; keep the one the server just showed out of the stored row.
  const changed = ({ url, ...h }: IncomingWebhook) => {
    list.setData((old) => [h, ...(old ?? []).filter((x) => x.id !== h.id)]);
    if (url) setShown({ name: h.name, url });
  };
  const rotate = (h: IncomingWebhook) =>
    (confirming.value = {
      title: `Rotate the URL of “${h.name}”?`,
      body: "The current URL stops working at once; whatever posts to it must be given the new one.",
      confirm: "Rotate URL",
      action: () => void incomingWebhooksApi.rotateSecret(h.id).then(changed, (err) => showToast(`Could not rotate: ${(err as Error).message}`, "error")),
    });
  const remove = (h: IncomingWebhook) =>
    (confirming.value = {
      title: `Delete the webhook “${h.name}”?`,
      body: "Its URL stops working at once. What it posted stays.",
      confirm: "Delete webhook",
      action: () =>
        void incomingWebhooksApi.remove(h.id).then(
          () => {
            list.setData((old) => old?.filter((x) => x.id !== h.id));
            if (shown?.name === h.name) setShown(null);
          },
          (err) => showToast(`Could not delete: ${(err as Error).message}`, "error"),
        ),
    });
  return (
    <Section id="integ-webhooks" title="Incoming webhooks" intro="A secret URL that posts to one channel. It accepts Slack- and Mattermost-style JSON (text, username, icon_url, attachments); keep it private, anyone with it can post.">
      {shown && <SecretOnce label={`URL of ${shown.name}`} secret={shown.url} hint={URL_HINT} onDone={() => setShown(null)} />}
      <CreateForm onDone={changed} />
      <Problem error={list.error} />
      {list.data && hooks.length === 0 && <p class="integ-empty">No incoming webhooks yet.</p>}
      {hooks.length > 0 && (
        <ul class="integ-list" aria-label="Incoming webhooks">
          {hooks.map((h) => (
            <li class="integ-item" aria-label={h.name}>
              <div class="integ-item-main">
                <div class="integ-item-title">
                  <strong>{h.name}</strong> <span class="integ-meta">→ #{channelName(h.channel_id)}</span>
                </div>
                <div class="integ-meta">Added {fullTime(h.created_at)}</div>
              </div>
              <div class="integ-actions">
                <button type="button" class="button" onClick={() => rotate(h)}>
                  Rotate URL
                </button>
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

function CreateForm({ onDone }: { onDone: (h: IncomingWebhook) => void }) {
  const [name, setName] = useState("");
  const [channel, setChannel] = useState("");
  const open = channels.value.filter((c) => !c.archived_at);
  const channelId = channel || open[0]?.id || "";
  const { submit, busy, error } = useSubmit(async () => {
    onDone(await incomingWebhooksApi.create(channelId, name.trim()));
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
            {open.map((c) => (
              <option value={c.id}>#{c.name}</option>
            ))}
          </select>
        </div>
      </div>
      <Problem error={error} />
      <button type="submit" class="button primary" aria-busy={busy} disabled={!channelId}>
        Create webhook
      </button>
    </form>
  );
}
