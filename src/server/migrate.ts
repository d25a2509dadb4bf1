import { ConfigError, loadConfig } from "../config/config.ts";
import { openStore } from "../store/open.ts";

export async function migrateCommand(args: string[]): Promise<number> {
  try {
    const { config } = loadConfig(args);
    const store = await openStore(config);
    await store.close();
    console.log(`migrations applied to ${config.db.kind === "sqlite" ? config.db.path : "postgres"}`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`clickclack migrate: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
