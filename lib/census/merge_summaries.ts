/**
 * Exact merge of N generators' load summaries (`synfin merge`): the encoded
 * HDR histograms are decoded and added, so the merged percentiles are those
 * of the union of every sample, never an average of percentiles; counts,
 * errors, checks and TCP_INFO sums add up; the time series line up by wall
 * clock second. Summaries of different targets, scenarios or formats do not
 * merge.
 *
 * @module
 */

import { UsageError } from "../base/errors.ts";
import { LatencyHistogram } from "../engine/histogram.ts";
import type { KernelEvidenceTally } from "../engine/kernel_evidence.ts";
import type { Outcome } from "../engine/outcome.ts";
import type { StopReason } from "../engine/runner.ts";
import { type Segment, type SegmentCoverage, segmentCoverage } from "../engine/segment.ts";
import { type CheckCount, mergeChecks } from "../engine/scripted/checks.ts";
import { TIMED_PHASES, type TimedPhase } from "../engine/tally.ts";
import { mergeCensus } from "./merge_census.ts";
import {
  type LoadSummary,
  type PhaseSummary,
  SUMMARY_VERSION,
  type TimeSeries,
  type TimeSeriesPoint,
} from "./load_summary.ts";

/** One input of {@link mergeSummaries}: a summary and the name errors call it by (its file). */
export interface LabelledSummary {
  /** How messages name it, e.g. `seg_2.json`. */
  label: string;
  /** The summary, as `load --json` or `run --json` wrote it. */
  summary: LoadSummary;
}

/** What a merged summary says about its inputs. */
export interface MergeInfo {
  /** Summaries merged. */
  inputs: number;
  /** The inputs' labels, in order. */
  labels: string[];
  /** Whether the inputs' `--segment`s make one whole load; `null` when none had a segment. */
  segments: SegmentCoverage | null;
  /** Labels of the inputs without a segment (the others have one). */
  withoutSegment: string[];
}

/** A load summary merged from several, with {@link MergeInfo}. */
export interface MergedSummary extends LoadSummary {
  /** The inputs and their segments. */
  merged: MergeInfo;
}

/** Which stop reason wins when the inputs differ: the one that says most about the run. */
const STOP_ORDER: readonly StopReason[] = ["tester-limit", "signal", "duration", "sessions"];

/**
 * Why `value` is not a load summary this synfin can merge, or `undefined`.
 *
 * @example
 * ```ts
 * import { loadSummaryProblem } from "./merge_summaries.ts";
 * console.assert(loadSummaryProblem({ cases: [] })?.startsWith("not a load summary") === true);
 * ```
 */
export function loadSummaryProblem(value: unknown): string | undefined {
  const s = value as Partial<LoadSummary> | null;
  if (typeof s !== "object" || s === null || Array.isArray(s)) return "not a JSON object";
  if (typeof s.target !== "string" || typeof s.phases !== "object" || !s.outcomes) {
    return "not a load summary (no target, phases or outcomes: write one with load --json or run --json)";
  }
  if (s.version !== SUMMARY_VERSION) {
    return `summary format version ${s.version}, this synfin reads version ${SUMMARY_VERSION}`;
  }
  return undefined;
}

/**
 * Merges summaries of one target (and scenario) into one.
 *
 * @throws {UsageError} naming the input that differs from the first, and how
 *   (format version, target, scenario), or when there is none to merge.
 * @example
 * ```ts
 * import { mergeSummaries } from "./merge_summaries.ts";
 * import { summarizeLoad } from "./load_summary.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const a = summarizeLoad(await new LoadRunner(server.target, { sessions: 6 }).run());
 * const b = summarizeLoad(await new LoadRunner(server.target, { sessions: 4 }).run());
 * const merged = mergeSummaries([{ label: "a", summary: a }, { label: "b", summary: b }]);
 * console.assert(merged.sessions === 10 && merged.phases.handshake.count === 10);
 * ```
 */
