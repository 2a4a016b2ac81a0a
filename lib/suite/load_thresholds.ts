/**
 * Thresholds on one load (`synfin load --threshold`): the metrics of its
 * summary, the socket census's included, checked as `check` checks its own.
 *
 * @module
 */

import type { LoadSummary } from "../census/load_summary.ts";
import { addSocketMetrics, metricsFromLoadSummary } from "./metrics.ts";
import { evaluateThresholds, type Threshold, type ThresholdResult } from "./threshold.ts";

/** Options of {@link evaluateLoadThresholds}. */
export interface LoadThresholdOptions {
  /**
   * Whether synfin's own limits (file descriptors, local ports) cut the
   * run: a failed threshold then says it was measured on a cut run, since
   * it tells nothing certain of the server.
   *
   * @default {false}
   */
  cutByTesterLimit?: boolean;
}

/**
 * Checks each threshold against the summary's metrics
 * (`metricsFromLoadSummary` and, when the census ran, `addSocketMetrics`).
 * Never throws: a metric the run did not provide (a socket metric with
 * `--no-census`) fails its threshold with a message saying so.
 *
 * @example
 * ```ts
 * import { evaluateLoadThresholds } from "./load_thresholds.ts";
 * import { parseThreshold } from "./threshold.ts";
 * import { runLoadWithCensus } from "../census/load.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const runner = new LoadRunner(server.target, { sessions: 10, concurrency: 2 });
 * const { summary } = await runLoadWithCensus(runner, { census: "off" });
 * const [result] = evaluateLoadThresholds([parseThreshold("sessions==10")], summary);
 * console.assert(result.passed && result.message === "sessions = 10, limit == 10: ok");
 * ```
 */
export function evaluateLoadThresholds(
  thresholds: readonly Threshold[],
  summary: LoadSummary,
  options: LoadThresholdOptions = {},
): ThresholdResult[] {
  const metrics = addSocketMetrics(metricsFromLoadSummary(summary), summary);
  return evaluateThresholds([...thresholds], metrics).map((result) =>
    result.passed || !options.cutByTesterLimit
      ? result
      : { ...result, message: `${result.message} (measured on a run cut by a tester limit)` }
  );
}
