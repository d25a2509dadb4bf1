import pkg from "../../package.json" with { type: "json" };

export const VERSION: string = pkg.version;

// Set by scripts/build.ts (`bun build --define`) in the compiled binary; absent from source.
declare const CLICKCLACK_BUILD: string | undefined;

export interface BuildInfo {
  commit: string;
  built_at: string;
}

export function buildInfo(): BuildInfo | null {
  try {
    return typeof CLICKCLACK_BUILD === "string" ? (JSON.parse(CLICKCLACK_BUILD) as BuildInfo) : null;
  } catch {
    return null;
  }
}

export async function versionCommand(args: string[] = []): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write("Usage: clickclack version [--json]\n       clickclack --version\n\nThe version, the Bun it runs on and, in a compiled binary, the commit and build time.\n");
    return 0;
  }
  const build = buildInfo();
  if (args.includes("--json")) {
    process.stdout.write(`${JSON.stringify({ version: VERSION, bun: Bun.version, compiled: build !== null, ...build })}\n`);
    return 0;
  }
  const from = build ? `, commit ${build.commit}, built ${build.built_at}` : ", from source";
  process.stdout.write(`clickclack ${VERSION} (bun ${Bun.version}${from})\n`);
  return 0;
}
