// Runs one chat-client command: parse the flags, build the context, run, and turn every failure
// into a message on stderr and a stable exit code.
import { ClickClackError } from "../../../sdk/src/index.ts";
import type { Command } from "../commands.ts";
import { authCommands } from "./commands/auth.ts";
import { channelCommands } from "./commands/channels.ts";
import { dmCommands } from "./commands/dms.ts";
import { messageCommands } from "./commands/messages.ts";
import { reactionCommands } from "./commands/reactions.ts";
import { searchCommands } from "./commands/search.ts";
import { threadCommands } from "./commands/threads.ts";
import { Context } from "./context.ts";
import { EXIT_HELP } from "../exit.ts";
import { CliError, EXIT, fromApiError } from "./errors.ts";
import { type OptionSpec, parse } from "./flags.ts";
import { Output } from "./output.ts";

export interface Spec {
  /** The line in the usage text, after "clickclack". */
  usage: string;
  summary: string;
  options?: OptionSpec;
  /** Returns the exit code (default 0). */
  run?: (ctx: Context, positionals: string[], values: Record<string, string | boolean | undefined>) => Promise<number | void>;
  sub?: Record<string, Spec>;
}

export const SPECS: Record<string, Spec> = {
  ...authCommands,
  ...channelCommands,
  ...messageCommands,
  ...threadCommands,
  ...reactionCommands,
  ...dmCommands,
  ...searchCommands,
};

export const GLOBAL_HELP = `Global options (also as environment variables):
  --server URL        the server (CLICKCLACK_SERVER; default: the last login, else ${"http://127.0.0.1:8080"})
  --token TOKEN       a session or bot token (CLICKCLACK_TOKEN; default: the one stored by login for this server)
  --workspace W       workspace id, slug or name (CLICKCLACK_WORKSPACE; default: your only workspace)
  --channel C         channel id or #name
  --json              one JSON document on stdout (JSON lines for messages tail)
  --plain             tab-separated fields, no decoration
  --no-input          never prompt (CLICKCLACK_NO_INPUT=1)

${EXIT_HELP}`;

function help(name: string, spec: Spec): string {
  const lines = spec.sub ? Object.values(spec.sub).map((s) => `  clickclack ${s.usage}\n      ${s.summary}`) : [`  clickclack ${spec.usage}\n      ${spec.summary}`];
  return `Usage:\n${lines.join("\n")}\n\n${GLOBAL_HELP}\n`;
}

export function clientCommand(name: string): Command {
  return async (args) => {
    const top = SPECS[name]!;
    let spec = top;
    let rest = args;
    let label = name;
    if (top.sub) {
      const subName = args[0];
      const sub = subName && !subName.startsWith("-") ? top.sub[subName] : undefined;
      if (!sub) {
        const wanted = args.includes("--help") || args.includes("-h");
        const out = new Output(args.includes("--json") ? "json" : "human");
        if (wanted) {
          process.stdout.write(help(name, top));
          return EXIT.ok;
        }
        out.error(new CliError(EXIT.usage, subName ? `unknown command "${name} ${subName}"` : `"${name}" needs a subcommand: ${Object.keys(top.sub).join(", ")}`, `run \`clickclack ${name} --help\`.`, "usage"));
        return EXIT.usage;
      }
      spec = sub;
      rest = args.slice(1);
      label = `${name} ${subName}`;
    }
    let ctx: Context | undefined;
    try {
      const parsed = parse(rest, spec.options ?? {}, process.env);
      if (parsed.globals.help) {
        process.stdout.write(help(name, spec === top ? top : { ...spec, sub: undefined }));
        return EXIT.ok;
      }
      ctx = new Context(parsed, process.env);
      return (await spec.run!(ctx, parsed.positionals, parsed.values)) ?? EXIT.ok;
    } catch (err) {
      const out = ctx?.out ?? new Output(args.includes("--json") ? "json" : "human");
      const cli = err instanceof CliError ? err : err instanceof ClickClackError ? fromApiError(err, ctx?.server ?? "the server", label) : null;
      if (!cli) throw err;
      out.error(cli.exit === EXIT.usage && !cli.hint ? new CliError(cli.exit, cli.message, `usage: clickclack ${spec.usage}`, cli.code) : cli);
      return cli.exit;
    }
  };
}
