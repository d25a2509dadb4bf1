// The file cursor store (Node and Bun): one small JSON file per key, written atomically (temporary
// file, fsync, rename), so a crash mid-write leaves the previous cursor, never half a file; a lost
// write only means an event is handled again, which deterministic nonces make safe.
import type { CursorStore } from "./cursor-store.ts";

interface NodeProcess {
  versions?: { node?: string };
  pid: number;
  cwd(): string;
}

/** Node's or Bun's `process`, without making the SDK's types depend on @types/node. */
const nodeProcess = (): NodeProcess | undefined => {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p?.versions?.node ? p : undefined;
};

/** The part of node:fs/promises the file store uses (typed here so the SDK needs no @types/node). */
interface Fs {
  readFile(path: string, encoding: "utf8"): Promise<string>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  rename(from: string, to: string): Promise<void>;
  open(path: string, flags: string, mode: number): Promise<{ writeFile(data: string): Promise<void>; sync(): Promise<void>; close(): Promise<void> }>;
}
const fs = (): Promise<Fs> => import("node:fs/promises" as string) as Promise<Fs>;

/** One small JSON file per key under `dir` (default `./.clickclack/cursors`). Node and Bun only. */
export class FileCursorStore implements CursorStore {
  readonly dir: string;

  constructor(dir?: string) {
    this.dir = dir ?? `${nodeProcess()?.cwd() ?? "."}/.clickclack/cursors`;
  }

  path(key: string): string {
    return `${this.dir}/${key.replace(/[^A-Za-z0-9_.-]/g, "_")}.json`;
  }

  async load(key: string): Promise<string | null> {
    const { readFile } = await fs();
    try {
      const data = JSON.parse(await readFile(this.path(key), "utf8")) as { cursor?: unknown };
      return typeof data.cursor === "string" && data.cursor ? data.cursor : null;
    } catch (err) {
      if ((err as { code?: string }).code === "ENOENT") return null;
      throw err;
    }
  }

  async save(key: string, cursor: string): Promise<void> {
    const { mkdir, open, rename } = await fs();
    await mkdir(this.dir, { recursive: true });
    const target = this.path(key);
    const tmp = `${target}.${nodeProcess()?.pid ?? 0}.${Math.random().toString(36).slice(2)}.tmp`;
    const file = await open(tmp, "w", 0o600);
    try {
      await file.writeFile(JSON.stringify({ cursor, saved_at: new Date().toISOString() }));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, target);
  }
}
