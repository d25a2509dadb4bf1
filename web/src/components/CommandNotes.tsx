// Replies to your slash commands that only you see (`response_type: "ephemeral"`, or a command
// that failed): kept in this tab until dismissed, never in the channel's history.
import { commandNotes, dismissCommandNote } from "../state/commands.ts";
import { Icon } from "./Icon.tsx";
import { MessageBody } from "./MessageBody.tsx";

export function CommandNotes({ channelId }: { channelId: string }) {
  const notes = commandNotes.value.filter((n) => n.channelId === channelId);
  if (notes.length === 0) return null;
  return (
    <ul class="command-notes" aria-label="Command replies only visible to you">
      {notes.map((n) => (
        <li class="command-note" key={n.id}>
          <div class="command-note-head">
            <Icon name="eye" size={14} />
            <span>Only visible to you{n.command ? ` · ${n.command}` : ""}</span>
            <button type="button" class="icon-button small" aria-label="Dismiss" title="Dismiss" onClick={() => dismissCommandNote(n.id)}>
              <Icon name="close" size={14} />
            </button>
          </div>
          <div class="command-note-body" role="status">
            <MessageBody body={n.text} />
          </div>
        </li>
      ))}
    </ul>
  );
}
