// The server's logger: pino, one JSON object per line (pretty when stdout is a terminal), at the
// configured level. Credentials never reach a line: known secret-bearing fields are redacted
// wherever they appear, and request lines carry the path without its query string.
import pino, { type DestinationStream, type Logger } from "pino";

export type Log = Logger;
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const SECRET_FIELDS = ["authorization", "cookie", "token", "password", "secret", "client_secret", "access_token", "refresh_token", "api_key", "secret_access_key"];

export interface LogOptions {
  level: LogLevel;
  /** Where lines go (tests); default stdout. */
  destination?: DestinationStream;
  /** Human-readable lines; default: when stdout is a terminal. */
  pretty?: boolean;
  /** The deployment label (CLICKCLACK_ENVIRONMENT), on every line. */
  environment?: string | null;
}

export function createLog(opts: LogOptions): Log {
  const options: pino.LoggerOptions = {
    level: opts.level,
    base: { service: "clickclack", ...(opts.environment ? { environment: opts.environment } : {}) },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]), censor: "[redacted]" },
  };
  const usePretty = opts.pretty ?? (!opts.destination && Boolean(process.stdout.isTTY));
  if (usePretty) {
    // NO_COLOR (https://no-color.org): any non-empty value turns colours off.
    const colorize = !process.env.NO_COLOR && (opts.destination !== undefined || Boolean(process.stdout.isTTY));
    // Loaded only for a terminal: with its colour library it was a tenth of a cold start.
    const pretty = require("pino-pretty") as typeof import("pino-pretty");
    return pino(options, pretty({ sync: true, colorize, ignore: "service", translateTime: "SYS:HH:MM:ss.l", ...(opts.destination ? { destination: opts.destination } : {}) }));
  }
  if (opts.destination) return pino(options, opts.destination);
  return pino(options, linesPerTurn(pino.destination({ dest: 1, sync: false })));
}

/**
 * Hands the lines written during one turn of the event loop to `out` as one write. Under load a
 * turn answers many requests, each with an access line; one write call per line (a syscall and
 * its callback) was a fifth of the CPU of a request that does little else. A line waits at most
 * until the turn ends; `flush` (shutdown) hands over what is pending first.
 */
function linesPerTurn(out: DestinationStream & { flush?: (cb?: (err?: Error) => void) => void; flushSync?: () => void }) {
  let pending = "";
  let scheduled = false;
  const handOver = () => {
    scheduled = false;
    if (pending === "") return;
    const lines = pending;
    pending = "";
    out.write(lines);
  };
  // A process that exits without a flush (process.exit on a fatal path) still writes its last turn.
  process.once("exit", () => {
    handOver();
    try {
      out.flushSync?.();
    } catch {
      // Nothing more can be done for a log at exit.
    }
  });
  return {
    write(line: string) {
      pending += line;
      if (!scheduled) {
        scheduled = true;
        setImmediate(handOver);
      }
    },
    flush(cb?: (err?: Error) => void) {
      handOver();
      if (out.flush) out.flush(cb);
      else cb?.();
    },
    flushSync() {
      handOver();
      out.flushSync?.();
    },
  };
}

/** A logger that writes nothing (tests, embedded servers). */
export const silentLog = (): Log => pino({ level: "silent" });

/**
 * The process's logger for code that runs beside requests and has no handle on the server's
 * (the hub's replays, upload cleanup, the store's listeners). `serve` installs its own; until
 * then, errors go to stderr as JSON, so a CLI's stdout stays its own.
 */
let processLog: Log | undefined;

export function setProcessLog(log: Log): void {
  processLog = log;
}

export function backgroundLog(): Log {
  return (processLog ??= pino({ level: "error", base: { service: "clickclack" }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, pino.destination({ dest: 2, sync: true })));
}
