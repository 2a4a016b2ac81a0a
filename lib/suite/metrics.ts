/**
 * A flat set of named metrics that thresholds (`--threshold
 * 'handshake.p99<5ms'`) are checked against. The set is open: the load
 * summary provides the metrics below, and other sources (socket tables,
 * conformance cases) add their own with `set.set(name, metric)`.
 *
 * Metrics from a load summary ({@link metricsFromLoadSummary}):
 *
 * | name | kind | |
 * | --- | --- | --- |
 * | `<phase>.min`, `.mean`, `.p50`, `.p90`, `.p99`, `.p99.9`, `.max` | duration | only when the phase recorded values |
 * | `<phase>.count` | count | always |
 * | `outcome.<outcome>` | share of `sessions` | every outcome, zeros included |
 * | `sessions` | count | sessions finished |
 * | `sessionsPerSecond` | count | |
 * | `noResponse` | share of `sessions` | sent data, got no byte back |
 * | `droppedStarts` | share of the intended starts | open loop: due while the in-flight cap was reached (0 of 0 in a closed loop) |
 * | `errors` | count | failed operations, all phases and errnos |
 * | `tls.closeNotify`, `tls.bareFin` | share of the sessions whose server closed | `--tls` only: how the server ended the TLS stream |
 *
 * where `<phase>` is `handshake`, `tls` (`--tls`: the TLS handshake),
 * `firstByte` or `close`. Scripted runs add:
 *
 * | name | kind | |
 * | --- | --- | --- |
 * | `checks` | share of all checks | checks that passed, every check together |
 * | `check.<name>` | share | one check, e.g. `check.pong`, `check.pong{cmd:PING}` |
 * | `mark.<name>.<stat>`, `mark.<name>.count` | duration, count | a `time()`/`mark()` series, e.g. `mark.login.p99`, `mark.login{region:eu}.p99` |
 *
 * @module
 */

import type { PhaseStats } from "../engine/histogram.ts";
import { OUTCOMES } from "../engine/outcome.ts";
import type { LoadSummary } from "../census/load_summary.ts";
import { TIMED_PHASES } from "../engine/tally.ts";
import { type CheckCount, seriesKey } from "../engine/scripted/checks.ts";

/**
 * What a metric measures, which decides how a threshold compares it:
 * `duration` in microseconds (thresholds need a unit: `5ms`), `share` as
 * `value` out of `total` (a percentage with `%`, a count without), `count` as
 * a plain number.
 */
export type MetricKind = "duration" | "share" | "count";

/** One named value. */
export interface Metric {
  /** How to compare it. */
  kind: MetricKind;
  /** Microseconds (duration), the part (share) or the number (count). */
  value: number;
  /** The whole a share is a part of, e.g. all sessions. Only for `share`. */
  total?: number;
}

/** Metrics by name, e.g. `handshake.p99`, `outcome.reset`, `server.closeWait`. */
export type MetricSet = Map<string, Metric>;

/** The statistics each timed phase has, as they appear in metric names. */
export const PHASE_STATS: readonly string[] = [
  "min",
  "mean",
  "p50",
  "p90",
  "p99",
  "p99.9",
  "max",
];

const STAT_FIELD: Record<string, keyof PhaseStats> = {
  "min": "minUs",
  "mean": "meanUs",
  "p50": "p50Us",
  "p90": "p90Us",
  "p99": "p99Us",
  "p99.9": "p999Us",
  "max": "maxUs",
};

const SUMMARY_COUNTS: Record<string, MetricKind> = {
  sessions: "count",
  sessionsPerSecond: "count",
  noResponse: "share",
  droppedStarts: "share",
  errors: "count",
  checks: "share",
  "tls.closeNotify": "share",
  "tls.bareFin": "share",
};

/** `mark.<series>.<stat>`: the series may carry tags, `login{region:eu}`. */
const MARK_METRIC = /^mark\.(.+)\.(min|mean|p50|p90|p99|p99\.9|max|count)$/;

