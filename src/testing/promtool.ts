// `promtool check metrics` (Debian's prometheus package) on a /metrics answer: the problems it
// reports, one per line; none means every name and type follows the Prometheus conventions.
import { expect } from "bun:test";

export async function promtoolProblems(text: string): Promise<string> {
  const promtool = Bun.which("promtool");
  // CI installs it (.ci/run); say so instead of passing silently where it is missing.
  expect(promtool, "promtool is not installed: apt-get install prometheus").toBeTruthy();
  const proc = Bun.spawn([promtool!, "check", "metrics"], { stdin: new TextEncoder().encode(text), stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return `${out}${err}`.trim() || (code === 0 ? "" : `promtool exited ${code}`);
}
