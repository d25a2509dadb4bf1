// The compiled binary for tests that must drive what ships (browser and CLI tests): rebuilt when it
// is missing or older than its sources; CLICKCLACK_WEB_TEST_SOURCE=1 runs the source tree instead.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../..");
export const BINARY = join(ROOT, "dist/clickclack");
export const FROM_SOURCE = process.env.CLICKCLACK_WEB_TEST_SOURCE === "1";

/** The newest modification time under the paths the binary is built from. */
function newestSource(): number {
  let newest = 0;
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) if (name !== "dist" && name !== "test" && name !== "node_modules") walk(join(p, name));
    } else if (!p.endsWith(".test.ts")) newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ["src", "web", "drizzle", "package.json", "bun.lock", "scripts/build.ts"]) walk(join(ROOT, p));
  return newest;
}

/** Builds dist/clickclack when it is missing or older than its sources. */
export function ensureBinary(): void {
  if (FROM_SOURCE) return;
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= newestSource()) return;
  const r = Bun.spawnSync(["bun", join(ROOT, "scripts/build.ts")], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (!r.success) throw new Error(`bun run build failed:\n${r.stdout}\n${r.stderr}`);
}

/** The command that runs clickclack: the binary, or the source tree when asked. */
export function clickclack(binary = BINARY): string[] {
  return FROM_SOURCE ? ["bun", join(ROOT, "src/main.ts")] : [binary];
}

