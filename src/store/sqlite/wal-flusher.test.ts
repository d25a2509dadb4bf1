import { afterEach, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readdirSync, readlinkSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore, type SqliteStore } from "./index.ts";
import { FLUSH_INTERVAL_MS } from "./wal-flush-shared.ts";
import { startWalFlusher, type WalFlusher } from "./wal-flusher.ts";

const open: { store: SqliteStore; flusher: WalFlusher | null; dir: string }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    o.flusher?.stop();
    await o.store.close();
    rmSync(o.dir, { recursive: true, force: true });
  }
});

function setUp(startDelayMs = 0) {
  const dir = mkdtempSync(join(tmpdir(), "clickclack-walflush-"));
  const path = join(dir, "chat.db");
  const store = openSqliteStore(path);
  store.raw.exec("CREATE TABLE flush_probe (x INTEGER)");
  const flusher = startWalFlusher(path, store.writer, { startDelayMs });
  const o = { store, flusher, dir, path };
  open.push(o);
  return o;
}

const write = (store: SqliteStore, x: number) => store.writer.write(() => store.raw.query("INSERT INTO flush_probe VALUES (?)").run(x));
/** This process's open descriptors on the WAL (SQLite's own, and the flusher thread's). */
const walDescriptors = (path: string) => readdirSync("/proc/self/fd").filter((fd) => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) === `${path}-wal`;
  } catch {
    return false;
  }
}).length;
async function until(check: () => boolean, ms = 2000) {
  const deadline = performance.now() + ms;
  while (!check() && performance.now() < deadline) await Bun.sleep(2);
  return check();
}

test("the thread starts after the first commit; the WAL is synced after a commit, and not while nothing is written", async () => {
  const { store, flusher } = setUp();
  expect(flusher).not.toBeNull();
  await Bun.sleep(FLUSH_INTERVAL_MS * 3);
  expect(flusher!.running()).toBe(false);
  await write(store, 1);
  expect(await until(() => flusher!.running())).toBe(true);
  expect(await until(() => flusher!.syncs() === 1)).toBe(true);
  // Idle: the thread sleeps until the next commit.
  await Bun.sleep(FLUSH_INTERVAL_MS * 10);
  expect(flusher!.syncs()).toBe(1);
  await write(store, 2);
  expect(await until(() => flusher!.syncs() === 2)).toBe(true);
});

test("a burst of commits costs a sync per interval, not one per commit, and its last commit is synced too", async () => {
  const { store, flusher } = setUp();
  const started = performance.now();
  for (let i = 0; i < 200; i++) {
    await write(store, i);
    if (i % 20 === 0) await Bun.sleep(1);
  }
  const elapsed = performance.now() - started;
  expect(flusher!.progress().commits).toBe(200);
  // At most one sync per interval while the burst ran (and one for the commit that began it).
  expect(flusher!.syncs()).toBeLessThanOrEqual(Math.ceil(elapsed / FLUSH_INTERVAL_MS) + 2);
  // The commits made while a sync ran or while the thread rested are covered by the next one.
  expect(await until(() => flusher!.progress().covered === 200)).toBe(true);
});

test("stopping the flusher closes its file and ends the thread; commits after that go on", async () => {
  const { store, flusher, path } = setUp();
  await write(store, 1);
  expect(await until(() => flusher!.syncs() === 1)).toBe(true);
  // SQLite's descriptor and the thread's.
  expect(walDescriptors(path)).toBe(2);
  flusher!.stop();
  expect(await until(() => walDescriptors(path) === 1)).toBe(true);
  await write(store, 2);
  await Bun.sleep(FLUSH_INTERVAL_MS * 3);
  expect(flusher!.syncs()).toBe(1);
});

test("an in-memory database has no WAL and no flusher", async () => {
  const store = openSqliteStore(":memory:");
  try {
    expect(startWalFlusher(":memory:", store.writer)).toBeNull();
  } finally {
    await store.close();
  }
});

test("a WAL replaced under the thread is the one it syncs next", async () => {
  const { store, flusher, path } = setUp();
  await write(store, 1);
  expect(await until(() => flusher!.syncs() === 1)).toBe(true);
  // A new file where the WAL was (nothing SQLite does while a connection is open; a tool might).
  // The test asks only that the thread follow the path, not that SQLite make sense of it.
  copyFileSync(`${path}-wal`, `${path}-wal.copy`);
  renameSync(`${path}-wal.copy`, `${path}-wal`);
  expect(walDescriptors(path)).toBe(0);
  await write(store, 2);
  expect(await until(() => flusher!.syncs() === 2)).toBe(true);
  // The thread holds the new file now (SQLite still holds the old, unlinked one).
  expect(walDescriptors(path)).toBe(1);
});

test("the thread waits the start delay after the first commit, then syncs what was committed before it", async () => {
  const { store, flusher } = setUp(150);
  await write(store, 1);
  await write(store, 2);
  await Bun.sleep(50);
  expect(flusher!.running()).toBe(false);
  expect(flusher!.syncs()).toBe(0);
  expect(await until(() => flusher!.progress().covered === 2)).toBe(true);
  expect(flusher!.running()).toBe(true);
});

test("a flusher stopped before its thread started never starts it", async () => {
  const { store, flusher, path } = setUp(20);
  await write(store, 1);
  flusher!.stop();
  await Bun.sleep(60);
  expect(flusher!.running()).toBe(false);
  expect(walDescriptors(path)).toBe(1);
});
