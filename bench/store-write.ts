// The store's own write path, in process (no HTTP): `bun bench/store-write.ts [messages] [posts|replies]`.
// 50 authors post 50 at a time through the group-commit writer into 10 channels (or reply into one
// thread per channel, each growing to a tenth of the messages); prints messages/s and CPU µs per
// message, search indexing included (a deferred index is caught up before the clock stops). For
// before/after comparisons of store changes on a busy machine: CPU time per message moves far less
// with the machine's load than messages/s. bench/write.ts reports replies against posts from here.
import { join } from "node:path";
import { openSqliteStore } from "../src/store/sqlite/index.ts";
import { scratchDir, seed } from "./lib.ts";

export async function storeWrites(total: number, kind: "posts" | "replies"): Promise<{ rate: number; cpuUsPerMessage: number }> {
  const dir = scratchDir("store-write");
  const f = await seed(dir, { channels: 10, authors: 50 });
  const store = openSqliteStore(join(dir, "clickclack.db"));
  try {
    const scope = (k: number) => ({ kind: "channel" as const, id: f.channelIds[k % 10]!, workspaceId: f.workspaceId });
    const roots: string[] = [];
    if (kind === "replies") for (let k = 0; k < 10; k++) roots.push((await store.messages.post({ scope: scope(k), authorId: f.authorIds[k]!, body: `thread ${k}` })).message.id);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < total; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, k) => store.messages.post({
        scope: scope(k), authorId: f.authorIds[k]!, body: `load ${k}/${i} deploy the release candidate to staging`, parentMessageId: roots[k % 10],
      })));
    }
    await store.searchIndex.catchUp();
    const cpu = process.cpuUsage(cpu0);
    return { rate: Math.round(total / ((performance.now() - t0) / 1000)), cpuUsPerMessage: Math.round((cpu.user + cpu.system) / total) };
  } finally {
    await store.close();
  }
}

if (import.meta.main) {
  console.log(JSON.stringify(await storeWrites(Number(process.argv[2] ?? 5000), process.argv[3] === "replies" ? "replies" : "posts")));
}
