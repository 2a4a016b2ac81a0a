/**
 * What a socket census around a run reports: per state, the count before,
 * at the peak, at the end of the run and after the drain (as deltas from the
 * baseline), the accept queue, half-open connections, the namespace
 * counters and the sampled time series; or why no census could be taken.
 *
 * @module
 */

import type { CensusState, StateCounts } from "./census.ts";
import type { KernelCounters } from "./kernel_counters.ts";

/**
 * Loopback acknowledges data within microseconds, or 40 ms with a delayed
 * ACK: bytes still unacknowledged this much later were never received by
 * a server socket.
 */
export const HALF_OPEN_AFTER_MS = 200;

/** One state's count over the run. */
export interface StateTrack {
  /** Count before the run (absolute). */
  baseline: number;
  /** Highest count seen, minus the baseline. */
  peak: number;
  /** Count when the load stopped, minus the baseline. */
  end: number;
  /** Count after the drain window, minus the baseline. */
  drained: number;
}

/** The LISTEN row's accept queue over the run (absolute lengths). */
export interface AcceptQueueTrack {
  /** Configured backlog (`ss` Send-Q); `null` when `ss` could not tell. */
  backlog: number | null;
  /** Queue length before the run. */
  baseline: number;
  /** Longest queue seen. */
  peak: number;
  /** Length when the load stopped. */
  end: number;
  /** Length after the drain window. */
  drained: number;
}

/**
 * The server's CLOSE_WAIT sockets after the drain, counted by identity
 * (4-tuple and inode) against the baseline rather than as a delta: a new
 * connection from a reused client port resets the old CLOSE_WAIT on its
 * 4-tuple, so a delta would net this run's leaks against old sockets gone.
 */
export interface CloseWaitTrack {
  /** Whether the table carried inodes; without them the 4-tuple alone is the identity. */
  byInode: boolean;
  /** CLOSE_WAIT sockets before the run. */
  baseline: number;
  /**
   * Of those, gone after the drain: closed by the server, or reset when one
   * of our connections reused their client port.
   */
  baselineGone: number;
  /** CLOSE_WAIT sockets after the drain that were not there before the run: this run's. */
  added: number;
  /**
   * Of `added`, not accepted yet (no process holds the socket: inode 0), so
   * still in the accept queue; `null` without inodes.
   */
  queued: number | null;
  /**
   * Of `added`, accepted so recently (under `CONFIRM_LEAK_AFTER_MS` before
   * the last census) that the handler may still close them.
   */
  justAccepted: number;
}

/**
 * Our side of the connections whose FIN the server has not answered, at the
 * end of the run (sockets not there before it): whether the server's kernel
 * acknowledged our FIN (FIN_WAIT2: its socket sits in CLOSE_WAIT) or not
 * (FIN_WAIT1: a closed receive window or a path that drops our segments).
 */
export interface TesterFinTrack {
  /** Our sockets in FIN_WAIT1: our FIN not acknowledged. */
  finWait1: number;
  /**
   * Of those, with bytes before the FIN still unacknowledged (tx_queue above
   * the FIN's 1): the server's receive window is closed, our FIN unsent.
   */
  finWait1Unsent: number;
  /** Our sockets in FIN_WAIT2: the server's kernel acknowledged our FIN, no FIN back. */
  finWait2: number;
}

/** One sample of the time series, as deltas from the baseline. */
export interface SocketSample {
  /** Milliseconds since the baseline census. */
  atMs: number;
  /** Server-side states that differ from the baseline. */
  server: Partial<StateCounts>;
  /** Tester-side states that differ from the baseline. */
  tester?: Partial<StateCounts>;
  /** Accept-queue length (absolute). */
  acceptQueue?: number;
}

/** The `sockets` section of a summary when a census source was readable. */
export interface SocketReport {
  /** A census was taken. */
  available: true;
  /** The server's table, e.g. `local /proc/net/tcp`. */
  source: string;
  /** The tester's table; `null` when it could not be read. */
  testerSource: string | null;
  /** Sampling interval, ms. */
  intervalMs: number;
  /** Censuses taken, baseline included. */
  samples: number;
  /** Censuses that failed to read (the report is built from the others). */
  readErrors: number;
  /** The drain window, ms. */
  drainWindowMs: number;
  /** How long the drain took: shorter than the window when the server settled. */
  drainedAfterMs: number;
  /** Server-side sockets (local port is the server's port), per state. */
  server: Record<CensusState, StateTrack>;
  /** Tester-side sockets (remote port is the server's port), per state. */
  tester: Record<CensusState, StateTrack> | null;
  /** The LISTEN row; `null` when no listener was visible. */
  acceptQueue: AcceptQueueTrack | null;
  /**
   * Tester connections seen half-open, counted once each: established on
   * our side, with sent bytes still unacknowledged in two censuses at least
   * {@link HALF_OPEN_AFTER_MS} apart.
   */
  halfOpen: number;
  /** Namespace counters over the run and drain (server on this host only). */
  counters: KernelCounters | null;
  /** The samples, in order. */
  series: SocketSample[];
  /**
   * CLOSE_WAIT by identity after the drain; absent from reports built by
   * hand or before it was added (the `server.CLOSE_WAIT` delta stands in).
   */
  closeWait?: CloseWaitTrack;
  /**
   * Our sockets left waiting for the server's FIN at the end of the run;
   * `null` without the tester's table, absent from hand-built reports.
   */
  testerFin?: TesterFinTrack | null;
  /**
   * Most of our sockets from one address to one server address in a census,
   * every state (each holds a client port of that pair); `null` without the
   * tester's table or any socket, absent from hand-built reports.
   */
  testerPorts?: TesterPortsTrack | null;
}

/** The census that saw the most tester sockets between one address pair. */
export interface TesterPortsTrack {
  /** Tester sockets between the pair (absolute, baseline included). */
  peak: number;
  /** When, ms after the baseline census. */
  atMs: number;
  /** The server's address. */
  address: string;
  /** The server port they connect to. */
  port: number;
  /** Our address. */
  source: string;
}

/** The `sockets` section when no census could be taken. */
export interface SocketsUnavailable {
  /** No census. */
  available: false;
  /** Why, in one line, with what to do about it. */
  reason: string;
  /** Namespace counters, when they were readable. */
  counters: KernelCounters | null;
}
