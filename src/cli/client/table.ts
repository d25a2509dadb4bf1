// The chat client's entries in the executable's command table. Kept tiny: the commands themselves
// (and the SDK) load only when one of them runs.
import type { Command } from "../commands.ts";

export const CLIENT_COMMANDS = ["login", "logout", "whoami", "status", "workspaces", "channels", "send", "messages", "threads", "reactions", "dms", "search", "upload"] as const;

export const clientCommands: Record<string, () => Promise<Command>> = Object.fromEntries(
  CLIENT_COMMANDS.map((name) => [name, async () => (await import("./main.ts")).clientCommand(name)]),
);
