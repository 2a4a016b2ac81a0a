/**
 * What the socket census and the session outcomes say together about the
 * sockets a server leaves behind: CLOSE_WAIT leaks, TIME_WAIT held by the
 * server, TIME_WAIT held by the tester, and half-open connections.
 *
 * @module
 */

import type { Outcome } from "../engine/outcome.ts";
import type { SocketReport, SocketsUnavailable, TesterPortsTrack } from "./socket_report.ts";

/** Server-side CLOSE_WAIT after the drain, split by cause. */
export interface CloseWaitFinding {
  /**
   * This run's server-side CLOSE_WAIT sockets left after the drain window:
   * those not there before it, by 4-tuple and inode (the delta from the
   * baseline when the census did not list them).
   */
  remaining: number;
  /**
   * Of those, connections the server had not accepted: still in the accept
   * queue (no process holds the socket), or accepted so late that the
   * handler had no time to close them. A slow accept loop, not a handler leak.
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

/** The most client ports synfin held between one address pair at once, against the range. */
export interface TesterPortsFinding {
  /** Our sockets between the pair in the fullest census, every state. */
  peak: number;
  /** When, ms after the baseline census. */
  atMs: number;
  /** The server's address. */
  address: string;
  /** The server port. */
  port: number;
  /** Our address. */
  source: string;
  /** Size of the tester's ephemeral port range; `null` when unknown. */
  ephemeralPorts: number | null;
  /** `peak` out of `ephemeralPorts`, 0..1; `null` when the range is unknown. */
  shareOfPorts: number | null;
  /** At {@link TESTER_PORTS_NEAR} of the range or more: synfin, not the server, was the limit. */
  nearRange: boolean;
}

/**
 * Client ports between one address pair from this share of the range on,
 * synfin is named the limit: connect() walks the range for a free 4-tuple
 * (`__inet_hash_connect`) and fails with EADDRNOTAVAIL when none is left;
 * 28,232 ports per destination here (docs/tcp-facts.md, "Sysctls read at
 * run time").
 */
export const TESTER_PORTS_NEAR = 0.9;

/** CLOSE_WAIT sockets from before the run, and how many of them disappeared during it. */
export interface OldCloseWaitFinding {
  /** CLOSE_WAIT sockets in the baseline (not this run's, not counted as its leaks). */
  before: number;
  /**
   * Of those, gone after the drain: reset when one of our connections reused
   * their client port (its SYN drew a challenge ACK, our RST killed the old
   * socket), or closed by the server at last.
   */
  gone: number;
}

/**
 * The sessions whose FIN went unanswered (`no-fin`), told apart by our
 * socket's state at the end of the run: the server's kernel acknowledged
 * the FIN and the application never closed (its socket in CLOSE_WAIT), or
 * the FIN was never acknowledged at all.
 */
export interface NoFinFinding {
  /** Sessions with outcome `no-fin`. */
  sessions: number;
  /** Our sockets in FIN_WAIT2: FIN acknowledged, the server's socket sits in CLOSE_WAIT. */
  finAcked: number;
  /**
   * Our sockets in FIN_WAIT1: the server's host never acknowledged our FIN
   * (a closed receive window, or a path that drops our segments).
   */
  finUnacked: number;
  /**
   * Of `finUnacked`, with bytes before the FIN still unsent: the server
   * stopped reading and its receive window closed.
   */
  unsentBytes: number;
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
  /**
   * CLOSE_WAIT from before the run; `null` when the census did not list
   * sockets one by one (absent from findings built by hand).
   */
  oldCloseWait?: OldCloseWaitFinding | null;
  /**
   * Our side of the `no-fin` sessions; `null` without the tester's table or
   * a census (absent from findings built by hand).
   */
  noFin?: NoFinFinding | null;
  /**
   * Client ports in use between the busiest address pair at the fullest
   * census; `null` without the tester's table (absent from findings built
   * by hand).
   */
  testerPorts?: TesterPortsFinding | null;
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
 * exactly like one a handler forgot to close, but no process holds it (its
 * row has inode 0). Per row, not from the LISTEN row's queue length: the
 * kernel lists the LISTEN row before the connections, so a connection that
 * enters the queue between the two reads (a client's retransmitted FIN
 * completing a handshake the full queue had refused) would be counted in
 * CLOSE_WAIT but not in the queue. Without inodes the queue length decides.
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
    return {
      closeWait: null,
      serverTimeWait,
      testerTimeWait: null,
      halfOpen: null,
      oldCloseWait: null,
      noFin: null,
      testerPorts: null,
    };
  }
  const track = sockets.closeWait;
  const remaining = track ? track.added : Math.max(0, sockets.server.CLOSE_WAIT.drained);
  const queue = sockets.acceptQueue;
  const queued = track?.queued ??
    (queue ? Math.max(0, queue.drained - queue.baseline) : 0);
  const neverAccepted = Math.min(remaining, queued + (track?.justAccepted ?? 0));
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
    oldCloseWait: track ? { before: track.baseline, gone: track.baselineGone } : null,
    noFin: sockets.testerFin
      ? {
        sessions: outcomes["no-fin"],
        finAcked: sockets.testerFin.finWait2,
        finUnacked: sockets.testerFin.finWait1,
        unsentBytes: sockets.testerFin.finWait1Unsent,
      }
      : null,
    testerPorts: sockets.testerPorts
      ? testerPortsFinding(sockets.testerPorts, ephemeralPorts)
      : null,
  };
}

function testerPortsFinding(
  track: TesterPortsTrack,
  ephemeralPorts: number | null,
): TesterPortsFinding {
  const shareOfPorts = ephemeralPorts ? track.peak / ephemeralPorts : null;
  return {
    ...track,
    ephemeralPorts,
    shareOfPorts,
    nearRange: shareOfPorts !== null && shareOfPorts >= TESTER_PORTS_NEAR,
  };
}
