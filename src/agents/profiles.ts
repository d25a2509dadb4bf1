// Team profiles: a checked-in JSON file of named run settings (backend, model, tools, MCP
// servers, extra directories, budget) so a team agrees once on how an agent may work, and
// every surface (CLI --profile, gateway per key, bridge per channel) applies the same thing.
//
//   { "profiles": { "review": { "backend": "claude", "sandbox": "read-only", "allowed_tools": ["Read", "Grep"] } },
//     "keys": { "key-0123456789ab": ["review"] },        // gateway: which profiles a key may use (first = default)
//     "channels": { "backend-team": "review" } }         // bridge: the profile a channel's turns run with
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import {
  APPROVAL_MODES,
  type ApprovalMode,
  type BackendName,
  isApprovalMode,
  isBackendName,
  isSandboxMode,
  SANDBOX_MODES,
  type SandboxMode,
} from "./backends/types.ts";
import { configError, usageError } from "./errors.ts";
import type { RunOptions } from "./run.ts";
import { asObject, parseDuration, rejectUnknown } from "./spec.ts";

export interface Profile {
  name: string;
  backend?: BackendName;
  model?: string;
  approval?: ApprovalMode;
  sandbox?: SandboxMode;
  maxTurns?: number;
  systemPrompt?: string;
  allowedTools?: string[];
  disallowedTools?: string[];
  mcpServers?: Record<string, unknown>;
  addDirs?: string[];
  maxBudgetUsd?: number;
  timeoutMs?: number;
}

export interface Profiles {
  path: string;
  profiles: Map<string, Profile>;
  /** Gateway key id (key-…) → profiles it may use; the first is its default. */
  keys: Map<string, string[]>;
  /** Channel name or id → profile for the chat bridge. */
  channels: Map<string, string>;
}

const PROFILE_FIELDS = new Set([
  "backend", "model", "approval", "sandbox", "max_turns", "system_prompt", "allowed_tools",
  "denied_tools", "mcp_servers", "add_dirs", "max_budget_usd", "timeout", "description",
]);

function strings(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string" && x.trim() !== "")) {
    throw configError(`${where} must be an array of non-empty strings`);
  }
  return v as string[];
}

function parseProfile(name: string, raw: unknown, base: string): Profile {
  const where = `profiles.${name}`;
  const o = asObject(raw, where);
  try {
    rejectUnknown(o, PROFILE_FIELDS, where);
  } catch (e) {
    throw configError((e as Error).message);
  }
  const p: Profile = { name };
  if (o.backend !== undefined) {
    if (!isBackendName(o.backend)) throw configError(`${where}.backend must be claude, codex or gemini`);
    p.backend = o.backend;
  }
  if (o.model !== undefined) {
    if (typeof o.model !== "string") throw configError(`${where}.model must be a string`);
    p.model = o.model;
  }
  if (o.approval !== undefined) {
    if (!isApprovalMode(o.approval)) throw configError(`${where}.approval must be ask, auto or never-ask`);
    p.approval = o.approval;
  }
  if (o.sandbox !== undefined) {
    if (!isSandboxMode(o.sandbox)) throw configError(`${where}.sandbox must be read-only, workspace or full`);
    p.sandbox = o.sandbox;
  }
  if (o.max_turns !== undefined) {
    if (!Number.isInteger(o.max_turns) || (o.max_turns as number) < 1) throw configError(`${where}.max_turns must be a positive integer`);
    p.maxTurns = o.max_turns as number;
  }
  if (o.system_prompt !== undefined) {
    if (typeof o.system_prompt !== "string") throw configError(`${where}.system_prompt must be a string`);
    p.systemPrompt = o.system_prompt;
  }
  if (o.allowed_tools !== undefined) p.allowedTools = strings(o.allowed_tools, `${where}.allowed_tools`);
  if (o.denied_tools !== undefined) p.disallowedTools = strings(o.denied_tools, `${where}.denied_tools`);
  if (o.add_dirs !== undefined) {
    // Relative to the profiles file, so a checked-in file works from any clone.
    p.addDirs = strings(o.add_dirs, `${where}.add_dirs`).map((d) => (isAbsolute(d) ? d : resolve(base, d)));
    for (const d of p.addDirs) if (!existsSync(d)) throw configError(`${where}.add_dirs: ${d} does not exist`);
  }
  if (o.mcp_servers !== undefined) p.mcpServers = asObject(o.mcp_servers, `${where}.mcp_servers`);
  if (o.max_budget_usd !== undefined) {
    if (typeof o.max_budget_usd !== "number" || !(o.max_budget_usd > 0)) throw configError(`${where}.max_budget_usd must be a positive number`);
    p.maxBudgetUsd = o.max_budget_usd;
  }
  if (o.timeout !== undefined) {
    if (typeof o.timeout !== "string" && typeof o.timeout !== "number") throw configError(`${where}.timeout must be a duration`);
    p.timeoutMs = parseDuration(o.timeout, `${where}.timeout`);
  }
  return p;
}

