// `clickclack serve` as a real child process (for crash and multi-process tests): started with
// the given arguments, resolved once it prints the address it listens on.
import { join } from "node:path";

export interface ServeProcess {
  proc: Bun.Subprocess;
  url: string;
  /** kill -9, and wait for the process to be gone. */
  kill(): Promise<void>;
  /** SIGTERM (a clean shutdown), and wait for it. */
  stop(): Promise<void>;
}

const MAIN = join(import.meta.dir, "..", "main.ts");

/** `command` runs something else than the source (e.g. the compiled binary). */
export async function spawnServe(args: string[], env: Record<string, string> = {}, command: string[] = ["bun", MAIN]): Promise<ServeProcess> {
  const proc = Bun.spawn([...command, "serve", "--addr", "127.0.0.1:0", ...args], { stdout: "pipe", stderr: "inherit", env: { ...process.env, ...env } });
  const reader = proc.stdout.getReader();
  let out = "";
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
    const m = /listening on (http:\/\/[^\s]+)/.exec(out);
    if (m) {
      reader.releaseLock();
      // Keep draining stdout so a chatty server never blocks on a full pipe.
      void proc.stdout.pipeTo(new WritableStream()).catch(() => {});
      return {
        proc,
        url: m[1]!,
        async kill() {
          proc.kill(9);
          await proc.exited;
        },
        async stop() {
          proc.kill("SIGTERM");
          await proc.exited;
        },
      };
    }
  }
  proc.kill(9);
  throw new Error(`server did not start: ${out}`);
}
