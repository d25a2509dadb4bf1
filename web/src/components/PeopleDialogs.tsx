// People: the member list of the workspace (every channel is open to all of them, so it is each
// channel's list too), searchable, and a person's profile card with a button to message them.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import { startDm } from "../conversations.ts";
import { canManageChannels, memberCount, rememberRoles, rememberUsers, roles, users, workspaceId } from "../state/directory.ts";
import { presence } from "../state/presence.ts";
import { dialog, openDialog, showToast } from "../state/ui.ts";
import type { Member } from "../types.ts";
import { Avatar } from "./Avatar.tsx";
import { Modal } from "./Modal.tsx";

const close = () => (dialog.value = null);
const ROLE: Record<Member["role"], string> = { owner: "Owner", moderator: "Moderator", member: "Member", guest: "Guest", bot: "Bot" };

export const openProfile = (userId: string) => openDialog({ kind: "profile", userId });

export function PeopleDialog({ title }: { title?: string }) {
  const [query, setQuery] = useState("");
  const [list, setList] = useState<Member[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ws = workspaceId.peek();
    if (!ws) return;
    const t = setTimeout(
      () =>
        api.members(ws, { q: query.trim() || undefined, limit: 100 }).then(
          (page) => {
            rememberUsers(page.members.map((m) => m.user));
            rememberRoles(page.members);
            setList(page.members);
          },
          (err: Error) => setError(err.message),
        ),
      query ? 150 : 0,
    );
    return () => clearTimeout(t);
  }, [query]);
  const heading = title ?? "People";
  return (
    <Modal label={heading} onClose={close} class="people-dialog">
      <h2 class="modal-title">
        {heading} <span class="modal-count">{memberCount.value}</span>
      </h2>
      {canManageChannels.value && (
        <button type="button" class="button primary" onClick={() => openDialog({ kind: "invites" })}>
          Invite people
        </button>
      )}
      <input class="field" type="search" placeholder="Find people by name or @handle" aria-label="Find people" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
      {error ? (
        <p class="empty-state">{error}</p>
      ) : !list ? (
        <p class="list-status">Loading people…</p>
      ) : (
        <ul class="browser-list" aria-label="Members">
          {list.map((m) => (
            <li class="browser-item">
              <button type="button" class="browser-open person" onClick={() => openProfile(m.user.id)}>
                <Avatar id={m.user.id} user={m.user} size={32} presence />
                <span class="person-names">
                  <span class="browser-name">{m.user.display_name}</span>
                  <span class="browser-topic">@{m.user.handle}</span>
                </span>
                <span class="badge">{ROLE[m.role]}</span>
              </button>
            </li>
          ))}
          {list.length === 0 && <li class="side-empty">Nobody matches.</li>}
        </ul>
      )}
    </Modal>
  );
}

/** "3:05 PM" where they are, ticking with the minute while the card is open. */
function LocalTime({ zone }: { zone: string }) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 15_000);
    return () => clearInterval(timer);
  }, []);
  let text: string;
  try {
    text = new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: "numeric", minute: "2-digit" }).format(now);
  } catch {
    return null; // a zone this browser does not know
  }
  return (
    <p class="profile-local-time">
      Local time <time>{text}</time> <span class="profile-zone">({zone.replaceAll("_", " ")})</span>
    </p>
  );
}

export function ProfileCard({ userId, meId }: { userId: string; meId: string }) {
  const user = users.value.get(userId);
  const role = roles.value.get(userId);
  const [opening, setOpening] = useState(false);
  if (!user) return null;
  const status = presence.value.get(userId);
  const message = async () => {
    if (opening) return;
    setOpening(true);
    try {
      await startDm(userId === meId ? [] : [userId]);
      close();
    } catch (err) {
      showToast(`Could not open a conversation: ${(err as Error).message}`, "error");
    } finally {
      setOpening(false);
    }
  };
  return (
    <Modal label={`${user.display_name}'s profile`} onClose={close} class="profile-card">
      <div class="profile-top">
        <Avatar id={user.id} user={user} size={72} />
        <div>
          <h2 class="modal-title">{user.display_name}</h2>
          <p class="profile-handle">@{user.handle}</p>
          <p class="profile-meta">
            {user.kind === "bot" ? <span class="badge">Bot</span> : role && <span class="badge">{ROLE[role]}</span>}
            <span class={`profile-status ${status ?? "offline"}`}>{status === "online" ? "Online" : status === "away" ? "Away" : "Offline"}</span>
            <span>Member since {new Date(user.created_at).toLocaleDateString(undefined, { year: "numeric", month: "long" })}</span>
          </p>
          {user.time_zone && <LocalTime zone={user.time_zone} />}
        </div>
      </div>
      <div class="modal-actions">
        <button type="button" class="button" onClick={close}>
          Close
        </button>
        <button type="button" class="button primary" onClick={() => void message()}>
          {userId === meId ? "Message yourself" : "Message"}
        </button>
      </div>
    </Modal>
  );
}
