// The pinned messages of a channel; each one jumps to its place in the conversation.
import { useEffect, useState } from "preact/hooks";
import { clockTime, dayLabel } from "../format.ts";
import { plainText } from "../markdown.ts";
import { conversationPath, navigate } from "../routes.ts";
import { authorName } from "../state/directory.ts";
import { pinsEpoch } from "../state/sync.ts";
import type { Timeline } from "../state/timeline.ts";
import type { Message } from "../types.ts";
import { Avatar } from "./Avatar.tsx";
import { Icon } from "./Icon.tsx";
import { api } from "../api.ts";
import { showToast } from "../state/ui.ts";

async function unpin(timeline: Timeline, m: Message, drop: (id: string) => void): Promise<void> {
  try {
    await api.unpin(timeline.scope.id, m.id);
    drop(m.id);
  } catch (err) {
    showToast(`Could not unpin: ${(err as Error).message}`, "error");
  }
}

export function PinsPanel({ timeline, canWrite }: { timeline: Timeline; canWrite: boolean }) {
  const [pins, setPins] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    timeline.loadPins().then(setPins, (err: Error) => setError(err.message));
  }, [timeline, pinsEpoch.value]);
  if (error) return <div class="empty-state">{error}</div>;
  if (!pins) return <div class="list-status">Loading pins…</div>;
  if (pins.length === 0) return <div class="empty-state">Nothing is pinned yet. Pin a message from its menu to keep it here.</div>;
  return (
    <ul class="result-list">
      {pins.map((m) => (
        <li class="pin-item">
          <button type="button" class="result" onClick={() => navigate(conversationPath("channel", timeline.scope.id, { messageId: m.id }))}>
            <Avatar id={m.author_id} user={m.author} size={24} />
            <span class="result-main">
              <span class="result-meta">
                <strong>{authorName(m)}</strong> {dayLabel(m.created_at)} {clockTime(m.created_at)}
              </span>
              <span class="result-text">{plainText(m.body, 200)}</span>
            </span>
          </button>
          {canWrite && (
            <button type="button" class="icon-button pin-remove" aria-label={`Unpin: ${plainText(m.body, 60)}`} title="Unpin" onClick={() => void unpin(timeline, m, (id) => setPins((list) => list?.filter((x) => x.id !== id) ?? null))}>
              <Icon name="close" size={16} />
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
