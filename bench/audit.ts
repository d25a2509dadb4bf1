// The write audit: every message that got a 2xx is read back from the database (body, channel,
// seq, its event, its search row when search is indexed); any loss, duplicate or gap in a
// channel's sequence fails the run.
import { Database } from "bun:sqlite";

export interface Acked {
  id: string;
  channel: string;
  seq: number;
  body: string;
  cursor: string;
}

export function auditWrites(dbPath: string, acked: Acked[]): string[] {
  const db = new Database(dbPath, { readonly: true });
  const problems: string[] = [];
  try {
    const getMsg = db.query<{ body: string; channel_id: string; channel_seq: number }, [string]>("SELECT body, channel_id, channel_seq FROM messages WHERE id = ?");
    const getEvent = db.query<{ n: number }, [string, string]>("SELECT count(*) AS n FROM events WHERE workspace_id = (SELECT workspace_id FROM messages WHERE id = ?2) AND cursor = ?1 AND type = 'message.created' AND json_extract(payload, '$.message_id') = ?2");
    const hasSearch = db.query<{ n: number }, []>("SELECT count(*) AS n FROM sqlite_master WHERE name = 'message_search_docs'").get()!.n > 0;
    const getSearchRow = hasSearch ? db.query<{ n: number }, [string]>("SELECT count(*) AS n FROM message_search_docs WHERE message_id = ?") : null;
    const ids = new Set<string>();
    for (const a of acked) {
      if (ids.has(a.id)) problems.push(`duplicate acknowledgement for ${a.id}`);
      ids.add(a.id);
      const m = getMsg.get(a.id);
      if (!m) {
        problems.push(`lost: ${a.id}`);
        continue;
      }
      if (m.body !== a.body || m.channel_id !== a.channel || m.channel_seq !== a.seq) problems.push(`changed: ${a.id}`);
      if (getEvent.get(a.cursor, a.id)!.n !== 1) problems.push(`no event for ${a.id}`);
      if (getSearchRow && getSearchRow.get(a.id)!.n !== 1) problems.push(`not in the search index: ${a.id}`);
    }
    for (const channel of new Set(acked.map((a) => a.channel))) {
      const seqs = db.query<{ s: number }, [string]>("SELECT channel_seq AS s FROM messages WHERE channel_id = ? AND parent_message_id IS NULL ORDER BY channel_seq").all(channel).map((r) => r.s);
      seqs.forEach((s, i) => {
        if (s !== i + 1) problems.push(`channel ${channel}: seq ${s} at position ${i + 1} (gap or duplicate)`);
      });
    }
  } finally {
    db.close();
  }
  return problems.slice(0, 20);
}
