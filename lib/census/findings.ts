/**
 * What the socket census and the session outcomes say together about the
 * sockets a server leaves behind: CLOSE_WAIT leaks, TIME_WAIT held by the
 * server, TIME_WAIT held by the tester, and half-open connections.
 *
 * @module
 */

import type { Outcome } from "../engine/outcome.ts";
import type { SocketReport, SocketsUnavailable } from "./socket_report.ts";

/** Server-side CLOSE_WAIT after the drain, split by cause. */
export interface CloseWaitFinding {
  /** Server-side CLOSE_WAIT sockets left after the drain window (delta). */
  remaining: number;
  /**
   * Of those, connections still in the accept queue: the server never
   * accepted them, so no handler could close them (a slow accept loop).
   */
  neverAccepted: number;
  /** The rest: accepted connections whose handler never closed after EOF. */
  leakedByHandler: number;
  /** Sessions whose outcome was `no-fin`: the client-side view of the same leak. */
  noFinSessions: number;
}

/** The server closing first, so holding TIME_WAIT. */
export interface ServerTimeWaitFinding {
  /** Sessions with outcome `server-closed-first`. */
  serverClosedFirst: number;
  /** `serverClosedFirst` out of all sessions, 0..1. */
  share: number;
  /** Most server-side TIME_WAIT sockets seen at once (delta); `null` without a census. */
  serverTimeWait: number | null;
}

/** TIME_WAIT on the tester's side, and how near it came to the port range. */
export interface TesterTimeWaitFinding {
  /** Most tester-side TIME_WAIT sockets seen at once (delta). */
  peak: number;
  /** Size of the tester's ephemeral port range; `null` when unknown. */
  ephemeralPorts: number | null;
  /** `peak` out of `ephemeralPorts`, 0..1; `null` when the range is unknown. */
  shareOfPorts: number | null;
}

/** Connections established on our side that the server never acknowledged. */
export interface HalfOpenFinding {
  /** Distinct half-open connections seen. */
  count: number;
}

/** Everything the census found about lingering sockets. */
export interface LingerFindings {
  /** CLOSE_WAIT left on the server; `null` without a census. */
  closeWait: CloseWaitFinding | null;
  /** Who closed first. */
  serverTimeWait: ServerTimeWaitFinding;
  /** The tester's own TIME_WAIT; `null` without the tester's table. */
  testerTimeWait: TesterTimeWaitFinding | null;
  /** Half-open connections; `null` without the tester's table. */
  halfOpen: HalfOpenFinding | null;
}

/** Options of {@link findLingering}. */
export interface LingerFindingsOptions {
  /** Ports in the tester's ephemeral range (`ip_local_port_range`). */
  ephemeralPorts?: number;
}

/**
 * Cross-checks the census with the session outcomes.
 *
 * The accept queue tells a leaking handler from a slow accept loop: a
 * connection still in the queue turns into CLOSE_WAIT as soon as we close,
 * exactly like one a handler forgot to close, but the LISTEN row counts it.
 *
 * @example
 * ```ts
 * import { findLingering } from "./findings.ts";
 * import { withCensus } from "./with_census.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("leaky");
 * const runner = new LoadRunner(server.target, { sessions: 5, closeTimeoutMs: 200 });
 * const { result, sockets } = await withCensus(server.target, { drainMs: 300 }, () => runner.run());
 * const findings = findLingering(sockets!, result.tally.outcomes, { ephemeralPorts: 28232 });
 * console.assert(findings.closeWait?.leakedByHandler === 5);
 * ```
 */
export function findLingering(
  sockets: SocketReport | SocketsUnavailable,
  outcomes: Record<Outcome, number>,
  options: LingerFindingsOptions = {},
): LingerFindings {
  const sessions = Object.values(outcomes).reduce((sum, n) => sum + n, 0);
  const serverClosedFirst = outcomes["server-closed-first"];
  const serverTimeWait: ServerTimeWaitFinding = {
    serverClosedFirst,
    share: sessions === 0 ? 0 : serverClosedFirst / sessions,
    serverTimeWait: sockets.available ? Math.max(0, sockets.server.TIME_WAIT.peak) : null,
  };
  if (!sockets.available) {
    return { closeWait: null, serverTimeWait, testerTimeWait: null, halfOpen: null };
  }
  const remaining = Math.max(0, sockets.server.CLOSE_WAIT.drained);
  const queued = sockets.acceptQueue
    ? Math.max(0, sockets.acceptQueue.drained - sockets.acceptQueue.baseline)
    : 0;
  const neverAccepted = Math.min(remaining, queued);
  const ephemeralPorts = options.ephemeralPorts ?? null;
  const testerPeak = sockets.tester ? Math.max(0, sockets.tester.TIME_WAIT.peak) : 0;
  return {
    closeWait: {
      remaining,
      neverAccepted,
      leakedByHandler: remaining - neverAccepted,
      noFinSessions: outcomes["no-fin"],
    },
    serverTimeWait,
    testerTimeWait: sockets.tester
      ? {
        peak: testerPeak,
        ephemeralPorts,
        shareOfPorts: ephemeralPorts ? testerPeak / ephemeralPorts : null,
      }
      : null,
    halfOpen: sockets.tester ? { count: sockets.halfOpen } : null,
  };
}
