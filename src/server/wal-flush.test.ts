// The served process keeps its WAL on disk from a thread of its own (src/store/sqlite/wal-flusher.ts),
// started by the composition root's upkeep. Seen from outside, the thread is a second descriptor
// on the WAL file, opened after the first commit (what it does with it is wal-flusher.test.ts's).
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { client } from "../testing/harness.ts";
import { spawnServe } from "../testing/process.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The child's open descriptors on its database's WAL. */
function walDescriptors(pid: number, dir: string): number {
  const wal = join(dir, "clickclack.db-wal");
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === wal;
    } catch {
      return false;
    }
  }).length;
}

async function postOne(url: string): Promise<void> {
  const api = client(url);
  const ws = (await api.get("/api/workspaces")).body.workspaces[0].id;
  const channel = (await api.get(`/api/workspaces/${ws}/channels`)).body.channels.find((c: any) => c.name === "general").id;
  expect((await api.post(`/api/channels/${channel}/messages`, { body: "on disk soon" })).status).toBe(201);
}

async function served(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "clickclack-walflush-serve-"));
  dirs.push(dir);
  return { dir, server: await spawnServe(["--data", dir, "--dev-bootstrap"], env) };
}

test("serve syncs its WAL from a thread that starts after the first commit", async () => {
  const { dir, server } = await served();
  try {
    await postOne(server.url);
    // The thread starts a second after the first commit and opens the WAL beside SQLite.
    const deadline = Date.now() + 5000;
    while (walDescriptors(server.proc.pid, dir) < 2 && Date.now() < deadline) await Bun.sleep(20);
    expect(walDescriptors(server.proc.pid, dir)).toBe(2);
  } finally {
    await server.stop();
  }
}, 15_000);

test("CLICKCLACK_WAL_FLUSHER=0 serves without the thread (the benchmarks' before)", async () => {
  const { dir, server } = await served({ CLICKCLACK_WAL_FLUSHER: "0" });
  try {
    await postOne(server.url);
    await Bun.sleep(1500);
    expect(walDescriptors(server.proc.pid, dir)).toBe(1);
  } finally {
    await server.stop();
  }
}, 15_000);
