import pkg from "../../package.json" with { type: "json" };

export const VERSION: string = pkg.version;

export async function versionCommand(): Promise<number> {
  process.stdout.write(`clickclack ${VERSION} (bun ${Bun.version})\n`);
  return 0;
}
