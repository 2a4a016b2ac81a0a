/**
 * A backlog sweep: bursts of growing size against one listener, each burst
 * summarised as plain data (first-SYN handshakes, SYN retransmits, resets,
 * half-open connections, accept-queue peak, kernel counter deltas and the
 * encoded handshake histogram), then a bisection between the largest clean
 * burst and the smallest failing one. The result, a {@link BacklogSweep}, is
 * what `backlog --json` saves and `backlog --compare` reads back.
 *
 * @module
 */

import { delay } from "../base/delay.ts";
import { type BurstResult, runBurst, SYN_RETRANSMIT_AFTER_US } from "./burst.ts";
import { UsageError } from "../base/errors.ts";
import type { KernelCounters } from "../census/kernel_counters.ts";
import type { Outcome } from "../engine/outcome.ts";
import { CENSUS_STATES } from "../census/census.ts";
import { isThisHost } from "../census/source.ts";
import { readListenBacklog } from "../census/table.ts";
import type { SocketReport } from "../census/watch.ts";
import type { PhaseSummary } from "../census/load_summary.ts";
import type { Target } from "../base/target.ts";
import { readTcpSysctls } from "../census/sysctls.ts";

/**
 * Version of the {@link BacklogSweep} format; bump on any incompatible change.
 *
 * @example
 * ```ts
 * import { BACKLOG_SWEEP_VERSION } from "./sweep.ts";
 * const saved = { version: 1 };
 * console.assert(saved.version === BACKLOG_SWEEP_VERSION);
 * ```
 */
export const BACKLOG_SWEEP_VERSION = 1;

/**
 * Largest burst: each connection holds a file descriptor in this process
 * (`ulimit -n` is often 20,000) and a client port (28,232 per destination,
 * still in TIME_WAIT from the previous bursts for about 60 s).
 *
 * @example
 * ```ts
 * import { MAX_BURST_SIZE, parseBurstSizes } from "./sweep.ts";
 * console.assert(parseBurstSizes(`${MAX_BURST_SIZE}`)[0] === 10_000);
 * ```
 */
export const MAX_BURST_SIZE = 10_000;

/**
 * The default sweep: doubling from 16 to 4096, the default `somaxconn` cap
 * of current kernels (older ones cap at 128, inside the range too).
 *
 * @example
 * ```ts
 * import { DEFAULT_BURST_SIZES } from "./sweep.ts";
 * console.assert(DEFAULT_BURST_SIZES[0] === 16 && DEFAULT_BURST_SIZES.at(-1) === 4096);
 * ```
 */
export const DEFAULT_BURST_SIZES: readonly number[] = Object.freeze(doubling(16, 4096));

/**
 * Defaults of {@link sweepBacklog}.
 *
 * @example
 * ```ts
 * import { BACKLOG_SWEEP_DEFAULTS } from "./sweep.ts";
 * console.assert(BACKLOG_SWEEP_DEFAULTS.holdMs === 1500);
 * ```
 */
export const BACKLOG_SWEEP_DEFAULTS = Object.freeze({
  /**
   * Long enough for a half-open connection to be seen twice by the census
   * before the server's syncookie completes it on our probe byte's
   * retransmission (see `runBurst`).
   */
  holdMs: 1500,
  /** Two SYN retransmissions at this kernel's linear 1 s timeouts. */
  connectTimeoutMs: 3000,
  /** Our FIN until the server's; past it the session ends as `no-fin`. */
  closeTimeoutMs: 1000,
  /**
   * After a burst, sample the server until it is back to its baseline or
   * this long has passed: a slow accept loop still holds queued connections.
   */
  drainMs: 5000,
  /** Pause before the next burst (a server without a census gets the whole drain window). */
  pauseMs: 250,
  /** Refinement bursts at most: 6 halvings narrow 512..1024 to 8. */
  maxRefineBursts: 6,
  /** Failing bursts in a row after which the doubling sweep stops. */
  stopAfterFailing: 2,
});

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
  /** Handshakes that completed before {@link SYN_RETRANSMIT_AFTER_US}. */
  firstSyn: number;
  /** Handshakes at or past {@link SYN_RETRANSMIT_AFTER_US}: a SYN was retransmitted. */
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
  /** Every session's outcome. */
  outcomes: Record<Outcome, number>;
  /** Connections seen half-open (server never acknowledged); `null` without a census. */
  halfOpen: number | null;
  /** Longest accept queue the census saw; `null` without a census or listener. */
  acceptQueuePeak: number | null;
  /**
   * Accept-queue length before the burst: above 0, the previous burst had
   * not drained and this burst had less room. `null` without a census.
   */
  acceptQueueAtStart: number | null;
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
  /** The doubling sweep stopped after {@link BacklogSweepOptions.stopAfterFailing} failing bursts. */
  | "failing-bursts"
  /** synfin ran out of file descriptors or ports: larger bursts cannot be fired. */
  | "tester-limit"
  /** The signal stopped it. */
  | "signal";

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
  /** Every burst, in the order run. */
  bursts: BurstSummary[];
}

