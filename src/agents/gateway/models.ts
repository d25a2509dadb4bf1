// The explicit table from API model names to a backend and the model id passed to its CLI.
// Unknown names are refused (404) rather than guessed at.
import { type BackendName, isBackendName } from "../backends/types.ts";
import { usageError } from "../errors.ts";

export interface ModelRoute {
  backend: BackendName;
  /** Model passed to the CLI; undefined means the CLI's own default. */
  model?: string;
}

export type ModelTable = Map<string, ModelRoute>;

const DEFAULTS: Array<[string, BackendName, string | undefined]> = [
  ["claude", "claude", undefined],
  ["claude-sonnet-4-5", "claude", "claude-sonnet-4-5"],
  ["claude-sonnet-4-5-20250929", "claude", "claude-sonnet-4-5-20250929"],
  ["claude-sonnet-4-6", "claude", "claude-sonnet-4-6"],
  ["claude-opus-4-5", "claude", "claude-opus-4-5"],
  ["claude-opus-4-5-20251101", "claude", "claude-opus-4-5-20251101"],
  ["claude-opus-4-6", "claude", "claude-opus-4-6"],
  ["claude-haiku-4-5", "claude", "claude-haiku-4-5"],
  ["claude-haiku-4-5-20251001", "claude", "claude-haiku-4-5-20251001"],
  ["codex", "codex", undefined],
  ["gpt-5-codex", "codex", "gpt-5-codex"],
  ["gpt-5", "codex", "gpt-5"],
  ["gpt-5.1-codex", "codex", "gpt-5.1-codex"],
  ["gpt-5.1-codex-mini", "codex", "gpt-5.1-codex-mini"],
  ["gpt-5.1-codex-max", "codex", "gpt-5.1-codex-max"],
  ["gemini", "gemini", undefined],
  ["gemini-2.5-pro", "gemini", "gemini-2.5-pro"],
  ["gemini-2.5-flash", "gemini", "gemini-2.5-flash"],
];

/** Default table plus operator entries "name=backend" or "name=backend:model". */
export function modelTable(extra: string[] = []): ModelTable {
  const table: ModelTable = new Map(
    DEFAULTS.map(([name, backend, model]) => [name, model ? { backend, model } : { backend }]),
  );
  for (const entry of extra) {
    const m = /^([^=\s]+)=([a-z]+)(?::(\S+))?$/.exec(entry);
    if (!m || !isBackendName(m[2])) throw usageError(`--model-map expects name=backend[:model], got ${entry}`);
    const backend = m[2];
    table.set(m[1] as string, m[3] ? { backend, model: m[3] } : { backend });
  }
  return table;
}
