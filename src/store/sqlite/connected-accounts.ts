// Connected accounts on SQLite.
import { and, desc, eq, isNull } from "drizzle-orm";
import { assertAccountFree } from "../../chat/connected-accounts.ts";
import { notFound } from "../../chat/errors.ts";
import { newId } from "../../chat/ids.ts";
import { toConnectedAccount } from "../connected-rows.ts";
import type { ConnectedAccountStore } from "../store.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { now } from "../rows.ts";
import { connectedAccounts, members } from "./schema.ts";

export function sqliteConnectedAccounts(db: Db, writer: GroupCommitWriter): ConnectedAccountStore {
  const byId = (id: string) => db.select().from(connectedAccounts).where(eq(connectedAccounts.id, id)).get();
  return {
    connect(input) {
      return writer.write(() => {
        if (!db.select({ u: members.userId }).from(members).where(and(eq(members.workspaceId, input.workspaceId), eq(members.userId, input.userId))).get()) throw notFound("member");
        const taken = db.select({ id: connectedAccounts.id }).from(connectedAccounts)
          .where(and(eq(connectedAccounts.workspaceId, input.workspaceId), eq(connectedAccounts.provider, input.provider), eq(connectedAccounts.providerAccountId, input.providerAccountId), isNull(connectedAccounts.revokedAt))).get();
        assertAccountFree(Boolean(taken), input.provider);
        const row = { ...input, id: newId("cna"), scopes: JSON.stringify(input.scopes), metadata: JSON.stringify(input.metadata), createdAt: now(), revokedAt: null };
        db.insert(connectedAccounts).values(row).run();
        return toConnectedAccount(row);
      });
    },
    async list(workspaceId, userId) {
      const conds = [eq(connectedAccounts.workspaceId, workspaceId)];
      if (userId) conds.push(eq(connectedAccounts.userId, userId));
      return db.select().from(connectedAccounts).where(and(...conds)).orderBy(desc(connectedAccounts.id)).all().map(toConnectedAccount);
    },
    async get(id) {
      const r = byId(id);
      return r ? toConnectedAccount(r) : null;
    },
    revoke(id) {
      return writer.write(() => {
        const r = byId(id);
        if (!r) throw notFound("connected account");
        if (r.revokedAt) return toConnectedAccount(r);
        const revokedAt = now();
        db.update(connectedAccounts).set({ revokedAt }).where(eq(connectedAccounts.id, id)).run();
        return toConnectedAccount({ ...r, revokedAt });
      });
    },
  };
}
