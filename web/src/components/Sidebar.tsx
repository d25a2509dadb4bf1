// Channels and DMs with unread counts and mention badges, the workspace switcher, and you.
import { newChannel } from "../conversations.ts";
import { conversationPath, navigate, route } from "../routes.ts";
import { signOut } from "../session.ts";
import { channels, dms, dmTitle, threadMentions } from "../state/directory.ts";
import { openDialog, dmPickerOpen, panel, quickSwitcherOpen, sidebarOpen } from "../state/ui.ts";
import { muted, starred } from "../state/prefs.ts";
import type { Channel } from "../types.ts";
import type { User } from "../types.ts";
import { Avatar } from "./Avatar.tsx";
import { ConnectionDot } from "./ConnectionStatus.tsx";
import { ChannelSign, Icon } from "./Icon.tsx";
import { PushToggle } from "./PushToggle.tsx";
import { WorkspaceSwitcher } from "./WorkspaceSwitcher.tsx";

function Item({ href, active, unread, mentions, label, children, quiet }: { href: string; active: boolean; unread: number; mentions: number; label: string; children: preact.ComponentChildren; quiet?: boolean }) {
  const badge = mentions > 0 ? mentions : 0;
  // A muted channel shows mentions only.
  if (quiet) unread = 0;
  return (
    <li>
      <a
        href={href}
        class={`side-item${active ? " active" : ""}${unread > 0 ? " unread" : ""}${quiet ? " muted" : ""}`}
        aria-current={active ? "page" : undefined}
        aria-label={`${label}${quiet ? ", muted" : ""}${unread ? `, ${unread} unread` : ""}${badge ? `, ${badge} mentions` : ""}`}
        onClick={(e) => {
          e.preventDefault();
          sidebarOpen.value = false;
          navigate(href);
        }}
      >
        {children}
        {/* The counts are in the link's label; the badge is their picture. The space keeps the
            visible words apart ("general 1", not "general1") so the label still contains them. */}
        {" "}
        {badge > 0 ? (
          <span class="badge-mention" aria-hidden="true">
            {badge}
          </span>
        ) : unread > 0 ? (
          <span class="badge-unread" aria-hidden="true">
            {unread > 99 ? "99+" : unread}
          </span>
        ) : null}
      </a>
    </li>
  );
}

export function Sidebar({ me }: { me: User }) {
  const r = route.value;
  const activeId = r.name === "conversation" ? r.id : null;
  const starredIds = starred.value;
  const stars = channels.value.filter((c) => starredIds.has(c.id));
  const rest = channels.value.filter((c) => !starredIds.has(c.id));
  const channelItem = (c: Channel) => (
    <Item href={conversationPath("channel", c.id)} active={activeId === c.id} unread={c.unread_count} mentions={c.mention_count} label={c.private ? `${c.name}, private channel` : `#${c.name}`} quiet={muted.value.has(c.id)}>
      <span class={`side-icon${c.private ? " private" : ""}`} aria-hidden="true">
        <ChannelSign channel={c} />
      </span>
      <span class="side-label">{c.name}</span>
    </Item>
  );
  return (
    <nav class={`sidebar${sidebarOpen.value ? " open" : ""}`} aria-label="Conversations">
      <div class="sidebar-top">
        <WorkspaceSwitcher me={me} />
        <button type="button" class="jump-to" onClick={() => (quickSwitcherOpen.value = true)} aria-keyshortcuts="Control+K Meta+K">
          <Icon name="search" size={16} />
          <span>Jump to…</span>
          <kbd>Ctrl K</kbd>
        </button>
      </div>
      <div class="sidebar-scroll">
        <section class="side-section">
          <ul>
            <li>
              <button type="button" class={`side-item${panel.value === "threads" ? " active" : ""}`} aria-pressed={panel.value === "threads"}
                aria-label={`Threads${threadMentions.value ? `, ${threadMentions.value} mentions` : ""}`} onClick={() => (panel.value = panel.value === "threads" ? null : "threads")}>
                <span class="side-icon" aria-hidden="true">
                  <Icon name="thread" size={16} />
                </span>
                <span class="side-label">Threads</span>
                {threadMentions.value > 0 && (
                  <>
                    {" "}
                    <span class="badge-mention" aria-hidden="true">
                      {threadMentions.value}
                    </span>
                  </>
                )}
              </button>
            </li>
          </ul>
        </section>
        {stars.length > 0 && (
          <section class="side-section" aria-label="Starred">
            <h2 class="side-heading">
              <span>Starred</span>
            </h2>
            <ul>{stars.map(channelItem)}</ul>
          </section>
        )}
        <section class="side-section" aria-label="Channels">
          <h2 class="side-heading">
            <span>Channels</span>
            <span class="side-heading-tools">
              <button type="button" class="icon-button small" aria-label="Browse channels" title="Browse channels" onClick={() => openDialog({ kind: "channels" })}>
                <Icon name="hash" size={15} />
              </button>
              <button type="button" class="icon-button small" aria-label="Create a channel" title="Create a channel" onClick={newChannel}>
                <Icon name="plus" size={16} />
              </button>
            </span>
          </h2>
          <ul>{rest.map(channelItem)}</ul>
        </section>
        <section class="side-section">
          <h2 class="side-heading">
            <span>Direct messages</span>
            <button type="button" class="icon-button small" aria-label="New direct message" title="New direct message" onClick={() => (dmPickerOpen.value = true)}>
              <Icon name="plus" size={16} />
            </button>
          </h2>
          <ul>
            {dms.value.map((d) => {
              const others = d.members.filter((m) => m.id !== me.id);
              const first = others[0] ?? d.members[0];
              return (
                <Item href={conversationPath("dm", d.id)} active={activeId === d.id} unread={d.unread_count} mentions={d.unread_count} label={dmTitle(d, me.id)}>
                  {first && <Avatar id={first.id} user={first} size={20} presence={others.length === 1} />}
                  <span class="side-label">{dmTitle(d, me.id)}</span>
                </Item>
              );
            })}
            {dms.value.length === 0 && <li class="side-empty">No conversations yet.</li>}
          </ul>
        </section>
      </div>
      <footer class="sidebar-me">
        <Avatar id={me.id} user={me} size={28} />
        <span class="me-names">
          <span class="me-name">{me.display_name}</span>
          <ConnectionDot />
        </span>
        <PushToggle />
        <button type="button" class="icon-button" aria-label="People" title="People" onClick={() => openDialog({ kind: "people" })}>
          <Icon name="people" />
        </button>
        <button type="button" class="icon-button" aria-label="Settings" title="Settings" onClick={() => openDialog({ kind: "settings" })}>
          <Icon name="settings" />
        </button>
        <button type="button" class="icon-button" aria-label="Sign out" title="Sign out" onClick={() => void signOut()}>
          <Icon name="logout" />
        </button>
      </footer>
    </nav>
  );
}
