// Sign-in state: login (magic token or a token you already have), logout, whoami, status.
import { createInterface } from "node:readline/promises";
import { ClickClackError, type User } from "../../../../sdk/src/index.ts";
import type { Context } from "../context.ts";
import { CliError, EXIT, fromApiError, usageError } from "../errors.ts";
import type { Spec } from "../main.ts";

const who = (u: User) => `@${u.handle} (${u.display_name})`;

async function prompt(ctx: Context, question: string): Promise<string> {
  if (ctx.globals.noInput || !process.stdin.isTTY) throw usageError("no token given", "pass --magic-token mgt_… (or --token for a token you already have).");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

export const authCommands: Record<string, Spec> = {
  login: {
    usage: "login [--magic-token mgt_… | --token TOKEN]",
    summary: "sign in to --server and store the session token (0600, per server)",
    options: { "magic-token": { type: "string" } },
    async run(ctx, _args, values) {
      let magic = typeof values["magic-token"] === "string" ? values["magic-token"] : undefined;
      const given = ctx.globals.token;
      if (!magic && !given) magic = await prompt(ctx, "Sign-in token (mgt_…, from the email or `clickclack admin magic-link create`): ");
      let token: string;
      let user: User;
      if (magic) {
        try {
          const result = await ctx.client.auth.consumeMagicLink(magic);
          token = result.session.token ?? result.token ?? "";
          user = result.user;
        } catch (err) {
          if (err instanceof ClickClackError && err.status === 401) {
            throw new CliError(EXIT.auth, err.detail, "ask for a new link (the web app's sign-in page, or `clickclack admin magic-link create --email …` on the server).", err.code);
          }
          throw err;
        }
      } else {
        // A token you already have (a bot token, say): check it before keeping it.
        token = given!;
        user = await ctx.client.me();
      }
      ctx.creds.save(ctx.server, { token, user_id: user.id, handle: user.handle });
      ctx.out.result({ server: ctx.server, user, credentials: ctx.creds.path }, () => `Signed in to ${ctx.server} as ${who(user)}.\nToken stored in ${ctx.creds.path}.`, () => user.id);
    },
  },

  logout: {
    usage: "logout",
    summary: "revoke the stored session on the server and forget it here",
    async run(ctx) {
      const stored = ctx.creds.get(ctx.server);
      let revoked = false;
      let note: string | undefined;
      if (stored?.token.startsWith("sst_")) {
        try {
          await ctx.client.auth.logout();
          revoked = true;
        } catch (err) {
          // Forgetting it locally still matters when the server cannot be told.
          if (!(err instanceof ClickClackError)) throw err;
          note = err.status === 0 ? `could not reach ${ctx.server} to revoke the session` : `the server did not revoke the session: ${err.detail}`;
        }
      }
      const removed = ctx.creds.remove(ctx.server);
      if (note) ctx.out.note(`clickclack: ${note}`);
      ctx.out.result({ server: ctx.server, removed, revoked }, () => (removed ? `Signed out of ${ctx.server}.` : `No stored sign-in for ${ctx.server}.`), () => (removed ? "removed" : "none"));
    },
  },

  whoami: {
    usage: "whoami",
    summary: "the account the CLI acts as",
    async run(ctx) {
      const user = await ctx.client.me();
      ctx.out.result({ server: ctx.server, auth: ctx.auth, user }, () => `${who(user)} ${user.id}${user.kind === "bot" ? " [bot]" : ""} on ${ctx.server}`, () => [user.id, user.handle, user.display_name].join("\t"));
    },
  },

  status: {
    usage: "status",
    summary: "is the server reachable and ready, and who are you there",
    async run(ctx) {
      const report: { server: string; reachable: boolean; ready: boolean; auth: string; user: User | null; workspaces: number | null; problem: string | null } = {
        server: ctx.server,
        reachable: false,
        ready: false,
        auth: ctx.auth,
        user: null,
        workspaces: null,
        problem: null,
      };
      let exit: number = EXIT.ok;
      try {
        report.ready = (await ctx.client.health()).status === "ready";
        report.reachable = true;
        report.user = await ctx.client.me();
        report.workspaces = (await ctx.client.workspaces.list()).length;
      } catch (err) {
        if (!(err instanceof ClickClackError)) throw err;
        report.reachable = err.status !== 0;
        const cli = fromApiError(err, ctx.server, "check the status");
        report.problem = `${cli.message}${cli.hint ? ` (${cli.hint})` : ""}`;
        exit = err.status === 503 ? EXIT.unavailable : cli.exit;
      }
      ctx.out.result(
        report,
        () =>
          [
            `server     ${ctx.server} — ${!report.reachable ? "unreachable" : report.ready ? "ready" : "not ready"}`,
            `signed in  ${report.user ? `${who(report.user)} ${report.user.id} (${ctx.auth})` : "no"}`,
            ...(report.workspaces !== null ? [`workspaces ${report.workspaces}`] : []),
            ...(report.problem ? [`problem    ${report.problem}`] : []),
          ].join("\n"),
        () => [ctx.server, report.reachable ? (report.ready ? "ready" : "not-ready") : "unreachable", report.user?.id ?? "-"].join("\t"),
      );
      return exit;
    },
  },
};
