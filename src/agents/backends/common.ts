// Helpers shared by the three adapters: defensive JSON field access and the one place that
// decides whether a finished process counts as a success.
import { configError } from "../errors.ts";
import type { AgentEvent, BackendName, Usage } from "./types.ts";

export type Json = Record<string, unknown>;

/** Parses one stdout line; CLIs sometimes print banners or warnings that are not JSON. */
export function parseLine(line: string): Json | null {
  const t = line.trim();
  if (!t.startsWith("{")) return null;
  try {
    const v: unknown = JSON.parse(t);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : null;
  } catch {
    return null;
  }
}

export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
export const obj = (v: unknown): Json | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined;
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The last meaningful stderr lines: the CLI's own words are the best error message. */
export function stderrMessage(tail: string): string | undefined {
  const lines = tail
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0) return undefined;
  return lines.slice(-5).join("\n").slice(-2000);
}

export interface Outcome {
  sawResult: boolean;
  ok: boolean;
  error?: string;
  usage: Usage;
  costUsd?: number;
  turns: number;
  durationMs?: number;
  result?: string;
}

/**
 * Builds the single terminal `done` event. A run only succeeds when the CLI reported success
 * AND exited 0: a clean result line followed by a crash is still a failure, and so is a zero
 * exit that never produced a result (truncated output).
 */
export function finishEvents(
  backend: BackendName,
  o: Outcome,
  exit: { code: number | null; stderrTail: string; durationMs: number },
): AgentEvent[] {
  const events: AgentEvent[] = [];
  const ok = o.sawResult && o.ok && exit.code === 0;
  let error = o.error;
  if (!ok && !error) {
    const tail = stderrMessage(exit.stderrTail);
    if (exit.code !== 0 && exit.code !== null) {
      error = tail ?? `${backend} exited with code ${exit.code}`;
    } else if (exit.code === null) {
      error = `${backend} was terminated by a signal`;
    } else {
      error = tail ?? `${backend} exited without reporting a result`;
    }
  }
  if (!ok && error) events.push({ type: "error", message: error, fatal: true });
  const done: AgentEvent = {
    type: "done",
    ok,
    usage: o.usage,
    turns: o.turns,
    duration_ms: o.durationMs ?? exit.durationMs,
  };
  if (o.costUsd !== undefined) done.cost_usd = o.costUsd;
  if (o.result !== undefined) done.result = o.result;
  if (!ok && error) done.error = error;
  events.push(done);
  return events;
}

/** Values that end up as a flag's argument must never look like a flag themselves. */
export function checkFlagValue(what: string, value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:/@[\]+-]*$/.test(value) || value.length > 200) {
    throw configError(`invalid ${what} ${JSON.stringify(value)}`);
  }
  return value;
}