/** Options of {@link sweepBacklog}. */
export interface BacklogSweepOptions {
  /** Burst sizes, run ascending. Default {@link DEFAULT_BURST_SIZES}. */
  sizes?: readonly number[];
  /** Connection hold, ms. Default {@link BACKLOG_SWEEP_DEFAULTS}.holdMs. */
  holdMs?: number;
  /** Handshake timeout, ms. Default 3000. */
  connectTimeoutMs?: number;
  /** Wait for the server's FIN, ms. Default 1000. */
  closeTimeoutMs?: number;
  /** Drain window after each burst, ms. Default 5000 (ends once the server has settled). */
  drainMs?: number;
  /** Pause between bursts, ms. Default 250. */
  pauseMs?: number;
  /** Bisect between the largest clean and the smallest failing burst. Default true. */
  refine?: boolean;
  /** Bisection bursts at most. Default 6. */
  maxRefineBursts?: number;
  /** Stop the doubling sweep after this many failing bursts in a row; 0 runs every size. Default 2. */
  stopAfterFailing?: number;
  /** Read the server's socket table with this shell command (remote server). */
  serverSocketsCommand?: string;
  /** Stops the sweep after the burst in flight (which is cut short); the rest is returned. */
  signal?: AbortSignal;
  /** Called before each burst; `total` is the bursts planned at that point. */
  onBurstStart?: (size: number, index: number, total: number) => void;
  /**
   * Called after each burst. `total` counts the bursts planned at that point:
   * the sizes of the sweep, then the bisection steps still needed (it shrinks
   * when the sweep stops early).
   */
  onBurst?: (burst: BurstSummary, index: number, total: number) => void;
}

/**
 * Whether a burst is clean: no SYN retransmission, reset, connect timeout,
 * half-open connection, refusal or other error, judged on the client's own
 * evidence (its handshakes and outcomes, and the census of its own sockets).
 *
 * The kernel counters are not used: they count the whole network namespace,
 * so another server's overflow (a parallel test, a busy host) would dirty
 * this one; and every overflow that costs the client shows on its side
 * anyway: a dropped SYN as a handshake of 1 s or more, a dropped final ACK
 * as a half-open connection (unless the server completes it on our probe
 * byte's retransmission, about 200 ms later: a delay, not a loss; such a
 * burst also overflowed on later SYNs, which retransmit). `noFin` does not
 * count either: a connection waiting in the accept queue past the hold is
 * slow, not lost.
 *
 * @example
 * ```ts
 * import { isCleanBurst } from "./sweep.ts";
 * const burst = { synRetransmitted: 0, resets: 0, connectTimeouts: 0, otherFailures: 0, halfOpen: null };
 * console.assert(isCleanBurst(burst));
 * console.assert(!isCleanBurst({ ...burst, halfOpen: 2 }));
 * ```
 */
export function isCleanBurst(
  burst: Pick<
    BurstSummary,
    "synRetransmitted" | "resets" | "connectTimeouts" | "otherFailures" | "halfOpen"
  >,
): boolean {
  return burstFailures(burst) === 0;
}

/**
 * Failure signs of a burst: SYN retransmits + resets + connect timeouts +
 * half-open + other failures. A connection can show two signs (a reset after
 * a retransmitted SYN), so this is a count of signs, not of connections.
 *
 * @example
 * ```ts
 * import { burstFailures } from "./sweep.ts";
 * const burst = { synRetransmitted: 6, resets: 0, connectTimeouts: 1, otherFailures: 0, halfOpen: 2 };
 * console.assert(burstFailures(burst) === 9);
 * ```
 */
export function burstFailures(
  burst: Pick<
    BurstSummary,
    "synRetransmitted" | "resets" | "connectTimeouts" | "otherFailures" | "halfOpen"
  >,
): number {
  return burst.synRetransmitted + burst.resets + burst.connectTimeouts + burst.otherFailures +
    (burst.halfOpen ?? 0);
}

