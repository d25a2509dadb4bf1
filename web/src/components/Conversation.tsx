// Resolves a conversation URL to a channel or DM. A link into another workspace switches to it;
// a link to something gone or out of reach says so instead of showing a blank screen.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../api.ts";
import { dms, findChannel, refreshChannels, refreshDms, workspaceId } from "../state/directory.ts";
import { startWorkspace, workspaceStatus } from "../state/sync.ts";
import { openThread, showThread } from "../state/thread.ts";
import type { User } from "../types.ts";
import { ConversationView } from "./ConversationView.tsx";
import { SidePanel } from "./SidePanel.tsx";

interface Props {
  me: User;
  kind: "channel" | "dm";
  id: string;
  threadId: string | null;
  messageId: string | null;
}

export function Conversation({ me, kind, id, threadId, messageId }: Props) {
  const [problem, setProblem] = useState<string | null>(null);
  // Channels may be addressed by id or by their public route id.
  const channel = kind === "channel" ? findChannel(id) : undefined;
  const dm = kind === "dm" ? dms.value.find((d) => d.id === id || d.route_id === id) : undefined;
  const ready = workspaceStatus.value.state === "ready";

  // Not in this workspace's lists: find out where it lives.
  useEffect(() => {
    setProblem(null);
    if (!ready || channel || dm) return;
    let cancelled = false;
    (async () => {
      try {
        const ws = kind === "channel" ? (await api.channel(id)).channel.workspace_id : (await api.dm(id)).conversation.workspace_id;
        if (cancelled) return;
        if (ws !== workspaceId.peek()) await startWorkspace(ws, me);
        else if (kind === "dm") await refreshDms(ws);
        else {
          // Created or archived since the lists were loaded.
          await refreshChannels(ws);
          if (!cancelled && !findChannel(id)) setProblem("This conversation does not exist, or you are not a member of it.");
        }
      } catch (err) {
        if (!cancelled) setProblem(err instanceof ApiError && (err.status === 404 || err.status === 403) ? "This conversation does not exist, or you are not a member of it." : "Could not load this conversation.");
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [kind, id, ready, !!(channel || dm)]);

  // After the workspace is (re)started, which closes any thread.
  useEffect(() => showThread(ready ? threadId : null), [threadId, ready]);

  if (problem) return <div class="empty-state main-empty">{problem}</div>;
  if (!channel && !dm) return <div class="empty-state main-empty" aria-busy="true" />;
  return (
    <>
      <ConversationView key={(channel ?? dm)!.id} me={me} channel={channel} dm={dm} messageId={messageId} />
      <SidePanel me={me} channel={channel} dm={dm} thread={threadId ? openThread.value : null} />
    </>
  );
}
