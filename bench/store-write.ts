// The store's own write path, in process (no HTTP): `bun bench/store-write.ts [messages]`. 50
// authors post 50 at a time through the group-commit writer into 10 channels; prints messages/s
// and CPU µs per message, search indexing included (a deferred index is caught up before the
// clock stops). For before/after comparisons of store changes on a busy machine: CPU time per
// message moves far less with the machine's load than messages/s.
import { join } from "node:path";
import { openSqliteStore } from "../src/store/sqlite/index.ts";
import { scratchDir, seed } from "./lib.ts";

const total = Number(process.argv[2] ?? 5000);
const dir = scratchDir("store-write");
const f = await seed(dir, { channels: 10, authors: 50 });
const store = openSqliteStore(join(dir, "clickclack.db"));
const catchUp = async () => (store as { searchIndex?: { catchUp(): Promise<void> } }).searchIndex?.catchUp();
const t0 = performance.now();
const cpu0 = process.cpuUsage();
for (let i = 0; i < total; i += 50) {
  await Promise.all(Array.from({ length: 50 }, (_, k) => store.messages.post({
    scope: { kind: "channel", id: f.channelIds[k % 10]!, workspaceId: f.workspaceId }, authorId: f.authorIds[k]!, body: `load ${k}/${i} deploy the release candidate to staging`,
  })));
}
await catchUp();
const cpu = process.cpuUsage(cpu0);
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ rate: Math.round(total / seconds), cpuUsPerMessage: Math.round((cpu.user + cpu.system) / total) }));
await store.close();
