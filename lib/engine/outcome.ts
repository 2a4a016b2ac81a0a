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
 *
 * Who closed first is decided from evidence taken right before our FIN: on
 * the raw engine the kernel's own state of our socket (TCP_INFO
 * `tcpi_state` is `CLOSE_WAIT` once the server's FIN is queued) or a read
 * that already returned 0; on the deno engine a read that completed with EOF
 * before our `closeWrite()` (`runSession` gives a pending read the event-loop
 * turns it needs to report a FIN the kernel already holds). A server that
 * closes at accept races our FIN: whichever FIN reached the other side first
 * decides, and the kernel agrees (the server holds a TIME_WAIT for exactly
 * the sessions counted `server-closed-first`, measured 1,339 sessions and
 * 1,324 server-side rows of 3,000 on the raw engine, a few rows lost to
 * TIME_WAIT reuse). Simultaneous close, both FINs in flight at once, counts
 * `clean`: our FIN left before the server's had reached us, so nothing said
 * the server had closed; the kernel then gives BOTH sides a TIME_WAIT (both
 * pass through CLOSING), so the server's TIME_WAIT rows exceed the
 * `server-closed-first` count by those sessions (3 of 3,000 against a
 * server closing at accept).
 * - `reset`: the server (or its kernel) sent an RST at any point.
 * - `no-fin`: after our FIN the server kept its end open until the close
 *   timeout: its socket sits in CLOSE_WAIT.
 * - `refused`: the SYN was answered with an RST (nothing listening).
 * - `connect-timeout`: the handshake did not finish in time.
 * - `tester-limit`: synfin itself ran out of file descriptors (EMFILE) or
 *   ephemeral ports (EADDRNOTAVAIL); not the server's fault.
 * - `interrupted`: the run was stopped (Ctrl+C) while the session was open.
 * - `aborted`: a scenario ended the session with our own RST (`abort()`).
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
  | "aborted"
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
  "aborted",
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
 * `handshake`: connect; `tls`: the TLS handshake after it (`--tls`);
 * `firstByte`: our payload until the first response byte; `hold`: the dwell
 * before our FIN; `close`: our FIN until the server's.
 */
export type Phase = "handshake" | "tls" | "firstByte" | "hold" | "close";

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
  if (handshakeCompletedBefore(errno)) return "reset";
  if (errno === "ECONNREFUSED") return "refused";
  if (errno === "ETIMEDOUT") return "connect-timeout";
  if (TESTER_LIMIT_ERRNOS.has(errno)) return "tester-limit";
  return "error";
}

/**
 * Whether a connect that failed with `errno` had completed its handshake
 * first. A RST that answers a SYN fails the connect with ECONNREFUSED; a
 * connect fails with ECONNRESET (`SO_ERROR` on the raw engine) or ENOTCONN
 * (`Deno.connect`'s `getpeername` after the socket died) only when the
 * server had answered with its SYN-ACK, accepted, and reset at once. The
 * preflight and the `handshake/accepts` case measured it against the
 * resets-at-accept reference server: 3 of 50 deno-engine connects and about
 * 1 in 10 raw-engine ones lose that race. Both engines then count the
 * handshake as done (timed when the reset was seen: an upper bound) and the
 * session as `reset`, so a server that resets at accept is not one that
 * never completes a handshake.
 *
 * @example
 * ```ts
 * import { handshakeCompletedBefore } from "./outcome.ts";
 * console.assert(handshakeCompletedBefore("ECONNRESET"));
 * console.assert(!handshakeCompletedBefore("ECONNREFUSED"));
 * ```
 */
export function handshakeCompletedBefore(errno: string): boolean {
  return RESET_ERRNOS.has(errno) || errno === "ENOTCONN";
}
