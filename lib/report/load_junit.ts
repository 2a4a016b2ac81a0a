/**
 * JUnit XML for `load` and `run`, as for `check`: the load's verdict as one
 * test case, and each threshold as one (k6's JUnit output has its
 * thresholds), so a CI test-report view shows what failed.
 *
 * @module
 */

import type { LoadSummary } from "../census/load_summary.ts";
import type { LoadVerdict } from "../census/load_verdict.ts";
import { describeOutcomes } from "../engine/outcome.ts";
import type { CaseResult } from "../suite/result.ts";
import type { ThresholdResult } from "../suite/threshold.ts";
import { renderJUnit } from "./junit.ts";

/**
 * Renders a load's verdict and thresholds as JUnit XML.
 *
 * @example
 * ```ts
 * import { renderLoadJUnit } from "./load_junit.ts";
 * import type { LoadSummary } from "../census/load_summary.ts";
 * const summary = {
 *   target: "127.0.0.1:6379",
 *   startedAt: "2026-12-02T00:00:00.000Z",
 *   durationMs: 1000,
 *   outcomes: { "no-fin": 3 },
 *   scenario: { name: "redis-ping" },
 * } as unknown as LoadSummary;
 * const xml = renderLoadJUnit(summary, { verdict: "fail", reasons: ["CLOSE_WAIT LEAK: 3"] }, []);
 * console.assert(xml.includes('name="run/redis-ping"'));
 * console.assert(xml.includes('<failure message="CLOSE_WAIT LEAK: 3" type="MUST">'));
 * ```
 */
export function renderLoadJUnit(
  summary: LoadSummary,
  { verdict, reasons }: LoadVerdict,
  thresholds: readonly ThresholdResult[],
): string {
  const outcomes = describeOutcomes(summary.outcomes);
  const result: CaseResult = {
    id: summary.scenario ? `run/${summary.scenario.name}` : "load/sessions",
    severity: "MUST",
    requirement: "Every session ends cleanly and the server leaves no socket behind",
    verdict: verdict === "pass" ? "PASS" : verdict === "fail" ? "FAIL" : "SKIP",
    expected:
      "no failing outcome (reset, no-fin, refused, connect-timeout, error), no CLOSE_WAIT left",
    actual: reasons[0] ?? outcomes,
    durationMs: summary.durationMs,
  };
  // Cut by the tester's own limits or by the user: what was measured is not a verdict.
  if (result.verdict === "SKIP") result.reason = reasons[0] ?? verdict;
  return renderJUnit({
    target: summary.target,
    cases: [result],
    thresholds: [...thresholds],
    timestamp: summary.startedAt,
  });
}
