/**
 * A backlog sweep: bursts of growing size against one listener, each burst
 * summarised as plain data (first-SYN handshakes, SYN retransmits, resets,
 * half-open connections, accept-queue peak, kernel counter deltas and the
 * encoded handshake histogram), then a bisection between the largest clean
 * burst and the smallest failing one. The result, a `BacklogSweep`
 * (sweep_result.ts), is what `backlog --json` saves and `backlog --compare`
 * reads back.
 *
 * @module
 */

import { delay } from "../base/delay.ts";
import { type BurstResult, runBurst, SYN_RETRANSMIT_AFTER_US } from "./burst.ts";
import { capacityBracket, isCleanBurst } from "./capacity.ts";
import { acceptQueueReader, waitForAcceptQueue } from "./queue_wait.ts";
import { answersAgain, isRefusedBurst } from "./server_gone.ts";
import { drainSettled } from "../census/settled.ts";
import { isThisHost } from "../census/source.ts";
import { readListenBacklog } from "../census/table.ts";
import type { Target } from "../base/target.ts";
import { readTcpSysctls } from "../census/sysctls.ts";
import {
  BACKLOG_SWEEP_DEFAULTS,
  type BacklogSweepOptions,
  DEFAULT_BURST_SIZES,
  MAX_BURST_SIZE,
} from "./sweep_options.ts";
import {
  BACKLOG_SWEEP_VERSION,
  type BacklogSweep,
  type BacklogSweepSettings,
  type BacklogSysctls,
  type BurstStage,
  type BurstSummary,
  type QueueNotDrained,
  type ServerGone,
  type SweepStopReason,
} from "./sweep_result.ts";

/**
 * Sweeps burst sizes against `target` and returns every burst's numbers.
 *
 * Runs each size (ascending) with {@link runBurst}, letting the server
 * drain between bursts (the census samples until the server is back to its
 * baseline, up to the census' `drainMs`, then `pauseMs`; without a census,
 * the whole drain window), then waiting up to `queueWaitMs` until the
 * listener's accept queue is back to its length before the sweep (see
 * `waitForAcceptQueue`). The doubling sweep stops after `stopAfterFailing` failing
 * bursts in a row: past the knee every burst only adds connect timeouts
 * and minutes. Then, unless `refine` is off, it bisects
 * between the largest clean burst and the smallest failing one (see
 * {@link capacityBracket}) for at most `maxRefineBursts` more bursts, so the
 * capacity is exact rather than a power of two.
 *
 * Two findings end the sweep early, since no later burst could measure the
 * queue: a burst whose connects were all refused (the server is gone:
 * `serverGone`, with one connect after it telling whether it came back),
 * and an accept queue still above its baseline when the wait's bound
 * passed (`queueNotDrained`).
 *
 * Never throws on the server's behaviour; a stop by `signal` returns what was
 * measured with `interrupted` set.
 *
 * @throws {RangeError} when a size is not an integer in 1..{@link MAX_BURST_SIZE}.
 * @example
 * ```ts
 * import { sweepBacklog } from "./sweep.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const sweep = await sweepBacklog(server.target, {
 *   sizes: [4, 8],
 *   holdMs: 100,
 *   onBurst: (burst, i, total) => console.error(`${i + 1}/${total}: ${burst.size}`),
 * });
 * console.assert(sweep.bursts.every((burst) => burst.firstSyn === burst.size));
 * ```
 */
