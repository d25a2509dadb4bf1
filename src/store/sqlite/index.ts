import type { Database } from "bun:sqlite";
import type { SearchInput, Store } from "../store.ts";
import { sqliteConnectedAccounts } from "./connected-accounts.ts";
import { appendAudit, sqliteAudit } from "./audit.ts";
import { sqliteChannels } from "./channels.ts";
import { endReadTurn, GroupCommitWriter, migrateDatabase, openDatabase, placeFreshDatabase } from "./database.ts";
import { sqliteDms } from "./dms.ts";
import { sqliteEvents } from "./events.ts";
import { sqliteBots } from "./bots.ts";
import { sqliteIdentity } from "./identity.ts";
import { sqliteIntegrations } from "./integrations.ts";
import { sqliteDigests, sqliteInvites } from "./invites.ts";
import { sqliteMessages } from "./messages.ts";
import { sqliteQuestions } from "./questions.ts";
import { sqliteNotifications, sqliteWorkerPositions } from "./notifications.ts";
import { sqlitePresence } from "./presence.ts";
import { sqliteRoutes, sqliteTopics } from "./routes.ts";
import { sqliteModeration } from "./moderation.ts";
import { sqliteSearch } from "./search.ts";
import { SearchIndexer } from "./search-index.ts";
import { SearchThread } from "./search-thread.ts";
import { sqliteUploads } from "./uploads.ts";
import { sqliteUsers } from "./users.ts";
import { sqliteWorkspaces } from "./workspaces.ts";

export interface SqliteStore extends Store {
  readonly writer: GroupCommitWriter;
  readonly path: string;
  readonly raw: Database;
  readonly searchIndex: SearchIndexer;
}

export function openSqliteStore(path: string, opts: { migrate?: boolean; searchThread?: { budgetMs: number } } = {}): SqliteStore {
  if (opts.migrate !== false) placeFreshDatabase(path);
  const { raw, db } = openDatabase(path);
  if (opts.migrate !== false) migrateDatabase(db);
  const writer = new GroupCommitWriter(raw);
  writer.auditSink = (entries) => appendAudit(db, entries);
  // The server searches on its own thread (a file can be opened twice; :memory: cannot).
  const thread = opts.searchThread && path !== ":memory:" ? new SearchThread(path, opts.searchThread.budgetMs, () => sqliteSearch(db, raw)) : null;
  const searchIndex = new SearchIndexer(raw, writer);
  const searcher = thread ?? sqliteSearch(db, raw);
  // The store's parts compile their statements when first used, not when the file is opened: a
  // server starts without compiling what its first requests do not need.
  const parts = madeOnFirstUse({
    connectedAccounts: () => sqliteConnectedAccounts(db, writer),
    audit: () => sqliteAudit(db, writer),
    users: () => sqliteUsers(db, writer),
    routes: () => sqliteRoutes(db),
    topics: () => sqliteTopics(db, writer),
    identity: () => sqliteIdentity(db, writer),
    bots: () => sqliteBots(db, writer),
    moderation: () => sqliteModeration(db, writer),
    workspaces: () => sqliteWorkspaces(db, writer),
    channels: () => sqliteChannels(db, writer),
    messages: () => ({ ...sqliteMessages(db, writer), ...sqliteQuestions(db, writer) }),
    dms: () => sqliteDms(db, writer),
    events: () => sqliteEvents(db, writer),
    uploads: () => sqliteUploads(db, writer),
    notifications: () => sqliteNotifications(db, writer),
    integrations: () => sqliteIntegrations(db, writer),
    workerPositions: () => sqliteWorkerPositions(db, writer),
    presence: () => sqlitePresence(db, writer),
    invites: () => sqliteInvites(db, writer),
    digests: () => sqliteDigests(db, writer),
  });
  return Object.assign(parts, {
    dialect: "sqlite" as const,
    path,
    raw,
    writer,
    searchIndex,
    search: {
      // What is committed but not yet indexed goes in first: a search never misses a message.
      async search(input: SearchInput) {
        await searchIndex.catchUp();
        return searcher.search(input);
      },
    },
    async ping() {
      raw.query("SELECT 1").get();
    },
    async foreignWrites() {
      // Changes only when another connection commits: this process's own writes leave it alone.
      return (raw.query("PRAGMA data_version").get() as { data_version: number }).data_version;
    },
    async close() {
      thread?.close();
      searchIndex.close();
      writer.close();
      endReadTurn(raw);
      raw.close();
    },
  });
}

/** An object whose every property is made by its function the first time it is read, then kept. */
function madeOnFirstUse<T extends object>(makers: { [K in keyof T]: () => T[K] }): T {
  const made = {} as T;
  for (const key of Object.keys(makers) as (keyof T & string)[]) {
    Object.defineProperty(made, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value = makers[key]();
        Object.defineProperty(made, key, { value, enumerable: true });
        return value;
      },
    });
  }
  return made;
}

export { migrateDatabase, openDatabase };
