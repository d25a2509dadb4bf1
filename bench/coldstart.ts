// Cold start of the compiled binary to its first /readyz 200, and its size. Baseline: a
// hello-world Bun HTTP server compiled the same way (what the runtime alone costs).
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile, printTable, ROOT, type Row } from "./lib.ts";

async function timeToReady(cmd: string[], url: (port: number) => string, port: number, env: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  const proc = Bun.spawn(cmd, { stdout: "ignore", stderr: "pipe", env: { ...process.env, ...env } });
  try {
    for (;;) {
      try {
        const r = await fetch(url(port));
        if (r.status === 200) return performance.now() - t0;
      } catch {
        // Not listening yet.
      }
      // Say why (a port taken by something else, a failed migration) instead of waiting out the clock.
      if (proc.exitCode !== null) throw new Error(`${cmd[0]} exited with ${proc.exitCode} before it was ready: ${(await new Response(proc.stderr).text()).trim().slice(-500)}`);
      if (performance.now() - t0 > 20_000) throw new Error(`${cmd[0]} did not become ready`);
      await Bun.sleep(2);
    }
  } finally {
    proc.kill(9);
    await proc.exited;
  }
}

export async function benchColdStart(opts: { runs: number }): Promise<{ rows: Row[]; problems: string[] }> {
  const binary = process.env.CLICKCLACK_BENCH_BINARY ?? join(ROOT, "dist", "clickclack");
  if (!existsSync(binary)) return { rows: [], problems: [`no compiled binary at ${binary}: run \`bun run build\` first`] };
  const dir = mkdtempSync(join(tmpdir(), "clickclack-cold-"));
  const hello = join(dir, "hello.ts");
  writeFileSync(hello, `const s = Bun.serve({ port: Number(process.env.PORT), fetch: () => new Response("ok") });`);
  const helloBin = join(dir, "hello");
  const build = Bun.spawnSync(["bun", "build", "--compile", hello, "--outfile", helloBin], { stdout: "ignore", stderr: "inherit" });
  if (build.exitCode !== 0) return { rows: [], problems: ["could not compile the baseline"] };
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    // A port picked at random may be held by something else: then another one.
    for (let attempt = 1; ; attempt++) {
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      // A fresh data directory each run: the cold start includes creating and migrating the database.
      const data = mkdtempSync(join(tmpdir(), "clickclack-cold-data-"));
      try {
        ours.push(await timeToReady([binary, "serve", "--data", data, "--addr", `127.0.0.1:${port}`], (p) => `http://127.0.0.1:${p}/readyz`, port));
        base.push(await timeToReady([helloBin], (p) => `http://127.0.0.1:${p}/`, port + 1, { PORT: String(port + 1) }));
        break;
      } catch (err) {
        if (attempt === 3 || !/in use|EADDRINUSE/i.test(String(err))) throw err;
        if (ours.length > base.length) ours.pop();
      }
    }
  }
  ours.sort((a, b) => a - b);
  base.sort((a, b) => a - b);
  return {
    rows: [
      { figure: "cold start to first /readyz 200 (median, fresh database)", ours: percentile(ours, 50), baseline: percentile(base, 50), unit: "ms", lowerIsBetter: true, note: "baseline: compiled hello-world Bun server" },
      { figure: "binary size", ours: statSync(binary).size / 1024 / 1024, baseline: statSync(helloBin).size / 1024 / 1024, unit: "MiB", lowerIsBetter: true, note: "app, assets and migrations embedded" },
    ],
    problems: [],
  };
}

if (import.meta.main) {
  const { rows, problems } = await benchColdStart({ runs: Number(process.env.RUNS ?? 10) });
  if (rows.length) printTable("Cold start", rows);
  if (problems.length) {
    console.log(problems.join("\n"));
    process.exit(1);
  }
}