/** The capacity bracket of a sweep: see {@link capacityBracket}. */
export interface CapacityBracket {
  /** Largest clean burst below {@link smallestFailing}; `null` if none. */
  largestClean: number | null;
  /** Smallest failing burst; `null` when every burst was clean. */
  smallestFailing: number | null;
}

/**
 * Brackets the accept-queue capacity: the largest clean burst that is below
 * the smallest failing one, and that failing one. A clean burst above a
 * failing one (noise, or an accept loop that happened to keep up) does not
 * raise the capacity: the smallest failure is what a client can hit.
 * Interrupted bursts are left out.
 *
 * @example
 * ```ts
 * import { capacityBracket } from "./sweep.ts";
 * const b = (size: number, synRetransmitted: number) => ({
 *   size, synRetransmitted, resets: 0, connectTimeouts: 0, otherFailures: 0, halfOpen: 0,
 *   interrupted: false,
 * });
 * const bracket = capacityBracket([b(8, 0), b(16, 6), b(10, 0), b(12, 2)]);
 * console.assert(bracket.largestClean === 10 && bracket.smallestFailing === 12);
 * ```
 */
export function capacityBracket(
  bursts: readonly Pick<
    BurstSummary,
    | "size"
    | "synRetransmitted"
    | "resets"
    | "connectTimeouts"
    | "otherFailures"
    | "halfOpen"
    | "interrupted"
  >[],
): CapacityBracket {
  const complete = bursts.filter((burst) => !burst.interrupted);
  let smallestFailing: number | null = null;
  for (const burst of complete) {
    if (!isCleanBurst(burst) && (smallestFailing === null || burst.size < smallestFailing)) {
      smallestFailing = burst.size;
    }
  }
  let largestClean: number | null = null;
  for (const burst of complete) {
    if (!isCleanBurst(burst)) continue;
    if (smallestFailing !== null && burst.size >= smallestFailing) continue;
    if (largestClean === null || burst.size > largestClean) largestClean = burst.size;
  }
  return { largestClean, smallestFailing };
}

/**
 * Parses a `--burst` spec: `64..2048` (doubling from 64, ending at 2048
 * even when the doubling does not land on it), `100,200,400`, or `512`.
 * Returns the sizes ascending, without duplicates.
 *
 * @throws {UsageError} naming the bad text when a size is not a whole number
 *   in 1..{@link MAX_BURST_SIZE} or a range runs backwards.
 * @example
 * ```ts
 * import { parseBurstSizes } from "./sweep.ts";
 * console.assert(parseBurstSizes("64..512").join() === "64,128,256,512");
 * console.assert(parseBurstSizes("100..500").join() === "100,200,400,500");
 * console.assert(parseBurstSizes("400,100,200").join() === "100,200,400");
 * console.assert(parseBurstSizes("512").join() === "512");
 * ```
 */
export function parseBurstSizes(text: string): number[] {
  const spec = text.trim();
  const bad = (why: string) =>
    new UsageError(
      `Invalid --burst "${text}": ${why}; use e.g. 64..2048 (doubling), 100,200,400 or 512`,
    );
  const size = (part: string): number => {
    const trimmed = part.trim();
    if (!/^\d+$/.test(trimmed)) {
      throw bad(trimmed === "" ? "a size is missing" : `"${trimmed}" is not a whole number`);
    }
    const value = Number(trimmed);
    if (value < 1 || value > MAX_BURST_SIZE) {
      throw bad(`${value} is outside 1..${MAX_BURST_SIZE} (each connect holds an fd and a port)`);
    }
    return value;
  };
  if (spec === "") throw bad("no size given");
  const range = /^(.*?)\.\.(.*)$/.exec(spec);
  if (range) {
    const from = size(range[1]);
    const to = size(range[2]);
    if (from > to) throw bad(`the range runs backwards (${from} > ${to})`);
    return doubling(from, to);
  }
  return [...new Set(spec.split(",").map(size))].sort((a, b) => a - b);
}

function doubling(from: number, to: number): number[] {
  const sizes: number[] = [];
  for (let size = from; size < to; size *= 2) sizes.push(size);
  sizes.push(to);
  return sizes;
}

