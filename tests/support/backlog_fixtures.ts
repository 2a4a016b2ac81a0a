/**
 * Hand-built backlog sweeps for the estimate, comparison and report tests:
 * bursts with a real encoded handshake histogram (first-SYN handshakes at
 * 500us, retransmitted ones at 1s, the shape a full accept queue gives).
 */
import type { BacklogSweep, BurstStage, BurstSummary } from "../../lib/backlog/sweep_result.ts";
import { LatencyHistogram } from "../../lib/engine/histogram.ts";
import type { KernelCounters } from "../../lib/census/kernel_counters.ts";
import { type Outcome, OUTCOMES } from "../../lib/engine/outcome.ts";

/** The fixed start time of {@link fakeSweep}. */
export const SWEEP_STARTED_AT = "2024-01-02T03:04:05.678Z";

/** What a fake burst showed; everything else is clean. */
export interface FakeBurst {
  stage?: BurstStage;
  retransmitted?: number;
  connectTimeouts?: number;
  resets?: number;
  /** Connects refused (ECONNREFUSED). */
  refused?: number;
  /** The wait before the burst for the accept queue, ms; `null`: not read. Default 0. */
  queueWaitMs?: number | null;
  /** `null`: no census. Default 0. */
  halfOpen?: number | null;
  /** `null`: no counters (remote server). Default: zeros with these deltas. */
  counters?: Partial<KernelCounters> | null;
  peak?: number | null;
  queueAtStart?: number | null;
  interrupted?: boolean;
  spreadMs?: number;
}

/** A burst of `size` with the given trouble. */
export function fakeBurst(size: number, fake: FakeBurst = {}): BurstSummary {
  const retransmitted = fake.retransmitted ?? 0;
  const timeouts = fake.connectTimeouts ?? 0;
  const resets = fake.resets ?? 0;
  const refused = fake.refused ?? 0;
  const histogram = new LatencyHistogram();
  const completed = size - timeouts - refused;
  for (let i = 0; i < completed; i++) {
    histogram.record(i < completed - retransmitted ? 500 : 1_000_000);
  }
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  outcomes.clean = size - timeouts - resets - refused;
  outcomes.reset = resets;
  outcomes.refused = refused;
  outcomes["connect-timeout"] = timeouts;
  const counters: KernelCounters | null = fake.counters === null ? null : {
    listenOverflows: 0,
    listenDrops: 0,
    tcpSynRetrans: 0,
    syncookiesSent: 0,
    syncookiesRecv: 0,
    syncookiesFailed: 0,
    tcpReqQFullDoCookies: 0,
    tcpReqQFullDrop: 0,
    retransSegs: 0,
    tcpTimeWaitOverflow: 0,
    ...fake.counters,
  };
  return {
    size,
    stage: fake.stage ?? "sweep",
    eventLoops: Math.max(2, Math.ceil(size / 100)),
    spreadMs: fake.spreadMs ?? 1.5,
    firstSyn: completed - retransmitted,
    synRetransmitted: retransmitted,
    resets,
    connectTimeouts: timeouts,
    noFin: 0,
    otherFailures: refused,
    refused,
    outcomes,
    halfOpen: fake.halfOpen === undefined ? 0 : fake.halfOpen,
    acceptQueuePeak: fake.peak === undefined ? Math.min(size, 9) : fake.peak,
    acceptQueueAtStart: fake.queueAtStart === undefined ? 0 : fake.queueAtStart,
    queueWaitMs: fake.queueWaitMs === undefined ? 0 : fake.queueWaitMs,
    settled: true,
    counters,
    handshake: { ...histogram.stats(), histogram: histogram.encode() },
    durationMs: retransmitted > 0 ? 2550 : 1550,
    interrupted: fake.interrupted ?? false,
  };
}

/** A local sweep of `bursts` against a listener with `backlog` (Linux defaults otherwise). */
export function fakeSweep(
  bursts: BurstSummary[],
  overrides: Partial<BacklogSweep> = {},
): BacklogSweep {
  return {
    version: 1,
    target: "127.0.0.1:20001",
    startedAt: SWEEP_STARTED_AT,
    durationMs: 15_000,
    local: true,
    sysctls: { somaxconn: 4096, tcpMaxSynBacklog: 2048, tcpSyncookies: 1, tcpAbortOnOverflow: 0 },
    configuredBacklog: 8,
    censusUnavailable: null,
    settings: {
      sizes: bursts.filter((b) => b.stage === "sweep").map((b) => b.size),
      holdMs: 1500,
      connectTimeoutMs: 3000,
      closeTimeoutMs: 1000,
      drainMs: 5000,
      pauseMs: 250,
      queueWaitMs: 30_000,
      maxRefineBursts: 6,
      stopAfterFailing: 2,
      synRetransmitAfterUs: 900_000,
    },
    stoppedBy: "sizes",
    interrupted: false,
    acceptQueueBaseline: 0,
    serverGone: null,
    queueNotDrained: null,
    bursts,
    ...overrides,
  };
}

/**
 * A slow-accept server with backlog 8 as measured: 10 connects fit (9 queued
 * plus one accepted at once), 11 and up retransmit and overflow.
 */
export function backlog8Sweep(): BacklogSweep {
  const over = (size: number, stage: BurstStage = "sweep") =>
    fakeBurst(size, {
      stage,
      retransmitted: size - 10,
      peak: 9,
      counters: { listenOverflows: size - 10, listenDrops: size - 10 },
    });
  return fakeSweep([
    over(16),
    over(32),
    fakeBurst(8, { stage: "refine", peak: 7 }),
    over(12, "refine"),
    fakeBurst(10, { stage: "refine", peak: 9 }),
    over(11, "refine"),
  ], { stoppedBy: "failing-bursts" });
}
