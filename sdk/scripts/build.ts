#!/usr/bin/env bun
// Builds the package: ESM modules (bun build) plus declarations (tsc). The sources import each
// other as ./x.ts (Bun runs them directly); the emitted declarations must say ./x.js.
// `#default-cursor-store` stays an import, so that the consumer's resolver picks the file store
// under Node and the memory store in a browser bundle (package.json "imports").
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });

const entries = ["index", "file-cursor-store", "default-cursor-store", "default-cursor-store.node"];
const result = await Bun.build({
  entrypoints: entries.map((e) => join(root, `src/${e}.ts`)),
  outdir: dist,
  target: "browser",
  format: "esm",
  splitting: true,
  sourcemap: "linked",
  external: ["#default-cursor-store", "node:*"],
});
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
