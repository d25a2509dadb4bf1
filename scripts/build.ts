// `bun run build`: the single executable. Builds the browser app into web/dist (web/build.ts also
// writes the module that embeds it), then compiles one binary, dist/clickclack, that holds the
// server, the app, the static files and the SQL migrations. Nothing else is needed beside it.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeWeb } from "../web/build.ts";

const root = join(import.meta.dir, "..");
const out = process.argv.includes("--outfile") ? process.argv[process.argv.indexOf("--outfile") + 1]! : join(root, "dist/clickclack");

function gitCommit(): string {
  const r = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: root, stdout: "pipe", stderr: "ignore" });
  return r.success ? r.stdout.toString().trim() : "unknown";
}

// One build at a time: two test runs that both find the binary stale would otherwise rewrite
// web/dist under each other's compile. A lock older than the slowest build is a crashed one.
const lockPath = join(root, "dist/.build.lock");
mkdirSync(dirname(lockPath), { recursive: true });
let lock: number | undefined;
while (lock === undefined) {
  try {
    lock = openSync(lockPath, "wx");
  } catch {
    const age = Date.now() - (statSync(lockPath, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > 180_000) rmSync(lockPath, { force: true });
    else await Bun.sleep(250);
  }
}
process.on("exit", () => {
  closeSync(lock!);
  rmSync(lockPath, { force: true });
});

/** How much more reluctant the JIT is while the binary starts (see the compile command below). */
const START_JIT_POLICY = 100;

const started = performance.now();
const web = await writeWeb();
const info = { commit: gitCommit(), built_at: new Date().toISOString(), web_assets: web.assets.length };

// Built under a temporary name and renamed, so a test that finds dist/clickclack never finds half
// of one (two builds may run at once).
const tmp = `${out}.${process.pid}.tmp`;
const proc = Bun.spawnSync(
  // Workers (search, WAL flusher, backup) are further entry points: a Worker's code must be in the binary by name.
  // --bytecode: the modules are compiled ahead, not parsed at every start (half of a cold start;
  // it needs --format=esm for the top-level awaits). --splitting: what a command loads lazily
  // (the server, the agent runner, the Postgres store) is a chunk of its own, loaded when asked
  // for, instead of one module every command loads whole (cold start 218 -> 183 ms).
  // --compile-jit-policy: the JIT starts START_JIT_POLICY times more reluctant to compile. A start
  // runs much code once (registering routes, building schemas and tables), which the JIT compiled
  // on the cores the start needs; src/main.ts sets the normal policy back a second after the start.
  ["bun", "build", "--compile", "--bytecode", "--format=esm", "--splitting", `--compile-jit-policy=${START_JIT_POLICY}`, join(root, "web/dist/entry.gen.ts"), join(root, "src/store/sqlite/search-worker.ts"), join(root, "src/store/sqlite/wal-flush-worker.ts"), join(root, "src/cli/backup-worker.ts"), "--outfile", tmp, "--define", `CLICKCLACK_BUILD=${JSON.stringify(JSON.stringify(info))}`],
  { cwd: root, stdout: "pipe", stderr: "pipe" },
);
if (!proc.success) {
  rmSync(tmp, { force: true });
  process.stderr.write(proc.stdout.toString() + proc.stderr.toString());
  process.exit(1);
}
renameSync(tmp, out);
const mb = (statSync(out).size / 1024 / 1024).toFixed(1);
console.log(`built ${out} (${mb} MiB, commit ${info.commit}, ${web.assets.length} web assets) in ${((performance.now() - started) / 1000).toFixed(1)}s`);
