// App installations on SQLite.
import { toApp, newAppRow } from "../integration-rows.ts";
import { and, asc, eq, isNull, ne } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import type { AppRevokeResult, IntegrationStore } from "../store.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { now } from "../rows.ts";
import { removeBot } from "./bots.ts";
import { appInstallations, botTokens, eventSubscriptions, slashCommands, users } from "./schema.ts";

type AppPart = Pick<IntegrationStore, "installApp" | "apps" | "app" | "revokeApp">;



export function sqliteApps(db: Db, writer: GroupCommitWriter): AppPart {
  const row = (id: string) => db.select().from(appInstallations).where(eq(appInstallations.id, id)).get();
  return {
    installApp(input) {
      return writer.write(() => {
        if (input.setupNonce) {
          const earlier = db.select().from(appInstallations).where(and(eq(appInstallations.workspaceId, input.workspaceId), eq(appInstallations.setupNonce, input.setupNonce))).get();
          if (earlier) return { installation: toApp(earlier), replayed: true };
        }
        const r = newAppRow(input);
        db.insert(appInstallations).values(r).run();
        return { installation: toApp(r), replayed: false };
      });
    },
    async apps(workspaceId) {
      return db.select().from(appInstallations).where(eq(appInstallations.workspaceId, workspaceId)).orderBy(asc(appInstallations.id)).all().map(toApp);
    },
    async app(id) {
      const r = row(id);
      return r ? toApp(r) : null;
    },
    revokeApp(id, opts) {
      // One write: the installation and everything the options name are revoked together or not at all.
      return writer.write(() => {
        const r = row(id);
        if (!r) throw notFound("app installation");
        const at = now();
        const result: AppRevokeResult = { installation: toApp(r), revoked: { slash_commands: 0, event_subscriptions: 0, bot_tokens: 0 }, revokedTokenIds: [] };
        if (opts.revoke_slash_commands) {
          result.revoked.slash_commands = db.update(slashCommands).set({ revokedAt: at })
            .where(and(eq(slashCommands.appInstallationId, id), isNull(slashCommands.revokedAt))).returning({ id: slashCommands.id }).all().length;
        }
        if (opts.revoke_event_subscriptions) {
          result.revoked.event_subscriptions = db.update(eventSubscriptions).set({ status: "revoked", revokedAt: at, leaseOwner: null, leaseUntil: null })
            .where(and(eq(eventSubscriptions.appInstallationId, id), ne(eventSubscriptions.status, "revoked"))).returning({ id: eventSubscriptions.id }).all().length;
        }
        if (opts.revoke_bot_tokens || opts.delete_bot) {
          result.revokedTokenIds = db.update(botTokens).set({ revokedAt: at })
            .where(and(eq(botTokens.botUserId, r.botUserId), eq(botTokens.workspaceId, r.workspaceId), isNull(botTokens.revokedAt))).returning({ id: botTokens.id }).all().map((t) => t.id);
          result.revoked.bot_tokens = result.revokedTokenIds.length;
        }
        if (!r.revokedAt) {
          r.revokedAt = at;
          db.update(appInstallations).set({ revokedAt: at }).where(eq(appInstallations.id, id)).run();
          result.installation = toApp(r);
        }
        // A bot already deleted is not an error: there is nothing left to delete.
        if (opts.delete_bot && db.select({ id: users.id }).from(users).where(and(eq(users.id, r.botUserId), isNull(users.deletedAt))).get()) {
          result.deleted_bot = removeBot(db, r.botUserId);
        }
        return result;
      });
    },

  };
}
