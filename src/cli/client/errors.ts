// Exit codes are part of the CLI's contract with scripts and agents; every failure maps to one,
// and every message says what to do next.
import { ClickClackError } from "../../../sdk/src/index.ts";

import { EXIT, type ExitCode } from "../exit.ts";

export { EXIT, type ExitCode };

export class CliError extends Error {
  constructor(
    readonly exit: ExitCode,
    message: string,
    /** What to do next. */
    readonly hint?: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string, hint?: string) => new CliError(EXIT.usage, message, hint, "usage");

/** Turns an SDK error into the CLI's exit code and advice; `what` names the action ("send", "search"). */
export function fromApiError(err: ClickClackError, server: string, what: string): CliError {
  const detail = err.detail;
  switch (err.status) {
    case 0:
      return new CliError(EXIT.unavailable, `cannot reach ${server}`, "is the server running? Check --server or CLICKCLACK_SERVER.", err.code);
    case 401:
      return new CliError(EXIT.auth, `not signed in to ${server}: ${detail}`, "run `clickclack login --magic-token mgt_…` or pass --token (CLICKCLACK_TOKEN).", err.code);
    case 403:
      return new CliError(EXIT.auth, `not allowed to ${what}: ${detail}`, "check your role in the workspace, or the bot token's scopes.", err.code);
    case 404:
      // Elysia's catch-all: the route itself is missing, not the thing asked for.
      if (err.code === "not_found" && detail === "no such route") {
        return new CliError(EXIT.notFound, `${server} does not support ${what} (no such route)`, "the server is older than this CLI; upgrade it, or use the web app.", "unsupported");
      }
      return new CliError(EXIT.notFound, detail, "check the id or name (`clickclack channels list`, `clickclack workspaces list`).", err.code);
    case 409:
      return new CliError(EXIT.conflict, detail, err.code === "nonce_conflict" || /nonce/.test(detail) ? "that --nonce was already used for a different message; pick a new one." : undefined, err.code);
    case 429: {
      const after = err.headers?.get("retry-after");
      return new CliError(EXIT.error, detail, after ? `retry in ${after}s.` : "slow down and retry.", err.code);
    }
    default:
      return new CliError(EXIT.error, `${what} failed (${err.status}): ${detail}`, undefined, err.code);
  }
}
