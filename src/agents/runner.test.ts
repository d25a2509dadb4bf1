// The process runner against real shell processes: long lines, stderr floods, timeouts and
// whole-group cancellation.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Limiter } from "./limiter.ts";
import { groupAlive, runProcess } from "./runner.ts";
import { isDead, waitFor } from "./testing/harness.ts";

const dir = mkdtempSync(join(tmpdir(), "cc-runner-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { PATH: "/usr/bin:/bin" };

function sh(script: string, extra: Partial<Parameters<typeof runProcess>[0]> = {}) {
  const lines: string[] = [];
  const p = runProcess({ argv: ["sh", "-c", script], cwd: dir, env, stdin: "", onLine: (l) => lines.push(l), graceMs: 300, ...extra });
  return { lines, p };
}

describe("runProcess", () => {
  test("passes stdin, splits lines, reports exit code and stderr", async () => {
    const { lines, p } = sh("cat; printf 'a\\nb'; echo oops >&2; exit 3", { stdin: "-x --flag\n" });
    const out = await p;
    expect(lines).toEqual(["-x --flag", "a", "b"]);
    expect(out).toMatchObject({ code: 3, reason: "exit" });
    expect(out.stderrTail).toBe("oops\n");
  });

  test("a 3 MB line and 1 MB of stderr do not stall", async () => {
    const { lines, p } = sh("head -c 1000000 /dev/zero | tr '\\0' e >&2; head -c 3000000 /dev/zero | tr '\\0' x; echo; echo done");
    const out = await p;
    expect(out.code).toBe(0);
    expect(lines[0]?.length).toBe(3_000_000);
    expect(lines[1]).toBe("done");
  });

  test("idle timeout kills a silent process; total timeout a chatty one", async () => {
    const idle = await sh("echo start; sleep 30", { idleTimeoutMs: 300 }).p;
    expect(idle.reason).toBe("idle");
    expect(idle.durationMs).toBeLessThan(5000);
    const total = await sh("while true; do echo tick; sleep 0.05; done", { timeoutMs: 400, idleTimeoutMs: 300 }).p;
    expect(total.reason).toBe("timeout");
  });

  test("abort takes down the whole process group, including background children and TERM-ignorers", async () => {
    const pidFile = join(dir, "pids");
    const ac = new AbortController();
    const { p } = sh(`sleep 60 & echo $! > ${pidFile}; (trap '' TERM; sleep 60) & echo $! >> ${pidFile}; echo ready; wait`, {
      signal: ac.signal,
      onSpawn: () => {},
    });
    await waitFor(() => {
      try {
        return readFileSync(pidFile, "utf8").trim().split("\n").length === 2;
      } catch {
        return false;
      }
    });
    const pids = readFileSync(pidFile, "utf8").trim().split("\n").map(Number);
    ac.abort();
    const out = await p;
    expect(out.reason).toBe("aborted");
    for (const pid of pids) expect(isDead(pid)).toBe(true);
    expect(groupAlive(out.pid)).toBe(false);
  });

  test("children left behind by a leader that exited are cleaned up", async () => {
    const pidFile = join(dir, "orphan");
    const out = await sh(`sleep 60 > /dev/null 2>&1 & echo $! > ${pidFile}; echo bye`).p;
    expect(out.code).toBe(0);
    expect(isDead(Number(readFileSync(pidFile, "utf8")))).toBe(true);
  });
});

describe("Limiter", () => {
  test("caps concurrency in FIFO order and lets queued callers give up", async () => {
    const lim = new Limiter(2);
    const order: number[] = [];
    const a = await lim.acquire();
    const b = await lim.acquire();
    const c = lim.acquire().then((r) => (order.push(3), r));
    const ac = new AbortController();
    const d = lim.acquire(ac.signal);
    const e = lim.acquire().then((r) => (order.push(5), r));
    expect(lim.running).toBe(2);
    expect(lim.queued).toBe(3);
    ac.abort();
    await expect(d).rejects.toBeDefined();
    a();
    b();
    (await c)();
    (await e)();
    expect(order).toEqual([3, 5]);
    expect(lim.running).toBe(0);
  });
});
