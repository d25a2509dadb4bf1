// App installations on Postgres.
import { and, asc, eq, isNull, ne } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import type { AppRevokeResult, IntegrationStore } from "../store.ts";
import { newAppRow, toApp } from "../integration-rows.ts";
import { now } from "../rows.ts";
import type { Db, PgGroupCommitWriter } from "./database.ts";
import { removeBot } from "./bots.ts";
import { appInstallations, botTokens, eventSubscriptions, slashCommands, users, workspaces } from "./schema.ts";
import { first } from "./users.ts";

type AppPart = Pick<IntegrationStore, "installApp" | "apps" | "app" | "revokeApp">;

export function pgApps(db: Db, writer: PgGroupCommitWriter): AppPart {
  const row = (q: Db, id: string) => first(q.select().from(appInstallations).where(eq(appInstallations.id, id)));
  return {
    installApp(input) {
      return writer.write(async (tx) => {
        // The workspace row lock makes a nonce replay from another process wait and find the row.
        await tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, input.workspaceId)).for("update");
        if (input.setupNonce) {
          const earlier = await first(tx.select().from(appInstallations).where(and(eq(appInstallations.workspaceId, input.workspaceId), eq(appInstallations.setupNonce, input.setupNonce))));
          if (earlier) return { installation: toApp(earlier), replayed: true };
        }
        const r = newAppRow(input);
        await tx.insert(appInstallations).values(r);
        return { installation: toApp(r), replayed: false };
      });
    },
    async apps(workspaceId) {
      return (await db.select().from(appInstallations).where(eq(appInstallations.workspaceId, workspaceId)).orderBy(asc(appInstallations.id))).map(toApp);
    },
    async app(id) {
      const r = await row(db, id);
      return r ? toApp(r) : null;
    },
    revokeApp(id, opts) {
      // One transaction: the installation and everything the options name are revoked together or not at all.
      return writer.write(async (tx) => {
        const r = await first(tx.select().from(appInstallations).where(eq(appInstallations.id, id)).for("update"));
        if (!r) throw notFound("app installation");
        const at = now();
        const result: AppRevokeResult = { installation: toApp(r), revoked: { slash_commands: 0, event_subscriptions: 0, bot_tokens: 0 }, revokedTokenIds: [] };
        if (opts.revoke_slash_commands) {
          result.revoked.slash_commands = (await tx.update(slashCommands).set({ revokedAt: at })
            .where(and(eq(slashCommands.appInstallationId, id), isNull(slashCommands.revokedAt))).returning({ id: slashCommands.id })).length;
        }
        if (opts.revoke_event_subscriptions) {
          result.revoked.event_subscriptions = (await tx.update(eventSubscriptions).set({ status: "revoked", revokedAt: at, leaseOwner: null, leaseUntil: null })
            .where(and(eq(eventSubscriptions.appInstallationId, id), ne(eventSubscriptions.status, "revoked"))).returning({ id: eventSubscriptions.id })).length;
        }
        if (opts.revoke_bot_tokens || opts.delete_bot) {
          result.revokedTokenIds = (await tx.update(botTokens).set({ revokedAt: at })
            .where(and(eq(botTokens.botUserId, r.botUserId), eq(botTokens.workspaceId, r.workspaceId), isNull(botTokens.revokedAt))).returning({ id: botTokens.id })).map((t) => t.id);
          result.revoked.bot_tokens = result.revokedTokenIds.length;
        }
        if (!r.revokedAt) {
          r.revokedAt = at;
          await tx.update(appInstallations).set({ revokedAt: at }).where(eq(appInstallations.id, id));
          result.installation = toApp(r);
        }
        // A bot already deleted is not an error: there is nothing left to delete.
        if (opts.delete_bot && (await first(tx.select({ id: users.id }).from(users).where(and(eq(users.id, r.botUserId), isNull(users.deletedAt)))))) {
          result.deleted_bot = await removeBot(tx, r.botUserId);
        }
        return result;
      });
    },

  };
}
