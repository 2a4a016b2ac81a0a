/**
 * How a TCP session ended, and the errno names synfin reports.
 *
 * @module
 */

/**
 * The closed set of ways a session can end.
 *
 * - `clean`: we sent FIN, the server answered with its FIN.
 * - `server-closed-first`: the server's FIN arrived before we sent ours (the
 *   server will hold the TIME_WAIT).
 * - `reset`: the server (or its kernel) sent an RST at any point.
 * - `no-fin`: after our FIN the server kept its end open until the close
 *   timeout: its socket sits in CLOSE_WAIT.
 * - `refused`: the SYN was answered with an RST (nothing listening).
 * - `connect-timeout`: the handshake did not finish in time.
 * - `tester-limit`: synfin itself ran out of file descriptors (EMFILE) or
 *   ephemeral ports (EADDRNOTAVAIL); not the server's fault.
 * - `interrupted`: the run was stopped (Ctrl+C) while the session was open.
 * - `error`: anything else; the errno says what.
 */
export type Outcome =
  | "clean"
  | "server-closed-first"
  | "reset"
  | "no-fin"
  | "refused"
  | "connect-timeout"
  | "tester-limit"
  | "interrupted"
  | "error";

/** Every outcome, in report order. */
export const OUTCOMES: readonly Outcome[] = [
  "clean",
  "server-closed-first",
  "reset",
  "no-fin",
  "refused",
  "connect-timeout",
  "tester-limit",
  "interrupted",
  "error",
];

/** Outcomes that mean the server misbehaved or was unreachable. */
export const FAILING_OUTCOMES: ReadonlySet<Outcome> = new Set<Outcome>([
  "reset",
  "no-fin",
  "refused",
  "connect-timeout",
  "error",
]);

/**
 * The phase of a session's life an outcome or error belongs to.
 *
 * `handshake`: connect; `firstByte`: our payload until the first response
 * byte; `hold`: the dwell before our FIN; `close`: our FIN until the server's.
 */
export type Phase = "handshake" | "firstByte" | "hold" | "close";

/** The socket operation that failed. */
export type Operation = "connect" | "write" | "read" | "closeWrite" | "close";

/** Errnos that say the tester, not the server, ran out of a resource. */
export const TESTER_LIMIT_ERRNOS: ReadonlySet<string> = new Set([
  "EMFILE",
  "ENFILE",
  "EADDRNOTAVAIL",
  "ENOBUFS",
  "ENOMEM",
]);

/** Errnos that carry a reset from the peer. */
export const RESET_ERRNOS: ReadonlySet<string> = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

/**
 * Counts the failed operations that were resets (RST) in the given phases,
 * e.g. before our FIN (`handshake`, `firstByte`, `hold`): a server that
 * resets instead of closing shows up in `close` only.
 *
 * @example
 * ```ts
 * import { resetsIn } from "./outcome.ts";
 * const errors = [{ phase: "close" as const, errno: "ECONNRESET", count: 3 }];
 * console.assert(resetsIn(errors, ["handshake", "hold"]) === 0);
 * console.assert(resetsIn(errors, ["close"]) === 3);
 * ```
 */
export function resetsIn(
  errors: readonly { phase: Phase; errno: string; count: number }[],
  phases: readonly Phase[],
): number {
  return errors
    .filter((e) => RESET_ERRNOS.has(e.errno) && phases.includes(e.phase))
    .reduce((sum, e) => sum + e.count, 0);
}

/**
 * The non-zero outcome counts in words, in {@link OUTCOMES} order.
 *
 * @example
 * ```ts
 * import { describeOutcomes } from "./outcome.ts";
 * console.assert(describeOutcomes({ clean: 3, "no-fin": 1 }) === "clean 3, no-fin 1");
 * ```
 */
export function describeOutcomes(outcomes: Partial<Record<Outcome, number>>): string {
  const parts = OUTCOMES.filter((o) => (outcomes[o] ?? 0) > 0).map((o) => `${o} ${outcomes[o]}`);
  return parts.length === 0 ? "no sessions" : parts.join(", ");
}

/**
 * The outcome of a connect that failed with `errno`: both engines decide it
 * the same way.
 *
 * @example
 * ```ts
 * import { connectOutcome } from "./outcome.ts";
 * console.assert(connectOutcome("ECONNREFUSED") === "refused");
 * console.assert(connectOutcome("EMFILE") === "tester-limit");
 * ```
 */
export function connectOutcome(errno: string): Outcome {
  if (errno === "ECONNREFUSED") return "refused";
  if (errno === "ETIMEDOUT") return "connect-timeout";
  if (TESTER_LIMIT_ERRNOS.has(errno)) return "tester-limit";
  if (RESET_ERRNOS.has(errno)) return "reset";
  return "error";
}
