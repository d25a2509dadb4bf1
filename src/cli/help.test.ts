// CLI conventions, checked on the real executable: --version, --help on every command and
// subcommand (exit 0, usage on stdout), global flags before the command.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { commands, SUBCOMMANDS } from "./commands.ts";
import { SPECS } from "./client/main.ts";
import { VERSION } from "./version.ts";

const MAIN = join(import.meta.dir, "../main.ts");

async function run(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([process.execPath, MAIN, ...args], { stdout: "pipe", stderr: "pipe", stdin: "ignore", env: { ...process.env, CLICKCLACK_SERVER: "http://127.0.0.1:1", HOME: "/nonexistent", ...env } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

/** Every command line that should answer --help: each command, each subcommand. */
function everyCommand(): string[][] {
  const lines: string[][] = [[]];
  for (const name of Object.keys(commands)) {
    lines.push([name]);
    for (const sub of SUBCOMMANDS[name] ?? []) lines.push([name, ...sub.split(" ")]);
    for (const sub of Object.keys(SPECS[name]?.sub ?? {})) lines.push([name, sub]);
  }
  return lines;
}

test("--version and -V print the version and exit 0", async () => {
  for (const flag of ["--version", "-V"]) {
    const r = await run([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`clickclack ${VERSION}`);
  }
  expect(JSON.parse((await run(["--version", "--json"])).stdout).version).toBe(VERSION);
});

test("every command and subcommand answers --help with usage on stdout and exit 0", async () => {
  const failures: string[] = [];
  const lines = everyCommand();
  expect(lines.length).toBeGreaterThan(40);
  // A few at a time: each is a process start.
  for (let i = 0; i < lines.length; i += 4) {
    await Promise.all(
      lines.slice(i, i + 4).map(async (line) => {
        const r = await run([...line, "--help"]);
        if (r.code !== 0 || !/usage/i.test(r.stdout)) failures.push(`clickclack ${[...line, "--help"].join(" ")} → ${r.code} ${r.stderr.slice(0, 200)}`);
      }),
    );
  }
  expect(failures).toEqual([]);
}, 120_000);

test("global flags may come before the command", async () => {
  const before = await run(["--server", "http://127.0.0.1:1", "--json", "whoami"]);
  const after = await run(["whoami", "--server", "http://127.0.0.1:1", "--json"]);
  expect(before.code).toBe(6);
  expect(before.stderr).toBe(after.stderr);
  expect(before.code).toBe(after.code);
  // `clickclack` with only flags is still `serve`.
  expect((await run(["--addr", "nonsense"])).stderr).toContain("addr (from --addr)");
  // A word that is not a command is a usage error, wherever the flags are.
  const unknown = await run(["--json", "frobnicate"]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('unknown command "frobnicate"');
});
