// Where a bot keeps its place in the event log between runs. This module runs anywhere; the file
// store lives in ./file-cursor-store.ts (the `@clickclack/sdk/file-cursor-store` export), which
// only Node and Bun can load, so that a browser bundle of the SDK never meets node:fs.

export interface CursorStore {
  /** The saved cursor for `key` (workspace and bot), or null on a first run. */
  load(key: string): Promise<string | null>;
  save(key: string, cursor: string): Promise<void>;
}

export class MemoryCursorStore implements CursorStore {
  private cursors = new Map<string, string>();

  async load(key: string): Promise<string | null> {
    return this.cursors.get(key) ?? null;
  }

  async save(key: string, cursor: string): Promise<void> {
    this.cursors.set(key, cursor);
  }
}
