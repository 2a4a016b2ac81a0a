/**
 * The documented process exit codes of the `synfin` CLI.
 *
 * @example
 * ```ts
 * import { EXIT } from "./exit_codes.ts";
 * console.assert(EXIT.unreachable === 3);
 * ```
 */
export const EXIT = {
  /** Ran, and nothing failed. */
  ok: 0,
  /** The server failed a session, a case or a threshold. */
  failed: 1,
  /** A bad option or value. */
  usage: 2,
  /** The target could not be reached before the run. */
  unreachable: 3,
  /** synfin ran out of file descriptors or ephemeral ports. */
  testerLimit: 4,
  /** Stopped by Ctrl+C (128 + SIGINT). */
  interrupted: 130,
} as const;
