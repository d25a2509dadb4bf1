// Subcommand table. A command returns its exit code, or -1 when it keeps running (serve).
export type Command = (args: string[]) => Promise<number>;

export const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import("../server/serve.ts")).serveCommand,
  migrate: async () => (await import("../server/migrate.ts")).migrateCommand,
  version: async () => (await import("./version.ts")).versionCommand,
  admin: async () => (await import("./admin.ts")).adminCommand,
  agent: async () => (await import("../agents/cli.ts")).agentCommand,
};

export function usage(): string {
  return `Usage: clickclack <command> [options]

Server
  serve            run the chat server (default)
  migrate          apply database migrations and exit
  version          print the version
  admin …          operator commands: bootstrap, users, members, magic links, bots (clickclack admin --help)

Agents
  agent …          run Claude Code, Codex and Gemini CLIs (clickclack agent --help)

Run "clickclack <command> --help" for a command's options.
`;
}
