// WAL checkpoints on a thread of their own: while it runs, the writer's commits do not checkpoint
// (wal_autocheckpoint 0) and the WAL stays bounded anyway; once stopped, SQLite's own checkpoints
// are back and every write is in a sound file.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore, type SqliteStore } from "./index.ts";
import { startCheckpointer, walSize } from "./maintenance.ts";

const open: SqliteStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

const autocheckpoint = (s: SqliteStore) => (s.raw.query("PRAGMA wal_autocheckpoint").get() as { wal_autocheckpoint: number }).wal_autocheckpoint;

describe("checkpoint thread", () => {
  test("steady writes with the writer's own checkpoints off leave the WAL bounded; stopping gives them back", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "clickclack-ckpt-")), "c.db");
    const store = openSqliteStore(path);
    open.push(store);
    const ada = await store.users.create({ kind: "human", displayName: "Ada", handle: "ada" });
    const { workspace, channels } = await store.workspaces.create({ name: "Team", ownerId: ada.id });
    const scope = { kind: "channel" as const, id: channels[0]!.id, workspaceId: workspace.id };
    // The main thread's timer never fires in this test: every checkpoint is the thread's.
    const stop = startCheckpointer(store.raw, path, store.writer, { intervalMs: 3_600_000, walLimitBytes: 1024 * 1024 });
    expect(autocheckpoint(store)).toBe(0);
    let max = 0;
    const body = "x".repeat(2000);
    for (let round = 0; round < 120; round++) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.messages.post({ scope, authorId: ada.id, body: `${round}/${i} ${body}` })));
      max = Math.max(max, walSize(path));
      await Bun.sleep(15);
    }
    // 6,000 posts of 2 KB: without checkpoints the WAL would hold them all (about 70 MB).
    const pages = store.raw.query("SELECT page_count AS n FROM pragma_page_count").get() as { n: number };
    expect(pages.n * 4096).toBeGreaterThan(40 * 1024 * 1024);
    expect(max).toBeLessThan(16 * 1024 * 1024);
    await stop();
    expect(autocheckpoint(store)).toBe(1000);
    await store.close();
    open.pop();
    // Every post is there, in a sound file, for the next process.
    const again = openSqliteStore(path);
    open.push(again);
    expect((again.raw.query("SELECT count(*) AS n FROM messages").get() as { n: number }).n).toBe(6000);
    expect((again.raw.query("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check).toBe("ok");
  }, 30_000);
});
