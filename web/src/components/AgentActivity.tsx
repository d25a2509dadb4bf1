// An agent's live progress under the message it is working on: one line with the latest step
// while it works, expandable to the whole trail. Fed by `agent.progress` ephemeral events.
import { useState } from "preact/hooks";
import { userName } from "../state/directory.ts";
import { agentActivity } from "../state/ephemeral.ts";

const ENDED: Record<string, string> = { failed: "failed", cancelled: "stopped" };

export function AgentActivity({ messageId }: { messageId: string }) {
  const activity = agentActivity.value[messageId];
  const [open, setOpen] = useState(false);
  if (!activity) return null;
  const latest = activity.lines[activity.lines.length - 1];
  const who = activity.authorId ? userName(activity.authorId) : "Agent";
  return (
    <div class={`agent-activity${activity.done ? " done" : ""}`}>
      <button type="button" class="agent-activity-line" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span class="agent-dot" aria-hidden="true" />
        <span class="agent-who">{who}</span>
        <span class="agent-text">{activity.done ? `${ENDED[activity.status ?? ""] ?? "finished"} · ${latest?.text ?? ""}` : latest?.text}</span>
        {activity.lines.length > 1 && <span class="agent-count">{open ? "Hide" : `${activity.lines.length} steps`}</span>}
      </button>
      {open && (
        <ol class="agent-trail">
          {activity.lines.map((l) => (
            <li>{l.text}</li>
          ))}
        </ol>
      )}
    </div>
  );
}
