// The published shape: `bun run build` produces an ESM bundle and declarations that Node can load.
import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");

test("the package builds, its declarations import .js files, and Node can use the bundle", () => {
  const build = Bun.spawnSync(["bun", "run", "build"], { cwd: root, stdout: "pipe", stderr: "pipe" });
  expect(build.stderr.toString()).not.toContain("error");
  expect(build.exitCode).toBe(0);
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  expect(existsSync(join(root, pkg.exports["."].import))).toBe(true);
  expect(existsSync(join(root, pkg.types))).toBe(true);
  expect(readFileSync(join(root, "dist/index.d.ts"), "utf8")).not.toMatch(/from "\.\/[^"]+\.ts"/);
  const node = Bun.spawnSync(
    ["node", "--input-type=module", "-e", `import { ClickClackClient, ClickClackBot, ClickClackError } from ${JSON.stringify(join(root, "dist/index.js"))};
      const err = await new ClickClackClient({ baseUrl: "http://127.0.0.1:1" }).me().catch((e) => e);
      console.log(err instanceof ClickClackError, err.status, typeof ClickClackBot);`],
    { stdout: "pipe", stderr: "pipe" },
  );
  expect(node.stdout.toString().trim()).toBe("true 0 function");
}, 60_000);
