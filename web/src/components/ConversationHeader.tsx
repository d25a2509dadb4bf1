// The bar above a conversation: its name and topic, and the buttons for pins and search. On a
// phone it also opens the sidebar.
import { useState } from "preact/hooks";
import { dmTitle } from "../state/directory.ts";
import { openDialog, panel, searchQuery, sidebarOpen } from "../state/ui.ts";
import { memberCount } from "../state/directory.ts";
import { StarButton } from "./ChannelDialogs.tsx";
import type { Channel, DirectConversation } from "../types.ts";
import { Avatar } from "./Avatar.tsx";
import { ChannelSign, Icon } from "./Icon.tsx";

interface Props {
  channel?: Channel;
  dm?: DirectConversation;
  meId: string;
  pinCount: number;
}

function SearchBox() {
  const [text, setText] = useState(searchQuery.value);
  return (
    <form
      class="search-box"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        if (!text.trim()) return;
        searchQuery.value = text.trim();
        panel.value = "search";
      }}
    >
      <Icon name="search" size={16} />
      <input
        id="search-input"
        type="search"
        placeholder="Search messages"
        aria-label="Search messages"
        value={text}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
      />
    </form>
  );
}

export function ConversationHeader({ channel, dm, meId, pinCount }: Props) {
  const others = dm ? dm.members.filter((m) => m.id !== meId) : [];
  return (
    <header class="conv-header">
      <button type="button" class="icon-button only-phone" aria-label="Open the sidebar" onClick={() => (sidebarOpen.value = true)}>
        <Icon name="menu" />
      </button>
      <div class="conv-title">
        {channel && (
          <>
            <h1>
              <span class="conv-hash" aria-hidden="true">
                <ChannelSign channel={channel} size={18} />
              </span>
              {channel.name}
              {channel.private && <span class="visually-hidden">, private channel</span>}
            </h1>
            <StarButton channel={channel} />
            {channel.display_title && <span class="conv-topic">{channel.display_title}</span>}
          </>
        )}
        {dm && (
          <>
            <span class="conv-avatars" aria-hidden="true">
              {(others.length ? others : dm.members).slice(0, 3).map((u) => (
                <Avatar id={u.id} user={u} size={24} />
              ))}
            </span>
            <h1>{dmTitle(dm, meId)}</h1>
          </>
        )}
      </div>
      <div class="conv-tools">
        <SearchBox />
        {channel?.private && (
          <button type="button" class="tool-button" aria-label="Members of this private channel" title="Members" onClick={() => openDialog({ kind: "channel-members", channelId: channel.id })}>
            <Icon name="people" size={17} />
          </button>
        )}
        {channel && !channel.private && (
          <button type="button" class="tool-button" aria-label={`${memberCount.value} members`} title="Members" onClick={() => openDialog({ kind: "people", title: `Members of #${channel.name}` })}>
            <Icon name="people" size={17} />
            <span class="tool-count members">{memberCount.value}</span>
          </button>
        )}
        {channel && (
          <button type="button" class="tool-button" aria-label="Channel settings" title="Channel settings" onClick={() => openDialog({ kind: "channel-settings", channelId: channel.id })}>
            <Icon name="settings" size={17} />
          </button>
        )}
        {channel && (
          <button
            type="button"
            class={`tool-button${panel.value === "pins" ? " active" : ""}`}
            aria-pressed={panel.value === "pins"}
            aria-label={`Pinned messages (${pinCount})`}
            title="Pinned messages"
            onClick={() => (panel.value = panel.value === "pins" ? null : "pins")}
          >
            <Icon name="pin" size={17} />
            {pinCount > 0 && <span class="tool-count">{pinCount}</span>}
          </button>
        )}
      </div>
    </header>
  );
}
