/**
 * Error classes synfin throws. Each sets `name` so a caller (the CLI) can map
 * it to an exit code without string matching, and keeps the original error in
 * `cause`.
 *
 * @module
 */

/**
 * A command-line value or option that cannot be used (exit code 2).
 *
 * @example
 * ```ts
 * import { UsageError } from "./errors.ts";
 * const err = new UsageError('Invalid duration "10x": use 500ms, 10s or 1m');
 * console.assert(err.name === "UsageError");
 * ```
 */
export class UsageError extends Error {
  /** Creates a usage error with a one-line message. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/**
 * The target could not be reached before the run started: the name did not
 * resolve, the port refused, or the handshake timed out (exit code 3).
 *
 * @example
 * ```ts
 * import { TargetUnreachableError } from "./errors.ts";
 * const err = new TargetUnreachableError(
 *   "Cannot connect to 127.0.0.1:1: connection refused (ECONNREFUSED)",
 *   { errno: "ECONNREFUSED" },
 * );
 * console.assert(err.errno === "ECONNREFUSED");
 * ```
 */
export class TargetUnreachableError extends Error {
  /** The errno name of the failed connect, e.g. `ECONNREFUSED`, `ENOTFOUND`. */
  readonly errno: string;
  /** Creates the error; `errno` names the failure. */
  constructor(message: string, options: ErrorOptions & { errno: string }) {
    super(message, options);
    this.name = "TargetUnreachableError";
    this.errno = options.errno;
  }
}
