/**
 * What both engines' workers share about their tally: the options it is
 * made with (per-second histograms, this worker's share of the trace) and
 * the progress message built from it.
 *
 * @module
 */

import type { FromWorker, WorkerPlan } from "./plan.ts";
import type { SessionOptions } from "./session.ts";
import { SessionTally } from "./tally.ts";
import { traceShare } from "./trace_sample.ts";

/**
 * The tally a worker records its share into.
 *
 * @example
 * ```ts
 * import { workerTally } from "./worker_tally.ts";
 * const session = { holdMs: 0, connectTimeoutMs: 1000, closeTimeoutMs: 1000, traceLimit: 10 };
 * const plan = { index: 1, concurrency: 1, sessions: 4, durationMs: null, rate: null, rateOffsetMs: 0, workers: 4 };
 * const tally = workerTally(session, plan);
 * console.assert(tally.trace !== undefined && tally.intervals === undefined);
 * ```
 */
export function workerTally(session: SessionOptions, plan: WorkerPlan): SessionTally {
  return new SessionTally({
    intervalHistograms: session.intervalHistograms,
    traceLimit: traceShare(session.traceLimit, plan.index, plan.workers ?? 1),
  });
}

/**
 * A worker's progress message: counts so far, by outcome too, and its
 * handshake p99 so far. About four a second; the p99 walks the histogram's
 * 21,504 counts once (tens of microseconds).
 *
 * @example
 * ```ts
 * import { SessionTally } from "./tally.ts";
 * import { progressMessage } from "./worker_tally.ts";
 * const tally = new SessionTally();
 * tally.add({ outcome: "clean", phase: "close", handshakeUs: 40, bytesReceived: 0, errors: [] });
 * const message = progressMessage(tally, 0, 3);
 * console.assert(message.kind === "progress" && message.outcomes?.clean === 1);
 * ```
 */
export function progressMessage(tally: SessionTally, failed: number, inFlight: number): FromWorker {
  const handshake = tally.histograms.handshake;
  return {
    kind: "progress",
    completed: tally.sessions,
    failed,
    inFlight,
    outcomes: { ...tally.outcomes },
    ...(handshake.count > 0 && { handshakeP99Us: handshake.percentile(99) }),
  };
}
