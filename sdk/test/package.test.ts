// The published shape: `bun run build` produces ESM modules and declarations that Node can load,
// and that a browser bundler can bundle.
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dir, "..");

test("the package builds, its declarations import .js files, and Node can use the bundle", () => {
  const build = Bun.spawnSync(["bun", "run", "build"], { cwd: root, stdout: "pipe", stderr: "pipe" });
  expect(build.stderr.toString()).not.toContain("error");
  expect(build.exitCode).toBe(0);
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  expect(existsSync(join(root, pkg.exports["."].default))).toBe(true);
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

test("a browser bundle of the package builds without node: modules; the file store is a Node/Bun subpath", () => {
  const build = Bun.spawnSync(["bun", "run", "build"], { cwd: root, stdout: "pipe", stderr: "pipe" });
  expect(build.exitCode).toBe(0);
  const dir = mkdtempSync(join(tmpdir(), "clickclack-sdk-browser-"));
  try {
    const entry = join(dir, "app.ts");
    writeFileSync(entry, `import { ClickClackBot, ClickClackClient } from ${JSON.stringify(join(root, "dist/index.js"))};\nconsole.log(new ClickClackClient({ baseUrl: location.origin }), ClickClackBot);\n`);
    const bundle = Bun.spawnSync(["bun", "build", "--target", "browser", "--outfile", join(dir, "out.js"), entry], { stdout: "pipe", stderr: "pipe" });
    expect(bundle.stderr.toString()).toBe("");
    expect(bundle.exitCode).toBe(0);
    const out = readFileSync(join(dir, "out.js"), "utf8");
    expect(out).not.toContain("node:");
    expect(out).not.toContain("FileCursorStore");
    expect(out).toContain("MemoryCursorStore");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  expect(pkg.license).toBe("MIT");
  expect(pkg.sideEffects).toBe(false);
  expect(Object.keys(pkg.exports["./file-cursor-store"])).not.toContain("default");
  // Node gets the file store by default, from the subpath's own module.
  const node = Bun.spawnSync(
    ["node", "--input-type=module", "-e", `import { FileCursorStore } from ${JSON.stringify(join(root, "dist/file-cursor-store.js"))};
      import { ClickClackBot } from ${JSON.stringify(join(root, "dist/index.js"))};
      const bot = new ClickClackBot({ baseUrl: "http://127.0.0.1:1", workspaceId: "wsp_x", onEvent() {} });
      console.log(typeof FileCursorStore, bot.store instanceof FileCursorStore);`],
    { stdout: "pipe", stderr: "pipe" },
  );
  expect(node.stderr.toString()).toBe("");
  expect(node.stdout.toString().trim()).toBe("function true");
}, 60_000);
