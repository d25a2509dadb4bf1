// The admin and migrate commands as an operator runs them: a subprocess on a data directory.
import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const MAIN = join(import.meta.dir, "..", "main.ts");
const run = async (args: string[]) => {
  const p = Bun.spawn(["bun", MAIN, ...args], { stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code, out, err };
};

test("migrate creates the schema; admin commands are idempotent, scriptable and refuse bad input", async () => {
  const data = mkdtempSync(join(tmpdir(), "clickclack-admin-"));
  expect((await run(["migrate", "--data", data])).code).toBe(0);
  const db = new Database(join(data, "clickclack.db"), { readonly: true });
  expect(db.query("SELECT name FROM sqlite_master WHERE name = 'messages'").get()).not.toBeNull();
  db.close();

  const first = JSON.parse((await run(["admin", "bootstrap", "--name", "Ada", "--email", "ada@example.com", "--data", data, "--json"])).out);
  const again = JSON.parse((await run(["admin", "bootstrap", "--name", "Ada", "--email", "ada@example.com", "--data", data, "--json"])).out);
  expect(first.created).toBe(true);
  expect(again).toMatchObject({ created: false, user: { id: first.user.id }, workspace: { id: first.workspace.id } });

  const bob = JSON.parse((await run(["admin", "user", "create", "--email", "bob@example.com", "--name", "Bob", "--data", data, "--json"])).out);
  expect(bob.user.handle).toBe("bob");
  const member = JSON.parse((await run(["admin", "member", "add", "--workspace", first.workspace.slug, "--email", "bob@example.com", "--role", "moderator", "--data", data, "--json"])).out);
  expect(member.membership).toMatchObject({ user_id: bob.user.id, role: "moderator" });

  const bot = JSON.parse((await run(["admin", "bot", "create", "--workspace", first.workspace.id, "--name", "Claude", "--handle", "claude", "--scopes", "bot:write,agent_activity:write", "--data", data, "--json"])).out);
  expect(bot.bot_token.token).toStartWith("ccb_");
  expect(bot.bot_token.scopes).toContain("agent_activity:write");
  // Running it again reuses the bot and mints another token.
  const bot2 = JSON.parse((await run(["admin", "bot", "create", "--workspace", first.workspace.id, "--name", "Claude", "--handle", "claude", "--data", data, "--json"])).out);
  expect(bot2.bot.id).toBe(bot.bot.id);
  expect(bot2.bot_token.token).not.toBe(bot.bot_token.token);

  // user create --workspace joins the person as a member, as the Go server's command does.
  const dee = JSON.parse((await run(["admin", "user", "create", "--email", "dee@example.com", "--name", "Dee", "--workspace", first.workspace.slug, "--data", data, "--json"])).out);
  expect(dee.membership).toMatchObject({ workspace_id: first.workspace.id, user_id: dee.user.id, role: "member" });
  const members = new Database(join(data, "clickclack.db"), { readonly: true });
  expect(members.query("SELECT role FROM members WHERE user_id = ? AND workspace_id = ?").get(dee.user.id, first.workspace.id)).toEqual({ role: "member" });
  members.close();
  // An unknown workspace creates nobody.
  expect((await run(["admin", "user", "create", "--email", "eve@example.com", "--name", "Eve", "--workspace", "nope", "--data", data])).code).toBe(4);
  const link = JSON.parse((await run(["admin", "magic-link", "create", "--email", "cy@example.com", "--data", data, "--json"])).out);
  expect(link.token).toStartWith("mgt_");

  expect((await run(["admin", "bot", "create", "--data", data])).code).toBe(2);
  expect((await run(["admin", "bot", "create", "--workspace", first.workspace.id, "--name", "X", "--scopes", "everything", "--data", data])).code).toBe(2);
  expect((await run(["admin", "member", "add", "--workspace", "nowhere", "--email", "bob@example.com", "--role", "member", "--data", data])).code).toBe(4);
  expect((await run(["admin", "member", "add", "--workspace", first.workspace.id, "--email", "bob@example.com", "--role", "king", "--data", data])).code).toBe(2);
  expect((await run(["admin", "nonsense", "--data", data])).code).toBe(2);
}, 60_000);
