/**
 * What the kernel said of each session (TCP_INFO, read by the raw engine at
 * the handshake and before our FIN), and its sums over a run. No peer tool
 * reports these: SYN retransmissions counted by the kernel rather than
 * guessed from a latency near 1 s, and whether a FIN the server never
 * answered was at least acknowledged by its kernel.
 *
 * @module
 */

import type { Outcome } from "./outcome.ts";
import type { KernelTcpState } from "./raw/tcp_info.ts";

/** TCP_INFO of one session. */
export interface SessionKernelEvidence {
  /** SYN retransmissions of the handshake (`tcpi_total_retrans` right after it). */
  synRetransmits: number;
  /** Smoothed round-trip time after the handshake, microseconds. */
  rttUs: number;
  /** Our socket's state as we were about to send our FIN (`CLOSE_WAIT`: the server closed first). */
  stateBeforeFin?: KernelTcpState;
  /** Segments we sent that the server had not acknowledged, just before our FIN. */
  unackedBeforeFin?: number;
  /**
   * For a session whose FIN went unanswered: whether the server's kernel
   * acknowledged our FIN (`FIN_WAIT2`: the application never closed) or not
   * (`FIN_WAIT1`: the server's host did not answer at all).
   */
  finAcked?: boolean;
}

/** Sums of the sessions' kernel evidence. */
export interface KernelEvidenceTally {
  /** Sessions that carried evidence (raw engine, established). */
  sessions: number;
  /** SYN retransmissions over every handshake. */
  synRetransmits: number;
  /** Handshakes that needed at least one SYN retransmission. */
  sessionsWithSynRetransmits: number;
  /** Sessions whose socket was already in CLOSE_WAIT when we were about to send our FIN. */
  closeWaitBeforeFin: number;
  /** Sessions with sent data still unacknowledged just before our FIN (half-open evidence). */
  unackedBeforeFin: number;
  /** `no-fin` sessions whose FIN the server's kernel acknowledged. */
  noFinAcked: number;
  /** `no-fin` sessions whose FIN was never acknowledged. */
  noFinUnacked: number;
}

/**
 * A tally with nothing counted.
 *
 * @example
 * ```ts
 * import { emptyKernelTally } from "./kernel_evidence.ts";
 * console.assert(emptyKernelTally().synRetransmits === 0);
 * ```
 */
export function emptyKernelTally(): KernelEvidenceTally {
  return {
    sessions: 0,
    synRetransmits: 0,
    sessionsWithSynRetransmits: 0,
    closeWaitBeforeFin: 0,
    unackedBeforeFin: 0,
    noFinAcked: 0,
    noFinUnacked: 0,
  };
}

/**
 * Adds one session's evidence to `tally`.
 *
 * @example
 * ```ts
 * import { addKernelEvidence, emptyKernelTally } from "./kernel_evidence.ts";
 * const tally = emptyKernelTally();
 * addKernelEvidence(tally, { synRetransmits: 2, rttUs: 30, finAcked: true }, "no-fin");
 * console.assert(tally.synRetransmits === 2 && tally.noFinAcked === 1);
 * ```
 */
export function addKernelEvidence(
  tally: KernelEvidenceTally,
  evidence: SessionKernelEvidence,
  outcome: Outcome,
): void {
  tally.sessions++;
  tally.synRetransmits += evidence.synRetransmits;
  if (evidence.synRetransmits > 0) tally.sessionsWithSynRetransmits++;
  if (evidence.stateBeforeFin === "CLOSE_WAIT") tally.closeWaitBeforeFin++;
  if ((evidence.unackedBeforeFin ?? 0) > 0) tally.unackedBeforeFin++;
  if (outcome === "no-fin" && evidence.finAcked !== undefined) {
    if (evidence.finAcked) tally.noFinAcked++;
    else tally.noFinUnacked++;
  }
}

/**
 * Adds `other` into `tally` (workers' tallies merge exactly: these are counts).
 *
 * @example
 * ```ts
 * import { emptyKernelTally, mergeKernelTally } from "./kernel_evidence.ts";
 * const a = { ...emptyKernelTally(), sessions: 2, synRetransmits: 1 };
 * mergeKernelTally(a, { ...emptyKernelTally(), sessions: 3 });
 * console.assert(a.sessions === 5 && a.synRetransmits === 1);
 * ```
 */
export function mergeKernelTally(tally: KernelEvidenceTally, other: KernelEvidenceTally): void {
  for (const key of Object.keys(tally) as (keyof KernelEvidenceTally)[]) {
    tally[key] += other[key] ?? 0;
  }
}
