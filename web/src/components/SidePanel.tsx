// The right-hand pane: the open thread, or pins, or search results. On a phone it covers the
// conversation; Esc closes it.
import { dmTitle } from "../state/directory.ts";
import type { ThreadView } from "../state/thread.ts";
import { timelineFor } from "../state/timeline.ts";
import { panel, searchQuery } from "../state/ui.ts";
import type { Channel, DirectConversation, User } from "../types.ts";
import { Icon } from "./Icon.tsx";
import { PinsPanel } from "./PinsPanel.tsx";
import { SearchPanel } from "./SearchPanel.tsx";
import { ThreadPane } from "./ThreadPane.tsx";

export function SidePanel({ me, channel, dm, thread }: { me: User; channel?: Channel; dm?: DirectConversation; thread: ThreadView | null }) {
  const scope = channel ? { kind: "channel" as const, id: channel.id, workspaceId: channel.workspace_id } : { kind: "dm" as const, id: dm!.id, workspaceId: dm!.workspace_id };
  if (thread) {
    const canWrite = channel ? !channel.archived_at : (dm?.can_send ?? false);
    return <ThreadPane view={thread} me={me} scope={scope} title={channel ? `#${channel.name}` : dmTitle(dm!, me.id)} canWrite={canWrite} />;
  }
  const which = panel.value;
  if (!which || (which === "pins" && !channel)) return null;
  const title = which === "pins" ? "Pinned messages" : "Search";
  return (
    <aside class="side-panel" aria-label={title}>
      <header class="panel-header">
        <div>
          <h2>{title}</h2>
          <span class="panel-sub">{which === "pins" ? `#${channel!.name}` : `“${searchQuery.value}”`}</span>
        </div>
        <button type="button" class="icon-button" aria-label={`Close ${title.toLowerCase()}`} title="Close (Esc)" onClick={() => (panel.value = null)}>
          <Icon name="close" />
        </button>
      </header>
      <div class="panel-body">
        {which === "pins" ? <PinsPanel timeline={timelineFor(scope)} canWrite={!!channel && !channel.archived_at} /> : <SearchPanel workspaceId={scope.workspaceId} query={searchQuery.value} meId={me.id} />}
      </div>
    </aside>
  );
}
