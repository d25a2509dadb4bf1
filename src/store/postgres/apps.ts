// App installations on Postgres.
import { and, asc, eq } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import type { IntegrationStore } from "../store.ts";
import { newAppRow, toApp } from "../sqlite/apps.ts";
import { now } from "../sqlite/rows.ts";
import type { Db, PgGroupCommitWriter } from "./database.ts";
import { appInstallations, workspaces } from "./schema.ts";
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
    revokeApp(id) {
      return writer.write(async (tx) => {
        const r = await row(tx, id);
        if (!r) throw notFound("app installation");
        if (!r.revokedAt) {
          r.revokedAt = now();
          await tx.update(appInstallations).set({ revokedAt: r.revokedAt }).where(eq(appInstallations.id, id));
        }
        return toApp(r);
      });
    },
  };
}
