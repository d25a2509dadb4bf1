// Channels beyond the sidebar: browse every channel (archived ones too) and a channel's settings
// (name, topic, archive) for owners and moderators, as the server allows; star and mute for
// anyone (kept in this browser, see state/prefs.ts). Public channels are open to every member of
// a workspace, so there is nothing to join or leave; a private channel is listed only to the
// people in it, who manage its members (ChannelMembers.tsx).
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { conversationPath, navigate } from "../routes.ts";
import { archivedChannels, canManageChannels, channels, currentWorkspace, findChannel, refreshChannels } from "../state/directory.ts";
import { muted, starred, toggleMute, toggleStar } from "../state/prefs.ts";
import { confirming, dialog, openDialog, showToast } from "../state/ui.ts";
import type { Channel } from "../types.ts";
import { ChannelSign, Icon } from "./Icon.tsx";
import { Modal } from "./Modal.tsx";
import { useSubmit } from "./useSubmit.ts";
import { channelNamePreview, newChannel } from "../conversations.ts";

const close = () => (dialog.value = null);

export function StarButton({ channel }: { channel: Channel }) {
  const on = starred.value.has(channel.id);
  return (
    <button type="button" class={`icon-button star${on ? " on" : ""}`} aria-pressed={on} aria-label={on ? `Unstar #${channel.name}` : `Star #${channel.name}`} title={on ? "Unstar" : "Star"} onClick={() => toggleStar(channel.id)}>
      <Icon name="star" size={17} />
    </button>
  );
}

export function ChannelBrowser() {
  const [query, setQuery] = useState("");
  const [showArchived, setShowArchived] = useState(false);
  const q = query.trim().toLowerCase();
  const list = (showArchived ? archivedChannels.value : channels.value).filter((c) => !q || c.name.includes(q) || (c.display_title ?? "").toLowerCase().includes(q));
  const open = (c: Channel) => {
    close();
    navigate(conversationPath("channel", c.id));
  };
  return (
    <Modal label="Browse channels" onClose={close} class="browser">
      <h2 class="modal-title">Browse channels</h2>
      <div class="browser-tools">
        <input class="field" type="search" placeholder="Find a channel" aria-label="Find a channel" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
        <div class="segmented" role="group" aria-label="Which channels">
          <button type="button" aria-pressed={!showArchived} onClick={() => setShowArchived(false)}>
            Active ({channels.value.length})
          </button>
          <button type="button" aria-pressed={showArchived} onClick={() => setShowArchived(true)}>
            Archived ({archivedChannels.value.length})
          </button>
        </div>
      </div>
      <ul class="browser-list" aria-label="Channels">
        {list.map((c) => (
          <li class="browser-item">
            <button type="button" class="browser-open" aria-label={`#${c.name}${c.private ? ", private" : ""}${c.archived_at ? ", archived" : ""}${muted.value.has(c.id) ? ", muted" : ""}${c.display_title ? `: ${c.display_title}` : ""}`} onClick={() => open(c)}>
              <span class="browser-name">
                <span aria-hidden="true">
                  <ChannelSign channel={c} size={14} />
                </span>
                {c.name}
                {c.archived_at && <span class="badge">Archived</span>}
                {muted.value.has(c.id) && <span class="badge muted-badge">Muted</span>}
              </span>
              {c.display_title && <span class="browser-topic">{c.display_title}</span>}
            </button>
            {!c.archived_at && <StarButton channel={c} />}
          </li>
        ))}
        {list.length === 0 && <li class="side-empty">{showArchived ? "No archived channels." : "No channel matches."}</li>}
      </ul>
      <div class="modal-actions">
        <button
          type="button"
          class="button"
          onClick={() => {
            close();
            newChannel();
          }}
        >
          Create a channel
        </button>
        <button type="button" class="button primary" onClick={close}>
          Done
        </button>
      </div>
    </Modal>
  );
}

