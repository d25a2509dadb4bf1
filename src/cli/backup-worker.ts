// Runs the backup's VACUUM INTO off the main thread: the copy is one SQLite call that blocks its
// thread until done, and the main thread draws the progress bar meanwhile. The compiled binary
// embeds this file as an extra entry point (scripts/build.ts).
import { Database } from "bun:sqlite";

declare const self: Worker;

self.onmessage = (event: MessageEvent<{ dbPath: string; tmp: string }>) => {
  const { dbPath, tmp } = event.data;
  try {
    const src = new Database(dbPath, { readonly: true });
    try {
      src.exec("PRAGMA busy_timeout = 10000");
      // VACUUM INTO copies one read snapshot: consistent even while the server keeps writing.
      src.query("VACUUM INTO ?").run(tmp);
    } finally {
      src.close();
    }
    self.postMessage({ ok: true });
  } catch (err) {
    self.postMessage({ ok: false, message: (err as Error).message });
  }
};
