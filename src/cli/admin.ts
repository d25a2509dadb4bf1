// `clickclack admin …`: operator commands that work on the database directly (the server may be
// running: SQLite's WAL lets both write). Idempotent where it makes sense; --json for scripts.
import { auditEntry, audited, CLI_ACTOR } from "../chat/audit.ts";
import { parseArgs } from "node:util";
import { setPassword } from "../access/passwords.ts";
import { assertScopesWithin, expandScopes } from "../access/scopes.ts";
import { AppError } from "../chat/errors.ts";
import { displayName, handle as checkedHandle } from "../chat/names.ts";
import { HANDLE_PATTERN } from "../chat/rules.ts";
import type { Role, User } from "../chat/types.ts";
import { ConfigError, loadConfig, SETTINGS } from "../config/config.ts";
import { MAGIC_LINK_TTL_MS } from "../http/routes/auth.ts";
import { inviteTerms, inviteUrl } from "../chat/invites.ts";
import { EXIT } from "./exit.ts";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/store.ts";

const USAGE = `Usage: clickclack admin <command> [options] [--json] [--data DIR | --db PATH]

  bootstrap --name NAME --email EMAIL [--workspace NAME]
      first owner and workspace (with #general and #guest); a second run changes nothing
  user create --email EMAIL --name NAME [--handle HANDLE] [--workspace ID|SLUG]
      with --workspace, the person also joins it as a member (kept if already there)
  user set-password (--user ID | --email EMAIL | --handle HANDLE)
      reads the new password from standard input (for --password-auth); never from the command line
  member add --workspace ID|SLUG (--user ID | --email EMAIL) --role owner|moderator|member|guest
  invite create --workspace ID|SLUG [--role member|guest] [--expires-in-hours N] [--max-uses N] [--created-by USER_ID]
      prints the invite link (/app/invite#token=…; the base is --public-url, else the listen address)
  magic-link create --email EMAIL [--name NAME]
      prints a single-use sign-in token (mgt_…) valid for 15 minutes
  bot create --workspace ID|SLUG --name NAME [--handle HANDLE] [--scopes bot:write,agent_activity:write] [--owner USER_ID]
      prints the bot and its raw token (shown once)
  events prune --workspace ID|SLUG --older-than-days N [--keep-latest N]
`;

class UsageError extends Error {}

function emit(json: boolean, value: Record<string, unknown>, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);
}

async function workspaceOf(store: Store, ref: string | undefined) {
  if (!ref) throw new UsageError("--workspace is required");
  const found = (await store.workspaces.get(ref)) ?? (await store.workspaces.bySlug(ref));
  if (found) return found;
  throw new AppError(404, "not_found", `workspace ${ref} not found`);
}

async function userFor(store: Store, email: string, name: string, handle?: string): Promise<{ user: User; created: boolean }> {
  const existing = await store.users.byEmail(email);
  if (existing) return { user: existing, created: false };
  if (handle !== undefined && !HANDLE_PATTERN.test(handle)) throw new UsageError("--handle must be 2–32 of a-z, 0-9, _ and -");
  // The operator is held to the same name rules as everyone (400 → exit 2).
  return { user: await store.users.create({ kind: "human", displayName: displayName(name, "--name"), email, handle: handle === undefined ? undefined : checkedHandle(handle) }), created: true };
}