/**
 * Builds the metrics of a load summary (see the module documentation for the
 * names).
 *
 * A phase that recorded no values (no first byte without a payload, no close
 * when every connect was refused) has only `<phase>.count`, 0: its
 * percentiles would read 0us and pass any `<` threshold, so they are left out
 * and a threshold on them fails as a missing metric instead.
 *
 * @example
 * ```ts
 * import { metricsFromLoadSummary } from "./metrics.ts";
 * import { summarizeLoad } from "../census/load_summary.ts";
 * import { SessionTally } from "../engine/tally.ts";
 * import { parseTarget } from "../base/target.ts";
 *
 * const tally = new SessionTally();
 * tally.add({ outcome: "reset", phase: "close", handshakeUs: 40, bytesReceived: 0, errors: [] });
 * const metrics = metricsFromLoadSummary(summarizeLoad({
 *   target: parseTarget("127.0.0.1:8080"),
 *   engine: "deno",
 *   startedAt: 0,
 *   durationMs: 1000,
 *   tally,
 *   stoppedBy: "sessions",
 *   shape: { concurrency: 1, sessions: 1, durationMs: null, rate: null },
 *   session: { holdMs: 0, connectTimeoutMs: 1000, closeTimeoutMs: 1000 },
 *   maxInFlightPerEventLoop: [1],
 *   tester: {
 *     rssBeforeBytes: 0, rssPeakBytes: 0, peakInFlight: 1,
 *     bytesPerSessionInFlight: 0, fdLimit: null,
 *   },
 * }));
 * console.assert(metrics.get("handshake.p99")?.value === 40);
 * console.assert(metrics.get("outcome.reset")?.total === 1);
 * console.assert(!metrics.has("close.p99"));
 * ```
 */
export function metricsFromLoadSummary(summary: LoadSummary): MetricSet {
  const metrics: MetricSet = new Map();
  for (const phase of TIMED_PHASES) {
    const stats = summary.phases[phase];
    if (stats.count > 0) {
      for (const stat of PHASE_STATS) {
        metrics.set(`${phase}.${stat}`, { kind: "duration", value: stats[STAT_FIELD[stat]] });
      }
    }
    metrics.set(`${phase}.count`, { kind: "count", value: stats.count });
  }
  for (const [outcome, count] of Object.entries(summary.outcomes)) {
    metrics.set(`outcome.${outcome}`, { kind: "share", value: count, total: summary.sessions });
  }
  metrics.set("sessions", { kind: "count", value: summary.sessions });
  metrics.set("sessionsPerSecond", { kind: "count", value: summary.sessionsPerSecond });
  metrics.set("noResponse", { kind: "share", value: summary.noResponse, total: summary.sessions });
  metrics.set("droppedStarts", {
    kind: "share",
    value: summary.droppedStarts,
    total: summary.intendedStarts ?? 0,
  });
  metrics.set("errors", {
    kind: "count",
    value: summary.errors.reduce((sum, group) => sum + group.count, 0),
  });
  if (summary.tls) {
    // A share of the TLS closes seen: `tls.bareFin==0`, `tls.bareFin<1%`.
    const total = summary.tls.closeNotify + summary.tls.bareFin;
    metrics.set("tls.closeNotify", { kind: "share", value: summary.tls.closeNotify, total });
    metrics.set("tls.bareFin", { kind: "share", value: summary.tls.bareFin, total });
  }
  if (summary.checks) addCheckMetrics(metrics, summary.checks);
  for (const [series, stats] of Object.entries(summary.marks ?? {})) {
    if (stats.count > 0) {
      for (const stat of PHASE_STATS) {
        metrics.set(`mark.${series}.${stat}`, { kind: "duration", value: stats[STAT_FIELD[stat]] });
      }
    }
    metrics.set(`mark.${series}.count`, { kind: "count", value: stats.count });
  }
  return metrics;
}

function addCheckMetrics(metrics: MetricSet, checks: readonly CheckCount[]): void {
  let passes = 0;
  let total = 0;
  for (const check of checks) {
    passes += check.passes;
    total += check.passes + check.fails;
    metrics.set(`check.${seriesKey(check.name, check.tags)}`, {
      kind: "share",
      value: check.passes,
      total: check.passes + check.fails,
    });
  }
  metrics.set("checks", { kind: "share", value: passes, total });
}

/**
 * The kind of a metric that {@link metricsFromLoadSummary} provides, from its
 * name alone, or `undefined` for names it does not provide (metrics other
 * code adds, typos). Lets a threshold be checked for the right unit before a
 * run, when the metric set does not exist yet.
 *
 * @example
 * ```ts
 * import { summaryMetricKind } from "./metrics.ts";
 * console.assert(summaryMetricKind("close.p99.9") === "duration");
 * console.assert(summaryMetricKind("outcome.no-fin") === "share");
 * console.assert(summaryMetricKind("server.closeWait") === undefined);
 * ```
 */
