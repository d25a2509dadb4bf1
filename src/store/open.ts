import type { Config } from "../config/config.ts";
import { ConfigError } from "../config/config.ts";
import { openSqliteStore } from "./sqlite/index.ts";
import type { Store } from "./store.ts";

/** The store the configuration names. Each store's modules (and driver) load only when it is the one. */
export async function openStore(config: Config): Promise<Store> {
  if (config.db.kind === "postgres") {
    const [{ openPostgresStore }, { DatabaseUnavailable }] = await Promise.all([import("./postgres/index.ts"), import("./postgres/database.ts")]);
    try {
      return await openPostgresStore(config.db.url, { pool: config.db.pool, searchBudgetMs: config.limits.searchBudgetMs });
    } catch (err) {
      // Unreachable or too old: a configuration problem the operator fixes, said in one line.
      if (err instanceof DatabaseUnavailable) throw new ConfigError(`db: ${err.message}`);
      throw err;
    }
  }
  return openSqliteStore(config.db.path, { searchThread: { budgetMs: config.limits.searchBudgetMs } });
}
