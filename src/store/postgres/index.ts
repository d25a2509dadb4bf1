// The Store on Postgres: drizzle over postgres.js, one pool per process (one of its connections
// at a time writes a batch; the others read).
import type { Sql } from "postgres";
import type { Store } from "../store.ts";
import { postgresNotifications, postgresWorkerPositions } from "./notifications.ts";
import { postgresPresence } from "./presence.ts";
import { pgConnectedAccounts } from "./connected-accounts.ts";
import { appendAudit, pgAudit } from "./audit.ts";
import { pgBots } from "./bots.ts";
import { pgChannels } from "./channels.ts";
import { hintCommits } from "./commit-hints.ts";
import { checkServer, type Db, migrateDatabase, openClient, PgGroupCommitWriter, ping, wrap } from "./database.ts";
import { pgDms } from "./dms.ts";
import { pgEvents } from "./events.ts";
import { pgIdentity } from "./identity.ts";
import { pgIntegrations } from "./integrations.ts";
import { pgDigests, pgInvites } from "./invites.ts";
import { pgMessages } from "./messages.ts";
import { pgQuestions } from "./questions.ts";
import { pgModeration } from "./moderation.ts";
import { pgRoutes, pgTopics } from "./routes.ts";
import { pgSearch } from "./search.ts";
import { pgUploads } from "./uploads.ts";
import { pgUsers } from "./users.ts";
import { pgWorkspaces } from "./workspaces.ts";

export interface PostgresStore extends Store {
  readonly writer: PgGroupCommitWriter;
  readonly url: string;
  /** The pool: for operations (export, import) and for LISTEN (src/realtime). */
  readonly client: Sql;
  readonly db: Db;
}

/** `searchBudgetMs`: how long one search may run before Postgres stops it (503 search_timeout); none by default. */
export async function openPostgresStore(url: string, opts: { pool?: number; migrate?: boolean; searchBudgetMs?: number } = {}): Promise<PostgresStore> {
  if (opts.migrate !== false) await migrateDatabase(url);
  const client = openClient(url, opts.pool ?? 10);
  try {
    await checkServer(client, url);
  } catch (err) {
    await client.end({ timeout: 1 });
    throw err;
  }
  const db = wrap(client);
  const writer = new PgGroupCommitWriter(db);
  writer.auditSink = appendAudit;
  hintCommits(writer);
  return {
    dialect: "postgres",
    url,
    client,
    db,
    writer,
    connectedAccounts: pgConnectedAccounts(db, writer),
    audit: pgAudit(db, writer),
    users: pgUsers(db, writer),
    routes: pgRoutes(db),
    topics: pgTopics(db, writer),
    identity: pgIdentity(db, writer),
    bots: pgBots(db, writer),
    moderation: pgModeration(db, writer),
    workspaces: pgWorkspaces(db, writer),
    channels: pgChannels(db, writer),
    messages: { ...pgMessages(db, writer), ...pgQuestions(db, writer) },
    dms: pgDms(db, writer),
    events: pgEvents(db, writer),
    uploads: pgUploads(db, writer),
    search: pgSearch(db, { budgetMs: opts.searchBudgetMs, slots: Math.max(1, Math.floor((opts.pool ?? 10) / 4)) }),
    notifications: postgresNotifications(db, writer),
    integrations: pgIntegrations(db, writer),
    workerPositions: postgresWorkerPositions(db),
    presence: postgresPresence(db),
    invites: pgInvites(db, writer),
    digests: pgDigests(db, writer),
    ping: () => ping(db),
    async foreignWrites() {
      // The next transaction id of the server: it moves only when some transaction writes
      // (reads take none), at once. Our own writes move it too, so a busy server re-checks on
      // every tick, as a store that cannot tell would; a quiet one re-checks only after a write.
      const [r] = await client<{ n: string }[]>`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS n`;
      return Number(r?.n ?? 0);
    },
    async close() {
      await writer.close();
      await client.end({ timeout: 5 });
    },
  };
}

export { migrateDatabase };