export async function sweepBacklog(
  target: Target,
  options: BacklogSweepOptions = {},
): Promise<BacklogSweep> {
  const d = BACKLOG_SWEEP_DEFAULTS;
  const sizes = [...new Set(options.sizes ?? DEFAULT_BURST_SIZES)].sort((a, b) => a - b);
  for (const size of sizes) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_BURST_SIZE) {
      throw new RangeError(`Invalid burst size ${size}: use an integer in 1..${MAX_BURST_SIZE}`);
    }
  }
  const census = options.census ?? { drainMs: d.drainMs };
  const settings: BacklogSweepSettings = {
    sizes,
    holdMs: options.holdMs ?? d.holdMs,
    connectTimeoutMs: options.connectTimeoutMs ?? d.connectTimeoutMs,
    closeTimeoutMs: options.closeTimeoutMs ?? d.closeTimeoutMs,
    // Without a census the default drain window is still waited out between bursts.
    drainMs: census === "off" ? d.drainMs : census.drainMs,
    pauseMs: options.pauseMs ?? d.pauseMs,
    queueWaitMs: options.queueWaitMs ?? d.queueWaitMs,
    maxRefineBursts: options.refine === false ? 0 : options.maxRefineBursts ?? d.maxRefineBursts,
    stopAfterFailing: options.stopAfterFailing ?? d.stopAfterFailing,
    synRetransmitAfterUs: SYN_RETRANSMIT_AFTER_US,
  };
  const { signal } = options;
  const startedAt = Date.now();
  const start = performance.now();
  const local = (census === "off" || census.serverSocketsCommand === undefined) &&
    isThisHost(target);
  const [sysctls, localBacklog] = local
    ? await Promise.all([readSysctls(), readListenBacklog(target.port).catch(() => undefined)])
    : [null, undefined];
  const readQueue = await acceptQueueReader(target, census);
  const queueBaseline = readQueue ? await readQueue() : null;
  const acceptQueueBaseline = queueBaseline?.acceptQueue ?? null;

  const bursts: BurstSummary[] = [];
  let configuredBacklog = localBacklog ?? null;
  let censusUnavailable: string | null = null;
  let stoppedBy: SweepStopReason = "sizes";
  let refusedBurst: BurstSummary | undefined;
  let queueNotDrained: QueueNotDrained | null = null;
  // fire() sets stoppedBy: read it through a call, which the checker does not narrow.
  const stopReason = (): SweepStopReason => stoppedBy;
  const halted = () => HALTING.has(stopReason());
  let refined = 0;
  const planned = (sweepLeft: number) =>
    bursts.length + sweepLeft + refineSteps(bursts, settings.maxRefineBursts - refined);

  const fire = async (size: number, stage: BurstStage, total: number) => {
    const previous = bursts.at(-1);
    // Without a census nothing tells when the server has settled: wait out
    // the whole drain window instead of the census' early end.
    const pause = previous?.settled === null
      ? Math.max(settings.pauseMs, settings.drainMs)
      : settings.pauseMs;
    if (previous && pause > 0) await delay(pause, { signal });
    let queueWaitMs: number | null = queueBaseline ? 0 : null;
    if (previous && queueBaseline && settings.queueWaitMs > 0) {
      const wait = await waitForAcceptQueue(readQueue!, queueBaseline, settings.queueWaitMs, {
        signal,
      });
      queueWaitMs = wait.reading === null ? null : wait.waitedMs;
      if (!wait.drained && !signal?.aborted) {
        stoppedBy = "queue-not-drained";
        queueNotDrained = {
          nextBurst: size,
          held: Math.max(0, wait.reading!.acceptQueue - queueBaseline.acceptQueue),
          arriving: Math.max(0, wait.reading!.arriving - queueBaseline.arriving),
          baseline: queueBaseline.acceptQueue,
          waitedMs: wait.waitedMs,
        };
        return undefined;
      }
    }
    if (signal?.aborted) {
      stoppedBy = "signal";
      return undefined;
    }
    options.onBurstStart?.(size, bursts.length, total);
    const result = await runBurst(target, size, {
      holdMs: settings.holdMs,
      connectTimeoutMs: settings.connectTimeoutMs,
      closeTimeoutMs: settings.closeTimeoutMs,
      census,
      engine: options.engine,
      signal,
    });
    const { sockets } = result;
    if (sockets.available) configuredBacklog ??= sockets.acceptQueue?.backlog ?? null;
    else censusUnavailable ??= sockets.reason;
    const burst = summarizeBurst(result, stage, signal?.aborted ?? false, queueWaitMs);
    bursts.push(burst);
    if (burst.interrupted) stoppedBy = "signal";
    else if (burst.outcomes["tester-limit"] > 0) stoppedBy = "tester-limit";
    else if (isRefusedBurst(burst)) {
      stoppedBy = "server-gone";
      refusedBurst = burst;
    }
    return burst;
  };

  let failingInARow = 0;
  for (const [i, size] of sizes.entries()) {
    const burst = await fire(size, "sweep", planned(sizes.length - i));
    if (!burst) break;
    failingInARow = isCleanBurst(burst) ? 0 : failingInARow + 1;
    let sweepLeft = sizes.length - i - 1;
    if (
      !halted() && sweepLeft > 0 && settings.stopAfterFailing > 0 &&
      failingInARow >= settings.stopAfterFailing
    ) {
      stoppedBy = "failing-bursts";
      sweepLeft = 0;
    }
    options.onBurst?.(burst, bursts.length - 1, halted() ? bursts.length : planned(sweepLeft));
    if (halted() || sweepLeft === 0) break;
  }

  while (!halted() && refined < settings.maxRefineBursts) {
    const { largestClean, smallestFailing } = capacityBracket(bursts);
    if (smallestFailing === null) break;
    const low = largestClean ?? 0;
    if (smallestFailing - low <= 1) break;
    const size = Math.floor((low + smallestFailing) / 2);
    // Only an interrupted burst leaves its size inside the bracket; never rerun it.
    if (bursts.some((burst) => burst.size === size)) break;
    const burst = await fire(size, "refine", planned(0));
    if (!burst) break;
    refined++;
    options.onBurst?.(burst, bursts.length - 1, halted() ? bursts.length : planned(0));
  }

  let serverGone: ServerGone | null = null;
  if (refusedBurst) {
    const answered = bursts.filter((b) => b.firstSyn + b.synRetransmitted > 0).at(-1);
    // After the pause a restarting server has had a moment to listen again.
    await delay(settings.pauseMs, { signal });
    serverGone = {
      refusedBurst: refusedBurst.size,
      refused: refusedBurst.refused,
      lastAnsweredBurst: answered?.size ?? null,
      answeredAgain: await answersAgain(target, {
        connectTimeoutMs: settings.connectTimeoutMs,
        signal,
      }),
    };
  }
  return {
    version: BACKLOG_SWEEP_VERSION,
    target: target.label,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Math.round(performance.now() - start),
    local,
    sysctls,
    configuredBacklog,
    censusUnavailable,
    settings,
    stoppedBy,
    interrupted: stopReason() === "signal",
    acceptQueueBaseline,
    serverGone,
    queueNotDrained,
    bursts,
  };
}

