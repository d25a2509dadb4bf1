import type { Config } from "../config/config.ts";
import { ConfigError } from "../config/config.ts";
import { DatabaseUnavailable } from "./postgres/database.ts";
import { openPostgresStore } from "./postgres/index.ts";
import { openSqliteStore } from "./sqlite/index.ts";
import type { Store } from "./store.ts";

/** The store the configuration names. */
export async function openStore(config: Config): Promise<Store> {
  if (config.db.kind === "postgres") {
    try {
      return await openPostgresStore(config.db.url, { pool: config.db.pool });
    } catch (err) {
      // Unreachable or too old: a configuration problem the operator fixes, said in one line.
      if (err instanceof DatabaseUnavailable) throw new ConfigError(`db: ${err.message}`);
      throw err;
    }
  }
  return openSqliteStore(config.db.path, { searchThread: { budgetMs: config.limits.searchBudgetMs } });
}
