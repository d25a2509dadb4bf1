// The Store contract (src/store/contract.ts) on Postgres: a fresh clickclack_test_<random>
// database per run, dropped afterwards. Runs when Postgres is among the test stores
// (src/testing/stores.ts); then a missing server fails here, it never skips.
import { createTestDatabase } from "../../testing/postgres.ts";
import { testsPostgres } from "../../testing/stores.ts";
import { storeContract } from "../contract.ts";
import { openPostgresStore } from "./index.ts";

if (testsPostgres()) {
  storeContract("postgres", async () => {
    const db = await createTestDatabase();
    const store = await openPostgresStore(db.url, { pool: 4 });
    return {
      store,
      twin: () => openPostgresStore(db.url, { pool: 4, migrate: false }),
      async cleanup() {
        await store.close();
        await db.drop();
      },
    };
  });
}
