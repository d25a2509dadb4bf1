#!/usr/bin/env bun
// Builds the package: one ESM bundle (bun build) plus declarations (tsc). The sources import each
// other as ./x.ts (Bun runs them directly); the emitted declarations must say ./x.js.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });

const result = await Bun.build({ entrypoints: [join(root, "src/index.ts")], outdir: dist, target: "node", format: "esm", sourcemap: "linked" });
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
const tsc = Bun.spawnSync(["bunx", "tsc", "-p", join(root, "tsconfig.build.json")], { stdout: "inherit", stderr: "inherit" });
if (tsc.exitCode !== 0) process.exit(tsc.exitCode ?? 1);

for (const file of readdirSync(dist).filter((f) => f.endsWith(".d.ts"))) {
  const path = join(dist, file);
  writeFileSync(path, readFileSync(path, "utf8").replace(/(from\s+["']\.{1,2}\/[^"']+)\.ts(["'])/g, "$1.js$2"));
}
console.log(`built ${dist}`);
