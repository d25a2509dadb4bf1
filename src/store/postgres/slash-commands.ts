// Slash command registrations and their invocation log on Postgres.
import { and, asc, count, eq, gt, gte, isNull, sql } from "drizzle-orm";
import { assertWithinBudget, budgetWindowStart } from "../../chat/posting.ts";
import { notFound } from "../../chat/errors.ts";
import { newSecret } from "../../chat/secrets.ts";
import type { IntegrationStore } from "../store.ts";
import { commandTaken, invocationRow, newSlashCommandRow, toSlashCommand } from "../integration-rows.ts";
import { now } from "../rows.ts";
import type { Db, EventSink, PgGroupCommitWriter } from "./database.ts";
import { messages, slashCommands, slashInvocations, workspaces } from "./schema.ts";
import { first } from "./users.ts";

type SlashPart = Pick<IntegrationStore, "createSlashCommand" | "slashCommands" | "slashCommand" | "activeSlashCommand" | "rotateSlashSecret" | "revokeSlashCommand" | "recordInvocation" | "finishInvocation" | "invocationsSince">;

/**
 * Checks a person's budget inside the caller's transaction: their posts and slash invocations in
 * its window count alike. Every budgeted write of one person, in any process, queues on one
 * transaction lock (taken after the workspace's lock, as every lock is), so the count they check
 * cannot grow under them.
 */
export async function assertBudgetLeft(tx: Db, emit: EventSink, workspaceId: string, userId: string, budget: { max: number; windowMs: number }) {
  await emit.lock(tx, workspaceId);
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`budget:${workspaceId}:${userId}`}, 0))`);
  const since = budgetWindowStart(budget);
  const [posts, calls] = await Promise.all([
    tx.select({ at: messages.createdAt }).from(messages).where(and(eq(messages.workspaceId, workspaceId), eq(messages.authorId, userId), gt(messages.createdAt, since))),
    tx.select({ at: slashInvocations.createdAt }).from(slashInvocations).where(and(eq(slashInvocations.workspaceId, workspaceId), eq(slashInvocations.userId, userId), gt(slashInvocations.createdAt, since))),
  ]);
  assertWithinBudget(budget, [...posts, ...calls].map((r) => r.at).sort());
}

export function pgSlashCommands(db: Db, writer: PgGroupCommitWriter): SlashPart {
  const row = (q: Db, id: string) => first(q.select().from(slashCommands).where(eq(slashCommands.id, id)));
  const active = (q: Db, workspaceId: string, command: string) =>
    first(q.select().from(slashCommands).where(and(eq(slashCommands.workspaceId, workspaceId), eq(slashCommands.command, command), isNull(slashCommands.revokedAt))));
  return {
    createSlashCommand(input) {
      return writer.write(async (tx) => {
        // The workspace row lock serialises registrations across processes.
        await tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, input.workspaceId)).for("update");
        if (await active(tx, input.workspaceId, input.command)) throw commandTaken(input.command);
        const r = newSlashCommandRow(input);
        await tx.insert(slashCommands).values(r);
        return { ...toSlashCommand(r), signing_secret: r.signingSecret };
      });
    },
    async slashCommands(workspaceId) {
      return (await db.select().from(slashCommands).where(eq(slashCommands.workspaceId, workspaceId)).orderBy(asc(slashCommands.command), asc(slashCommands.id))).map(toSlashCommand);
    },
    async slashCommand(id) {
      const r = await row(db, id);
      return r ? toSlashCommand(r) : null;
    },
    async activeSlashCommand(workspaceId, command) {
      const r = await active(db, workspaceId, command);
      return r ? { command: toSlashCommand(r), signingSecret: r.signingSecret } : null;
    },
    rotateSlashSecret(id) {
      return writer.write(async (tx) => {
        const r = await row(tx, id);
        if (!r || r.revokedAt) throw notFound("slash command");
        const secret = newSecret("ccs");
        await tx.update(slashCommands).set({ signingSecret: secret }).where(eq(slashCommands.id, id));
        return { ...toSlashCommand(r), signing_secret: secret };
      });
    },
    revokeSlashCommand(id) {
      return writer.write(async (tx) => {
        const r = await row(tx, id);
        if (!r) throw notFound("slash command");
        if (!r.revokedAt) {
          r.revokedAt = now();
          await tx.update(slashCommands).set({ revokedAt: r.revokedAt }).where(eq(slashCommands.id, id));
        }
        return toSlashCommand(r);
      });
    },
    recordInvocation(i, budget) {
      return writer.write(async (tx, emit) => {
        if (budget) await assertBudgetLeft(tx, emit, i.workspaceId, i.userId, budget);
        const r = invocationRow(i);
        await tx.insert(slashInvocations).values(r);
        return r.id;
      });
    },
    finishInvocation(id, o) {
      return writer.write(async (tx) => {
        await tx.update(slashInvocations).set({ outcome: o.outcome, responseStatus: o.responseStatus, error: o.error?.slice(0, 1000) ?? null }).where(eq(slashInvocations.id, id));
      });
    },
    async invocationsSince(workspaceId, userId, since) {
      return (await first(db.select({ n: count() }).from(slashInvocations).where(and(eq(slashInvocations.workspaceId, workspaceId), eq(slashInvocations.userId, userId), gte(slashInvocations.createdAt, since)))))?.n ?? 0;
    },
  };
}
