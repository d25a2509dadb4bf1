// The Store contract (src/store/contract.ts) on SQLite: a fresh file per run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { storeContract } from "../contract.ts";
import { openSqliteStore } from "./index.ts";

storeContract("sqlite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "clickclack-contract-"));
  const path = join(dir, "contract.db");
  const store = openSqliteStore(path);
  return {
    store,
    twin: async () => openSqliteStore(path, { migrate: false }),
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