export function ChannelSettings({ channelId }: { channelId: string }) {
  const channel = findChannel(channelId);
  const [name, setName] = useState(channel?.name ?? "");
  const [topic, setTopic] = useState(channel?.display_title ?? "");
  const { submit: save, busy: saving, error } = useSubmit(async () => {
    if (!channel) return;
    const change: { name?: string; display_title?: string | null } = {};
    if (name.trim() && name.trim() !== channel.name) change.name = name.trim();
    if (topic.trim() !== (channel.display_title ?? "")) change.display_title = topic.trim() || null;
    if (Object.keys(change).length) {
      await api.updateChannel(channel.id, change);
      await refreshChannels(channel.workspace_id);
    }
    close();
  });
  if (!channel) return null;
  const manager = canManageChannels.value;
  const preview = name.trim() && name.trim() !== channel.name ? channelNamePreview("Will be renamed to")(name) : null;
  const archive = () => {
    const to = !channel.archived_at;
    const run = async () => {
      try {
        await api.updateChannel(channel.id, { archived: to });
        await refreshChannels(channel.workspace_id);
        showToast(to ? `#${channel.name} archived` : `#${channel.name} is back`);
      } catch (err) {
        showToast(`Could not ${to ? "archive" : "unarchive"}: ${(err as Error).message}`, "error");
      }
    };
    close();
    if (!to) return void run();
    const readers = channel.private ? "Its members" : "Everyone";
    confirming.value = { title: `Archive #${channel.name}?`, body: `Nobody can post in it any more. ${readers} can still read it, and it can be unarchived.`, confirm: "Archive", action: () => void run() };
  };
  const isMuted = muted.value.has(channel.id);
  return (
    <Modal label={`#${channel.name} settings`} onClose={close} class="channel-settings">
      <form onSubmit={save}>
        <h2 class="modal-title">#{channel.name}</h2>
        <label class="field-label" for="channel-name">
          Name
        </label>
        <input id="channel-name" class="field" value={name} maxLength={200} disabled={!manager || !!channel.archived_at} aria-describedby={preview ? "channel-name-preview" : undefined} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        {preview && (
          <p class="field-hint" id="channel-name-preview" aria-live="polite">
            {preview}
          </p>
        )}
        <label class="field-label spaced" for="channel-topic">
          Topic
        </label>
        <input id="channel-topic" class="field" value={topic} maxLength={200} placeholder="What this channel is for" disabled={!manager || !!channel.archived_at} onInput={(e) => setTopic((e.target as HTMLInputElement).value)} />
        {!manager && <p class="field-hint">Only the workspace's owners and moderators can change a channel.</p>}
        {channel.private && (
          <p class="field-hint">
            <Icon name="lock" size={14} /> Private: only its members see it, and it stays private.{" "}
            <button type="button" class="link-button" onClick={() => openDialog({ kind: "channel-members", channelId: channel.id })}>
              Members
            </button>
          </p>
        )}
        {error && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
        <div class="settings-row">
          <button type="button" class="button" aria-pressed={starred.value.has(channel.id)} onClick={() => toggleStar(channel.id)}>
            <Icon name="star" size={16} /> {starred.value.has(channel.id) ? "Unstar" : "Star"}
          </button>
          <button type="button" class="button" aria-pressed={isMuted} onClick={() => toggleMute(channel.id)}>
            <Icon name={isMuted ? "bell" : "mute"} size={16} /> {isMuted ? "Unmute" : "Mute"}
          </button>
        </div>
        <p class="field-hint">Starred channels come first in the sidebar; muted ones show no unread count and notify you only of mentions. Both follow you to every device.</p>
        <div class="modal-actions">
          {manager && channel.kind !== "guest" && (
            <button type="button" class="button danger-outline" onClick={archive}>
              <Icon name="archive" size={16} /> {channel.archived_at ? "Unarchive" : "Archive channel"}
            </button>
          )}
          {currentWorkspace.value?.role === "owner" && channel.kind !== "guest" && (
            <button type="button" class="button danger-outline" onClick={() => openDialog({ kind: "delete-channel", channelId: channel.id })}>
              Delete…
            </button>
          )}
          <span class="grow" />
          <button type="button" class="button" onClick={close}>
            Cancel
          </button>
          {manager && !channel.archived_at && (
            <button type="submit" class="button primary" aria-disabled={saving}>
              Save
            </button>
          )}
        </div>
      </form>
    </Modal>
  );
}
