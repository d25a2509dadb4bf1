// How runs are shown on a terminal or in a pipe: text streams as it arrives, stream-json
// prints each unified event as a JSON line, json prints one object at the end.
import type { AgentEvent } from "./backends/types.ts";
import { EXIT } from "./errors.ts";
import type { Progress } from "./orchestrate.ts";
import { type RunResult, resultToWire } from "./run.ts";

export type OutputFormat = "text" | "json" | "stream-json";

export function isOutputFormat(v: unknown): v is OutputFormat {
  return v === "text" || v === "json" || v === "stream-json";
}

export function exitCodeFor(r: RunResult): number {
  switch (r.status) {
    case "completed":
    case "dry_run":
      return EXIT.ok;
    case "timeout":
      return EXIT.timeout;
    case "cancelled":
      return EXIT.interrupted;
    default:
      return EXIT.failed;
  }
}

const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(s);

export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Event sink for one run in the chosen format; `prefix` tags events of orchestrated tasks. */
export function eventPrinter(format: OutputFormat, verbose: boolean, tag?: Record<string, unknown>) {
  let lastChar = "\n";
  return {
    event(e: AgentEvent): void {
      if (format === "stream-json") {
        out(`${JSON.stringify(tag ? { ...tag, ...e } : e)}\n`);
        return;
      }
      if (format !== "text") return;
      if (e.type === "text") {
        out(e.text);
        if (e.text) lastChar = e.text.slice(-1);
      } else if (e.type === "error") {
        if (lastChar !== "\n") {
          out("\n");
          lastChar = "\n";
        }
        err(`${e.fatal ? "error" : "warning"}: ${e.message}\n`);
      } else if (verbose && e.type === "tool_use") {
        err(`[tool] ${e.name} ${JSON.stringify(e.input).slice(0, 200)}\n`);
      } else if (verbose && e.type === "tool_result") {
        err(`[tool ${e.is_error ? "failed" : "done"}] ${e.output.slice(0, 200)}\n`);
      } else if (verbose && e.type === "thinking") {
        err(`[thinking] ${e.text}\n`);
      }
    },
    /** Terminates the text stream cleanly. */
    end(): void {
      if (format === "text" && lastChar !== "\n") out("\n");
      lastChar = "\n";
    },
  };
}

export function printResult(format: OutputFormat, r: RunResult): void {
  if (format === "json") out(`${JSON.stringify(resultToWire(r), null, 2)}\n`);
  else if (format === "stream-json") out(`${JSON.stringify({ type: "result", ...resultToWire(r) })}\n`);
  else if (r.command) {
    out(`${r.command.argv.map(shellQuote).join(" ")}\n`);
    err(`cwd: ${r.command.cwd}\nstdin: prompt (${r.command.stdinBytes} bytes)\n`);
  } else if (r.sessionId) {
    err(`session: ${r.sessionId} (${r.status})\n`);
  }
}

/** A single self-overwriting status line, only when a human is watching stderr. */
export function progressLine(label: string) {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  return {
    update(p: Progress): void {
      if (!tty) return;
      const secs = ((Date.now() - started) / 1000).toFixed(0);
      err(`\r\x1b[2K${label}: ${p.done}/${p.total} done, ${p.running} running, ${p.failed} failed (${secs}s)`);
    },
    clear(): void {
      if (tty) err("\r\x1b[2K");
    },
  };
}
