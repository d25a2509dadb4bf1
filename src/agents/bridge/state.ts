// What a bridge remembers across restarts, in one SQLite file in its state directory: the agent
// sessions (the runner's SessionStore), which conversation (thread or DM) maps to which session,
// and every turn it accepted, so a replayed event never starts a second turn.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { configError } from "../errors.ts";
import { pidAlive, type Session, SessionStore } from "../sessions.ts";

export type TurnStatus = "queued" | "running" | "done" | "cancelled" | "failed" | "interrupted";

/** Where a turn lives: its conversation, the thread its activity goes to, and how it answers. */
export interface TurnPlace {
  /** The triggering message. */
  triggerId: string;
  /** The conversation (thread root id, or `dm:<id>` for a DM's top level). */
  key: string;
  /** The thread that receives activity messages (and the answer, unless `answerInThread` is false). */
  rootId: string;
  channelId: string | null;
  dmId: string | null;
  /** False for a DM's top level: the answer is a DM message, not a thread reply. */
  answerInThread: boolean;
}

export interface TurnRecord extends TurnPlace {
  status: TurnStatus;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS bridge_turns (
    bot_user_id TEXT NOT NULL,
    trigger_id TEXT NOT NULL,
    conversation_key TEXT NOT NULL,
    root_id TEXT NOT NULL,
    channel_id TEXT,
    dm_id TEXT,
    answer_in_thread INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (bot_user_id, trigger_id)
  );
  CREATE INDEX IF NOT EXISTS bridge_turns_status ON bridge_turns(bot_user_id, status, created_at);
  CREATE INDEX IF NOT EXISTS bridge_turns_conversation ON bridge_turns(bot_user_id, conversation_key);
  CREATE TABLE IF NOT EXISTS bridge_lock (
    bot_user_id TEXT PRIMARY KEY,
    pid INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS bridge_seen (
    bot_user_id TEXT NOT NULL,
    conversation_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (bot_user_id, conversation_key)
  );
`;

interface TurnRow {
  trigger_id: string;
  conversation_key: string;
  root_id: string;
  channel_id: string | null;
  dm_id: string | null;
  answer_in_thread: number;
  status: string;
}

export class BridgeState {
  readonly sessions: SessionStore;
  readonly path: string;

  constructor(
    stateDir: string,
    private readonly botId: string,
  ) {
    mkdirSync(stateDir, { recursive: true });
    this.path = join(stateDir, "bridge.db");
    this.sessions = new SessionStore(this.path);
    this.sessions.db.exec(SCHEMA);
    try {
      this.lock();
    } catch (err) {
      this.sessions.close();
      throw err;
    }
  }

  /**
   * One bridge per bot and state directory: a second one would take the first one's running
   * turns for crashed ones. A lock held by a process that is gone is stale and taken over.
   */
  private lock(): void {
    const take = this.sessions.db.transaction(() => {
      const row = this.sessions.db.query<{ pid: number }, [string]>("SELECT pid FROM bridge_lock WHERE bot_user_id = ?").get(this.botId);
      if (row && row.pid !== process.pid && pidAlive(row.pid)) {
        throw configError(`another bridge for this bot (pid ${row.pid}) uses ${this.path}`);
      }
      this.sessions.db.query("INSERT OR REPLACE INTO bridge_lock (bot_user_id, pid) VALUES (?, ?)").run(this.botId, process.pid);
    });
    take.immediate();
  }

  close(): void {
    this.sessions.db.query("DELETE FROM bridge_lock WHERE bot_user_id = ? AND pid = ?").run(this.botId, process.pid);
    this.sessions.close();
  }

  hasTurn(triggerId: string): boolean {
    return this.sessions.db.query("SELECT 1 FROM bridge_turns WHERE bot_user_id = ? AND trigger_id = ?").get(this.botId, triggerId) !== null;
  }

  /** Records an accepted turn; false when it was already there (a replayed event). */
  addTurn(t: TurnPlace): boolean {
    const now = Date.now();
    const r = this.sessions.db
      .query(
        `INSERT OR IGNORE INTO bridge_turns (bot_user_id, trigger_id, conversation_key, root_id, channel_id, dm_id, answer_in_thread, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
      )
      .run(this.botId, t.triggerId, t.key, t.rootId, t.channelId, t.dmId, t.answerInThread ? 1 : 0, now, now);
    return r.changes > 0;
  }

  /** Whether this bot ever took a turn in a conversation (so its replies wake it without a mention). */
  knows(key: string): boolean {
    return this.sessions.db.query("SELECT 1 FROM bridge_turns WHERE bot_user_id = ? AND conversation_key = ? LIMIT 1").get(this.botId, key) !== null;
  }

  setStatus(triggerId: string, status: TurnStatus): void {
    this.sessions.db
      .query("UPDATE bridge_turns SET status = ?, updated_at = ? WHERE bot_user_id = ? AND trigger_id = ?")
      .run(status, Date.now(), this.botId, triggerId);
  }

  /** Turns accepted but not finished (queued, or running when the process stopped), oldest first. */
  unfinished(): TurnRecord[] {
    return this.sessions.db
      .query<TurnRow, [string]>("SELECT * FROM bridge_turns WHERE bot_user_id = ? AND status IN ('queued', 'running') ORDER BY created_at, trigger_id")
      .all(this.botId)
      .map((r) => ({
        triggerId: r.trigger_id,
        key: r.conversation_key,
        rootId: r.root_id,
        channelId: r.channel_id,
        dmId: r.dm_id,
        answerInThread: r.answer_in_thread === 1,
        status: r.status as TurnStatus,
      }));
  }

  private conversationKey(key: string): string {
    return `bridge:${this.botId}:${key}`;
  }

  /** The agent session that holds a conversation, if it ever started one. */
  conversation(key: string): Session | null {
    return this.sessions.conversation(this.conversationKey(key))?.session ?? null;
  }

  saveConversation(key: string, sessionId: string): void {
    this.sessions.saveConversation(this.conversationKey(key), sessionId);
  }

  /** The last sequence number (thread or DM) the agent has seen in a conversation. */
  seenSeq(key: string): number {
    return this.sessions.db.query<{ seq: number }, [string, string]>("SELECT seq FROM bridge_seen WHERE bot_user_id = ? AND conversation_key = ?").get(this.botId, key)?.seq ?? 0;
  }

  markSeen(key: string, seq: number): void {
    this.sessions.db
      .query(
        `INSERT INTO bridge_seen (bot_user_id, conversation_key, seq) VALUES (?, ?, ?)
         ON CONFLICT (bot_user_id, conversation_key) DO UPDATE SET seq = max(seq, excluded.seq)`,
      )
      .run(this.botId, key, seq);
  }
}
