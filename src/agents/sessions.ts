// Agent sessions in SQLite. The store works on its own file (~/.clickclack/agents.db) or on
// a Database handed in by the chat server, so its schema version lives in its own table
// rather than PRAGMA user_version, which the host database may already use.
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { ulid } from "ulid";
import type { BackendName, Usage } from "./backends/types.ts";
import { AgentError, sessionError } from "./errors.ts";

export type SessionStatus = "running" | "completed" | "failed" | "cancelled" | "timeout";

export interface Session {
  id: string;
  backend: BackendName;
  backendSessionId: string | null;
  workdir: string;
  model: string | null;
  status: SessionStatus;
  turns: number;
  runs: number;
  usage: Usage;
  costUsd: number | null;
  title: string | null;
  tags: string[];
  parentId: string | null;
  lastError: string | null;
  /** The gateway key that created it; null for the operator's own CLI sessions. */
  owner: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface RunRecord {
  status: Exclude<SessionStatus, "running">;
  backendSessionId?: string;
  model?: string;
  usage: Usage;
  turns: number;
  costUsd?: number;
  error?: string;
}

const SCHEMA_VERSION = 2;
const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE agent_sessions (
      id TEXT PRIMARY KEY,
      backend TEXT NOT NULL,
      backend_session_id TEXT,
      workdir TEXT NOT NULL,
      model TEXT,
      status TEXT NOT NULL,
      turns INTEGER NOT NULL DEFAULT 0,
      runs INTEGER NOT NULL DEFAULT 0,
      input_tokens INTEGER NOT NULL DEFAULT 0,
      output_tokens INTEGER NOT NULL DEFAULT 0,
      cached_tokens INTEGER NOT NULL DEFAULT 0,
      reasoning_tokens INTEGER NOT NULL DEFAULT 0,
      cost_usd REAL,
      title TEXT,
      tags TEXT NOT NULL DEFAULT '[]',
      parent_id TEXT,
      last_error TEXT,
      lock_pid INTEGER,
      lock_token TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX agent_sessions_updated ON agent_sessions(updated_at);
    CREATE INDEX agent_sessions_workdir ON agent_sessions(workdir, updated_at);
    CREATE TABLE agent_conversations (
      key TEXT PRIMARY KEY,
      session_id TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX agent_conversations_session ON agent_conversations(session_id);
  `,
  // v2: sessions belong to a gateway key (NULL: the operator's CLI); idempotent replays;
  // a conversation remembers how far its session had got, so a regenerate can fork.
  2: `
    ALTER TABLE agent_sessions ADD COLUMN owner TEXT;
    CREATE INDEX agent_sessions_owner ON agent_sessions(owner, updated_at);
    ALTER TABLE agent_conversations ADD COLUMN runs INTEGER;
    CREATE TABLE agent_idempotency (
      key TEXT PRIMARY KEY,
      request_hash TEXT NOT NULL,
      state TEXT NOT NULL,
      pid INTEGER,
      status INTEGER,
      headers TEXT,
      body BLOB,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX agent_idempotency_created ON agent_idempotency(created_at);
  `,
};

interface Row {
  id: string;
  backend: string;
  backend_session_id: string | null;
  workdir: string;
  model: string | null;
  status: string;
  turns: number;
  runs: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  cost_usd: number | null;
  title: string | null;
  tags: string;
  parent_id: string | null;
  last_error: string | null;
  lock_pid: number | null;
  lock_token: string | null;
  owner: string | null;
  created_at: number;
  updated_at: number;
}

function fromRow(r: Row): Session {
  let tags: string[] = [];
  try {
    const parsed: unknown = JSON.parse(r.tags);
    if (Array.isArray(parsed)) tags = parsed.filter((t): t is string => typeof t === "string");
  } catch {
    // A hand-edited row should not break listing.
  }
  return {
    id: r.id,
    backend: r.backend as BackendName,
    backendSessionId: r.backend_session_id,
    workdir: r.workdir,
    model: r.model,
    status: r.status as SessionStatus,
    turns: r.turns,
    runs: r.runs,
    usage: {
      input_tokens: r.input_tokens,
      output_tokens: r.output_tokens,
      cached_tokens: r.cached_tokens,
      reasoning_tokens: r.reasoning_tokens,
    },
    costUsd: r.cost_usd,
    title: r.title,
    tags,
    parentId: r.parent_id,
    lastError: r.last_error,
    owner: r.owner,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function newSessionId(): string {
  return `ags_${ulid().toLowerCase()}`;
}

export function defaultDbPath(env: Record<string, string | undefined> = process.env): string {
  return env.CLICKCLACK_AGENTS_DB || join(homedir(), ".clickclack", "agents.db");
}

/** Whether a process exists (this one always does). */
export function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Whose sessions a caller may see: a gateway key sees its own, an admin key and the
 * operator's CLI (no scope) see all.
 */
export type OwnerScope = { owner: string; admin?: boolean } | undefined;

function visible(s: Session, scope: OwnerScope): boolean {
  return !scope || scope.admin === true || s.owner === scope.owner;
}

export interface ListFilter {
  limit?: number;
  scope?: OwnerScope;
  /** Only the operator's own CLI sessions (no gateway key owns them). */
  operatorOnly?: boolean;
  backend?: BackendName;
  workdir?: string;
  status?: SessionStatus;
}

export class SessionStore {
  readonly db: Database;
  private readonly owned: boolean;

  constructor(db: Database | string = defaultDbPath()) {
    if (typeof db === "string") {
      if (db !== ":memory:") mkdirSync(dirname(db), { recursive: true });
      this.db = new Database(db, { create: true, strict: true });
      this.owned = true;
      this.db.exec("PRAGMA journal_mode = WAL");
      this.db.exec("PRAGMA synchronous = NORMAL");
    } else {
      this.db = db;
      this.owned = false;
    }
    // Several CLI processes may share the file; wait for a writer instead of failing.
    this.db.exec("PRAGMA busy_timeout = 5000");
    this.migrate();
  }

  close(): void {
    if (this.owned) this.db.close();
  }

  private migrate(): void {
    this.db.exec("CREATE TABLE IF NOT EXISTS agent_schema (version INTEGER NOT NULL)");
    const apply = this.db.transaction(() => {
      const row = this.db.query<{ version: number }, []>("SELECT version FROM agent_schema").get();
      let version = row?.version ?? 0;
      if (version > SCHEMA_VERSION) {
        throw new AgentError("config", `agents database schema v${version} is newer than this build (v${SCHEMA_VERSION})`);
      }
      while (version < SCHEMA_VERSION) {
        version += 1;
        const sql = MIGRATIONS[version];
        if (sql) this.db.exec(sql);
      }
      this.db.exec("DELETE FROM agent_schema");
      this.db.query("INSERT INTO agent_schema (version) VALUES (?)").run(version);
    });
    apply.immediate();
  }

  /** Creates a session that is already locked by this process for its first run. */
  createRunning(s: {
    backend: BackendName;
    workdir: string;
    model?: string | null;
    title?: string | null;
    tags?: string[];
    parentId?: string | null;
    owner?: string | null;
  }): { session: Session; lock: string } {
    const id = newSessionId();
    const lock = crypto.randomUUID();
    const now = Date.now();
    this.db
      .query(
        `INSERT INTO agent_sessions (id, backend, workdir, model, status, title, tags, parent_id, owner, lock_pid, lock_token, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        s.backend,
        s.workdir,
        s.model ?? null,
        s.title ?? null,
        JSON.stringify(s.tags ?? []),
        s.parentId ?? null,
        s.owner ?? null,
        process.pid,
        lock,
        now,
        now,
      );
    return { session: this.mustGet(id), lock };
  }

  get(id: string): Session | null {
    const row = this.db.query<Row, [string]>("SELECT * FROM agent_sessions WHERE id = ?").get(id);
    return row ? fromRow(row) : null;
  }

  private mustGet(id: string): Session {
    const s = this.get(id);
    if (!s) throw new AgentError("not_found", `session ${id} not found`);
    return s;
  }

  /**
   * Exact id or a unique prefix (with or without the ags_ prefix), among the sessions the
   * scope may see: another key's session is "not found", not "forbidden".
   */
  resolve(ref: string, scope?: OwnerScope): Session {
    const trimmed = ref.trim().toLowerCase();
    const body = trimmed.startsWith("ags_") ? trimmed.slice(4) : trimmed;
    // A prefix needs a few characters of its own; "ags_" alone would match everything.
    if (!/^[a-z0-9]{4,26}$/.test(body)) {
      throw new AgentError("not_found", `session ${JSON.stringify(ref)} not found`);
    }
    const prefix = `ags_${body}`;
    const exact = this.get(prefix);
    if (exact && visible(exact, scope)) return exact;
    const rows = this.db
      .query<Row, [string]>("SELECT * FROM agent_sessions WHERE substr(id, 1, length(?1)) = ?1 ORDER BY updated_at DESC LIMIT 50")
      .all(prefix)
      .filter((r) => visible(fromRow(r), scope))
      .slice(0, 6);
    if (rows.length === 0) throw new AgentError("not_found", `session ${JSON.stringify(ref)} not found`);
    if (rows.length > 1) {
      throw sessionError(`session prefix ${JSON.stringify(ref)} is ambiguous: ${rows.map((r) => r.id).join(", ")}`);
    }
    return fromRow(rows[0] as Row);
  }

  /**
   * The shortest prefix (at least 6 characters after "ags_") that names only this session
   * in the whole store, so a listing can show "ags_01jq8x2k" and `resume` accepts it.
   */
  shortIds(ids: string[]): Map<string, string> {
    const count = this.db.query<{ n: number }, [string, string]>("SELECT count(*) AS n FROM agent_sessions WHERE id >= ? AND id < ?");
    const out = new Map<string, string>();
    for (const id of ids) {
      let short = id;
      for (let len = 4 + 6; len < id.length; len++) {
        const prefix = id.slice(0, len);
        if ((count.get(prefix, `${prefix}~`)?.n ?? 0) <= 1) {
          short = prefix;
          break;
        }
      }
      out.set(id, short);
    }
    return out;
  }

  /** Most recent session, optionally in one directory and/or for one backend. */
  last(filter: { workdir?: string; backend?: BackendName; operatorOnly?: boolean } = {}): Session | null {
    return this.list({ ...filter, limit: 1 })[0] ?? null;
  }

  list(filter: ListFilter = {}): Session[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.backend) {
      where.push("backend = ?");
      args.push(filter.backend);
    }
    if (filter.workdir) {
      where.push("workdir = ?");
      args.push(filter.workdir);
    }
    if (filter.status) {
      where.push("status = ?");
      args.push(filter.status);
    }
    if (filter.operatorOnly) where.push("owner IS NULL");
    if (filter.scope && !filter.scope.admin) {
      where.push("owner = ?");
      args.push(filter.scope.owner);
    }
    const limit = Math.max(1, Math.min(filter.limit ?? 50, 1000));
    const sql = `SELECT * FROM agent_sessions ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY updated_at DESC, id DESC LIMIT ${limit}`;
    return this.db
      .query<Row, Array<string | number>>(sql)
      .all(...args)
      .map(fromRow);
  }

  /**
   * Takes the run lock on an existing session. A lock held by a process that no longer
   * exists is stale (that run crashed) and is taken over.
   */
  acquire(id: string): string {
    const lock = crypto.randomUUID();
    const take = this.db.transaction(() => {
      const row = this.db
        .query<Pick<Row, "status" | "lock_pid">, [string]>("SELECT status, lock_pid FROM agent_sessions WHERE id = ?")
        .get(id);
      if (!row) throw new AgentError("not_found", `session ${id} not found`);
      if (row.lock_pid !== null && pidAlive(row.lock_pid)) {
        throw new AgentError("session_busy", `session ${id} is already running (pid ${row.lock_pid})`);
      }
      this.db
        .query("UPDATE agent_sessions SET status = 'running', lock_pid = ?, lock_token = ?, updated_at = ? WHERE id = ?")
        .run(process.pid, lock, Date.now(), id);
    });
    take.immediate();
    return lock;
  }

  /** Records the outcome of a run and releases its lock. */
  finishRun(id: string, lock: string, r: RunRecord): void {
    this.db
      .query(
        `UPDATE agent_sessions SET
           status = ?, backend_session_id = COALESCE(?, backend_session_id), model = COALESCE(?, model),
           turns = turns + ?, runs = runs + 1,
           input_tokens = input_tokens + ?, output_tokens = output_tokens + ?,
           cached_tokens = cached_tokens + ?, reasoning_tokens = reasoning_tokens + ?,
           cost_usd = CASE WHEN ? IS NULL THEN cost_usd ELSE COALESCE(cost_usd, 0) + ? END,
           last_error = ?, lock_pid = NULL, lock_token = NULL, updated_at = ?
         WHERE id = ? AND lock_token = ?`,
      )
      .run(
        r.status,
        r.backendSessionId || null,
        r.model || null,
        r.turns,
        r.usage.input_tokens,
        r.usage.output_tokens,
        r.usage.cached_tokens,
        r.usage.reasoning_tokens,
        r.costUsd ?? null,
        r.costUsd ?? null,
        r.error ?? null,
        Date.now(),
        id,
        lock,
      );
  }

  /** Saves the backend session id as soon as the CLI reports it, so a crash can still resume. */
  setBackendSession(id: string, backendSessionId: string, model?: string): void {
    this.db
      .query("UPDATE agent_sessions SET backend_session_id = ?, model = COALESCE(?, model), updated_at = ? WHERE id = ?")
      .run(backendSessionId, model ?? null, Date.now(), id);
  }

  delete(id: string): boolean {
    const s = this.mustGet(id);
    const row = this.db.query<Pick<Row, "lock_pid">, [string]>("SELECT lock_pid FROM agent_sessions WHERE id = ?").get(id);
    if (row?.lock_pid != null && pidAlive(row.lock_pid)) {
      throw new AgentError("session_busy", `session ${id} is running; cancel it first`);
    }
    const del = this.db.transaction(() => {
      this.db.query("DELETE FROM agent_conversations WHERE session_id = ?").run(s.id);
      return this.db.query("DELETE FROM agent_sessions WHERE id = ?").run(s.id).changes > 0;
    });
    return del.immediate();
  }

  /** Deletes sessions not updated since `cutoff` (ms epoch), except running ones. */
  clean(cutoff: number, dryRun = false): Session[] {
    const rows = this.db
      .query<Row, [number]>("SELECT * FROM agent_sessions WHERE updated_at < ? AND lock_pid IS NULL ORDER BY updated_at")
      .all(cutoff)
      .map(fromRow);
    if (!dryRun) {
      const del = this.db.transaction(() => {
        for (const s of rows) {
          this.db.query("DELETE FROM agent_conversations WHERE session_id = ?").run(s.id);
          this.db.query("DELETE FROM agent_sessions WHERE id = ?").run(s.id);
        }
      });
      del.immediate();
    }
    return rows;
  }

  /** The session a conversation prefix maps to, and how many runs it had at that point. */
  conversation(key: string): { session: Session; runs: number | null } | null {
    const row = this.db
      .query<{ session_id: string; runs: number | null }, [string]>("SELECT session_id, runs FROM agent_conversations WHERE key = ?")
      .get(key);
    const session = row ? this.get(row.session_id) : null;
    return session && row ? { session, runs: row.runs } : null;
  }

  saveConversation(key: string, sessionId: string, runs: number | null = null): void {
    this.db
      .query("INSERT OR REPLACE INTO agent_conversations (key, session_id, runs, created_at) VALUES (?, ?, ?, ?)")
      .run(key, sessionId, runs, Date.now());
  }

  /**
   * Claims an idempotency key for a request. A finished request is replayed from its stored
   * response; one still running is "busy"; the same key with a different body is a mismatch.
   */
  claimIdempotency(
    key: string,
    requestHash: string,
  ):
    | { kind: "new" }
    | { kind: "busy" }
    | { kind: "mismatch" }
    | { kind: "replay"; status: number; headers: Record<string, string>; body: Uint8Array } {
    const claim = this.db.transaction(() => {
      const row = this.db
        .query<{ request_hash: string; state: string; pid: number | null; status: number | null; headers: string | null; body: Uint8Array | null }, [string]>(
          "SELECT request_hash, state, pid, status, headers, body FROM agent_idempotency WHERE key = ?",
        )
        .get(key);
      // A claim whose process died (kill -9 mid-run) never got an answer: run it again.
      const stale = row?.state === "running" && row.pid !== null && !pidAlive(row.pid);
      if (!row || stale) {
        this.db
          .query("INSERT OR REPLACE INTO agent_idempotency (key, request_hash, state, pid, created_at) VALUES (?, ?, 'running', ?, ?)")
          .run(key, requestHash, process.pid, Date.now());
        return { kind: "new" as const };
      }
      if (row.request_hash !== requestHash) return { kind: "mismatch" as const };
      if (row.state !== "done") return { kind: "busy" as const };
      return {
        kind: "replay" as const,
        status: row.status ?? 200,
        headers: JSON.parse(row.headers ?? "{}") as Record<string, string>,
        body: row.body ?? new Uint8Array(),
      };
    });
    return claim.immediate();
  }

  completeIdempotency(key: string, status: number, headers: Record<string, string>, body: Uint8Array): void {
    this.db
      .query("UPDATE agent_idempotency SET state = 'done', status = ?, headers = ?, body = ? WHERE key = ?")
      .run(status, JSON.stringify(headers), body, key);
  }

  /** Forgets a claim whose request never got an answer (so a retry may run it). */
  releaseIdempotency(key: string): void {
    this.db.query("DELETE FROM agent_idempotency WHERE key = ? AND state = 'running'").run(key);
  }

  /** Drops stored responses older than `cutoff` (ms epoch). */
  pruneIdempotency(cutoff: number): void {
    this.db.query("DELETE FROM agent_idempotency WHERE created_at < ? AND state = 'done'").run(cutoff);
  }
}

/** Session as it appears in JSON output and over HTTP; listings add its short id. */
export function sessionToWire(s: Session, shortId?: string) {
  return {
    id: s.id,
    ...(shortId ? { short_id: shortId } : {}),
    backend: s.backend,
    backend_session_id: s.backendSessionId,
    workdir: s.workdir,
    model: s.model,
    status: s.status,
    turns: s.turns,
    runs: s.runs,
    usage: s.usage,
    cost_usd: s.costUsd,
    title: s.title,
    tags: s.tags,
    parent_id: s.parentId,
    last_error: s.lastError,
    owner: s.owner,
    created_at: new Date(s.createdAt).toISOString(),
    updated_at: new Date(s.updatedAt).toISOString(),
  };
}