/** Stops that end the whole sweep, the bisection included. */
const HALTING: ReadonlySet<SweepStopReason> = new Set<SweepStopReason>([
  "signal",
  "tester-limit",
  "server-gone",
  "queue-not-drained",
]);

/** Bisection steps still to come: halvings of the capacity bracket, at most `budget`. */
function refineSteps(bursts: BurstSummary[], budget: number): number {
  const { largestClean, smallestFailing } = capacityBracket(bursts);
  if (smallestFailing === null || budget <= 0) return 0;
  const gap = smallestFailing - (largestClean ?? 0);
  return gap <= 1 ? 0 : Math.min(budget, Math.ceil(Math.log2(gap)));
}

function summarizeBurst(
  result: BurstResult,
  stage: BurstStage,
  aborted: boolean,
  queueWaitMs: number | null,
): BurstSummary {
  const { sockets, tally } = result;
  const outcomes = { ...tally.outcomes };
  const histogram = tally.histograms.handshake;
  return {
    size: result.size,
    stage,
    eventLoops: result.eventLoops,
    spreadMs: Math.round(result.spreadMs * 100) / 100,
    firstSyn: result.firstSyn,
    synRetransmitted: result.synRetransmitted,
    resets: outcomes.reset,
    connectTimeouts: outcomes["connect-timeout"],
    noFin: outcomes["no-fin"],
    otherFailures: outcomes.refused + outcomes.error + outcomes["tester-limit"],
    refused: outcomes.refused,
    outcomes,
    halfOpen: sockets.available ? sockets.halfOpen : null,
    acceptQueuePeak: sockets.available ? sockets.acceptQueue?.peak ?? null : null,
    acceptQueueAtStart: sockets.available ? sockets.acceptQueue?.baseline ?? null : null,
    queueWaitMs,
    settled: sockets.available ? drainSettled(sockets) : null,
    counters: sockets.counters,
    handshake: { ...histogram.stats(), histogram: histogram.encode() },
    durationMs: Math.round(result.durationMs),
    interrupted: result.interrupted || aborted,
  };
}

async function readSysctls(): Promise<BacklogSysctls> {
  const all = await readTcpSysctls();
  return {
    somaxconn: all.somaxconn ?? null,
    tcpMaxSynBacklog: all.tcpMaxSynBacklog ?? null,
    tcpSyncookies: all.tcpSyncookies ?? null,
    tcpAbortOnOverflow: all.tcpAbortOnOverflow ?? null,
  };
}
