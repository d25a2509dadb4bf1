// Slash command registrations and their invocation log on SQLite.
import { toSlashCommand, newSlashCommandRow, invocationRow, commandTaken } from "../integration-rows.ts";
import { and, asc, count, eq, gt, gte, isNull } from "drizzle-orm";
import { assertWithinBudget, budgetWindowStart } from "../../chat/posting.ts";
import { notFound } from "../../chat/errors.ts";
import { newSecret } from "../../chat/secrets.ts";
import type { IntegrationStore } from "../store.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { now } from "../rows.ts";
import { messages, slashCommands, slashInvocations } from "./schema.ts";






type SlashPart = Pick<IntegrationStore, "createSlashCommand" | "slashCommands" | "slashCommand" | "activeSlashCommand" | "rotateSlashSecret" | "revokeSlashCommand" | "recordInvocation" | "finishInvocation" | "invocationsSince">;

/**
 * When a person's posts and slash invocations inside a budget's window happened, oldest first:
 * one budget covers both (a guest's commands cost what their posts cost).
 */
export function budgetSpentAt(db: Db, workspaceId: string, userId: string, since: string): string[] {
  const posts = db.select({ at: messages.createdAt }).from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.authorId, userId), gt(messages.createdAt, since))).all();
  const calls = db.select({ at: slashInvocations.createdAt }).from(slashInvocations)
    .where(and(eq(slashInvocations.workspaceId, workspaceId), eq(slashInvocations.userId, userId), gt(slashInvocations.createdAt, since))).all();
  return [...posts, ...calls].map((r) => r.at).sort();
}

export function sqliteSlashCommands(db: Db, writer: GroupCommitWriter): SlashPart {
  const row = (id: string) => db.select().from(slashCommands).where(eq(slashCommands.id, id)).get();
  const active = (workspaceId: string, command: string) =>
    db.select().from(slashCommands).where(and(eq(slashCommands.workspaceId, workspaceId), eq(slashCommands.command, command), isNull(slashCommands.revokedAt))).get();
  return {
    createSlashCommand(input) {
      return writer.write(() => {
        if (active(input.workspaceId, input.command)) throw commandTaken(input.command);
        const r = newSlashCommandRow(input);
        db.insert(slashCommands).values(r).run();
        return { ...toSlashCommand(r), signing_secret: r.signingSecret };
      });
    },
    async slashCommands(workspaceId) {
      return db.select().from(slashCommands).where(eq(slashCommands.workspaceId, workspaceId)).orderBy(asc(slashCommands.command), asc(slashCommands.id)).all().map(toSlashCommand);
    },
    async slashCommand(id) {
      const r = row(id);
      return r ? toSlashCommand(r) : null;
    },
    async activeSlashCommand(workspaceId, command) {
      const r = active(workspaceId, command);
      return r ? { command: toSlashCommand(r), signingSecret: r.signingSecret } : null;
    },
    rotateSlashSecret(id) {
      return writer.write(() => {
        const r = row(id);
        if (!r || r.revokedAt) throw notFound("slash command");
        const secret = newSecret("ccs");
        db.update(slashCommands).set({ signingSecret: secret }).where(eq(slashCommands.id, id)).run();
        return { ...toSlashCommand(r), signing_secret: secret };
      });
    },
    revokeSlashCommand(id) {
      return writer.write(() => {
        const r = row(id);
        if (!r) throw notFound("slash command");
        if (!r.revokedAt) {
          r.revokedAt = now();
          db.update(slashCommands).set({ revokedAt: r.revokedAt }).where(eq(slashCommands.id, id)).run();
        }
        return toSlashCommand(r);
      });
    },
    recordInvocation(i, budget) {
      return writer.write(() => {
        // Counted and written in one write: concurrent invocations cannot overshoot the budget.
        if (budget) assertWithinBudget(budget, budgetSpentAt(db, i.workspaceId, i.userId, budgetWindowStart(budget)));
        const r = invocationRow(i);
        db.insert(slashInvocations).values(r).run();
        return r.id;
      });
    },
    finishInvocation(id, o) {
      return writer.write(() => {
        db.update(slashInvocations).set({ outcome: o.outcome, responseStatus: o.responseStatus, error: o.error?.slice(0, 1000) ?? null }).where(eq(slashInvocations.id, id)).run();
      });
    },
    async invocationsSince(workspaceId, userId, since) {
      return db.select({ n: count() }).from(slashInvocations).where(and(eq(slashInvocations.workspaceId, workspaceId), eq(slashInvocations.userId, userId), gte(slashInvocations.createdAt, since))).get()?.n ?? 0;
    },
  };
}
