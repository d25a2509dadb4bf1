import type { Config } from "../config/config.ts";
import { ConfigError } from "../config/config.ts";
import { openSqliteStore } from "./sqlite/index.ts";
import type { Store } from "./store.ts";

/** The store the configuration names. */
export async function openStore(config: Config): Promise<Store> {
  if (config.db.kind === "postgres") {
    throw new ConfigError("db: Postgres is not available in this build yet; use a SQLite path");
  }
  return openSqliteStore(config.db.path, { searchThread: { budgetMs: config.limits.searchBudgetMs } });
}
