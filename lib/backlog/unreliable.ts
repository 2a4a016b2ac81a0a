/**
 * When a sweep's numbers cannot give a capacity: the server stopped
 * answering, or a burst did not start on a drained accept queue (it found
 * less room than the queue has, so the capacity would read too low).
 *
 * @module
 */

import { formatMicros } from "../base/duration.ts";
import type { BacklogSweep } from "./sweep_result.ts";

/** Why a sweep gives no capacity: see {@link unreliableBecause}. */
export interface Unreliability {
  /** The reason, in words that follow "capacity: "; `null` when the capacity stands. */
  unreliable: string | null;
  /** Sizes of the complete bursts that started with the queue above its baseline. */
  stale: number[];
}

/**
 * Reads why a sweep's capacity cannot be claimed: a server gone (`none
 * claimed: ...`), a queue that never drained before the next burst, or a
 * burst that started on a queue above the sweep's baseline (`estimate
 * unreliable: the accept queue held N connections of the previous burst
 * after WAIT`). Saved sweeps from before the queue wait have no baseline:
 * their queue counts as empty before the sweep.
 *
 * @example
 * ```ts
 * import { unreliableBecause } from "./unreliable.ts";
 * import type { BacklogSweep } from "./sweep_result.ts";
 * const sweep = {
 *   serverGone: null,
 *   queueNotDrained: { nextBurst: 8, held: 7, arriving: 0, baseline: 0, waitedMs: 30_000 },
 *   acceptQueueBaseline: 0,
 *   bursts: [],
 * } as unknown as BacklogSweep;
 * const why = unreliableBecause(sweep).unreliable;
 * console.assert(
 *   why === "estimate unreliable: the accept queue held 7 connections of the previous burst after 30.0s",
 * );
 * ```
 */
export function unreliableBecause(sweep: BacklogSweep): Unreliability {
  const baseline = sweep.acceptQueueBaseline ?? 0;
  const staleBursts = sweep.bursts.filter((burst) =>
    !burst.interrupted && (burst.acceptQueueAtStart ?? 0) > baseline
  );
  const stale = staleBursts.map((burst) => burst.size).sort((a, b) => a - b);
  const gone = sweep.serverGone ?? null;
  if (gone !== null) {
    const after = gone.lastAnsweredBurst === null
      ? "before any burst was answered"
      : `after burst ${gone.lastAnsweredBurst}`;
    return {
      unreliable: `none claimed: the server stopped answering ${after} (burst ` +
        `${gone.refusedBurst}: ${gone.refused} of ${gone.refusedBurst} connects refused)`,
      stale,
    };
  }
  const undrained = sweep.queueNotDrained ?? null;
  if (undrained !== null) {
    const arriving = undrained.arriving ?? 0;
    const detail = arriving > 0 ? ` (${undrained.held} queued, ${arriving} still arriving)` : "";
    return {
      unreliable: queueHeld(undrained.held + arriving, undrained.waitedMs) + detail,
      stale,
    };
  }
  const first = staleBursts[0];
  if (first === undefined) return { unreliable: null, stale };
  return {
    unreliable: queueHeld(first.acceptQueueAtStart! - baseline, first.queueWaitMs ?? 0),
    stale,
  };
}

function queueHeld(held: number, waitedMs: number): string {
  return `estimate unreliable: the accept queue held ${held} connection${held === 1 ? "" : "s"} ` +
    `of the previous burst after ${formatMs(waitedMs)}`;
}

/** `450ms`, `30.0s`: the wait as the report prints durations (`0ms`: no wait). */
function formatMs(ms: number): string {
  return ms <= 0 ? "0ms" : formatMicros(Math.round(ms) * 1000);
}
