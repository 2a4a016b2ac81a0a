/**
 * What a backlog sweep measured, as plain JSON data: every burst's summary,
 * the settings it ran with, this host's queue sysctls and why it stopped.
 * The format `backlog --json` saves and `backlog --compare` reads back.
 *
 * @module
 */

import type { KernelCounters } from "../census/kernel_counters.ts";
import type { Outcome } from "../engine/outcome.ts";
import type { PhaseSummary } from "../census/load_summary.ts";

/**
 * Version of the {@link BacklogSweep} format; bump on any incompatible change.
 *
 * @example
 * ```ts
 * import { BACKLOG_SWEEP_VERSION } from "./sweep_result.ts";
 * const saved = { version: 1 };
 * console.assert(saved.version === BACKLOG_SWEEP_VERSION);
 * ```
 */
export const BACKLOG_SWEEP_VERSION = 1;

/** Whether a burst came from the doubling (or given) sizes or from the bisection. */
export type BurstStage = "sweep" | "refine";

/** What one burst measured, as JSON-serialisable data. */
export interface BurstSummary {
  /** Connects fired at once. */
  size: number;
  /** Sweep size, or a bisection step. */
  stage: BurstStage;
  /** Event loops (workers) that fired them. */
  eventLoops: number;
  /** Spread of the connect calls, first to last, ms. */
  spreadMs: number;
  /** Handshakes that completed before `SYN_RETRANSMIT_AFTER_US`. */
  firstSyn: number;
  /** Handshakes at or past `SYN_RETRANSMIT_AFTER_US`: a SYN was retransmitted. */
  synRetransmitted: number;
  /** Sessions that ended in a reset (an RST from the server or its kernel). */
  resets: number;
  /** Handshakes that did not complete within the connect timeout. */
  connectTimeouts: number;
  /**
   * Sessions whose FIN the server did not answer in time. In a burst these
   * are mostly connections still waiting in the accept queue when we gave
   * up: the accept loop's latency, not a lost connection.
   */
  noFin: number;
  /** Refused, other errors and synfin's own fd or port exhaustion. */
  otherFailures: number;
  /**
   * Connects refused (ECONNREFUSED: an RST answered the SYN, so nothing
   * listened on the port); also counted in {@link otherFailures}.
   */
  refused: number;
  /** Every session's outcome. */
  outcomes: Record<Outcome, number>;
  /** Connections seen half-open (server never acknowledged); `null` without a census. */
  halfOpen: number | null;
  /** Longest accept queue the census saw; `null` without a census or listener. */
  acceptQueuePeak: number | null;
  /**
   * Accept-queue length before the burst: above the sweep's
   * `acceptQueueBaseline`, the previous burst had not drained and this burst
   * had less room. `null` without a census.
   */
  acceptQueueAtStart: number | null;
  /**
   * How long the sweep waited before this burst for the accept queue to be
   * back to its baseline, ms (0: it already was, or the wait is off);
   * `null` when the queue could not be read (no census, no listener seen).
   */
  queueWaitMs: number | null;
  /**
   * Whether the server was back to its baseline (every state but TIME_WAIT,
   * and the accept queue) at the end of the drain window; `null` without a
   * census.
   */
  settled: boolean | null;
  /** Namespace counter deltas over the burst and its drain; `null` unless local. */
  counters: KernelCounters | null;
  /** Handshake percentiles (us) and the encoded HDR histogram, mergeable exactly. */
  handshake: PhaseSummary;
  /** Wall time of the burst, hold and close included, ms. */
  durationMs: number;
  /** Whether the burst was stopped by the signal. */
  interrupted: boolean;
}

/**
 * The sysctls that bound a listener's queues, as read on this host
 * (`null` for one the kernel does not have).
 */
export interface BacklogSysctls {
  /** net.core.somaxconn: cap on every listen backlog. */
  somaxconn: number | null;
  /** net.ipv4.tcp_max_syn_backlog: SYN queue bound when syncookies are off. */
  tcpMaxSynBacklog: number | null;
  /** net.ipv4.tcp_syncookies: 0 off, 1 when the SYN queue is full, 2 always. */
  tcpSyncookies: number | null;
  /** net.ipv4.tcp_abort_on_overflow: 1 resets instead of dropping on a full queue. */
  tcpAbortOnOverflow: number | null;
}