export function loadProfiles(path: string): Profiles {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw configError(`cannot read profiles ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const o = asObject(doc, "profiles file");
  try {
    rejectUnknown(o, new Set(["profiles", "keys", "channels"]), "profiles file");
  } catch (e) {
    throw configError((e as Error).message);
  }
  const base = dirname(resolve(path));
  const profiles = new Map<string, Profile>();
  for (const [name, raw] of Object.entries(asObject(o.profiles ?? {}, "profiles"))) {
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/i.test(name)) throw configError(`profile name ${JSON.stringify(name)} must be letters, digits, - or _`);
    profiles.set(name, parseProfile(name, raw, base));
  }
  const known = (n: string, where: string) => {
    if (!profiles.has(n)) throw configError(`${where}: no profile named ${JSON.stringify(n)}`);
    return n;
  };
  const keys = new Map<string, string[]>();
  for (const [key, list] of Object.entries(asObject(o.keys ?? {}, "keys"))) {
    const names = strings(list, `keys.${key}`).map((n) => known(n, `keys.${key}`));
    if (names.length === 0) throw configError(`keys.${key} must name at least one profile`);
    keys.set(key, names);
  }
  const channels = new Map<string, string>();
  for (const [channel, name] of Object.entries(asObject(o.channels ?? {}, "channels"))) {
    if (typeof name !== "string") throw configError(`channels.${channel} must be a profile name`);
    channels.set(channel, known(name, `channels.${channel}`));
  }
  return { path, profiles, keys, channels };
}

/** $CLICKCLACK_AGENT_PROFILES, else .clickclack/agents.json in the directory, if present. */
export function findProfiles(dir: string, env: Record<string, string | undefined> = process.env): Profiles | null {
  const explicit = env.CLICKCLACK_AGENT_PROFILES;
  if (explicit) return loadProfiles(explicit);
  const local = join(dir, ".clickclack", "agents.json");
  return existsSync(local) ? loadProfiles(local) : null;
}

export function getProfile(profiles: Profiles | null, name: string): Profile {
  const p = profiles?.profiles.get(name);
  if (!p) throw usageError(`no profile named ${JSON.stringify(name)}${profiles ? ` in ${profiles.path}` : " (no profiles file: set CLICKCLACK_AGENT_PROFILES or add .clickclack/agents.json)"}`);
  return p;
}

const stricter = <T extends string>(list: readonly T[], asked: T | undefined, limit: T | undefined) =>
  asked !== undefined && limit !== undefined && list.indexOf(asked) > list.indexOf(limit);

/**
 * A run under a profile. The profile is binding: the request may pick a model or ask for
 * stricter approval/sandbox, but not another backend or looser modes, and tool lists,
 * MCP servers, directories and budget come from the profile alone.
 */
export function applyProfile(opts: RunOptions, p: Profile): RunOptions {
  if (opts.backend && p.backend && opts.backend !== p.backend) {
    throw usageError(`profile ${p.name} runs ${p.backend}, not ${opts.backend}`);
  }
  if (stricter(APPROVAL_MODES, opts.approval, p.approval)) throw usageError(`profile ${p.name} allows approval ${p.approval} at most`);
  if (stricter(SANDBOX_MODES, opts.sandbox, p.sandbox)) throw usageError(`profile ${p.name} allows sandbox ${p.sandbox} at most`);
  const out: RunOptions = { ...opts, profile: p.name };
  const set = <K extends keyof RunOptions>(k: K, v: RunOptions[K] | undefined) => {
    if (v !== undefined && out[k] === undefined) out[k] = v;
  };
  set("backend", p.backend);
  set("model", p.model);
  set("approval", p.approval);
  set("sandbox", p.sandbox);
  set("maxTurns", p.maxTurns);
  set("systemPrompt", p.systemPrompt);
  set("timeoutMs", p.timeoutMs);
  if (p.allowedTools) out.allowedTools = p.allowedTools;
  if (p.disallowedTools) out.disallowedTools = p.disallowedTools;
  if (p.mcpServers) out.mcpServers = p.mcpServers;
  if (p.addDirs) out.addDirs = p.addDirs;
  if (p.maxBudgetUsd !== undefined) out.maxBudgetUsd = p.maxBudgetUsd;
  return out;
}

/**
 * The profile a gateway key runs a request under: a key listed in the file is held to its
 * profiles (the first by default); an unlisted key may name any profile or none.
 */
export function profileForKey(profiles: Profiles | null, owner: string, admin: boolean, asked: string | undefined): Profile | null {
  const allowed = profiles?.keys.get(owner);
  if (asked === undefined) return allowed && !admin ? getProfile(profiles, allowed[0] as string) : null;
  if (allowed && !admin && !allowed.includes(asked)) throw usageError(`this key may not use profile ${asked} (allowed: ${allowed.join(", ")})`);
  return getProfile(profiles, asked);
}
