import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { conflict, notFound } from "../../chat/errors.ts";
import { newId } from "../../chat/ids.ts";
import { BROADCAST_HANDLES, handleFrom } from "../../chat/rules.ts";
import type { UserStore } from "../store.ts";
import { now, toUser } from "../rows.ts";
import type { Db, PgGroupCommitWriter } from "./database.ts";
import { members, pushoverKeys, users } from "./schema.ts";

/** The first row of a query, or undefined. */
export async function first<T>(q: PromiseLike<T[]>): Promise<T | undefined> {
  return (await q)[0];
}

/** Which of these ids are people (not bots, not deleted) of the workspace. */
export async function peopleOf(db: Db, workspaceId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.select({ id: users.id }).from(users).innerJoin(members, and(eq(members.userId, users.id), eq(members.workspaceId, workspaceId)))
    .where(and(inArray(users.id, [...ids]), eq(users.kind, "human"), isNull(users.deletedAt)));
  return rows.map((r) => r.id);
}

/** First free handle from a base: `ada`, `ada2`, `ada3`… */
export async function freeHandle(tx: Db, base: string): Promise<string> {
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? base : `${base.slice(0, 28)}${i}`;
    if (BROADCAST_HANDLES.has(candidate)) continue;
    if (!(await first(tx.select({ id: users.id }).from(users).where(eq(users.handle, candidate))))) return candidate;
  }
}

export function pgUsers(db: Db, writer: PgGroupCommitWriter): UserStore {
  const byId = (id: string) => first(db.select().from(users).where(eq(users.id, id)));
  return {
    create(input) {
      return writer.write(async (tx) => {
        if (input.githubId && (await first(tx.select({ id: users.id }).from(users).where(eq(users.githubId, input.githubId))))) {
          throw conflict("that GitHub account is already linked", "github_taken");
        }
        if (input.email) {
          const existing = await first(tx.select({ id: users.id }).from(users).where(eq(users.email, input.email.toLowerCase())));
          if (existing) throw conflict("a user with that email already exists", "email_taken");
        }
        let handle: string;
        if (input.handle) {
          if (BROADCAST_HANDLES.has(input.handle)) throw conflict(`@${input.handle} is reserved`, "handle_taken");
          if (await first(tx.select({ id: users.id }).from(users).where(eq(users.handle, input.handle)))) throw conflict(`@${input.handle} is taken`, "handle_taken");
          handle = input.handle;
        } else {
          handle = await freeHandle(tx, handleFrom(input.handleBase ?? input.displayName));
        }
        const row = {
          id: newId("usr"),
          kind: input.kind,
          ownerUserId: input.ownerUserId ?? null,
          displayName: input.displayName,
          handle,
          email: input.email ? input.email.toLowerCase() : null,
          avatarUrl: input.avatarUrl ?? null,
          githubId: input.githubId ?? null,
          passwordHash: null,
          timeZone: null,
          createdAt: now(),
          deletedAt: null,
          version: 0,
        };
        await tx.insert(users).values(row);
        return toUser(row);
      });
    },
    async get(id) {
      const r = await byId(id);
      return r && !r.deletedAt ? toUser(r) : null;
    },
    async byHandle(handle) {
      const r = await first(db.select().from(users).where(eq(users.handle, handle.toLowerCase())));
      return r && !r.deletedAt ? toUser(r) : null;
    },
    async byEmail(email) {
      const r = await first(db.select().from(users).where(eq(users.email, email.toLowerCase())));
      return r && !r.deletedAt ? toUser(r) : null;
    },
    async first() {
      const r = await first(db.select().from(users).where(eq(users.kind, "human")).orderBy(asc(users.createdAt), asc(users.id)).limit(1));
      return r ? toUser(r) : null;
    },
    update(id, patch) {
      return writer.write(async (tx) => {
        const current = await first(tx.select().from(users).where(eq(users.id, id)));
        if (!current || current.deletedAt) throw notFound("user");
        if (patch.handle !== undefined && patch.handle !== current.handle) {
          if (BROADCAST_HANDLES.has(patch.handle)) throw conflict(`@${patch.handle} is reserved`, "handle_taken");
          if (await first(tx.select({ id: users.id }).from(users).where(eq(users.handle, patch.handle)))) throw conflict(`@${patch.handle} is taken`, "handle_taken");
        }
        const next = {
          displayName: patch.displayName ?? current.displayName,
          handle: patch.handle ?? current.handle,
          avatarUrl: patch.avatarUrl !== undefined ? patch.avatarUrl : current.avatarUrl,
          timeZone: patch.timeZone !== undefined ? patch.timeZone : current.timeZone,
        };
        await tx.update(users).set(next).where(eq(users.id, id));
        if (patch.pushoverUserKey === null) await tx.delete(pushoverKeys).where(eq(pushoverKeys.userId, id));
        else if (patch.pushoverUserKey !== undefined) {
          const row = { userKey: patch.pushoverUserKey, updatedAt: now() };
          await tx.insert(pushoverKeys).values({ userId: id, ...row }).onConflictDoUpdate({ target: pushoverKeys.userId, set: row });
        }
        return toUser({ ...current, ...next });
      });
    },
  };
}
