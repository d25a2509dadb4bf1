// The admin and migrate commands as an operator runs them: a subprocess on a data directory, or
// on a Postgres database.
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { createTestDatabase, type TestDatabase } from "../testing/postgres.ts";

const MAIN = join(import.meta.dir, "..", "main.ts");
const run = async (args: string[]) => {
  const p = Bun.spawn(["bun", MAIN, ...args], { stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code, out, err };
};

const databases: TestDatabase[] = [];
afterAll(() => Promise.all(databases.map((d) => d.drop())));

/** Where the commands point: `--data DIR` (SQLite) or `--db postgres://…`, and how to look inside. */
const stores = {
  sqlite: async () => {
    const dir = mkdtempSync(join(tmpdir(), "clickclack-admin-"));
    return {
      args: ["--data", dir],
      async hasMessagesTable() {
        const db = new Database(join(dir, "clickclack.db"), { readonly: true });
        try {
          return db.query("SELECT name FROM sqlite_master WHERE name = 'messages'").get() !== null;
        } finally {
          db.close();
        }
      },
      async auditLog() {
        const db = new Database(join(dir, "clickclack.db"), { readonly: true });
        try {
          return db.query("SELECT actor_user_id, action FROM audit_log ORDER BY id").all() as { actor_user_id: string; action: string }[];
        } finally {
          db.close();
        }
      },
    };
  },
  postgres: async () => {
    const pg = await createTestDatabase();
    databases.push(pg);
    return {
      args: ["--db", pg.url],
      async hasMessagesTable() {
        const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
        try {
          return (await sql`SELECT to_regclass('messages') IS NOT NULL AS present`)[0]!.present as boolean;
        } finally {
          await sql.end();
        }
      },
      async auditLog() {
        const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
        try {
          return [...(await sql<{ actor_user_id: string; action: string }[]>`SELECT actor_user_id, action FROM audit_log ORDER BY id`)];
        } finally {
          await sql.end();
        }
      },
    };
  },
};

test.each(Object.keys(stores) as (keyof typeof stores)[])("%s: migrate creates the schema (twice is fine); admin commands are idempotent, scriptable and refuse bad input", async (kind) => {
  const store = await stores[kind]();
  const [flag, where] = store.args as [string, string];
  expect((await run(["migrate", flag, where])).code).toBe(0);
  expect((await run(["migrate", flag, where])).code).toBe(0);
  expect(await store.hasMessagesTable()).toBe(true);
  const data = where;

  const first = JSON.parse((await run(["admin", "bootstrap", "--name", "Ada", "--email", "ada@example.com", flag, data, "--json"])).out);
  const again = JSON.parse((await run(["admin", "bootstrap", "--name", "Ada", "--email", "ada@example.com", flag, data, "--json"])).out);
  expect(first.created).toBe(true);
  expect(again).toMatchObject({ created: false, user: { id: first.user.id }, workspace: { id: first.workspace.id } });

  const bob = JSON.parse((await run(["admin", "user", "create", "--email", "bob@example.com", "--name", "Bob", flag, data, "--json"])).out);
  expect(bob.user.handle).toBe("bob");
  const member = JSON.parse((await run(["admin", "member", "add", "--workspace", first.workspace.slug, "--email", "bob@example.com", "--role", "moderator", flag, data, "--json"])).out);
  expect(member.membership).toMatchObject({ user_id: bob.user.id, role: "moderator" });

  const bot = JSON.parse((await run(["admin", "bot", "create", "--workspace", first.workspace.id, "--name", "Claude", "--handle", "claude", "--scopes", "bot:write,agent_activity:write", flag, data, "--json"])).out);
  expect(bot.bot_token.token).toStartWith("ccb_");
  expect(bot.bot_token.scopes).toContain("agent_activity:write");
  // Running it again reuses the bot and mints another token.
  const bot2 = JSON.parse((await run(["admin", "bot", "create", "--workspace", first.workspace.id, "--name", "Claude", "--handle", "claude", flag, data, "--json"])).out);
  expect(bot2.bot.id).toBe(bot.bot.id);
  expect(bot2.bot_token.token).not.toBe(bot.bot_token.token);
  // What the operator changed in a workspace is in its audit log, by "cli".
  expect(await store.auditLog()).toEqual(["member.added", "bot.created", "bot_token.minted", "bot_token.minted"].map((action) => ({ actor_user_id: "cli", action })));

  // user create --workspace joins the person as a member, as the Go server's command does; again, nothing changes.
  const dee = JSON.parse((await run(["admin", "user", "create", "--email", "dee@example.com", "--name", "Dee", "--workspace", first.workspace.slug, flag, data, "--json"])).out);
  expect(dee.membership).toMatchObject({ workspace_id: first.workspace.id, user_id: dee.user.id, role: "member" });
  const deeAgain = JSON.parse((await run(["admin", "user", "create", "--email", "dee@example.com", "--name", "Dee", "--workspace", first.workspace.id, flag, data, "--json"])).out);
  expect(deeAgain).toMatchObject({ created: false, membership: { role: "member" } });
  // An unknown workspace creates nobody.
  expect((await run(["admin", "user", "create", "--email", "eve@example.com", "--name", "Eve", "--workspace", "nope", flag, data])).code).toBe(4);
  const link = JSON.parse((await run(["admin", "magic-link", "create", "--email", "cy@example.com", flag, data, "--json"])).out);
  expect(link.token).toStartWith("mgt_");
  // invite create prints the link (the original printed the bare token); made by the workspace's owner.
  const invite = await run(["admin", "invite", "create", "--workspace", first.workspace.slug, "--max-uses", "3", "--public-url", "https://chat.example.test", flag, data]);
  expect(invite.code).toBe(0);
  expect(invite.out).toMatch(/^https:\/\/chat\.example\.test\/app\/invite#token=inv_[\w%-]+\n\(member of .+, no expiry, 3 uses;/);
  const inviteJson = JSON.parse((await run(["admin", "invite", "create", "--workspace", first.workspace.id, "--role", "guest", "--expires-in-hours", "2", flag, data, "--json"])).out);
  expect(inviteJson.invite).toMatchObject({ role: "guest", created_by: first.user.id, status: "active" });
  expect((await run(["admin", "invite", "create", "--workspace", first.workspace.id, "--role", "owner", flag, data])).code).toBe(2);
  expect((await run(["admin", "invite", "create", "--workspace", first.workspace.id, "--max-uses", "lots", flag, data])).code).toBe(2);

  expect((await run(["admin", "bot", "create", flag, data])).code).toBe(2);
  expect((await run(["admin", "bot", "create", "--workspace", first.workspace.id, "--name", "X", "--scopes", "everything", flag, data])).code).toBe(2);
  expect((await run(["admin", "member", "add", "--workspace", "nowhere", "--email", "bob@example.com", "--role", "member", flag, data])).code).toBe(4);
  expect((await run(["admin", "member", "add", "--workspace", first.workspace.id, "--email", "bob@example.com", "--role", "king", flag, data])).code).toBe(2);
  expect((await run(["admin", "nonsense", flag, data])).code).toBe(2);
}, 60_000);
