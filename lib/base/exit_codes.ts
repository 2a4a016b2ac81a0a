/**
 * The process exit codes of the `synfin` CLI: the one table that the CLI
 * exits with, `--help` prints and the README lists.
 *
 * @module
 */

/**
 * Every exit code of the `synfin` CLI, by name.
 *
 * @example
 * ```ts
 * import { EXIT } from "./exit_codes.ts";
 * console.assert(EXIT.unreachable === 3);
 * console.assert(EXIT.internal === 70);
 * ```
 */
export const EXIT = {
  /** Ran, and nothing failed. */
  ok: 0,
  /** The server failed a session, a case or a threshold. */
  failed: 1,
  /** A bad option or value. */
  usage: 2,
  /**
   * The target could not be reached before the run (refused, unresolvable,
   * timed out). A server that completes the handshake and then resets is
   * reachable: the run goes on and reports the resets (exit 1).
   */
  unreachable: 3,
  /**
   * synfin ran out of file descriptors or local ports, at the preflight or
   * in a case's sessions (that case is SKIP), and no case failed for the
   * server's reasons: a server FAIL found elsewhere in the run still exits 1.
   */
  testerLimit: 4,
  /** A bug in synfin: an error nothing expected (`EX_SOFTWARE` of sysexits.h). */
  internal: 70,
  /** Stopped by Ctrl+C (128 + SIGINT). */
  interrupted: 130,
} as const;

/** The name of an exit code, e.g. `"testerLimit"`. */
export type ExitName = keyof typeof EXIT;

/** An exit code of the CLI: one of the values of {@link EXIT}. */
export type ExitCode = typeof EXIT[ExitName];

/**
 * What each exit code tells the caller, in the words `--help` prints. Keyed
 * by the names of {@link EXIT}, so the compiler refuses a code without its
 * meaning.
 */
export const EXIT_MEANING: Readonly<Record<ExitName, string>> = Object.freeze({
  ok: "the server passed: every MUST case and threshold held (load: no failed session, " +
    "no CLOSE_WAIT left, no half-open connection)",
  failed: "the server failed: a MUST case or a threshold (check; even when synfin's own " +
    "limits cut other cases), or a session ended in " +
    "reset, no-fin, refused, connect-timeout or error, or server sockets were left in " +
    "CLOSE_WAIT, or connections were half-open (load)",
  usage: "usage error (the message names the bad value)",
  unreachable: "target unreachable before the run (refused, unresolvable, timed out; a " +
    "server that completes the handshake, then resets, is reachable and is run), or a " +
    "backlog sweep's server that stopped answering mid-sweep and still refuses",
  testerLimit: "synfin ran out of file descriptors (EMFILE) or local ports (EADDRNOTAVAIL), " +
    "at the preflight or in a case (SKIP), and no case failed for the server's reasons",
  internal: "internal error: a bug in synfin; the one-line message says what failed",
  interrupted: "interrupted (Ctrl+C); the partial report is still printed",
});

/** One row of {@link exitCodeTable}. */
export interface ExitCodeRow {
  /** The process exit code. */
  code: ExitCode;
  /** Its name in {@link EXIT}. */
  name: ExitName;
  /** What it means, from {@link EXIT_MEANING}. */
  meaning: string;
}

/**
 * Every exit code with its name and meaning, lowest code first: what
 * `--help` prints.
 *
 * @example
 * ```ts
 * import { exitCodeTable } from "./exit_codes.ts";
 * const table = exitCodeTable();
 * console.assert(table[0].code === 0 && table.at(-1)?.name === "interrupted");
 * ```
 */
export function exitCodeTable(): ExitCodeRow[] {
  const names = Object.keys(EXIT) as ExitName[];
  return names
    .map((name) => ({ code: EXIT[name], name, meaning: EXIT_MEANING[name] }))
    .sort((a, b) => a.code - b.code);
}
