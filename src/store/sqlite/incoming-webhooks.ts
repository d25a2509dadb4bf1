// Incoming webhooks on SQLite: the webhook row and its own bot user are written together; only
// the secret's hash is kept.
import { toIncomingWebhook, newIncomingWebhookRow, openedBy } from "../integration-rows.ts";
import { and, asc, eq, isNull } from "drizzle-orm";
import { notFound } from "../../chat/errors.ts";
import { hashSecret, newSecret } from "../../chat/secrets.ts";
import type { IntegrationStore } from "../store.ts";
import { insertBot } from "./bots.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { now } from "../rows.ts";
import { botTokens, channels, incomingWebhooks, members } from "./schema.ts";

type WebhookPart = Pick<IntegrationStore, "createIncomingWebhook" | "incomingWebhooks" | "incomingWebhook" | "incomingWebhookBySecret" | "rotateIncomingWebhookSecret" | "revokeIncomingWebhook">;




export function sqliteIncomingWebhooks(db: Db, writer: GroupCommitWriter): WebhookPart {
  const row = (id: string) => db.select().from(incomingWebhooks).where(eq(incomingWebhooks.id, id)).get();
  const active = (id: string) => {
    const r = row(id);
    if (!r || r.revokedAt) throw notFound("incoming webhook");
    return r;
  };
  return {
    createIncomingWebhook(input) {
      return writer.write(() => {
        const ch = db.select({ id: channels.id }).from(channels).where(and(eq(channels.id, input.channelId), eq(channels.workspaceId, input.workspaceId), isNull(channels.deletedAt))).get();
        if (!ch) throw notFound("channel");
        const bot = insertBot(db, { workspaceId: input.workspaceId, displayName: input.name, ownerUserId: input.createdBy });
        const secret = newSecret("ccw");
        const r = newIncomingWebhookRow(input, bot.id, secret);
        db.insert(incomingWebhooks).values(r).run();
        return { webhook: toIncomingWebhook(r), secret };
      });
    },
    async incomingWebhooks(workspaceId, channelId) {
      const conds = [eq(incomingWebhooks.workspaceId, workspaceId), isNull(incomingWebhooks.revokedAt)];
      if (channelId) conds.push(eq(incomingWebhooks.channelId, channelId));
      return db.select().from(incomingWebhooks).where(and(...conds)).orderBy(asc(incomingWebhooks.createdAt), asc(incomingWebhooks.id)).all().map(toIncomingWebhook);
    },
    async incomingWebhook(id) {
      const r = row(id);
      return r ? toIncomingWebhook(r) : null;
    },
    async incomingWebhookBySecret(id, secret) {
      return openedBy(row(id), secret);
    },
    rotateIncomingWebhookSecret(id) {
      return writer.write(() => {
        const r = active(id);
        const secret = newSecret("ccw");
        db.update(incomingWebhooks).set({ secretHash: hashSecret(secret) }).where(eq(incomingWebhooks.id, id)).run();
        return { webhook: toIncomingWebhook(r), secret };
      });
    },
    revokeIncomingWebhook(id) {
      return writer.write(() => {
        const r = active(id);
        r.revokedAt = now();
        db.update(incomingWebhooks).set({ revokedAt: r.revokedAt }).where(eq(incomingWebhooks.id, id)).run();
        // Its bot leaves the workspace (no one can mint it a token any more); its posts keep their author.
        db.update(botTokens).set({ revokedAt: r.revokedAt }).where(and(eq(botTokens.botUserId, r.botUserId), isNull(botTokens.revokedAt))).run();
        db.delete(members).where(and(eq(members.workspaceId, r.workspaceId), eq(members.userId, r.botUserId))).run();
        return toIncomingWebhook(r);
      });
    },
  };
}
