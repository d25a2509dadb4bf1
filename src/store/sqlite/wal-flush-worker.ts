// The WAL flusher's thread (wal-flusher.ts says why it exists). It sleeps on a shared counter of
// commits; when the counter moves it syncs the WAL file, then rests FLUSH_INTERVAL_MS so that a
// burst of commits costs one sync per interval, not one per commit. It never touches SQLite: the
// sync is the file system's, on the WAL's own inode, whoever wrote it.
import { closeSync, fdatasyncSync, fstatSync, openSync, statSync } from "node:fs";
import { COMMITS, COVERED, FLUSH_INTERVAL_MS, STOP, SYNCS, type FlushRequest } from "./wal-flush-shared.ts";

declare const self: Worker;

self.onmessage = (e: MessageEvent<FlushRequest>) => {
  const { walPath, shared } = e.data;
  const state = new Int32Array(shared);
  let fd: number | null = null;
  let seen = 0;
  while (Atomics.load(state, STOP) === 0) {
    // Sleeps until a commit (or the stop) moves the counter; returns at once if it already has.
    Atomics.wait(state, COMMITS, seen);
    if (Atomics.load(state, STOP) !== 0) break;
    seen = Atomics.load(state, COMMITS);
    try {
      // The WAL exists once the writer's connection has read the file; until then, the next commit.
      // SQLite keeps the same file while a connection is open (a truncating checkpoint empties it
      // in place), but should it ever be replaced, the new one is the one to sync.
      if (fd !== null && fstatSync(fd).ino !== statSync(walPath).ino) {
        closeSync(fd);
        fd = null;
      }
      fd ??= openSync(walPath, "r");
      fdatasyncSync(fd);
      Atomics.store(state, COVERED, seen);
      Atomics.add(state, SYNCS, 1);
    } catch {
      // No WAL yet, or a file system that refuses: SQLite's own syncs at checkpoints still hold.
    }
    Atomics.wait(state, STOP, 0, FLUSH_INTERVAL_MS);
  }
  if (fd !== null) closeSync(fd);
  process.exit(0);
};