export async function adminCommand(args: string[]): Promise<number> {
  const [group, action, ...rest] = args;
  if (!group) {
    process.stderr.write(USAGE);
    return EXIT.usage;
  }
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const options: Record<string, { type: "string" | "boolean" }> = {
    json: { type: "boolean" }, name: { type: "string" }, email: { type: "string" }, handle: { type: "string" }, workspace: { type: "string" },
    user: { type: "string" }, role: { type: "string" }, scopes: { type: "string" }, owner: { type: "string" },
    "older-than-days": { type: "string" }, "keep-latest": { type: "string" }, config: { type: "string" },
    "expires-in-hours": { type: "string" }, "max-uses": { type: "string" }, "created-by": { type: "string" },
  };
  for (const s of SETTINGS) options[s.flag] ??= { type: s.kind === "boolean" ? "boolean" : "string" };
  let store: Store | undefined;
  try {
    const commandArgs = group === "bootstrap" ? [action, ...rest].filter((a): a is string => a !== undefined) : rest;
    const { values } = parseArgs({ args: commandArgs, options, strict: true, allowPositionals: false });
    const v = values as Record<string, string | boolean | undefined>;
    const json = v.json === true;
    const configArgs = SETTINGS.flatMap((s) => (v[s.flag] === undefined ? [] : s.kind === "boolean" ? (v[s.flag] ? [`--${s.flag}`] : []) : [`--${s.flag}`, String(v[s.flag])]));
    if (v.config) configArgs.push("--config", String(v.config));
    const config = loadConfig(configArgs).config;
    const opened = await openStore(config);
    store = opened;
    const need = (key: string) => {
      const value = v[key];
      if (typeof value !== "string" || value.trim() === "") throw new UsageError(`--${key} is required`);
      return value.trim();
    };
    const cmd = group === "bootstrap" ? "bootstrap" : `${group} ${action ?? ""}`.trim();
    switch (cmd) {
      case "bootstrap": {
        const { user, created } = await userFor(store, need("email"), need("name"));
        let workspaces = await store.workspaces.listFor(user.id);
        let workspace = workspaces.find((w) => w.role === "owner");
        if (!workspace) workspace = (await store.workspaces.create({ name: typeof v.workspace === "string" ? v.workspace : "ClickClack", ownerId: user.id })).workspace;
        workspaces = await store.workspaces.listFor(user.id);
        emit(json, { user, workspace, created }, `${created ? "created" : "found"} owner @${user.handle} (${user.id}) of ${workspace.name} (${workspace.id})`);
        return 0;
      }
      case "user create": {
        // Resolve the workspace first: a typo in it must not leave a person created but not joined.
        const ws = typeof v.workspace === "string" ? await workspaceOf(store, v.workspace) : null;
        const { user, created } = await userFor(store, need("email"), need("name"), typeof v.handle === "string" ? v.handle : undefined);
        if (!ws) {
          emit(json, { user, created }, `${created ? "created" : "found"} @${user.handle} (${user.id})`);
          return 0;
        }
        const membership = (await store.workspaces.membership(ws.id, user.id)) ?? (await store.workspaces.addMember(ws.id, user.id, "member"));
        emit(json, { user, created, membership: { workspace_id: ws.id, user_id: user.id, role: membership.role } }, `${created ? "created" : "found"} @${user.handle} (${user.id}), ${membership.role} of ${ws.name}`);
        return 0;
      }
      case "user set-password": {
        const user = typeof v.user === "string" ? await store.users.get(v.user) : typeof v.handle === "string" ? await store.users.byHandle(v.handle.replace(/^@/, "").toLowerCase()) : await store.users.byEmail(need("email").toLowerCase());
        if (!user || user.kind !== "human") throw new AppError(404, "not_found", "user not found");
        // One line from stdin: a password on the command line would show in ps and shell history.
        const password = (await Bun.stdin.text()).replace(/\r?\n$/, "");
        await setPassword(store, user.id, password);
        emit(json, { user_id: user.id, password_set: true }, `password set for @${user.handle}`);
        return 0;
      }
      case "member add": {
        const ws = await workspaceOf(store, need("workspace"));
        const role = need("role") as Role;
        if (!["owner", "moderator", "member", "guest"].includes(role)) throw new UsageError("--role must be owner, moderator, member or guest");
        const user = typeof v.user === "string" ? await store.users.get(v.user) : await store.users.byEmail(need("email"));
        if (!user) throw new AppError(404, "not_found", "user not found");
        const was = (await store.workspaces.membership(ws.id, user.id))?.role ?? null;
        const entry = was === null
          ? auditEntry(ws.id, CLI_ACTOR, "member.added", { type: "member", id: user.id }, { role })
          : auditEntry(ws.id, CLI_ACTOR, "member.role_changed", { type: "member", id: user.id }, { from: was, to: role });
        const membership = await audited(was === role ? [] : entry, () => opened.workspaces.addMember(ws.id, user.id, role));
        emit(json, { membership: { workspace_id: ws.id, user_id: user.id, role: membership.role } }, `@${user.handle} is ${membership.role} of ${ws.name}`);
        return 0;
      }
      case "invite create": {
        const ws = await workspaceOf(store, need("workspace"));
        const number = (key: string) => {
          if (v[key] === undefined) return null;
          const n = Number(v[key]);
          if (!Number.isFinite(n)) throw new UsageError(`--${key} takes a number`);
          return n;
        };
        const terms = inviteTerms({ role: typeof v.role === "string" ? v.role : undefined, expires_in_hours: number("expires-in-hours"), max_uses: number("max-uses") });
        // As the original: made in the name of the workspace's first owner unless told otherwise.
        const createdBy = typeof v["created-by"] === "string" ? v["created-by"] : (await store.workspaces.members(ws.id, { limit: 1, role: "owner" })).members[0]?.user.id;
        if (!createdBy || !(await store.workspaces.membership(ws.id, createdBy))) throw new UsageError("--created-by must name a member of the workspace");
        const { invite, token } = await store.invites.create({ workspaceId: ws.id, createdBy, ...terms });
        const url = inviteUrl(config.publicUrl ?? `http://${config.addr.hostname.includes(":") ? `[${config.addr.hostname}]` : config.addr.hostname}:${config.addr.port}`, token);
        const limits = [invite.expires_at ? `until ${invite.expires_at}` : "no expiry", invite.max_uses === null ? "unlimited uses" : `${invite.max_uses} uses`].join(", ");
        emit(json, { invite, token, url }, `${url}\n(${invite.role} of ${ws.name}, ${limits}; revoke in the app's Invites screen)`);
        return 0;
      }
      case "magic-link create": {
        const email = need("email").toLowerCase();
        const link = await store.identity.createMagicLink({ email, displayName: typeof v.name === "string" ? v.name : null, ttlMs: MAGIC_LINK_TTL_MS });
        emit(json, { token: link.token, email, expires_at: link.expires_at }, `${link.token}\n(single use, for ${email}, expires ${link.expires_at}; consume with POST /api/auth/magic/consume or /app/login#token=…)`);
        return 0;
      }
      case "bot create": {
        const ws = await workspaceOf(store, need("workspace"));
        const scopes = expandScopes((typeof v.scopes === "string" ? v.scopes : "bot:write").split(","));
        const handle = typeof v.handle === "string" ? v.handle.replace(/^@/, "").toLowerCase() : undefined;
        if (handle !== undefined && !HANDLE_PATTERN.test(handle)) throw new UsageError("--handle must be 2–32 of a-z, 0-9, _ and -");
        let bot = handle ? await store.users.byHandle(handle) : null;
        if (bot && bot.kind !== "bot") throw new AppError(409, "handle_taken", `@${handle} belongs to a person`);
        if (bot && !(await store.workspaces.membership(ws.id, bot.id))) await store.workspaces.addMember(ws.id, bot.id, "bot");
        const ownerId = typeof v.owner === "string" ? v.owner : bot?.owner_user_id ?? null;
        // The operator may mint anything, but a user-owned bot never holds more than its owner may.
        if (ownerId) assertScopesWithin(scopes, (await store.workspaces.membership(ws.id, ownerId))?.role ?? null);
        if (!bot) {
          const input = { workspaceId: ws.id, displayName: displayName(need("name"), "--name"), handle: handle === undefined ? undefined : checkedHandle(handle), ownerUserId: ownerId };
          bot = await audited((b) => auditEntry(ws.id, CLI_ACTOR, "bot.created", { type: "bot", id: (b as { id: string }).id }, { display_name: input.displayName, owner_user_id: ownerId ?? undefined }), () => opened.bots.create(input));
        }
        const botId = bot.id;
        const bot_token = await audited((k) => auditEntry(ws.id, CLI_ACTOR, "bot_token.minted", { type: "bot_token", id: (k as { id: string }).id }, { bot_user_id: botId, name: "cli", scopes }),
          () => opened.bots.mintToken({ botUserId: botId, workspaceId: ws.id, name: "cli", scopes }));
        emit(json, { bot, bot_token }, `bot @${bot.handle} (${bot.id}) in ${ws.name}\ntoken (shown once): ${bot_token.token}\nscopes: ${scopes.join(" ")}`);
        return 0;
      }
      case "events prune": {
        const ws = await workspaceOf(store, need("workspace"));
        const days = Number(need("older-than-days"));
        const keep = v["keep-latest"] === undefined ? 0 : Number(v["keep-latest"]);
        if (!Number.isFinite(days) || days < 0 || !Number.isInteger(keep) || keep < 0) throw new UsageError("--older-than-days and --keep-latest take non-negative numbers");
        const removed = await store.events.prune(ws.id, { olderThan: new Date(Date.now() - days * 86_400_000).toISOString(), keepLatest: keep });
        emit(json, { workspace_id: ws.id, pruned: removed }, `pruned ${removed} events from ${ws.name}`);
        return 0;
      }
      default:
        throw new UsageError(`unknown admin command "${cmd}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError || (err instanceof TypeError && (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS"))) {
      process.stderr.write(`clickclack admin: ${err.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (err instanceof AppError) {
      process.stderr.write(`clickclack admin: ${err.message}\n`);
      return err.status === 400 ? EXIT.usage : err.status === 404 ? EXIT.notFound : err.status === 409 ? EXIT.conflict : EXIT.error;
    }
    throw err;
  } finally {
    await store?.close();
  }
}
