#!/usr/bin/env bun
// The one executable: every subcommand is dispatched from here, loaded lazily so that
// `clickclack send …` does not pay for starting the server's modules.
import { commands, usage } from "./cli/commands.ts";

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage());
    return 0;
  }
  // `clickclack` alone, or with only flags, means `serve`.
  const command = name === undefined || name.startsWith("-") ? "serve" : name;
  const args = command === name ? rest : argv;
  const load = commands[command];
  if (!load) {
    process.stderr.write(`clickclack: unknown command "${command}"\n\n${usage()}`);
    return 2;
  }
  const run = await load();
  return run(args);
}

/**
 * Waits until what was written to a pipe has left the process. Bun's exit() drops output still
 * queued for a pipe (seen: 64 KiB of a 2 MB answer), and neither "drain" nor a write callback
 * says it is gone; only end() does.
 */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(() => resolve()));
}

main(process.argv.slice(2)).then(
  async (code) => {
    // serve keeps the process alive itself; every other command exits with its code.
    if (code !== undefined && code >= 0) {
      await Promise.all([drained(process.stdout), drained(process.stderr)]);
      process.exit(code);
    }
  },
  (err) => {
    process.stderr.write(`clickclack: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
