// The reaction chips under a message. Clicking one toggles your reaction; the server's answer
// (the message's reaction summary) is applied at once, and the realtime event keeps others in step.
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { patchEverywhere } from "../state/sync.ts";
import { showToast } from "../state/ui.ts";
import type { Message } from "../types.ts";
import { EmojiPicker } from "./EmojiPicker.tsx";
import { Icon } from "./Icon.tsx";

export async function toggleReaction(message: Message, emoji: string): Promise<void> {
  const mine = message.reactions?.find((r) => r.emoji === emoji)?.reacted_by_me ?? false;
  try {
    const { reactions } = mine ? await api.unreact(message.id, emoji) : await api.react(message.id, emoji);
    patchEverywhere(message.id, (m) => ({ ...m, reactions }));
  } catch (err) {
    showToast(`Could not react: ${(err as Error).message}`, "error");
  }
}

/** The emoji picker, wired to react to one message. */
export function ReactionPicker({ message, onDone }: { message: Message; onDone: () => void }) {
  return (
    <EmojiPicker
      onPick={(emoji) => {
        onDone();
        void toggleReaction(message, emoji);
      }}
      onClose={onDone}
    />
  );
}

export function Reactions({ message, canReact }: { message: Message; canReact: boolean }) {
  const [picking, setPicking] = useState(false);
  const reactions = message.reactions ?? [];
  if (reactions.length === 0) return null;
  return (
    <div class="reactions" role="group" aria-label="Reactions">
      {reactions.map((r) => (
        <button
          type="button"
          class={`reaction${r.reacted_by_me ? " mine" : ""}`}
          aria-pressed={r.reacted_by_me}
          aria-label={`${r.emoji} ${r.count}${r.reacted_by_me ? ", including you" : ""}`}
          disabled={!canReact}
          onClick={() => void toggleReaction(message, r.emoji)}
        >
          <span class="reaction-emoji">{r.emoji}</span>
          <span class="reaction-count">{r.count}</span>
        </button>
      ))}
      {canReact && (
        <span class="reaction-add-wrap">
          <button type="button" class="reaction reaction-add" aria-label="Add a reaction" onClick={() => setPicking(true)}>
            <Icon name="smile" size={16} />
          </button>
          {picking && <ReactionPicker message={message} onDone={() => setPicking(false)} />}
        </span>
      )}
    </div>
  );
}
