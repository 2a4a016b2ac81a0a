/**
 * The HTML report's charts, from the typed results: a latency histogram
 * per phase, percentile curves, sessions per second, the census' socket
 * states over time and the backlog sweep. Each is an SVG figure drawn by
 * `html_svg.ts`.
 *
 * @module
 */

import { LatencyHistogram } from "../engine/histogram.ts";
import type { PhaseSummary, TimeSeries } from "../census/load_summary.ts";
import { CENSUS_STATES, type CensusState } from "../census/census.ts";
import type { SocketReport } from "../census/socket_report.ts";
import type { BacklogSweep } from "../backlog/sweep_result.ts";
import { barChart, lineChart, type LineSeries } from "./html_svg.ts";
import { formatUs, PALETTE } from "./html_axes.ts";

/** Colours with a meaning: sessions that passed and sessions that failed. */
const PASSING = "#009e73";
const FAILING = "#d55e00";

/**
 * One phase's latency histogram: counts on log-scaled buckets with 1-2-5
 * edges (`LatencyHistogram.logBuckets`), so a 30 us loopback mode and a
 * 1 s SYN-retransmit mode show on one chart.
 *
 * @example
 * ```ts
 * import { latencyHistogramChart } from "./html_charts.ts";
 * import { LatencyHistogram } from "../engine/histogram.ts";
 * const h = new LatencyHistogram();
 * for (const us of [40, 45, 1_000_000]) h.record(us);
 * const svg = latencyHistogramChart("handshake", { ...h.stats(), histogram: h.encode() });
 * console.assert(svg.includes('data-chart="histogram-handshake"'));
 * ```
 */
export function latencyHistogramChart(phase: string, summary: PhaseSummary, prefix = ""): string {
  const buckets = LatencyHistogram.decode(summary.histogram).logBuckets();
  return barChart({
    id: `${prefix}histogram-${phase}`,
    title: `${phase}: latency histogram (${summary.count} sessions)`,
    labels: buckets.map((b) => formatUs(b.fromUs)),
    xLabel: `${phase} latency (log scale, buckets with 1-2-5 edges)`,
    yAxis: { label: "sessions" },
    stacks: [{ name: phase, values: buckets.map((b) => b.count) }],
    edgeLabels: true,
    note: `p50 ${formatUs(summary.p50Us)}, p99 ${formatUs(summary.p99Us)}, ` +
      `p99.9 ${formatUs(summary.p999Us)}, max ${formatUs(summary.maxUs)}`,
  });
}

/** Percentile ticks of a percentile curve: x is 1/(1 - q), so each 9 takes the same width. */
const PERCENTILE_TICKS = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000];

function percentileLabel(x: number): string {
  return `${Number((100 * (1 - 1 / x)).toPrecision(6))}%`;
}

/**
 * Percentile curves of several histograms on log axes, HdrHistogram's
 * plot: x is 1/(1 - q) (0%, 90%, 99%, 99.9%, ... equally spaced), y is the
 * latency. Each curve runs to the percentile its count resolves (1 - 1/n).
 *
 * @example
 * ```ts
 * import { percentileCurveChart } from "./html_charts.ts";
 * import { LatencyHistogram } from "../engine/histogram.ts";
 * const h = new LatencyHistogram();
 * for (let i = 1; i <= 1000; i++) h.record(i);
 * const svg = percentileCurveChart("percentiles", "Latency by percentile", {
 *   handshake: { ...h.stats(), histogram: h.encode() },
 * });
 * console.assert(svg.includes('class="mark line"') && svg.includes("99.9%"));
 * ```
 */
export function percentileCurveChart(
  id: string,
  title: string,
  phases: Readonly<Record<string, PhaseSummary>>,
): string {
  const shown = Object.entries(phases).filter(([, s]) => s.count > 0);
  const most = Math.max(2, ...shown.map(([, s]) => s.count));
  // 20 points a decade up to the last percentile the largest count resolves.
  const x: number[] = [];
  for (let k = 0; 10 ** (k / 20) <= Math.min(most, 10_000_000); k++) x.push(10 ** (k / 20));
  const series: LineSeries[] = shown.map(([name, summary]) => {
    const h = LatencyHistogram.decode(summary.histogram);
    return {
      name: `${name} (${summary.count})`,
      values: x.map((xv) =>
        xv > Math.max(2, summary.count) ? null : h.percentile(100 * (1 - 1 / xv))
      ),
    };
  });
  return lineChart({
    id,
    title,
    x,
    xAxis: {
      label: "percentile (log scale of 1/(1-q))",
      log: true,
      ticks: PERCENTILE_TICKS,
      format: percentileLabel,
    },
    yAxis: { label: "latency (log scale)", log: true, format: formatUs },
    series,
    note: "Each curve ends at the highest percentile its session count resolves.",
  });
}

/**
 * Sessions per second: finished sessions stacked as passing and failing,
 * the started sessions as a line over them (a staged ramp shows here).
 *
 * @example
 * ```ts
 * import { sessionsOverTimeChart } from "./html_charts.ts";
 * const svg = sessionsOverTimeChart({
 *   intervalMs: 1000,
 *   from: "2026-01-01T00:00:00.000Z",
 *   points: [{ second: 0, started: 5, finished: 4, failed: 1 }],
 * });
 * console.assert(svg.includes('data-chart="sessions-over-time"'));
 * ```
 */
