// App installations on SQLite.
import { and, asc, eq } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import { newId } from "../../chat/ids.ts";
import type { AppInstallation, IntegrationStore } from "../store.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { now } from "./rows.ts";
import { appInstallations } from "./schema.ts";

type AppRow = typeof appInstallations.$inferSelect;
type AppPart = Pick<IntegrationStore, "installApp" | "apps" | "app" | "revokeApp">;

export function toApp(r: AppRow): AppInstallation {
  return { id: r.id, workspace_id: r.workspaceId, app_slug: r.appSlug, display_name: r.displayName, bot_user_id: r.botUserId, config: JSON.parse(r.config), created_by: r.createdBy, created_at: r.createdAt, revoked_at: r.revokedAt };
}

export function newAppRow(input: Parameters<IntegrationStore["installApp"]>[0]): AppRow {
  return { id: newId("app"), workspaceId: input.workspaceId, appSlug: input.appSlug, displayName: input.displayName, botUserId: input.botUserId, config: JSON.stringify(input.config), setupNonce: input.setupNonce ?? null, createdBy: input.createdBy, createdAt: now(), revokedAt: null };
}

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
    revokeApp(id) {
      return writer.write(() => {
        const r = row(id);
        if (!r) throw notFound("app installation");
        if (!r.revokedAt) {
          r.revokedAt = now();
          db.update(appInstallations).set({ revokedAt: r.revokedAt }).where(eq(appInstallations.id, id)).run();
        }
        return toApp(r);
      });
    },
  };
}
