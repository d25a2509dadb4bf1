// Starts a run for an HTTP request and exposes its events as an async stream. Streaming
// responses wait for `ready` before sending a status line: problems found before the CLI
// starts (bad options, busy session, missing backend) still get a real 4xx/5xx instead of
// a 200 with an error buried in the stream.
import type { AgentEvent } from "../backends/types.ts";
import { type RunContext, type RunOptions, type RunResult, runAgent } from "../run.ts";

export type Ready = { kind: "started" } | { kind: "ended"; result: RunResult } | { kind: "error"; error: unknown };

export interface Launched {
  ready: Promise<Ready>;
  result: Promise<RunResult>;
  events(): AsyncGenerator<AgentEvent>;
  abort(): void;
}

export function launch(opts: RunOptions, ctx: RunContext, signal: AbortSignal): Launched {
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  if (signal.aborted) ac.abort();
  else signal.addEventListener("abort", onAbort, { once: true });

  const buffer: AgentEvent[] = [];
  let finished = false;
  let wake: (() => void) | null = null;
  let markReady: (r: Ready) => void = () => {};
  const ready = new Promise<Ready>((r) => {
    markReady = r;
  });

  const result = runAgent(opts, {
    ...ctx,
    signal: ac.signal,
    onEvent: (e) => {
      if (e.type === "init" || e.type === "text" || e.type === "thinking" || e.type === "tool_use") {
        markReady({ kind: "started" });
      }
      buffer.push(e);
      wake?.();
    },
  });
  result.then(
    (r) => markReady({ kind: "ended", result: r }),
    (error) => markReady({ kind: "error", error }),
  );
  result
    .catch(() => undefined)
    .finally(() => {
      finished = true;
      signal.removeEventListener("abort", onAbort);
      wake?.();
    });

  return {
    ready,
    result,
    abort: () => ac.abort(),
    async *events() {
      for (;;) {
        while (buffer.length > 0) yield buffer.shift() as AgentEvent;
        if (finished) return;
        await new Promise<void>((r) => {
          wake = r;
        });
        wake = null;
      }
    },
  };
}
