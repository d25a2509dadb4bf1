// The access cache: a change made through the store is seen by the next lookup, a change made by
// another process once the store reports foreign writes or the entry's age runs out.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { openSqliteStore, type SqliteStore } from "../store/sqlite/index.ts";
import { AccessCache, withAccessCache } from "./cache.ts";

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function fixture(cache = new AccessCache()) {
  const path = join(mkdtempSync(join(tmpdir(), "access-cache-")), "db.sqlite");
  const raw = openSqliteStore(path);
  stores.push(raw);
  const store = withAccessCache(raw, cache);
  const owner = await store.users.create({ kind: "human", displayName: "Ada", handle: "ada" });
  const member = await store.users.create({ kind: "human", displayName: "Bo", handle: "bo" });
  const { workspace, channels } = await store.workspaces.create({ name: "Team", ownerId: owner.id });
  await store.workspaces.addMember(workspace.id, member.id, "member");
  const { session, token } = await store.identity.createSession(member.id, 60_000);
  return { path, store, cache, workspace, channel: channels[0]!, member, session, token };
}

describe("access cache", () => {
  test("repeated lookups are served from the cache", async () => {
    const f = await fixture();
    await f.store.identity.sessionByToken(f.token);
    await f.store.workspaces.membership(f.workspace.id, f.member.id);
    const misses = f.cache.misses;
    for (let i = 0; i < 10; i++) {
      expect((await f.store.identity.sessionByToken(f.token))?.user.id).toBe(f.member.id);
      expect((await f.store.workspaces.membership(f.workspace.id, f.member.id))?.role).toBe("member");
      expect((await f.store.channels.record(f.channel.id))?.id).toBe(f.channel.id);
    }
    expect(f.cache.misses).toBe(misses + 1);
  });

  test("a revocation through the store is seen by the very next lookup", async () => {
    const f = await fixture();
    expect(await f.store.identity.sessionByToken(f.token)).not.toBeNull();
    await f.store.identity.revokeSession(f.session.id);
    expect(await f.store.identity.sessionByToken(f.token)).toBeNull();
  });

  test("a block, a role change or an archived channel is seen by the very next lookup", async () => {
    const f = await fixture();
    await f.store.workspaces.membership(f.workspace.id, f.member.id);
    await f.store.channels.record(f.channel.id);
    await f.store.moderation.update(f.workspace.id, f.member.id, { blocked: true }, f.member.id);
    expect((await f.store.workspaces.membership(f.workspace.id, f.member.id))?.blockedAt).not.toBeNull();
    await f.store.channels.update(f.channel.id, { archived: true }, f.member.id);
    expect((await f.store.channels.record(f.channel.id))?.archivedAt).not.toBeNull();
  });

  test("posting keeps the cache", async () => {
    const f = await fixture();
    await f.store.workspaces.membership(f.workspace.id, f.member.id);
    const misses = f.cache.misses;
    await f.store.messages.post({ scope: { kind: "channel", id: f.channel.id, workspaceId: f.workspace.id }, authorId: f.member.id, body: "hello" });
    await f.store.workspaces.membership(f.workspace.id, f.member.id);
    expect(f.cache.misses).toBe(misses);
  });

  test("a message's scope is kept while it stands, and its deletion is seen by the very next lookup", async () => {
    const f = await fixture();
    const scope = { kind: "channel" as const, id: f.channel.id, workspaceId: f.workspace.id };
    const { message } = await f.store.messages.post({ scope, authorId: f.member.id, body: "hello" });
    expect((await f.store.messages.scopeOf(message.id))?.deleted).toBe(false);
    const misses = f.cache.misses;
    await f.store.messages.react(message.id, f.member.id, "👍", true);
    await f.store.messages.edit(message.id, "hello again", f.member.id);
    expect((await f.store.messages.scopeOf(message.id))?.scope).toEqual(scope);
    expect(f.cache.misses).toBe(misses);
    await f.store.messages.remove(message.id, f.member.id);
    expect((await f.store.messages.scopeOf(message.id))?.deleted).toBe(true);
  });

  test("another process's revocation is seen once the store reports foreign writes, and after the entry's age at the latest", async () => {
    let clock = 0;
    const f = await fixture(new AccessCache(500, () => clock));
    expect(await f.store.identity.sessionByToken(f.token)).not.toBeNull();
    const other = new Database(f.path);
    other.query("UPDATE sessions SET revoked_at = ? WHERE id = ?").run(new Date().toISOString(), f.session.id);
    other.close();
    // Within its age, an entry answers without asking the database...
    expect(await f.store.identity.sessionByToken(f.token)).not.toBeNull();
    // ...until the age runs out,
    clock = 501;
    expect(await f.store.identity.sessionByToken(f.token)).toBeNull();
    // or the store says another process wrote.
    const g = await fixture(new AccessCache(500, () => 0));
    await g.store.foreignWrites();
    expect(await g.store.workspaces.membership(g.workspace.id, g.member.id)).not.toBeNull();
    const again = new Database(g.path);
    again.query("DELETE FROM members WHERE user_id = ?").run(g.member.id);
    again.close();
    expect(await g.store.workspaces.membership(g.workspace.id, g.member.id)).not.toBeNull();
    await g.store.foreignWrites();
    expect(await g.store.workspaces.membership(g.workspace.id, g.member.id)).toBeNull();
  });
});
