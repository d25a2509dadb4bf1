// Which backends exist and which are installed. Probing spawns `<cli> --version`, so results
// are cached briefly: `agent backends`, the gateway's /models and every run ask for them.
import { claude } from "./claude.ts";
import { codex } from "./codex.ts";
import { gemini } from "./gemini.ts";
import { type Backend, BACKEND_NAMES, type BackendName } from "./types.ts";

export const backends: Record<BackendName, Backend> = { claude, codex, gemini };

export function getBackend(name: BackendName): Backend {
  return backends[name];
}

export interface Availability {
  name: BackendName;
  available: boolean;
  path?: string;
  version?: string;
  error?: string;
}

const CACHE_MS = 30_000;
const PROBE_TIMEOUT_MS = 5_000;
const cache = new Map<string, { at: number; value: Promise<Availability> }>();

async function probe(backend: Backend, env: Record<string, string | undefined>): Promise<Availability> {
  const path = Bun.which(backend.binary, { PATH: env.PATH ?? "" });
  if (!path) return { name: backend.name, available: false, error: `${backend.binary} not found on PATH` };
  try {
    const proc = Bun.spawn([path, "--version"], {
      env: env as Record<string, string>,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      timeout: PROBE_TIMEOUT_MS,
    });
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    if (code !== 0) {
      const why = (err || out).trim().split("\n").pop() ?? "";
      return { name: backend.name, available: false, path, error: `--version exited ${code}${why ? `: ${why}` : ""}` };
    }
    const version = out.trim().split("\n")[0]?.trim() ?? "";
    return { name: backend.name, available: true, path, version };
  } catch (e) {
    return { name: backend.name, available: false, path, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Availability of one backend, cached ~30 s per PATH. */
export function availability(
  name: BackendName,
  env: Record<string, string | undefined> = process.env,
  fresh = false,
): Promise<Availability> {
  const key = `${name}\0${env.PATH ?? ""}`;
  const hit = cache.get(key);
  if (!fresh && hit && Date.now() - hit.at < CACHE_MS) return hit.value;
  const value = probe(backends[name], env);
  cache.set(key, { at: Date.now(), value });
  return value;
}

export function allAvailability(env: Record<string, string | undefined> = process.env, fresh = false) {
  return Promise.all(BACKEND_NAMES.map((n) => availability(n, env, fresh)));
}