/** Why a sweep stopped. */
export type SweepStopReason =
  /** Every size ran (and the bisection converged or used its budget). */
  | "sizes"
  /** The doubling sweep stopped after `stopAfterFailing` failing bursts in a row. */
  | "failing-bursts"
  /** synfin ran out of file descriptors or ports: larger bursts cannot be fired. */
  | "tester-limit"
  /** The signal stopped it. */
  | "signal"
  /** A whole burst was refused: the server stopped listening (see `ServerGone`). */
  | "server-gone"
  /** The accept queue did not drain back to its baseline within the bound (see `QueueNotDrained`). */
  | "queue-not-drained";

/** How a server that stopped answering during a sweep was seen. */
export interface ServerGone {
  /** The burst whose every answered connect was refused (ECONNREFUSED). */
  refusedBurst: number;
  /** Connects of that burst refused. */
  refused: number;
  /** The last burst before it with a completed handshake; `null` when none had one. */
  lastAnsweredBurst: number | null;
  /**
   * Whether one connect right after the refused burst was answered: the
   * server came back (a supervisor restarted it), so it crashed rather than
   * went away.
   */
  answeredAgain: boolean;
}

/** The wait before a burst that gave up on a queue that stayed above its baseline. */
export interface QueueNotDrained {
  /** The burst that was not fired. */
  nextBurst: number;
  /** Connections above the baseline still queued when the wait gave up. */
  held: number;
  /**
   * Our connections of the previous burst still on their way to the queue
   * then (FIN_WAIT1 and the like on our side: see `waitForAcceptQueue`).
   */
  arriving: number;
  /** The accept-queue length before the sweep's first burst. */
  baseline: number;
  /** How long the sweep waited, ms. */
  waitedMs: number;
}

/** The settings a sweep ran with. */
export interface BacklogSweepSettings {
  /** The sizes asked for, ascending. */
  sizes: number[];
  /** Connection hold after the handshake, ms. */
  holdMs: number;
  /** Handshake timeout, ms. */
  connectTimeoutMs: number;
  /** Wait for the server's FIN, ms. */
  closeTimeoutMs: number;
  /** Drain window after each burst, ms. */
  drainMs: number;
  /** Pause between bursts, ms. */
  pauseMs: number;
  /**
   * Bound on the wait before each burst for the accept queue to drain back
   * to its baseline, ms; 0: no wait.
   */
  queueWaitMs: number;
  /** Bisection bursts allowed (0 when refinement is off). */
  maxRefineBursts: number;
  /** Failing bursts in a row that stop the doubling sweep (0: never). */
  stopAfterFailing: number;
  /** Handshakes at or past this are counted as SYN retransmissions, us. */
  synRetransmitAfterUs: number;
}

/** A whole sweep, as saved by `backlog --json`. */
export interface BacklogSweep {
  /** Format version, {@link BACKLOG_SWEEP_VERSION}. */
  version: number;
  /** `HOST:PORT` as given. */
  target: string;
  /** ISO time the sweep started. */
  startedAt: string;
  /** Wall time of the sweep, ms. */
  durationMs: number;
  /** Whether the server is on this host (sysctls and counters are its own). */
  local: boolean;
  /** This host's queue sysctls; `null` when the server is elsewhere. */
  sysctls: BacklogSysctls | null;
  /**
   * The listener's backlog as the kernel holds it (`ss -lnt` Send-Q, already
   * capped at somaxconn); from the census' `ss` rows for a remote server.
   * `null` when no `ss` output was available.
   */
  configuredBacklog: number | null;
  /** Why the census is missing, when it is. */
  censusUnavailable: string | null;
  /** What the sweep ran with. */
  settings: BacklogSweepSettings;
  /** Why it stopped. */
  stoppedBy: SweepStopReason;
  /** Whether the signal stopped it (what was measured is kept). */
  interrupted: boolean;
  /**
   * The accept-queue length before the first burst (other clients' queued
   * connections); `null` when the queue could not be read.
   */
  acceptQueueBaseline: number | null;
  /** Set when the server stopped answering (`stoppedBy` `"server-gone"`). */
  serverGone: ServerGone | null;
  /** Set when the accept queue never drained (`stoppedBy` `"queue-not-drained"`). */
  queueNotDrained: QueueNotDrained | null;
  /** Every burst, in the order run. */
  bursts: BurstSummary[];
}
