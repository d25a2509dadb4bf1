// Search results for the header's search box. Each result jumps to the message (or its thread).
// A server without the search endpoint gets a plain explanation instead of an error.
import { useEffect, useState } from "preact/hooks";
import { api, routeMissing } from "../api.ts";
import { clockTime, dayLabel } from "../format.ts";
import { conversationPath, navigate } from "../routes.ts";
import { channels, dms, dmTitle, authorName } from "../state/directory.ts";
import type { SearchResult } from "../types.ts";
import { Avatar } from "./Avatar.tsx";

/** The snippet with its highlighted ranges marked (as text nodes: nothing is parsed as HTML). */
function Snippet({ result }: { result: SearchResult }) {
  const text = result.snippet ?? result.message.body;
  const ranges = [...(result.highlights ?? [])].filter((h) => h.end > h.start).sort((a, b) => a.start - b.start);
  const parts = [];
  let at = 0;
  for (const h of ranges) {
    if (h.start < at) continue;
    parts.push(text.slice(at, h.start), <mark>{text.slice(h.start, h.end)}</mark>);
    at = h.end;
  }
  parts.push(text.slice(at));
  return <span class="result-text">{parts}</span>;
}

export function SearchPanel({ workspaceId, query, meId }: { workspaceId: string; query: string; meId: string }) {
  const [state, setState] = useState<{ results?: SearchResult[]; error?: string }>({});
  useEffect(() => {
    setState({});
    let cancelled = false;
    api.search(workspaceId, query).then(
      ({ results }) => !cancelled && setState({ results }),
      (err: Error) => !cancelled && setState({ error: routeMissing(err) ? "Search is not available on this server yet." : err.message }),
    );
    return () => {
      cancelled = true;
    };
  }, [workspaceId, query]);

  if (state.error) return <div class="empty-state">{state.error}</div>;
  if (!state.results) return <div class="list-status">Searching…</div>;
  if (state.results.length === 0) return <div class="empty-state">No messages match “{query}”.</div>;
  const where = (r: SearchResult) => {
    const c = channels.value.find((x) => x.id === r.message.channel_id);
    if (c) return `#${c.name}`;
    const d = dms.value.find((x) => x.id === r.message.direct_conversation_id);
    return d ? dmTitle(d, meId) : "";
  };
  const open = (r: SearchResult) => {
    const m = r.message;
    const kind = m.channel_id ? "channel" : "dm";
    const id = m.channel_id ?? m.direct_conversation_id!;
    navigate(conversationPath(kind, id, { messageId: m.id }));
  };
  return (
    <ul class="result-list" aria-label={`Results for ${query}`}>
      {state.results.map((r) => (
        <li>
          <button type="button" class="result" onClick={() => open(r)}>
            <Avatar id={r.message.author_id} user={r.message.author} size={24} />
            <span class="result-main">
              <span class="result-meta">
                <strong>{authorName(r.message)}</strong> {where(r)} · {dayLabel(r.message.created_at)} {clockTime(r.message.created_at)}
              </span>
              <Snippet result={r} />
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
