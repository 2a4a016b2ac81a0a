/**
 * `load/steady`: a short closed-loop load finishes with every session clean
 * (or closed first by the server), and reports the latency histograms.
 *
 * @module
 */

import type { CaseContext, CaseFinding, CaseOptions } from "../../lib/suite/case.ts";
import { formatMicros } from "../../lib/base/duration.ts";
import { LoadRunner } from "../../lib/engine/runner.ts";
import { describeOutcomes, FAILING_OUTCOMES, OUTCOMES } from "../../lib/engine/outcome.ts";
import { summarizeLoad } from "../../lib/census/load_summary.ts";

/** The case. */
export const options: CaseOptions = {
  id: "load/steady",
  severity: "MUST",
  requirement: "A short steady load completes without failed sessions",
};

/**
 * Runs `settings.concurrency` sessions in flight for `settings.loadDurationMs`.
 *
 * Each session is the `half-close` lifecycle, run by the engine's own loop
 * as plain `synfin load` runs it, not by the `half-close` scenario: this is
 * the suite's load, whose rate and histograms the report shows and `check
 * --threshold` judges, so it must measure what `load` measures. The
 * scenario path gives the same outcomes at a lower rate (3 s at
 * concurrency 50 against the well-behaved reference server, 2 cores: raw
 * 9.8k/s native against 6.9k/s scripted, deno 7.4k/s against 6.3k/s), and
 * 3 s is tens of thousands of sessions, not a few.
 *
 * @example
 * ```ts
 * import * as loadSteady from "./load_steady.ts";
 * import { SuiteRunner } from "../../lib/suite/runner.ts";
 * import { DEFAULT_SUITE_SETTINGS } from "../../lib/suite/plan.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const settings = { ...DEFAULT_SUITE_SETTINGS, census: { drainMs: 300 }, loadDurationMs: 300, concurrency: 10 };
 * const { cases } = await new SuiteRunner(server.target, [loadSteady], { settings }).run();
 * console.assert(cases[0].verdict === "PASS", cases[0].actual);
 * ```
 */
export default async function loadSteady(context: CaseContext): Promise<CaseFinding> {
  const { loadDurationMs, concurrency, connectTimeoutMs, closeTimeoutMs } = context.settings;
  const result = await new LoadRunner(context.target, {
    engine: context.settings.engine,
    durationMs: loadDurationMs,
    concurrency,
    connectTimeoutMs,
    closeTimeoutMs,
    signal: context.signal,
  }).run();
  const load = summarizeLoad(result);
  const failed = OUTCOMES.filter((o) => FAILING_OUTCOMES.has(o))
    .reduce((sum, o) => sum + load.outcomes[o], 0);
  const handshake = load.phases.handshake;
  return {
    status: failed === 0 && load.sessions > 0 ? "held" : "broken",
    expected: `0 failed sessions in ${(loadDurationMs / 1000).toFixed(0)}s at concurrency ` +
      `${concurrency}`,
    actual: `${load.sessions} sessions (${load.sessionsPerSecond}/s), ${failed} failed: ` +
      `${describeOutcomes(load.outcomes)}` +
      (handshake.count > 0 ? `; handshake p99 ${formatMicros(handshake.p99Us)}` : ""),
    load,
    sessions: [load],
  };
}
