// Upload storage on the local file system: one file per object under a root directory. A write
// goes to a temporary name, is fsynced, then renamed into place, so a crash never leaves a
// half-written file under a real key.
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { StorageError, type UploadStorage } from "./storage.ts";

const PARTIAL = ".partial-";

export class LocalStorage implements UploadStorage {
  readonly description: string;
  private root: string;

  constructor(dir: string) {
    this.root = resolve(dir);
    this.description = `file://${this.root}`;
  }

  /** Keys are ours (`wsp_…/upl_…`), but a key never leaves the root whatever it holds. */
  private path(key: string): string {
    const p = resolve(join(this.root, key));
    if (!p.startsWith(this.root + sep)) throw new StorageError(`storage key escapes the upload directory: ${key}`);
    return p;
  }

  async write(key: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const target = this.path(key);
    const tmp = `${target}${PARTIAL}${crypto.randomUUID()}`;
    try {
      await mkdir(dirname(target), { recursive: true });
    } catch (err) {
      throw new StorageError(`cannot create the upload directory: ${(err as Error).message}`);
    }
    const file = await open(tmp, "wx").catch((err: Error) => {
      throw new StorageError(`cannot write uploads: ${err.message}`);
    });
    try {
      for await (const chunk of chunks) await file.write(chunk);
      await file.sync();
    } catch (err) {
      await file.close().catch(() => {});
      await rm(tmp, { force: true }).catch(() => {});
      throw err;
    }
    await file.close();
    await rename(tmp, target);
  }

  async read(key: string, start: number, end: number): Promise<Blob | null> {
    const file = Bun.file(this.path(key));
    if (!(await file.exists())) return null;
    return file.slice(start, end);
  }

  async sweepPartials(idleMs: number): Promise<number> {
    const before = Date.now() - idleMs;
    let removed = 0;
    let names: string[];
    try {
      names = await readdir(this.root, { recursive: true });
    } catch {
      return 0; // No upload directory yet: nothing was ever written.
    }
    for (const name of names) {
      if (!name.includes(PARTIAL)) continue;
      const path = join(this.root, name);
      const info = await stat(path).catch(() => null);
      if (!info?.isFile() || info.mtimeMs > before) continue;
      await rm(path, { force: true }).catch(() => {});
      removed++;
    }
    return removed;
  }

  async remove(key: string): Promise<void> {
    try {
      await rm(this.path(key), { force: true });
    } catch (err) {
      throw new StorageError(`cannot remove ${key}: ${(err as Error).message}`);
    }
  }
}
