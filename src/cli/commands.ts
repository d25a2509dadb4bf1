// Subcommand table. A command returns its exit code, or -1 when it keeps running (serve).
import { clientCommands } from "./client/table.ts";

export type Command = (args: string[]) => Promise<number>;

export const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import("../server/serve.ts")).serveCommand,
  migrate: async () => (await import("../server/migrate.ts")).migrateCommand,
  version: async () => (await import("./version.ts")).versionCommand,
  admin: async () => (await import("./admin.ts")).adminCommand,
  backup: async () => (await import("./ops.ts")).opsCommand("backup"),
  export: async () => (await import("./ops.ts")).opsCommand("export"),
  import: async () => (await import("./ops.ts")).opsCommand("import"),
  agent: async () => (await import("../agents/cli.ts")).agentCommand,
  ...clientCommands,
};

/**
 * Subcommands of the commands that have them, for `--help` on each (src/cli/help.test.ts walks
 * them all). Chat-client subcommands come from their own table.
 */
export const SUBCOMMANDS: Record<string, string[]> = {
  admin: ["bootstrap", "user create", "member add", "magic-link create", "bot create", "events prune"],
  agent: ["run", "resume", "sessions", "sessions list", "sessions show", "sessions delete", "sessions clean", "backends", "parallel", "compare", "chain", "serve", "bridge", "mcp", "approval-relay"],
};

export function usage(): string {
  return `Usage: clickclack <command> [options]

Server
  serve            run the chat server (default)
  migrate          apply database migrations and exit
  version          print the version
  backup --out F   consistent, verified copy of the live SQLite database
  export --out F   the whole data set as JSON (secrets redacted); import --in F restores it
  admin …          operator commands: bootstrap, users, members, magic links, bots (clickclack admin --help)

Chat (talks to a server: --server URL, --json for programs; clickclack <command> --help)
  login            sign in with a magic token (--magic-token mgt_…) or a token; stored per server
  logout | whoami | status
  workspaces list | channels list|create
  send             post to --channel (BODY, --file or --stdin; --reply-to MESSAGE_ID quotes it)
  messages list|tail   read a channel; tail follows it live (JSON lines with --json)
  threads open|reply | reactions add|remove | dms open|send | search | upload

Agents
  agent …          run Claude Code, Codex and Gemini CLIs (clickclack agent --help)

Run "clickclack <command> --help" for a command's options.
`;
}
