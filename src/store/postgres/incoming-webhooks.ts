// Incoming webhooks on Postgres: the webhook row and its own bot user are written together; only
// the secret's hash is kept.
import { and, asc, eq, isNull } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import { hashSecret, newSecret } from "../../chat/secrets.ts";
import type { IntegrationStore } from "../store.ts";
import { newIncomingWebhookRow, openedBy, toIncomingWebhook } from "../integration-rows.ts";
import { now } from "../rows.ts";
import { insertBot } from "./bots.ts";
import type { Db, PgGroupCommitWriter } from "./database.ts";
import { botTokens, channels, incomingWebhooks, members } from "./schema.ts";
import { first } from "./users.ts";

type WebhookPart = Pick<IntegrationStore, "createIncomingWebhook" | "incomingWebhooks" | "incomingWebhook" | "incomingWebhookBySecret" | "rotateIncomingWebhookSecret" | "revokeIncomingWebhook">;

export function pgIncomingWebhooks(db: Db, writer: PgGroupCommitWriter): WebhookPart {
  const row = (q: Db, id: string) => first(q.select().from(incomingWebhooks).where(eq(incomingWebhooks.id, id)));
  const active = async (tx: Db, id: string) => {
    // Locked: a rotation and a revocation of one webhook from two processes take turns.
    const r = await first(tx.select().from(incomingWebhooks).where(eq(incomingWebhooks.id, id)).for("update"));
    if (!r || r.revokedAt) throw notFound("incoming webhook");
    return r;
  };
  return {
    createIncomingWebhook(input) {
      return writer.write(async (tx) => {
        const ch = await first(tx.select({ id: channels.id }).from(channels).where(and(eq(channels.id, input.channelId), eq(channels.workspaceId, input.workspaceId), isNull(channels.deletedAt))));
        if (!ch) throw notFound("channel");
        const bot = await insertBot(tx, { workspaceId: input.workspaceId, displayName: input.name, ownerUserId: input.createdBy });
        const secret = newSecret("ccw");
        const r = newIncomingWebhookRow(input, bot.id, secret);
        await tx.insert(incomingWebhooks).values(r);
        return { webhook: toIncomingWebhook(r), secret };
      });
    },
    async incomingWebhooks(workspaceId, channelId) {
      const conds = [eq(incomingWebhooks.workspaceId, workspaceId), isNull(incomingWebhooks.revokedAt)];
      if (channelId) conds.push(eq(incomingWebhooks.channelId, channelId));
      return (await db.select().from(incomingWebhooks).where(and(...conds)).orderBy(asc(incomingWebhooks.createdAt), asc(incomingWebhooks.id))).map(toIncomingWebhook);
    },
    async incomingWebhook(id) {
      const r = await row(db, id);
      return r ? toIncomingWebhook(r) : null;
    },
    async incomingWebhookBySecret(id, secret) {
      return openedBy(await row(db, id), secret);
    },
    rotateIncomingWebhookSecret(id) {
      return writer.write(async (tx) => {
        const r = await active(tx, id);
        const secret = newSecret("ccw");
        await tx.update(incomingWebhooks).set({ secretHash: hashSecret(secret) }).where(eq(incomingWebhooks.id, id));
        return { webhook: toIncomingWebhook(r), secret };
      });
    },
    revokeIncomingWebhook(id) {
      return writer.write(async (tx) => {
        const r = await active(tx, id);
        r.revokedAt = now();
        await tx.update(incomingWebhooks).set({ revokedAt: r.revokedAt }).where(eq(incomingWebhooks.id, id));
        // Its bot leaves the workspace (no one can mint it a token any more); its posts keep their author.
        await tx.update(botTokens).set({ revokedAt: r.revokedAt }).where(and(eq(botTokens.botUserId, r.botUserId), isNull(botTokens.revokedAt)));
        await tx.delete(members).where(and(eq(members.workspaceId, r.workspaceId), eq(members.userId, r.botUserId)));
        return toIncomingWebhook(r);
      });
    },
  };
}