export function summaryMetricKind(name: string): MetricKind | undefined {
  if (Object.hasOwn(SUMMARY_COUNTS, name)) return SUMMARY_COUNTS[name];
  if (name.startsWith("check.") && name.length > "check.".length) return "share";
  const mark = MARK_METRIC.exec(name);
  if (mark) return mark[2] === "count" ? "count" : "duration";
  if ((OUTCOMES as readonly string[]).some((outcome) => name === `outcome.${outcome}`)) {
    return "share";
  }
  const dot = name.indexOf(".");
  if (dot === -1 || !(TIMED_PHASES as readonly string[]).includes(name.slice(0, dot))) {
    return undefined;
  }
  const stat = name.slice(dot + 1);
  if (stat === "count") return "count";
  return PHASE_STATS.includes(stat) ? "duration" : undefined;
}

/**
 * The metrics {@link addSocketMetrics} adds from a socket census, all counts:
 * a threshold may name them before the census exists.
 */
export const SOCKET_METRICS: readonly string[] = [
  "server.closeWait",
  "server.timeWait",
  "tester.timeWait",
  "halfOpen",
  "listenOverflows",
  "listenDrops",
  "synRetrans",
  "syncookiesSent",
];

/**
 * Every metric a `check` run can provide, by name: the load summary's and
 * the socket census's. What `--threshold` is checked against before the
 * run, so a typo fails at once instead of after the whole suite.
 *
 * @example
 * ```ts
 * import { knownMetricNames } from "./metrics.ts";
 * const names = knownMetricNames();
 * console.assert(names.includes("handshake.p99.9") && names.includes("server.closeWait"));
 * ```
 */
export function knownMetricNames(): string[] {
  return [
    ...TIMED_PHASES.flatMap((phase) => [...PHASE_STATS, "count"].map((stat) => `${phase}.${stat}`)),
    ...OUTCOMES.map((outcome) => `outcome.${outcome}`),
    ...Object.keys(SUMMARY_COUNTS),
    ...SOCKET_METRICS,
  ];
}

/**
 * The kind of a metric `check` can provide ({@link summaryMetricKind}, or a
 * count for the {@link SOCKET_METRICS}), or `undefined` for an unknown name.
 *
 * @example
 * ```ts
 * import { knownMetricKind } from "./metrics.ts";
 * console.assert(knownMetricKind("server.closeWait") === "count");
 * console.assert(knownMetricKind("handshake.p999") === undefined);
 * ```
 */
export function knownMetricKind(name: string): MetricKind | undefined {
  return summaryMetricKind(name) ?? (SOCKET_METRICS.includes(name) ? "count" : undefined);
}

/**
 * Adds the socket census metrics of a summary that has one: `server.closeWait`
 * (the run's new CLOSE_WAIT sockets still there after the drain, by 4-tuple
 * and inode, so old ones that went away do not offset them),
 * `server.timeWait` and `tester.timeWait` (most TIME_WAIT at once),
 * `halfOpen`, and, for a local server, the counter deltas `listenOverflows`,
 * `listenDrops`, `synRetrans`, `syncookiesSent`. All are counts.
 *
 * @example
 * ```ts ignore
 * import { addSocketMetrics, metricsFromLoadSummary } from "./metrics.ts";
 * const metrics = addSocketMetrics(metricsFromLoadSummary(summary), summary);
 * console.log(metrics.get("server.closeWait"));
 * ```
 */
export function addSocketMetrics(metrics: MetricSet, summary: LoadSummary): MetricSet {
  const sockets = summary.sockets;
  const count = (name: string, value: number) => metrics.set(name, { kind: "count", value });
  if (sockets?.available) {
    // The run's own CLOSE_WAIT sockets, counted by identity (4-tuple and
    // inode): a delta from the baseline would net out the old ones our reused
    // ports reset (issue 11, defect 5). Summaries without identity keep the delta.
    count(
      "server.closeWait",
      sockets.closeWait?.added ?? Math.max(0, sockets.server.CLOSE_WAIT.drained),
    );
    count("server.timeWait", Math.max(0, sockets.server.TIME_WAIT.peak));
    if (sockets.tester) count("tester.timeWait", Math.max(0, sockets.tester.TIME_WAIT.peak));
    count("halfOpen", sockets.halfOpen);
  }
  const counters = sockets?.counters;
  if (counters) {
    count("listenOverflows", counters.listenOverflows);
    count("listenDrops", counters.listenDrops);
    count("synRetrans", counters.tcpSynRetrans);
    count("syncookiesSent", counters.syncookiesSent);
  }
  return metrics;
}
