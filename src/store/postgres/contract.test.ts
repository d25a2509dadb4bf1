// The Store contract (src/store/contract.ts) on Postgres: a fresh clickclack_test_<random>
// database per run, dropped afterwards. A missing server fails here; it never skips.
import { createTestDatabase } from "../../testing/postgres.ts";
import { storeContract } from "../contract.ts";
import { openPostgresStore } from "./index.ts";

storeContract("postgres", async () => {
  const db = await createTestDatabase();
  const store = await openPostgresStore(db.url, { pool: 4 });
  return {
    store,
    async cleanup() {
      await store.close();
      await db.drop();
    },
  };
});
