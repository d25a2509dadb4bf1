import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { conflict, notFound } from "../../chat/errors.ts";
import { newId } from "../../chat/ids.ts";
import { BROADCAST_HANDLES, handleFrom } from "../../chat/rules.ts";
import type { UserStore } from "../store.ts";
import type { Db, GroupCommitWriter } from "./database.ts";
import { now, toUser } from "../rows.ts";
import { members, pushoverKeys, users } from "./schema.ts";

/** First free handle from a base: `ada`, `ada2`, `ada3`… */
export function freeHandle(db: Db, base: string): string {
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? base : `${base.slice(0, 28)}${i}`;
    if (BROADCAST_HANDLES.has(candidate)) continue;
    if (!db.select({ id: users.id }).from(users).where(eq(users.handle, candidate)).get()) return candidate;
  }
}

/** Which of these ids are people (not bots, not deleted) of the workspace. */
export function peopleOf(db: Db, workspaceId: string, ids: readonly string[]): string[] {
  if (ids.length === 0) return [];
  return db.select({ id: users.id }).from(users).innerJoin(members, and(eq(members.userId, users.id), eq(members.workspaceId, workspaceId)))
    .where(and(inArray(users.id, [...ids]), eq(users.kind, "human"), isNull(users.deletedAt))).all().map((r) => r.id);
}

export function sqliteUsers(db: Db, writer: GroupCommitWriter): UserStore {
  const byId = db.query.users.findFirst({ where: (u, { eq, sql }) => eq(u.id, sql.placeholder("id")) }).prepare();
  return {
    create(input) {
      return writer.write(() => {
        if (input.githubId && db.select({ id: users.id }).from(users).where(eq(users.githubId, input.githubId)).get()) {
          throw conflict("that GitHub account is already linked", "github_taken");
        }
        if (input.email) {
          const existing = db.select({ id: users.id }).from(users).where(eq(users.email, input.email.toLowerCase())).get();
          if (existing) throw conflict("a user with that email already exists", "email_taken");
        }
        let handle: string;
        if (input.handle) {
          if (BROADCAST_HANDLES.has(input.handle)) throw conflict(`@${input.handle} is reserved`, "handle_taken");
          if (db.select({ id: users.id }).from(users).where(eq(users.handle, input.handle)).get()) throw conflict(`@${input.handle} is taken`, "handle_taken");
          handle = input.handle;
        } else {
          handle = freeHandle(db, handleFrom(input.handleBase ?? input.displayName));
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
        db.insert(users).values(row).run();
        return toUser(row);
      });
    },
    async get(id) {
      const r = byId.get({ id });
      return r && !r.deletedAt ? toUser(r) : null;
    },
    async byHandle(handle) {
      const r = db.select().from(users).where(eq(users.handle, handle.toLowerCase())).get();
      return r && !r.deletedAt ? toUser(r) : null;
    },
    async byEmail(email) {
      const r = db.select().from(users).where(eq(users.email, email.toLowerCase())).get();
      return r && !r.deletedAt ? toUser(r) : null;
    },
    async first() {
      const r = db.select().from(users).where(eq(users.kind, "human")).orderBy(asc(users.createdAt), asc(users.id)).limit(1).get();
      return r ? toUser(r) : null;
    },
    update(id, patch) {
      return writer.write(() => {
        const current = db.select().from(users).where(eq(users.id, id)).get();
        if (!current || current.deletedAt) throw notFound("user");
        if (patch.handle !== undefined && patch.handle !== current.handle) {
          if (BROADCAST_HANDLES.has(patch.handle)) throw conflict(`@${patch.handle} is reserved`, "handle_taken");
          if (db.select({ id: users.id }).from(users).where(eq(users.handle, patch.handle)).get()) throw conflict(`@${patch.handle} is taken`, "handle_taken");
        }
        const next = {
          displayName: patch.displayName ?? current.displayName,
          handle: patch.handle ?? current.handle,
          avatarUrl: patch.avatarUrl !== undefined ? patch.avatarUrl : current.avatarUrl,
          timeZone: patch.timeZone !== undefined ? patch.timeZone : current.timeZone,
        };
        db.update(users).set(next).where(eq(users.id, id)).run();
        if (patch.pushoverUserKey === null) db.delete(pushoverKeys).where(eq(pushoverKeys.userId, id)).run();
        else if (patch.pushoverUserKey !== undefined) {
          const row = { userKey: patch.pushoverUserKey, updatedAt: now() };
          db.insert(pushoverKeys).values({ userId: id, ...row }).onConflictDoUpdate({ target: pushoverKeys.userId, set: row }).run();
        }
        return toUser({ ...current, ...next });
      });
    },
  };
}
