// "Ada is typing…" under a composer, from typing.started/stopped ephemeral events.
import { userName } from "../state/directory.ts";
import { typing, typingKey } from "../state/ephemeral.ts";

export function TypingIndicator({ scopeId, rootId }: { scopeId: string; rootId?: string | null }) {
  const who = Object.keys(typing.value[typingKey(scopeId, rootId)] ?? {});
  const names = who.map((id) => userName(id));
  const text =
    names.length === 0 ? "" : names.length === 1 ? `${names[0]} is typing…` : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : "Several people are typing…";
  return (
    <div class="typing" aria-live="polite">
      {text && (
        <>
          <span class="typing-dots" aria-hidden="true">
            <i />
            <i />
            <i />
          </span>
          {text}
        </>
      )}
    </div>
  );
}