export function mergeSummaries(inputs: readonly LabelledSummary[]): MergedSummary {
  if (inputs.length === 0) throw new UsageError("Nothing to merge: give summary files");
  checkSameRun(inputs);
  const all = inputs.map((i) => i.summary);
  const first = all[0];
  const sum = (f: (s: LoadSummary) => number) => all.reduce((n, s) => n + f(s), 0);
  const start = Math.min(...all.map((s) => Date.parse(s.startedAt)));
  const end = Math.max(...all.map((s) => Date.parse(s.startedAt) + s.durationMs));
  const sessions = sum((s) => s.sessions);
  const outcomes = sumRecords(all.map((s) => s.outcomes)) as Record<Outcome, number>;
  const rates = all.map((s) => s.load.rate).filter((r): r is number => r !== null);
  const nullableSum = (values: (number | null)[]) =>
    values.some((v) => v === null) ? null : values.reduce<number>((n, v) => n + v!, 0);
  const intended = all.map((s) => s.intendedStarts).filter((n): n is number => n !== null);
  const kernels = all.map((s) => s.kernel).filter((k): k is KernelEvidenceTally => k !== null);
  const segments = all.map((s) => s.segment).filter((s): s is Segment => s !== undefined);
  const merged: MergedSummary = {
    version: SUMMARY_VERSION,
    target: first.target,
    startedAt: new Date(start).toISOString(),
    durationMs: end - start,
    sessions,
    sessionsPerSecond: end > start ? Math.round((sessions / (end - start)) * 1000) : 0,
    stoppedBy: STOP_ORDER.find((r) => all.some((s) => s.stoppedBy === r)) ?? first.stoppedBy,
    load: {
      ...first.load,
      loop: rates.length > 0 ? "open" : "closed",
      concurrency: sum((s) => s.load.concurrency),
      rate: rates.length > 0 ? rates.reduce((n, r) => n + r, 0) : null,
      sessionsLimit: nullableSum(all.map((s) => s.load.sessionsLimit)),
      durationLimitMs: all.some((s) => s.load.durationLimitMs === null)
        ? null
        : Math.max(...all.map((s) => s.load.durationLimitMs!)),
      maxInFlightPerEventLoop: all.flatMap((s) => s.load.maxInFlightPerEventLoop),
    },
    outcomes,
    phases: Object.fromEntries(
      TIMED_PHASES.map((phase) => [phase, mergeHistograms(all.map((s) => s.phases[phase]))]),
    ) as Record<TimedPhase, PhaseSummary>,
    noResponse: sum((s) => s.noResponse),
    intendedStarts: intended.length > 0 ? intended.reduce((n, v) => n + v, 0) : null,
    droppedStarts: sum((s) => s.droppedStarts),
    tester: mergeTester(all),
    kernel: kernels.length > 0 ? sumRecords(kernels) as unknown as KernelEvidenceTally : null,
    errors: sumGroups(all.flatMap((s) => s.errors), (e) => `${e.phase} ${e.errno}`),
    timeSeries: mergeTimeSeries(all.map((s) => s.timeSeries)),
    merged: {
      inputs: inputs.length,
      labels: inputs.map((i) => i.label),
      segments: segments.length > 0 ? segmentCoverage(segments) : null,
      withoutSegment: inputs.filter((i) => i.summary.segment === undefined).map((i) => i.label),
    },
  };
  const tls = all.map((s) => s.tls).filter((t) => t !== undefined);
  if (tls.length > 0) merged.tls = sumRecords(tls) as unknown as typeof tls[0];
  if (first.scenario) merged.scenario = { ...first.scenario };
  const tags = Object.assign({}, ...all.map((s) => s.tags ?? {}));
  if (Object.keys(tags).length > 0) merged.tags = tags;
  const markKeys = [...new Set(all.flatMap((s) => Object.keys(s.marks ?? {})))];
  if (markKeys.length > 0) {
    merged.marks = Object.fromEntries(
      markKeys.map((key) => [key, mergeHistograms(all.map((s) => s.marks?.[key]))]),
    );
  }
  let checks: CheckCount[] = [];
  for (const s of all) checks = mergeChecks(checks, s.checks ?? []);
  if (checks.length > 0) merged.checks = checks;
  const scriptErrors = sumGroups(all.flatMap((s) => s.scriptErrors ?? []), (e) => e.message);
  if (scriptErrors.length > 0) merged.scriptErrors = scriptErrors;
  Object.assign(merged, mergeCensus(all, outcomes));
  return merged;
}

