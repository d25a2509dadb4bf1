#!/usr/bin/env bun
// The one executable: every subcommand is dispatched from here, loaded lazily so that
// `clickclack send …` does not pay for starting the server's modules.
import { commands, usage } from "./cli/commands.ts";
import { EXIT } from "./cli/exit.ts";
import { SETTINGS } from "./config/config.ts";

/** Flags that take a value, so that `--server URL whoami` finds the command after the URL. */
const VALUE_FLAGS = new Set(["server", "token", "workspace", "channel", "config", ...SETTINGS.filter((s) => s.kind !== "boolean").map((s) => s.flag)]);

/**
 * Global flags may come before the command (`clickclack --server URL --json whoami`): they are
 * moved after it, where every command reads its flags. Only flags and no command means `serve`.
 */
function splitCommand(argv: string[]): { command: string; args: string[] } | { unknown: string } {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith("-") && argv[i] !== "-" && argv[i] !== "--") {
    const flag = argv[i++]!;
    leading.push(flag);
    if (!flag.includes("=") && VALUE_FLAGS.has(flag.replace(/^--?/, "")) && i < argv.length) leading.push(argv[i++]!);
  }
  const name = argv[i];
  if (name === undefined) return { command: "serve", args: leading };
  if (!commands[name]) return { unknown: name };
  const rest = argv.slice(i + 1);
  // After `--` everything is an argument (an agent prompt): the moved flags go before it.
  const end = rest.indexOf("--");
  return { command: name, args: end === -1 ? [...rest, ...leading] : [...rest.slice(0, end), ...leading, ...rest.slice(end)] };
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--help" || first === "-h" || (first === "help" && rest.length === 0)) {
    process.stdout.write(usage());
    return EXIT.ok;
  }
  if (first === "--version" || first === "-V") return (await commands.version!())(rest);
  // `clickclack help send` is `clickclack send --help`.
  const split = splitCommand(first === "help" ? [...rest, "--help"] : argv);
  if ("unknown" in split) {
    process.stderr.write(`clickclack: unknown command "${split.unknown}"\n\n${usage()}`);
    return EXIT.usage;
  }
  const run = await commands[split.command]!();
  return run(split.args);
}

/**
 * Waits until what was written to a pipe has left the process. Bun's exit() drops output still
 * queued for a pipe (seen: 64 KiB of a 2 MB answer), and neither "drain" nor a write callback
 * says it is gone; only end() does.
 */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(() => resolve()));
}

// The binary starts with the JIT reluctant to compile (scripts/build.ts, --compile-jit-policy): a
// start runs a great deal of code once, and compiling it cost the start more than interpreting
// it. A process still running a second later (a server, an agent) is past its start.
setTimeout(() => Bun.unsafe.setJITPolicy(1), 1000).unref();

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
