// Validation of run options that arrive as JSON (task files, chain files, REST bodies).
// Everything untrusted passes through here, so bad input becomes a usage error with the
// offending field named, never an exception deep inside a run.
import { isApprovalMode, isBackendName, isSandboxMode } from "./backends/types.ts";
import { usageError } from "./errors.ts";
import type { RunOptions } from "./run.ts";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "500ms", "30s", "10m", "2h", "30d"; a bare number means seconds. */
export function parseDuration(v: string | number, what = "duration"): number {
  if (typeof v === "number") {
    if (!Number.isFinite(v) || v < 0) throw usageError(`invalid ${what} ${v}`);
    return Math.round(v * 1000);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(v);
  if (!m) throw usageError(`invalid ${what} ${JSON.stringify(v)} (use e.g. 30s, 10m, 2h, 30d)`);
  return Math.round(Number(m[1]) * (UNITS[m[2] ?? "s"] ?? 1000));
}

type Obj = Record<string, unknown>;

const RUN_FIELDS = new Set([
  "prompt",
  "backend",
  "model",
  "workdir",
  "approval",
  "sandbox",
  "max_turns",
  "system_prompt",
  "session_id",
  "fork",
  "ephemeral",
  "title",
  "tags",
  "timeout",
  "idle_timeout",
  "profile",
]);

export function asObject(v: unknown, where: string): Obj {
  if (!v || typeof v !== "object" || Array.isArray(v)) throw usageError(`${where} must be a JSON object`);
  return v as Obj;
}

function optString(o: Obj, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw usageError(`${where}.${key} must be a string`);
  return v;
}

function optBool(o: Obj, key: string, where: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw usageError(`${where}.${key} must be true or false`);
  return v;
}

export function rejectUnknown(o: Obj, allowed: Set<string>, where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.has(k)) throw usageError(`${where}: unknown field "${k}"`);
  }
}

/**
 * Run options from JSON (snake_case). `extra` names further fields the caller handles
 * itself (e.g. "name", "stream"); anything else unknown is rejected so typos surface.
 */
export function parseRunOptions(
  input: unknown,
  where: string,
  extra: string[] = [],
  requirePrompt = true,
): RunOptions {
  const o = asObject(input, where);
  rejectUnknown(o, new Set([...RUN_FIELDS, ...extra]), where);
  const prompt = optString(o, "prompt", where);
  if (requirePrompt && (prompt === undefined || prompt.trim() === "")) throw usageError(`${where}.prompt is required`);
  const opts: RunOptions = { prompt: prompt ?? "" };
  const backend = optString(o, "backend", where);
  if (backend !== undefined) {
    if (!isBackendName(backend)) throw usageError(`${where}.backend must be claude, codex or gemini`);
    opts.backend = backend;
  }
  const model = optString(o, "model", where);
  if (model) opts.model = model;
  const workdir = optString(o, "workdir", where);
  if (workdir) opts.workdir = workdir;
  const approval = optString(o, "approval", where);
  if (approval !== undefined) {
    if (!isApprovalMode(approval)) throw usageError(`${where}.approval must be ask, auto or never-ask`);
    opts.approval = approval;
  }
  const sandbox = optString(o, "sandbox", where);
  if (sandbox !== undefined) {
    if (!isSandboxMode(sandbox)) throw usageError(`${where}.sandbox must be read-only, workspace or full`);
    opts.sandbox = sandbox;
  }
  if (o.max_turns !== undefined && o.max_turns !== null) {
    if (typeof o.max_turns !== "number" || !Number.isInteger(o.max_turns) || o.max_turns < 1) {
      throw usageError(`${where}.max_turns must be a positive integer`);
    }
    opts.maxTurns = o.max_turns;
  }
  const system = optString(o, "system_prompt", where);
  if (system) opts.systemPrompt = system;
  const session = optString(o, "session_id", where);
  if (session) opts.resume = session;
  const fork = optBool(o, "fork", where);
  if (fork) opts.fork = true;
  const ephemeral = optBool(o, "ephemeral", where);
  if (ephemeral) opts.ephemeral = true;
  const profile = optString(o, "profile", where);
  if (profile) opts.profile = profile;
  const title = optString(o, "title", where);
  if (title) opts.title = title;
  if (o.tags !== undefined && o.tags !== null) {
    if (!Array.isArray(o.tags) || !o.tags.every((t) => typeof t === "string")) {
      throw usageError(`${where}.tags must be an array of strings`);
    }
    opts.tags = o.tags as string[];
  }
  for (const [key, field] of [
    ["timeout", "timeoutMs"],
    ["idle_timeout", "idleTimeoutMs"],
  ] as const) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== "string" && typeof v !== "number") throw usageError(`${where}.${key} must be a duration`);
    opts[field] = parseDuration(v, `${where}.${key}`);
  }
  return opts;
}

const LIST_FIELDS = {
  tasks: new Set(["tasks", "max_parallel", "fail_fast", "stream"]),
  steps: new Set(["steps", "continue_session", "stream"]),
};

/** Parses `{tasks: [...]}` / `{steps: [...]}` or a bare array. */
export function parseTaskList(doc: unknown, key: "tasks" | "steps", extra: string[]) {
  const obj = Array.isArray(doc) ? { [key]: doc } : asObject(doc, "file");
  rejectUnknown(obj, LIST_FIELDS[key], "document");
  const list = obj[key];
  if (!Array.isArray(list)) throw usageError(`expected "${key}" to be an array`);
  return {
    doc: obj,
    items: list.map((t, i) => ({ raw: asObject(t, `${key}[${i}]`), opts: parseRunOptions(t, `${key}[${i}]`, extra) })),
  };
}
