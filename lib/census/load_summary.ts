/**
 * The versioned JSON summary of a load, as printed by `--json`. Documented
 * in the README; bump {@link SUMMARY_VERSION} on any incompatible change.
 *
 * @module
 */

import type { KernelEvidenceTally } from "../engine/kernel_evidence.ts";
import type { EngineName, LoadResult, StopReason } from "../engine/runner.ts";
import type { TesterUsage } from "../engine/load.ts";
import type { PhaseStats } from "../engine/histogram.ts";
import type { Outcome, Phase } from "../engine/outcome.ts";
import { type ScriptErrorGroup, TIMED_PHASES, type TimedPhase } from "../engine/tally.ts";
import type { CheckCount } from "../engine/scripted/checks.ts";
import type { TlsCloseCounts } from "../engine/tls.ts";
import type { Segment } from "../engine/segment.ts";
import type { SocketReport, SocketsUnavailable } from "./socket_report.ts";
import type { LingerFindings } from "./findings.ts";

/** Version of the summary format. */
export const SUMMARY_VERSION = 1;

/** One phase in the summary: stats plus the encoded HDR histogram. */
export interface PhaseSummary extends PhaseStats {
  /** Compressed base64 HDR histogram (microseconds), mergeable exactly. */
  histogram: string;
}

/** The JSON summary of a load. */
export interface LoadSummary {
  /** Format version, {@link SUMMARY_VERSION}. */
  version: number;
  /** `HOST:PORT` as given. */
  target: string;
  /** ISO time the run started. */
  startedAt: string;
  /** Wall time of the run in ms. */
  durationMs: number;
  /** Sessions finished. */
  sessions: number;
  /** Sessions finished per second. */
  sessionsPerSecond: number;
  /** Why the run stopped. */
  stoppedBy: StopReason;
  /** How the load was shaped. */
  load: {
    /** `closed` (fixed concurrency) or `open` (fixed rate). */
    loop: "closed" | "open";
    /** Sessions in flight (closed loop), or at most (open loop). */
    concurrency: number;
    /** Open loop rate, sessions/s. */
    rate: number | null;
    /** Session count bound. */
    sessionsLimit: number | null;
    /** Time bound in ms. */
    durationLimitMs: number | null;
    /** Dwell before our FIN, ms. */
    holdMs: number;
    /** Bytes sent after connect. */
    sendBytes: number;
    /** Handshake timeout, ms. */
    connectTimeoutMs: number;
    /** Wait for the server's FIN, ms. */
    closeTimeoutMs: number;
    /** The socket layer: `raw` (libc epoll loops) or `deno` (`Deno.connect`). */
    engine: EngineName;
    /** Event loops (workers) used, with the most sessions each had in flight. */
    maxInFlightPerEventLoop: number[];
  };
  /** Outcome name to count (every outcome present, zeros included). */
  outcomes: Record<Outcome, number>;
  /** Per timed phase: count, percentiles (us) and the encoded histogram (`tls` counts 0 without `--tls`). */
  phases: Record<TimedPhase, PhaseSummary>;
  /** Sessions that sent data and got no byte back. */
  noResponse: number;
  /** Open loop: starts due by the rate schedule (started plus dropped); `null` in a closed loop. */
  intendedStarts: number | null;
  /** Open loop: intended starts not made because the in-flight cap was reached (0 in a closed loop). */
  droppedStarts: number;
  /** What the run cost the tester: memory per session in flight, the fd limit. */
  tester: TesterUsage;
  /** Sums of per-session TCP_INFO evidence; `null` on the `deno` engine (no TCP_INFO). */
  kernel: KernelEvidenceTally | null;
  /** Failed operations by phase and errno. */
  errors: { phase: Phase; errno: string; count: number }[];
  /**
   * Sessions per second of the run, from the first second a session
   * started in: a staged load's ramp shows here.
   */
  timeSeries: TimeSeries;
  /** `--tls` runs: of the sessions whose server closed, how it ended the TLS stream. */
  tls?: TlsCloseCounts;
  /** Scripted runs: the scenario that ran. */
  scenario?: ScenarioSummary;
  /** The run's tags (config `tags`, a scenario's `options.tags`, `--tag`), when it has any. */
  tags?: Readonly<Record<string, string>>;
  /** Scripted runs: each mark series (`login{region:eu}`): count, percentiles (us), histogram. */
  marks?: Record<string, PhaseSummary>;
  /** Scripted runs: passes and fails per check. */
  checks?: CheckCount[];
  /** Scripted runs: sessions a scenario's throw ended, by message. */
  scriptErrors?: ScriptErrorGroup[];
  /** The socket census of the server port, when one was taken (see `SocketWatch`). */
  sockets?: SocketReport | SocketsUnavailable;
  /** The census cross-checked with the outcomes, when a census was attempted. */
  lingering?: LingerFindings;
  /** `--segment i/N`: this generator's part of a load split over N (see `segmentLoad`). */
  segment?: Segment;
}

