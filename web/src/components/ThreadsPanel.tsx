// Threads I follow (started, replied, were mentioned in, or chose to follow), newest reply first;
// each opens its thread. Counts are the server's, so every device shows the same.
import { useEffect } from "preact/hooks";
import { plainText } from "../markdown.ts";
import { conversationPath, navigate } from "../routes.ts";
import { channels, followedThreads, refreshThreads, authorName } from "../state/directory.ts";
import { Avatar } from "./Avatar.tsx";

export function ThreadsPanel({ workspaceId }: { workspaceId: string }) {
  useEffect(() => {
    void refreshThreads(workspaceId).catch(() => {});
  }, [workspaceId]);
  const list = followedThreads.value;
  if (list.length === 0) return <div class="empty-state">No threads yet. Threads you start, reply to or are mentioned in show up here.</div>;
  return (
    <ul class="result-list threads-list">
      {list.map((t) => {
        const channel = channels.value.find((c) => c.id === t.scope_id);
        const kind = channel ? "channel" : "dm";
        const root = t.root;
        return (
          <li>
            <button type="button" class="result" onClick={() => navigate(conversationPath(kind, t.scope_id, { threadId: t.root_message_id }))}>
              {root && <Avatar id={root.author_id} user={root.author} size={24} />}
              <span class="result-main">
                <span class="result-meta">
                  <strong>{authorName(root)}</strong> {channel ? `#${channel.name}` : "Direct message"}
                  {t.mention_count > 0 ? <span class="badge-mention">{t.mention_count}</span> : t.unread_count > 0 ? <span class="badge-unread">{t.unread_count}</span> : null}
                </span>
                <span class="result-text">{plainText(root?.body ?? "", 200)}</span>
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
