// A crash mid-upload leaves a `.partial-*` file that no row knows about. The server removes such
// leftovers when it starts; a partial someone is still writing (recently touched) stays.
import { expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../config/config.ts";
import { startServer } from "../server/serve.ts";

test("stale partial upload files are removed at start", async () => {
  const dir = mkdtempSync(join(tmpdir(), "clickclack-partials-"));
  const wsDir = join(dir, "uploads", "wsp_crashed");
  mkdirSync(wsDir, { recursive: true });
  const stale = join(wsDir, "upl_a.partial-3f1c");
  const fresh = join(wsDir, "upl_b.partial-9e2d");
  const stored = join(wsDir, "upl_c");
  for (const f of [stale, fresh, stored]) writeFileSync(f, "bytes");
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(stale, hourAgo, hourAgo);
  utimesSync(stored, hourAgo, hourAgo);

  const server = await startServer(loadConfig(["--data", dir, "--addr", "127.0.0.1:0"], {}).config, { quiet: true });
  try {
    const deadline = Date.now() + 5000;
    while (existsSync(stale) && Date.now() < deadline) await Bun.sleep(20);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    // Only partials: stored objects are the database's business.
    expect(existsSync(stored)).toBe(true);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
