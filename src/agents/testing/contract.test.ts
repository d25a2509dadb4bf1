// The contract between our adapters and each agent CLI: every flag an adapter can send must
// be one the CLI lists in --help, --version must answer, and a tiny prompt must come back
// as a completed run. It always runs against the fake CLIs (so the fakes cannot drift from
// what the adapters send) and, opt-in with CLICKCLACK_AGENT_CONTRACT=1, against the real
// CLIs on PATH. A real CLI that is missing is reported as skipped with the reason, never
// counted as a pass.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getBackend } from "../backends/registry.ts";
import { BACKEND_NAMES, type BackendName, type BuildRequest } from "../backends/types.ts";
import { runAgent } from "../run.ts";
import { setupFakes } from "./harness.ts";

/** Requests that together exercise every flag each adapter can emit. */
function requests(name: BackendName, work: string): BuildRequest[] {
  const base = { workdir: work, scratchDir: join(work, "scratch"), containerRuntime: "docker", bubblewrap: true };
  const all: Record<BackendName, BuildRequest[]> = {
    claude: [
      { ...base, model: "sonnet", approval: "auto", sandbox: "workspace", maxTurns: 2, systemPrompt: "s", maxBudgetUsd: 1, allowedTools: ["Read"], disallowedTools: ["Bash"], addDirs: [work], mcpServers: { x: { command: "true" } } },
      { ...base, sandbox: "read-only", resumeId: "r", fork: true, ephemeral: true },
      { ...base, approval: "never-ask", sandbox: "full", permissionPromptTool: "mcp__clickclack__approve" },
    ],
    codex: [
      { ...base, model: "gpt-5.5", approval: "auto", sandbox: "workspace", systemPrompt: "s", ephemeral: true, addDirs: [work], resumeId: "r" },
      { ...base, approval: "never-ask", sandbox: "full" },
    ],
    gemini: [
      { ...base, model: "pro", approval: "never-ask", sandbox: "workspace", addDirs: [work], resumeId: "r" },
      { ...base, approval: "auto", sandbox: "full" },
    ],
  };
  return all[name];
}

function flagsSent(name: BackendName, work: string): string[] {
  const flags = new Set<string>();
  for (const req of requests(name, work)) {
    for (const a of getBackend(name).build(req, "x").argv) if (a.startsWith("-") && a !== "-") flags.add(a.split("=")[0] as string);
  }
  return [...flags].sort();
}

async function output(argv: string[], env: Record<string, string | undefined>) {
  const p = Bun.spawn(argv, { env: env as Record<string, string>, stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 30_000 });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { out, err, code };
}

const HELP: Record<BackendName, string[]> = { claude: ["--help"], codex: ["exec", "--help"], gemini: ["--help"] };

function contract(label: string, env: () => Record<string, string | undefined>, real: boolean, present: (n: BackendName) => boolean) {
  describe(label, () => {
    for (const name of BACKEND_NAMES) {
      const here = present(name);
      const title = (what: string) => `${name}: ${what}${here ? "" : ` (not run: ${name} is not on PATH)`}`;
      test.skipIf(!here)(title("--version answers"), async () => {
        const bin = Bun.which(name, { PATH: env().PATH ?? "" }) as string;
        const r = await output([bin, "--version"], env());
        expect(r.code).toBe(0);
        expect(r.out.trim()).not.toBe("");
        console.log(`${label}: ${name} ${r.out.trim()}`);
      });
      test.skipIf(!here)(title("--help lists every flag the adapter sends"), async () => {
        const bin = Bun.which(name, { PATH: env().PATH ?? "" }) as string;
        const r = await output([bin, ...HELP[name]], env());
        expect(r.code).toBe(0);
        const help = r.out + r.err;
        const missing = flagsSent(name, tmpdir()).filter((f) => !new RegExp(`(^|[\\s,])${f.replace(/[-]/g, "\\-")}([\\s,=<[]|$)`, "m").test(help));
        expect(missing).toEqual([]);
      });
      test.skipIf(!here)(title("a tiny prompt completes"), async () => {
        const work = mkdtempSync(join(tmpdir(), "cc-contract-"));
        try {
          const r = await runAgent(
            { prompt: "Reply with the single word: pong", backend: name, workdir: work, ephemeral: true, timeoutMs: 120_000, ...(name === "gemini" ? { sandbox: "full" as const } : { sandbox: "read-only" as const }) },
            { env: env() },
          );
          expect(r.error ?? "").toBe("");
          expect(r.status).toBe("completed");
          // The fakes answer from transcripts; a real model is asked for a word.
          if (real) expect(r.text.toLowerCase()).toContain("pong");
          else expect(r.text).not.toBe("");
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      }, 150_000);
    }
  });
}

const fakes = setupFakes(undefined, { sandboxes: true });
afterAll(() => fakes.cleanup());
contract("fake CLIs", () => fakes.env, false, () => true);

const optedIn = process.env.CLICKCLACK_AGENT_CONTRACT === "1";
if (optedIn) {
  // The real CLIs: whatever is on the operator's PATH (our fakes are never on it).
  contract("real CLIs", () => process.env, true, (n) => Bun.which(n) !== null);
} else {
  test.skip("real CLIs: not run (opt in with CLICKCLACK_AGENT_CONTRACT=1; needs claude/codex/gemini on PATH and logged in)", () => {});
}
