/**
 * Tester limits: when synfin's own sessions ran out of file descriptors
 * (EMFILE, ENFILE), local ports (EADDRNOTAVAIL) or kernel memory (ENOBUFS,
 * ENOMEM), what they measured is not the server's doing. Found from the
 * sessions' own evidence (outcome counts and failed operations by errno),
 * so every case, report and command judges it the same way.
 *
 * @module
 */

import { type Outcome, type Phase, TESTER_LIMIT_ERRNOS } from "../engine/outcome.ts";

/** The tester's resource that ran out. */
export type TesterResource =
  | "file descriptors"
  | "local ports"
  | "memory"
  | "file descriptors or local ports";

/**
 * What a run of sessions leaves behind to judge it by: a `SessionTally`, a
 * `LoadSummary` or a case's own connects all have this shape.
 */
export interface SessionEvidence {
  /** Sessions per outcome; a `tester-limit` count alone is enough. */
  readonly outcomes?: Readonly<Partial<Record<Outcome, number>>>;
  /** Failed operations by phase and errno. */
  readonly errors: readonly { phase: Phase; errno: string; count: number }[];
}

/** A tester limit found in a run's evidence. */
export interface TesterLimit {
  /** What ran out. */
  resource: TesterResource;
  /** The errno that said so most often, e.g. `EMFILE`; `tester-limit` when only the outcome count is known. */
  errno: string;
  /** Failed operations with a tester-limit errno (or sessions with the outcome). */
  count: number;
  /**
   * One line with the advice, e.g. "synfin ran out of file descriptors
   * (EMFILE, 372 times): raise `ulimit -n` or lower --concurrency or --burst".
   */
  reason: string;
}

/**
 * The resource an errno says the tester ran out of, or `undefined` when it
 * is not a tester limit.
 *
 * @example
 * ```ts
 * import { testerResource } from "./tester_limit.ts";
 * console.assert(testerResource("EMFILE") === "file descriptors");
 * console.assert(testerResource("EADDRNOTAVAIL") === "local ports");
 * console.assert(testerResource("ECONNRESET") === undefined);
 * ```
 */
export function testerResource(errno: string): TesterResource | undefined {
  if (!TESTER_LIMIT_ERRNOS.has(errno)) return undefined;
  if (errno === "EMFILE" || errno === "ENFILE") return "file descriptors";
  if (errno === "EADDRNOTAVAIL") return "local ports";
  return "memory";
}

/** What to do about each resource, in the words of the command-line flags. */
const ADVICE: Record<TesterResource, string> = {
  "file descriptors": "raise `ulimit -n` or lower --concurrency or --burst",
  "local ports": "widen net.ipv4.ip_local_port_range or lower --concurrency or --burst",
  "memory": "free memory on the tester or lower --concurrency",
  "file descriptors or local ports":
    "raise `ulimit -n`, widen net.ipv4.ip_local_port_range or lower --concurrency",
};

/**
 * The tester limit the given runs hit, or `undefined` when none did: any
 * failed operation with a tester-limit errno, or any session that ended as
 * `tester-limit`, is one.
 *
 * @example
 * ```ts
 * import { testerLimitIn } from "./tester_limit.ts";
 * const limit = testerLimitIn([
 *   { outcomes: { clean: 128 }, errors: [] },
 *   { errors: [{ phase: "handshake", errno: "EMFILE", count: 372 }] },
 * ]);
 * console.assert(limit?.resource === "file descriptors" && limit.count === 372);
 * console.assert(limit?.reason.startsWith("synfin ran out of file descriptors (EMFILE, 372 times)"));
 * console.assert(testerLimitIn([{ outcomes: { reset: 3 }, errors: [] }]) === undefined);
 * ```
 */
export function testerLimitIn(runs: readonly SessionEvidence[]): TesterLimit | undefined {
  const byErrno = new Map<string, number>();
  let limitedSessions = 0;
  for (const run of runs) {
    limitedSessions += run.outcomes?.["tester-limit"] ?? 0;
    for (const error of run.errors) {
      if (!TESTER_LIMIT_ERRNOS.has(error.errno)) continue;
      byErrno.set(error.errno, (byErrno.get(error.errno) ?? 0) + error.count);
    }
  }
  if (byErrno.size === 0 && limitedSessions === 0) return undefined;
  if (byErrno.size === 0) {
    const resource = "file descriptors or local ports";
    return {
      resource,
      errno: "tester-limit",
      count: limitedSessions,
      reason: `synfin ran out of ${resource} in ${limitedSessions} sessions: ${ADVICE[resource]}`,
    };
  }
  const [errno] = [...byErrno].sort((a, b) => b[1] - a[1])[0];
  const resource = testerResource(errno)!;
  const total = [...byErrno.values()].reduce((sum, n) => sum + n, 0);
  return {
    resource,
    errno,
    count: total,
    reason:
      `synfin ran out of ${resource} (${errno}, ${total} ${total === 1 ? "time" : "times"}): ` +
      ADVICE[resource],
  };
}
