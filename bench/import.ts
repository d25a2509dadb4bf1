// Import memory: `clickclack import` streams its input, so its peak RSS should not grow with the
// export's size. The baseline is what the import did before: read the whole export and
// JSON.parse it (measured in its own process on the same file).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bigHistory } from "./fixtures.ts";
import { ROOT, type Row } from "./lib.ts";

/** Runs a command and returns its peak resident set (VmHWM), in MB. */
async function peakRssMb(cmd: string[]): Promise<{ mb: number; code: number; seconds: number }> {
  const started = performance.now();
  const proc = Bun.spawn(cmd, { stdout: "ignore", stderr: "inherit" });
  let peak = 0;
  const read = async () => {
    const status = await Bun.file(`/proc/${proc.pid}/status`).text().catch(() => "");
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    if (kb > peak) peak = kb;
  };
  const timer = setInterval(read, 50);
  const code = await proc.exited;
  clearInterval(timer);
  return { mb: peak / 1024, code, seconds: (performance.now() - started) / 1000 };
}

export async function benchImport(opts: { targetBytes: number }): Promise<{ rows: Row[]; problems: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "clickclack-bench-import-"));
  try {
    // About 600 bytes of export per message row (every column, JSON-quoted).
    const source = join(dir, "source");
    await bigHistory(source, { messages: Math.max(10_000, Math.round(opts.targetBytes / 600)), channels: 20 });
    const file = join(dir, "export.json");
    const main = join(ROOT, "src/main.ts");
    const exported = Bun.spawnSync(["bun", main, "export", "--out", file, "--data", source], { stderr: "inherit" });
    if (exported.exitCode !== 0) throw new Error("export failed");
    const size = statSync(file).size;
    const ours = await peakRssMb(["bun", main, "import", "--in", file, "--db", join(dir, "restored.db")]);
    if (ours.code !== 0) throw new Error(`import exited ${ours.code}`);
    const whole = await peakRssMb(["bun", "-e", `const d = JSON.parse(await Bun.file(${JSON.stringify(file)}).text()); console.log(Object.keys(d.tables).length)`]);
    const problems = ours.mb > 200 ? [`import peaked at ${ours.mb.toFixed(0)} MB RSS for a ${(size / 1e6).toFixed(0)} MB export (limit 200 MB)`] : [];
    return {
      rows: [
        { figure: `import peak RSS, ${(size / 1e6).toFixed(0)} MB export`, ours: ours.mb, baseline: whole.mb, unit: "MB", lowerIsBetter: true, note: `baseline: read + JSON.parse the whole file (the old import's first step); import took ${ours.seconds.toFixed(0)} s` },
      ],
      problems,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { printTable } = await import("./lib.ts");
  const mb = Number(process.env.IMPORT_MB ?? 1000);
  const { rows, problems } = await benchImport({ targetBytes: mb * 1e6 });
  printTable("Import memory", rows);
  if (problems.length) console.log(`Problems: ${problems.join("; ")}`);
}
