// axe-core run inside a page: the serious and critical violations, described for a readable failure.
import type { Page } from "playwright-core";

// Evaluated through the debugger protocol: the app's CSP (script-src 'self') refuses inline scripts.
const AXE = await Bun.file(require.resolve("axe-core/axe.min.js")).text();

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string; failureSummary?: string }[];
}

/** Serious and critical violations on the page as it is now, described for a readable failure. */
export async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: Violation[] }> } }).axe.run(document, { resultTypes: ["violations"] });
    return result.violations;
  });
  return found
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.slice(0, 4).map((n) => `  ${n.target.join(" ")} ${n.html.slice(0, 160)} — ${n.failureSummary?.split("\n").slice(1, 2).join(" ")}`).join("\n")}`);
}

