// A large chat history written straight into a SQLite file (posting a million messages over HTTP
// would measure the write path, not the reads): roots across channels, threads, reactions.
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { openSqliteStore } from "../src/store/sqlite/index.ts";
import { seed } from "./lib.ts";

const WORDS = "deploy release staging build test review merge branch fix bug feature design meeting lunch coffee ship rollback metrics latency error alert database index query cache queue worker api client server browser mobile".split(" ");

export async function bigHistory(dataDir: string, opts: { messages: number; channels: number }) {
  const fx = await seed(dataDir, { channels: opts.channels, authors: 20 });
  const db = new Database(join(dataDir, "clickclack.db"));
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF");
  const insert = db.query(`INSERT INTO messages (id, route_id, workspace_id, channel_id, author_id, parent_message_id, thread_root_id, channel_seq, thread_seq, body, kind, created_at, reply_count, last_reply_at, last_reply_author_ids, thread_last_seq)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'message', ?11, ?12, ?13, ?14, ?15)`);
  const react = db.query("INSERT OR IGNORE INTO reactions (message_id, user_id, emoji, created_at) VALUES (?, ?, ?, ?)");
  const seqs = new Map<string, number>();
  const roots: { id: string; channel: string }[] = [];
  let n = 0;
  let rand = 7;
  const next = () => (rand = (rand * 1103515245 + 12345) & 0x7fffffff);
  const t0 = Date.now() - opts.messages * 1000;
  const batch = 20_000;
  while (n < opts.messages) {
    db.exec("BEGIN");
    for (let b = 0; b < batch && n < opts.messages; b++, n++) {
      const channel = fx.channelIds[n % fx.channelIds.length]!;
      const author = fx.authorIds[next() % fx.authorIds.length]!;
      const body = Array.from({ length: 6 + (next() % 10) }, () => WORDS[next() % WORDS.length]).join(" ");
      const at = new Date(t0 + n * 1000).toISOString();
      const id = `msg_${n.toString(36).padStart(26, "0")}`;
      // Every tenth message replies in a recent thread; the rest are roots.
      if (n % 10 === 9 && roots.length > 0) {
        // One reply in a hundred goes to the very first root: one long thread (10,000 replies in a
        // million messages), for the thread page's "latest 50 replies".
        const root = n % 100 === 99 ? roots[0]! : roots[roots.length - 1 - (next() % Math.min(50, roots.length))]!;
        const t = (seqs.get(root.id) ?? 0) + 1;
        seqs.set(root.id, t);
        insert.run(id, `M${n}`, fx.workspaceId, root.channel, author, root.id, root.id, null, t, body, at, 0, null, null, 0);
        db.query("UPDATE messages SET reply_count = reply_count + 1, last_reply_at = ?, thread_last_seq = ?, last_reply_author_ids = ? WHERE id = ?").run(at, t, JSON.stringify([author]), root.id);
      } else {
        const s = (seqs.get(channel) ?? 0) + 1;
        seqs.set(channel, s);
        insert.run(id, `M${n}`, fx.workspaceId, channel, author, null, id, s, null, body, at, 0, null, null, 0);
        roots.push({ id, channel });
        if (n % 4 === 0) react.run(id, fx.authorIds[next() % fx.authorIds.length]!, ["👍", "🎉", "👀"][n % 3]!, at);
      }
    }
    db.exec("COMMIT");
  }
  for (const [channel, s] of seqs) if (channel.startsWith("chn_")) db.query("UPDATE channels SET last_seq = ? WHERE id = ?").run(s, channel);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  // The search index is filled after the write (src/store/sqlite/search-index.ts): filled here,
  // so that a server started on this file does not spend the measured minutes indexing it.
  const store = openSqliteStore(join(dataDir, "clickclack.db"));
  try {
    await store.searchIndex.catchUp();
  } finally {
    await store.close();
  }
  // The busiest of the ordinary threads (a handful of replies), and the long one.
  const busiest = [...seqs.entries()].filter(([k]) => k.startsWith("msg_") && k !== roots[0]?.id).sort((a, b) => b[1] - a[1])[0]!;
  return { ...fx, threadRoot: busiest[0], threadReplies: busiest[1], longThreadRoot: roots[0]!.id };
}
