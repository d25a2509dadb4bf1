import { EXIT } from "../cli/exit.ts";
import { ConfigError, configHelp, loadConfig } from "../config/config.ts";
import { openStore } from "../store/open.ts";

export async function migrateCommand(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`Usage: clickclack migrate [options]\n\nApplies the database migrations and exits (serve applies them too). It reads the same settings as serve:\n\n${configHelp()}\n`);
    return EXIT.ok;
  }
  try {
    const { config } = loadConfig(args);
    const store = await openStore(config);
    await store.close();
    console.log(`migrations applied to ${config.db.kind === "sqlite" ? config.db.path : "postgres"}`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`clickclack migrate: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}
