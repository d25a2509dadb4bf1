// Who is in a private channel: its members see the list, add people of the workspace and remove
// them, and anyone may leave (the server decides who may do what, and says so when it refuses).
// The list follows channel.member_added / channel.member_removed (state/sync.ts).
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import { conversationPath, navigate } from "../routes.ts";
import { channelMembersEpoch, channels, findChannel, refreshChannels, rememberUsers } from "../state/directory.ts";
import { confirming, dialog, showToast } from "../state/ui.ts";
import type { Member, User } from "../types.ts";
import { Avatar } from "./Avatar.tsx";
import { Modal } from "./Modal.tsx";

const close = () => (dialog.value = null);

function Person({ user }: { user: User }) {
  return (
    <>
      <Avatar id={user.id} user={user} size={32} />
      <span class="person-names">
        <span class="browser-name">{user.display_name}</span>
        <span class="browser-topic">@{user.handle}</span>
      </span>
    </>
  );
}

export function ChannelMembers({ channelId, meId }: { channelId: string; meId: string }) {
  const channel = findChannel(channelId);
  const [list, setList] = useState<User[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<Member[]>([]);
  const epoch = channelMembersEpoch.value;

  useEffect(() => {
    api.channelMembers(channelId).then(
      ({ members }) => {
        rememberUsers(members);
        setList(members);
      },
      (err: Error) => setError(err.message),
    );
  }, [channelId, epoch]);

  useEffect(() => {
    const q = query.trim();
    if (!q || !channel) return setFound([]);
    const t = setTimeout(() => void api.members(channel.workspace_id, { q, limit: 20 }).then((page) => setFound(page.members), () => setFound([])), 150);
    return () => clearTimeout(t);
  }, [query]);

  if (!channel) return null;
  const inIt = new Set((list ?? []).map((u) => u.id));
  const reload = () => (channelMembersEpoch.value += 1);
  const add = async (user: User) => {
    try {
      await api.addChannelMember(channelId, user.id);
      setQuery("");
      reload();
      showToast(`${user.display_name} can now see #${channel.name}`);
    } catch (err) {
      showToast(`Could not add ${user.display_name}: ${(err as Error).message}`, "error");
    }
  };
  const remove = (user: User) => {
    const leaving = user.id === meId;
    const run = async () => {
      try {
        await api.removeChannelMember(channelId, user.id);
        if (leaving) {
          await refreshChannels(channel.workspace_id);
          const next = channels.peek()[0];
          if (next) navigate(conversationPath("channel", next.id));
          showToast(`You left #${channel.name}`);
        } else {
          reload();
          showToast(`${user.display_name} was removed from #${channel.name}`);
        }
      } catch (err) {
        showToast(`Could not remove ${user.display_name}: ${(err as Error).message}`, "error");
      }
    };
    if (!leaving) return void run();
    close();
    confirming.value = { title: `Leave #${channel.name}?`, body: "It is private: you will no longer see it until someone in it adds you again.", confirm: "Leave", action: () => void run() };
  };

  return (
    <Modal label={`Members of #${channel.name}`} onClose={close} class="people-dialog channel-members">
      <h2 class="modal-title">
        Members of #{channel.name} {list && <span class="modal-count">{list.length}</span>}
      </h2>
      <p class="field-hint">A private channel: only these people see it. Anyone in it can add people of the workspace.</p>
      {error ? (
        <p class="empty-state">{error}</p>
      ) : !list ? (
        <p class="list-status">Loading members…</p>
      ) : (
        <ul class="browser-list" aria-label="Members">
          {list.map((u) => (
            <li class="browser-item member-row">
              <Person user={u} />
              <button type="button" class="button small" aria-label={u.id === meId ? `Leave #${channel.name}` : `Remove ${u.display_name}`} onClick={() => remove(u)}>
                {u.id === meId ? "Leave" : "Remove"}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="members-add">
        <label class="field-label" for="channel-member-search">
          Add people
        </label>
        <input id="channel-member-search" class="field" type="search" placeholder="Find people by name or @handle" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
        {query.trim() && (
          <ul class="browser-list" aria-label="People to add">
            {found.filter((m) => !inIt.has(m.user.id)).map((m) => (
              <li class="browser-item member-row">
                <Person user={m.user} />
                <button type="button" class="button small primary" aria-label={`Add ${m.user.display_name}`} onClick={() => void add(m.user)}>
                  Add
                </button>
              </li>
            ))}
            {found.filter((m) => !inIt.has(m.user.id)).length === 0 && <li class="side-empty">Nobody else matches.</li>}
          </ul>
        )}
      </div>
      <div class="modal-actions">
        <button type="button" class="button primary" onClick={close}>
          Done
        </button>
      </div>
    </Modal>
  );
}
