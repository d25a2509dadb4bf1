// One error type per failure class, each with the exit code the CLI returns and the HTTP
// status the gateway answers with, so both surfaces stay consistent.

import { EXIT as SHARED } from "../cli/exit.ts";

/** The shared exit-code table (src/cli/exit.ts), in the agent runner's words. */
export const EXIT = { ...SHARED, failed: SHARED.error, session: SHARED.notFound } as const;

export type AgentErrorKind = "usage" | "config" | "session" | "session_busy" | "backend_missing" | "not_found";

export class AgentError extends Error {
  constructor(
    readonly kind: AgentErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "AgentError";
  }

  get exitCode(): number {
    switch (this.kind) {
      case "usage":
        return EXIT.usage;
      case "config":
        return EXIT.config;
      case "session":
      case "not_found":
        return EXIT.notFound;
      case "session_busy":
        return EXIT.conflict;
      case "backend_missing":
        return EXIT.backendMissing;
    }
  }

  get httpStatus(): number {
    switch (this.kind) {
      case "usage":
      case "config":
        return 400;
      case "session":
      case "not_found":
        return 404;
      case "session_busy":
        return 409;
      case "backend_missing":
        return 503;
    }
  }
}

export const usageError = (m: string) => new AgentError("usage", m);
export const configError = (m: string) => new AgentError("config", m);
export const sessionError = (m: string) => new AgentError("session", m);