/**
 * Sweeps burst sizes against `target` and returns every burst's numbers.
 *
 * Runs each size (ascending) with {@link runBurst}, letting the server
 * drain between bursts (the census samples until the server is back to its
 * baseline, up to `drainMs`, then `pauseMs`; without a census, the whole
 * `drainMs`). The doubling sweep stops after `stopAfterFailing` failing
 * bursts in a row: past the knee every burst only adds connect timeouts
 * and minutes. Then, unless `refine` is off, it bisects
 * between the largest clean burst and the smallest failing one (see
 * {@link capacityBracket}) for at most `maxRefineBursts` more bursts, so the
 * capacity is exact rather than a power of two.
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
  const settings: BacklogSweepSettings = {
    sizes,
    holdMs: options.holdMs ?? d.holdMs,
    connectTimeoutMs: options.connectTimeoutMs ?? d.connectTimeoutMs,
    closeTimeoutMs: options.closeTimeoutMs ?? d.closeTimeoutMs,
    drainMs: options.drainMs ?? d.drainMs,
    pauseMs: options.pauseMs ?? d.pauseMs,
    maxRefineBursts: options.refine === false ? 0 : options.maxRefineBursts ?? d.maxRefineBursts,
    stopAfterFailing: options.stopAfterFailing ?? d.stopAfterFailing,
    synRetransmitAfterUs: SYN_RETRANSMIT_AFTER_US,
  };
  const { signal } = options;
  const startedAt = Date.now();
  const start = performance.now();
  const local = options.serverSocketsCommand === undefined && isThisHost(target);
  const [sysctls, localBacklog] = local
    ? await Promise.all([readSysctls(), readListenBacklog(target.port).catch(() => undefined)])
    : [null, undefined];

  const bursts: BurstSummary[] = [];
  let configuredBacklog = localBacklog ?? null;
  let censusUnavailable: string | null = null;
  let stoppedBy: SweepStopReason = "sizes";
  // fire() sets stoppedBy: read it through a call, which the checker does not narrow.
  const stopReason = (): SweepStopReason => stoppedBy;
  const halted = () => stopReason() === "signal" || stopReason() === "tester-limit";
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
    if (signal?.aborted) {
      stoppedBy = "signal";
      return undefined;
    }
    options.onBurstStart?.(size, bursts.length, total);
    const result = await runBurst(target, size, {
      holdMs: settings.holdMs,
      connectTimeoutMs: settings.connectTimeoutMs,
      closeTimeoutMs: settings.closeTimeoutMs,
      drainMs: settings.drainMs,
      serverSocketsCommand: options.serverSocketsCommand,
      signal,
    });
    const { sockets } = result;
    if (sockets.available) configuredBacklog ??= sockets.acceptQueue?.backlog ?? null;
    else censusUnavailable ??= sockets.reason;
    const burst = summarizeBurst(result, stage, signal?.aborted ?? false);
    bursts.push(burst);
    if (burst.interrupted) stoppedBy = "signal";
    else if (burst.outcomes["tester-limit"] > 0) stoppedBy = "tester-limit";
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
    bursts,
  };
}

/** Bisection steps still to come: halvings of the capacity bracket, at most `budget`. */
function refineSteps(bursts: BurstSummary[], budget: number): number {
  const { largestClean, smallestFailing } = capacityBracket(bursts);
  if (smallestFailing === null || budget <= 0) return 0;
  const gap = smallestFailing - (largestClean ?? 0);
  return gap <= 1 ? 0 : Math.min(budget, Math.ceil(Math.log2(gap)));
}

function summarizeBurst(result: BurstResult, stage: BurstStage, aborted: boolean): BurstSummary {
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
    outcomes,
    halfOpen: sockets.available ? sockets.halfOpen : null,
    acceptQueuePeak: sockets.available ? sockets.acceptQueue?.peak ?? null : null,
    acceptQueueAtStart: sockets.available ? sockets.acceptQueue?.baseline ?? null : null,
    settled: sockets.available ? settled(sockets) : null,
    counters: sockets.counters,
    handshake: { ...histogram.stats(), histogram: histogram.encode() },
    durationMs: Math.round(result.durationMs),
    interrupted: result.interrupted || aborted,
  };
}

/**
 * Back to the baseline: no server state but TIME_WAIT (about 60 s by design)
 * above it, and the accept queue no longer than before the burst.
 */
function settled(report: SocketReport): boolean {
  const queue = report.acceptQueue;
  if (queue && queue.drained > queue.baseline) return false;
  return CENSUS_STATES.every((state) => state === "TIME_WAIT" || report.server[state].drained <= 0);
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
