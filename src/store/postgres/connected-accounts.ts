// Connected accounts on Postgres (a race on the partial unique index, 23505, reruns the write,
// which then finds the record and answers 409 as SQLite does).
import { and, desc, eq, isNull } from "drizzle-orm";
import { assertAccountFree } from "../../chat/connected-accounts.ts";
import { notFound } from "../../chat/errors.ts";
import { newId } from "../../chat/ids.ts";
import { toConnectedAccount } from "../connected-rows.ts";
import { now } from "../rows.ts";
import type { ConnectedAccountStore } from "../store.ts";
import type { Db, PgGroupCommitWriter } from "./database.ts";
import { connectedAccounts, members } from "./schema.ts";
import { first } from "./users.ts";

export function pgConnectedAccounts(db: Db, writer: PgGroupCommitWriter): ConnectedAccountStore {
  const byId = (q: Db, id: string) => first(q.select().from(connectedAccounts).where(eq(connectedAccounts.id, id)));
  return {
    connect(input) {
      return writer.write(async (tx) => {
        if (!(await first(tx.select({ u: members.userId }).from(members).where(and(eq(members.workspaceId, input.workspaceId), eq(members.userId, input.userId)))))) throw notFound("member");
        const taken = await first(tx.select({ id: connectedAccounts.id }).from(connectedAccounts)
          .where(and(eq(connectedAccounts.workspaceId, input.workspaceId), eq(connectedAccounts.provider, input.provider), eq(connectedAccounts.providerAccountId, input.providerAccountId), isNull(connectedAccounts.revokedAt))));
        assertAccountFree(Boolean(taken), input.provider);
        const row = { ...input, id: newId("cna"), scopes: JSON.stringify(input.scopes), metadata: JSON.stringify(input.metadata), createdAt: now(), revokedAt: null };
        await tx.insert(connectedAccounts).values(row);
        return toConnectedAccount(row);
      });
    },
    async list(workspaceId, userId) {
      const conds = [eq(connectedAccounts.workspaceId, workspaceId)];
      if (userId) conds.push(eq(connectedAccounts.userId, userId));
      return (await db.select().from(connectedAccounts).where(and(...conds)).orderBy(desc(connectedAccounts.id))).map(toConnectedAccount);
    },
    async get(id) {
      const r = await byId(db, id);
      return r ? toConnectedAccount(r) : null;
    },
    revoke(id) {
      return writer.write(async (tx) => {
        const r = await byId(tx, id);
        if (!r) throw notFound("connected account");
        if (r.revokedAt) return toConnectedAccount(r);
        const revokedAt = now();
        await tx.update(connectedAccounts).set({ revokedAt }).where(eq(connectedAccounts.id, id));
        return toConnectedAccount({ ...r, revokedAt });
      });
    },
  };
}
