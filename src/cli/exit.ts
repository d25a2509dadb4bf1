// The exit codes of every clickclack command: one table, so that a script can rely on a number
// meaning the same thing whichever subcommand it ran. Documented in the README.
export const EXIT = {
  /** It worked. */
  ok: 0,
  /** Anything else went wrong (an agent run that failed, a server error). */
  error: 1,
  /** The command line is wrong: unknown command or flag, missing or bad argument or setting. */
  usage: 2,
  /** Not signed in, or not allowed. */
  auth: 3,
  /** What was named does not exist (workspace, channel, message, user, agent session). */
  notFound: 4,
  /** It conflicts with what is there (a reused nonce, a busy agent session). */
  conflict: 5,
  /** The server cannot be reached, or is not ready. */
  unavailable: 6,
  /** Refused by configuration or policy (an agent backend's approval policy, a workdir outside the allowed roots). */
  config: 7,
  /** Gave up waiting. */
  timeout: 124,
  /** The agent backend's CLI is not installed. */
  backendMissing: 127,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The table as the help texts print it. */
export const EXIT_HELP =
  "Exit codes: 0 ok, 1 error, 2 usage, 3 auth, 4 not found, 5 conflict, 6 unavailable, 7 refused by configuration, 124 timeout, 127 backend missing, 130 interrupted.";