export function sessionsOverTimeChart(series: TimeSeries, prefix = ""): string {
  const { points } = series;
  return barChart({
    id: `${prefix}sessions-over-time`,
    title: "Outcomes over time: sessions finished per second",
    labels: points.map((p) => String(p.second)),
    xLabel: `second of the run${series.from ? ` (from ${series.from})` : ""}`,
    yAxis: { label: "sessions" },
    stacks: [
      {
        name: "finished, passing",
        values: points.map((p) => p.finished - p.failed),
        color: PASSING,
      },
      { name: "finished, failing", values: points.map((p) => p.failed), color: FAILING },
    ],
    lines: [{ name: "started", values: points.map((p) => p.started), color: "#000000" }],
    note: "Failing: reset, no-fin, refused, connect-timeout or error. The summary's time series " +
      "counts failing sessions per second, not each outcome: the outcome table has the totals.",
  });
}

/**
 * One side's sockets by state over the run, from the census' samples, as
 * differences from the baseline census (sockets other runs left count
 * zero); the server side adds the accept queue's absolute length.
 *
 * @example
 * ```ts
 * import { socketStatesChart } from "./html_charts.ts";
 * const report = {
 *   intervalMs: 100,
 *   series: [{ atMs: 0, server: {} }, { atMs: 100, server: { ESTABLISHED: 3 }, acceptQueue: 1 }],
 * };
 * const svg = socketStatesChart(report, "server");
 * console.assert(svg.includes("ESTABLISHED") && svg.includes("accept queue"));
 * ```
 */
export function socketStatesChart(
  report: Pick<SocketReport, "series" | "intervalMs">,
  side: "server" | "tester",
  prefix = "",
): string {
  const samples = report.series;
  const states = CENSUS_STATES.filter((state: CensusState) =>
    samples.some((s) => (s[side]?.[state] ?? 0) !== 0)
  );
  // A state keeps its colour on both sides' charts.
  const series: LineSeries[] = states.map((state) => ({
    name: state,
    color: PALETTE[CENSUS_STATES.indexOf(state) % PALETTE.length],
    values: samples.map((s) => s[side] === undefined ? null : s[side]![state] ?? 0),
  }));
  if (side === "server" && samples.some((s) => s.acceptQueue !== undefined)) {
    series.push({
      name: "accept queue (absolute)",
      values: samples.map((s) => s.acceptQueue ?? null),
      dashed: true,
      color: "#000000",
    });
  }
  const whose = side === "server" ? "server's" : "tester's";
  return lineChart({
    id: `${prefix}sockets-${side}`,
    title: `Socket census: the ${whose} sockets by state`,
    x: samples.map((s) => s.atMs / 1000),
    xAxis: { label: "seconds since the baseline census" },
    yAxis: { label: "sockets (minus the baseline)" },
    series,
    note: `Sampled every ${report.intervalMs} ms, through the drain after the load.` +
      (states.length === 0 ? " No state differed from the baseline." : ""),
  });
}

/**
 * A backlog sweep: per burst size, how its handshakes went (first SYN,
 * after a retransmitted SYN, timed out, refused or failed otherwise), with
 * the longest accept queue the census saw, the resets and the listener's
 * configured backlog as lines.
 *
 * @example
 * ```ts
 * import { backlogSweepChart } from "./html_charts.ts";
 * const burst = {
 *   size: 64, stage: "sweep" as const, firstSyn: 60, synRetransmitted: 4, connectTimeouts: 0,
 *   resets: 0, acceptQueuePeak: 40,
 * };
 * const svg = backlogSweepChart({ configuredBacklog: 32, bursts: [burst] });
 * console.assert(svg.includes('data-chart="backlog-sweep"') && svg.includes("configured backlog"));
 * ```
 */
export function backlogSweepChart(
  sweep: {
    configuredBacklog: BacklogSweep["configuredBacklog"];
    bursts: readonly Pick<
      BacklogSweep["bursts"][number],
      | "size"
      | "stage"
      | "firstSyn"
      | "synRetransmitted"
      | "connectTimeouts"
      | "resets"
      | "acceptQueuePeak"
    >[];
  },
  prefix = "",
): string {
  const bursts = [...sweep.bursts].sort((a, b) => a.size - b.size);
  const lines: LineSeries[] = [
    { name: "accept-queue peak", values: bursts.map((b) => b.acceptQueuePeak) },
    { name: "resets", values: bursts.map((b) => b.resets) },
  ];
  // A backlog far above the largest burst would flatten every bar to the axis.
  const backlog = sweep.configuredBacklog;
  const largest = Math.max(0, ...bursts.map((b) => b.size));
  if (backlog !== null && backlog <= 2 * largest) {
    lines.push({
      name: `configured backlog (${sweep.configuredBacklog})`,
      values: bursts.map(() => sweep.configuredBacklog),
      dashed: true,
    });
  }
  return barChart({
    id: `${prefix}backlog-sweep`,
    title: "Backlog sweep: handshakes per burst",
    labels: bursts.map((b) => `${b.size}${b.stage === "refine" ? "*" : ""}`),
    xLabel: "burst size (connects at once; * a bisection step)",
    yAxis: { label: "connections" },
    stacks: [
      { name: "first SYN answered", values: bursts.map((b) => b.firstSyn), color: PASSING },
      { name: "after a SYN retransmit", values: bursts.map((b) => b.synRetransmitted) },
      { name: "connect timeout", values: bursts.map((b) => b.connectTimeouts), color: FAILING },
      {
        name: "refused or failed",
        values: bursts.map((b) =>
          Math.max(0, b.size - b.firstSyn - b.synRetransmitted - b.connectTimeouts)
        ),
        color: "#999999",
      },
    ],
    lines,
    note: "A retransmitted SYN means the listener's queue was full when the first one came." +
      (backlog === null
        ? " The configured backlog is unknown."
        : ` Configured backlog: ${backlog}${backlog > 2 * largest ? " (off the chart)" : ""}.`),
  });
}