/** The first input names the run; any other of another format, target or scenario is refused. */
function checkSameRun(inputs: readonly LabelledSummary[]): void {
  const [{ label: firstLabel, summary: first }] = inputs;
  const scenarioOf = (s: LoadSummary) => s.scenario?.name ?? "(none: a built-in session)";
  for (const { label, summary } of inputs.slice(1)) {
    const differs = (what: string, theirs: unknown, ours: unknown) =>
      new UsageError(
        `Cannot merge ${label} with ${firstLabel}: different ${what} ` +
          `(${label}: ${theirs}, ${firstLabel}: ${ours}); merge only one run's generators`,
      );
    if (summary.version !== first.version) {
      throw differs("summary format version", summary.version, first.version);
    }
    if (summary.target !== first.target) throw differs("target", summary.target, first.target);
    if (scenarioOf(summary) !== scenarioOf(first)) {
      throw differs("scenario", scenarioOf(summary), scenarioOf(first));
    }
  }
}

/** The union of the inputs' histograms (an absent one, a phase older summaries lack, is empty). */
function mergeHistograms(phases: readonly (PhaseSummary | undefined)[]): PhaseSummary {
  const union = new LatencyHistogram();
  for (const phase of phases) {
    if (phase?.histogram) union.add(LatencyHistogram.decode(phase.histogram));
  }
  return { ...union.stats(), histogram: union.encode() };
}

/** Key-by-key sums of same-shaped records of counts. */
function sumRecords(records: readonly object[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const record of records) {
    for (const [key, value] of Object.entries(record)) {
      if (typeof value === "number") out[key] = (out[key] ?? 0) + value;
    }
  }
  return out;
}

/** Groups with a `count`, summed by `key`, in first-seen order. */
function sumGroups<T extends { count: number }>(groups: readonly T[], key: (g: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const group of groups) {
    const have = byKey.get(key(group));
    if (have) have.count += group.count;
    else byKey.set(key(group), { ...group });
  }
  return [...byKey.values()];
}

/**
 * Each generator's memory and sockets add up; the fd limit is the lowest
 * (each process has its own); bytes per session in flight are weighted by
 * the sessions in flight.
 */
function mergeTester(all: readonly LoadSummary[]): LoadSummary["tester"] {
  const testers = all.map((s) => s.tester);
  const weighed = testers.filter((t) => t.bytesPerSessionInFlight !== null);
  const weight = weighed.reduce((n, t) => n + t.peakInFlight, 0);
  const fdLimits = testers.map((t) => t.fdLimit).filter((n): n is number => n !== null);
  const processes = testers.reduce((n, t) => n + (t.generators?.count ?? 1), 0);
  return {
    rssBeforeBytes: testers.reduce((n, t) => n + t.rssBeforeBytes, 0),
    rssPeakBytes: testers.reduce((n, t) => n + t.rssPeakBytes, 0),
    peakInFlight: testers.reduce((n, t) => n + t.peakInFlight, 0),
    bytesPerSessionInFlight: weight > 0
      ? Math.round(
        weighed.reduce((n, t) => n + t.bytesPerSessionInFlight! * t.peakInFlight, 0) / weight,
      )
      : null,
    fdLimit: fdLimits.length > 0 ? Math.min(...fdLimits) : null,
    generators: {
      count: processes,
      reason: `merged from ${all.length} summaries (${processes} generator processes)`,
    },
  };
}

/**
 * Lines the series up by wall-clock second: each point's second is its
 * series' `from` plus its offset, so generators that started a second apart
 * add into the right seconds.
 */
function mergeTimeSeries(series: readonly TimeSeries[]): TimeSeries {
  const intervalMs = series[0]?.intervalMs ?? 1000;
  const bySecond = new Map<number, Omit<TimeSeriesPoint, "second">>();
  for (const one of series) {
    if (one.from === null) continue;
    const base = Math.round(Date.parse(one.from) / intervalMs);
    for (const { second, ...counts } of one.points) {
      const have = bySecond.get(base + second) ?? { started: 0, finished: 0, failed: 0 };
      bySecond.set(base + second, {
        started: have.started + counts.started,
        finished: have.finished + counts.finished,
        failed: have.failed + counts.failed,
      });
    }
  }
  if (bySecond.size === 0) return { intervalMs, from: null, points: [] };
  const first = Math.min(...bySecond.keys());
  const last = Math.max(...bySecond.keys());
  const points: TimeSeriesPoint[] = [];
  for (let at = first; at <= last; at++) {
    const counts = bySecond.get(at) ?? { started: 0, finished: 0, failed: 0 };
    points.push({ second: at - first, ...counts });
  }
  return { intervalMs, from: new Date(first * intervalMs).toISOString(), points };
}
