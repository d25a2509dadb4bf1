// Argument parsing: global flags (accepted anywhere), each command's own flags, positionals. Values
// resolve flag → environment → stored credentials → default.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { usageError } from "./errors.ts";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export const GLOBAL_OPTIONS = {
  server: { type: "string" },
  token: { type: "string" },
  workspace: { type: "string" },
  channel: { type: "string" },
  json: { type: "boolean" },
  plain: { type: "boolean" },
  "no-input": { type: "boolean" },
  help: { type: "boolean", short: "h" },
  // Dev servers only (X-ClickClack-User); not in the usage text.
  user: { type: "string" },
} as const satisfies OptionSpec;

export interface Globals {
  server?: string;
  token?: string;
  workspace?: string;
  channel?: string;
  user?: string;
  output: "human" | "json" | "plain";
  noInput: boolean;
  help: boolean;
}

export interface Parsed {
  globals: Globals;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parse(args: string[], options: OptionSpec, env: Record<string, string | undefined>): Parsed {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    // Node's messages run on with advice about "--"; the first sentence is the useful part.
    throw usageError((err as Error).message.split(". ")[0]!.replace(/\.$/, ""));
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.json && v.plain) throw usageError("--json and --plain cannot be used together");
  const str = (name: string, envName?: string) => (typeof v[name] === "string" ? (v[name] as string) : envName ? env[envName] || undefined : undefined);
  return {
    globals: {
      server: str("server", "CLICKCLACK_SERVER"),
      token: str("token", "CLICKCLACK_TOKEN"),
      workspace: str("workspace", "CLICKCLACK_WORKSPACE"),
      channel: str("channel"),
      user: str("user", "CLICKCLACK_USER"),
      output: v.json ? "json" : v.plain ? "plain" : "human",
      noInput: v["no-input"] === true || env.CLICKCLACK_NO_INPUT === "1",
      help: v.help === true,
    },
    values: v,
    positionals: parsed.positionals,
  };
}

/** A positive integer flag, or a usage error naming it. */
export function intFlag(value: string | boolean | undefined, name: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || !Number.isInteger(n) || n < min) throw usageError(`--${name} must be a whole number ≥ ${min}`);
  return n;
}
