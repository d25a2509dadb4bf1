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

// Current model ids (late 2026, as the official SDKs list them); retired and deprecated ids
// (claude-sonnet-4-5 reaches end of life on 30 Nov 2026) are not offered.
const DEFAULTS: Array<[string, BackendName, string | undefined]> = [
  ["claude", "claude", undefined],
  ["claude-opus-5-5", "claude", "claude-opus-5-5"],
  ["claude-sonnet-5-5", "claude", "claude-sonnet-5-5"],
  ["claude-haiku-5-5", "claude", "claude-haiku-5-5"],
  ["claude-opus-4-8", "claude", "claude-opus-4-8"],
  ["claude-opus-4-7", "claude", "claude-opus-4-7"],
  ["claude-sonnet-4-6", "claude", "claude-sonnet-4-6"],
  ["claude-haiku-4-5", "claude", "claude-haiku-4-5"],
  ["codex", "codex", undefined],
  ["gpt-5.5", "codex", "gpt-5.5"],
  ["gpt-5.5-pro", "codex", "gpt-5.5-pro"],
  ["gpt-5.4-mini", "codex", "gpt-5.4-mini"],
  ["gpt-5.1-codex-max", "codex", "gpt-5.1-codex-max"],
  ["gemini", "gemini", undefined],
  ["gemini-3.1-pro-preview", "gemini", "gemini-3.1-pro-preview"],
  ["gemini-3.5-flash", "gemini", "gemini-3.5-flash"],
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
