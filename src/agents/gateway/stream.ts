// Streaming responses (SSE and NDJSON) over a launched run. The client going away cancels
// the stream, which aborts the run and with it the agent's whole process group.
import { RETRY_AFTER_S, STATUS_FOR_RUN } from "./http.ts";
import type { Launched, Ready } from "./launch.ts";
import type { RunResult } from "../run.ts";

const encoder = new TextEncoder();

export interface StreamWriter {
  write(chunk: string): void;
}

/**
 * A streaming Response driven by `produce`. `keepAlive` text is written every 15 s of
 * silence so proxies do not drop a long-thinking agent's connection.
 */
export function streamResponse(
  run: Pick<Launched, "abort">,
  contentType: string,
  produce: (w: StreamWriter) => Promise<void>,
  keepAlive?: string,
  headers: Record<string, string> = {},
): Response {
  let timer: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      let open = true;
      let last = Date.now();
      const w: StreamWriter = {
        write(chunk) {
          if (!open) return;
          last = Date.now();
          try {
            controller.enqueue(encoder.encode(chunk));
          } catch {
            open = false;
          }
        },
      };
      if (keepAlive) {
        timer = setInterval(() => {
          if (Date.now() - last >= 15_000) w.write(keepAlive);
        }, 5_000);
      }
      try {
        await produce(w);
      } catch (e) {
        console.error("agent gateway: stream failed", e);
      } finally {
        if (timer) clearInterval(timer);
        open = false;
        try {
          controller.close();
        } catch {
          // already closed by a cancel
        }
      }
    },
    cancel() {
      if (timer) clearInterval(timer);
      run.abort();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { "content-type": contentType, "cache-control": "no-cache", ...headers },
  });
}

/** For a run that ended before it started streaming: the HTTP status its outcome deserves. */
export function statusOf(r: RunResult): number {
  return r.status === "completed" ? 200 : STATUS_FOR_RUN[r.status as keyof typeof STATUS_FOR_RUN] ?? 502;
}

export type { Ready };

/** Headers for a run's failure response: a run turned away at capacity may come back. */
export function retryHeaders(r: RunResult): Record<string, string> {
  return r.status === "rejected" ? { "retry-after": String(RETRY_AFTER_S) } : {};
}