/** Sessions started, finished and failed per second of a run. */
export interface TimeSeries {
  /** Width of each point, ms. */
  intervalMs: number;
  /** ISO time the first point begins, or `null` when no session ran. */
  from: string | null;
  /** One point per interval, in order, gaps filled with zeros. */
  points: TimeSeriesPoint[];
}

/** One interval of a {@link TimeSeries}. */
export interface TimeSeriesPoint {
  /** Seconds from the series' start. */
  second: number;
  /** Sessions whose connect was called in it. */
  started: number;
  /** Sessions that ended in it. */
  finished: number;
  /** Of them, sessions with a failing outcome. */
  failed: number;
}

/** Which scenario a scripted run ran. */
export interface ScenarioSummary {
  /** A built-in's name (`redis-ping`) or the module as given (`my_scenario.ts`). */
  name: string;
}

/** Parts of the summary measured outside the load itself. */
export interface SummaryExtras {
  /** The socket census. */
  sockets?: SocketReport | SocketsUnavailable;
  /** Its findings. */
  lingering?: LingerFindings;
}

/**
 * Builds the JSON summary of a load result.
 *
 * @example
 * ```ts
 * import { summarizeLoad } from "./load_summary.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const result = await new LoadRunner(server.target, { sessions: 10 }).run();
 * const summary = summarizeLoad(result);
 * console.assert(summary.sessions === 10 && summary.outcomes.clean === 10);
 * console.assert(JSON.parse(JSON.stringify(summary)).phases.handshake.count === 10);
 * ```
 */
export function summarizeLoad(result: LoadResult, extras: SummaryExtras = {}): LoadSummary {
  const { tally, shape, session } = result;
  const phases = Object.fromEntries(TIMED_PHASES.map((phase) => {
    const histogram = tally.histograms[phase];
    return [phase, { ...histogram.stats(), histogram: histogram.encode() }];
  })) as Record<TimedPhase, PhaseSummary>;
  return {
    version: SUMMARY_VERSION,
    target: result.target.label,
    startedAt: new Date(result.startedAt).toISOString(),
    durationMs: Math.round(result.durationMs),
    sessions: tally.sessions,
    sessionsPerSecond: result.durationMs > 0
      ? Math.round((tally.sessions / result.durationMs) * 1000)
      : 0,
    stoppedBy: result.stoppedBy,
    load: {
      loop: shape.rate === null ? "closed" : "open",
      concurrency: shape.concurrency,
      rate: shape.rate,
      sessionsLimit: shape.sessions,
      durationLimitMs: shape.durationMs,
      holdMs: session.holdMs,
      sendBytes: session.send?.byteLength ?? 0,
      connectTimeoutMs: session.connectTimeoutMs,
      closeTimeoutMs: session.closeTimeoutMs,
      engine: result.engine,
      maxInFlightPerEventLoop: result.maxInFlightPerEventLoop,
    },
    outcomes: { ...tally.outcomes },
    phases,
    noResponse: tally.noResponse,
    intendedStarts: shape.rate === null ? null : tally.intendedStarts,
    droppedStarts: tally.droppedStarts,
    tester: { ...result.tester },
    kernel: tally.kernel.sessions > 0 ? { ...tally.kernel } : null,
    errors: tally.errors,
    timeSeries: timeSeriesOf(tally.timeline),
    ...(session.tls && { tls: { ...tally.tlsClose } }),
    ...(tally.marks.size > 0 && {
      marks: Object.fromEntries(
        [...tally.marks].map(([key, h]) => [key, { ...h.stats(), histogram: h.encode() }]),
      ),
    }),
    ...(tally.checks.length > 0 && { checks: tally.checks.map((c) => ({ ...c })) }),
    ...(tally.scriptErrors.length > 0 && { scriptErrors: tally.scriptErrors }),
    ...extras,
  };
}

function timeSeriesOf(timeline: readonly [number, number, number, number][]): TimeSeries {
  if (timeline.length === 0) return { intervalMs: 1000, from: null, points: [] };
  const first = timeline[0][0];
  const points: TimeSeriesPoint[] = [];
  for (const [second, started, finished, failed] of timeline) {
    while (points.length < second - first) {
      points.push({ second: points.length, started: 0, finished: 0, failed: 0 });
    }
    points.push({ second: second - first, started, finished, failed });
  }
  return { intervalMs: 1000, from: new Date(first * 1000).toISOString(), points };
}
