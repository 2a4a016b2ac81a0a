/**
 * `abort/survives-reset`: after clients abort their connections with an
 * RST, the server still accepts and serves new ones. Both steps are
 * built-in session scenarios: `abort`, then `half-close` with a dwell.
 *
 * @module
 */

import type { CaseContext, CaseFinding, CaseOptions } from "../../lib/suite/case.ts";
import { describeOutcomes, resetsIn } from "../../lib/engine/outcome.ts";
import { runBuiltinScenario } from "./scenario_run.ts";

/** The case. */
export const options: CaseOptions = {
  id: "abort/survives-reset",
  severity: "MUST",
  requirement: "After clients abort with RST, the server still accepts and serves",
};

const ABORTS = 20;
const AFTER = 20;
/** The dwell of each session after the aborts, before its FIN. */
const AFTER_HOLD_MS = 50;
/** What each aborted connection writes before its RST. */
const ONE_BYTE = new TextEncoder().encode("x");

/**
 * Runs the built-in `abort` scenario on 20 connections at once (one byte
 * written, then our RST), then 20 sessions of the `half-close` scenario.
 *
 * @example
 * ```ts
 * import * as abortSurvivesReset from "./abort_survives_reset.ts";
 * import { SuiteRunner } from "../../lib/suite/runner.ts";
 * import { DEFAULT_SUITE_SETTINGS } from "../../lib/suite/plan.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const settings = { ...DEFAULT_SUITE_SETTINGS, census: { drainMs: 300 } };
 * const { cases } = await new SuiteRunner(server.target, [abortSurvivesReset], { settings }).run();
 * console.assert(cases[0].verdict === "PASS", cases[0].actual);
 * ```
 */
export default async function abortSurvivesReset(context: CaseContext): Promise<CaseFinding> {
  // SO_LINGER {1, 0} and close: the kernel sends an RST, not a FIN.
  const aborts = await runBuiltinScenario(context, "abort", {
    sessions: ABORTS,
    concurrency: ABORTS,
    send: ONE_BYTE,
  });
  const aborted = aborts.tally.outcomes.aborted;
  // Give the server a moment to see the resets before the next connects.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const after = await runBuiltinScenario(context, "half-close", {
    sessions: AFTER,
    concurrency: 20,
    // A dwell before our FIN, so a server that resets every connection at
    // accept shows it before our FIN (a reset in the hold), never racing our
    // FIN: without it the resets-at-accept server passed this case in 1 run
    // of 6 (tests/faults/stability_test.ts), its RST landing after our FIN.
    holdMs: AFTER_HOLD_MS,
  });
  const o = after.tally.outcomes;
  const served = after.tally.histograms.handshake.count;
  // A reset in answer to our FIN is how this server closes (close/no-reset
  // judges that); serving means no refusal, timeout or reset before it.
  const broken = o.refused + o["connect-timeout"] + o.error +
    resetsIn(after.tally.errors, ["handshake", "firstByte", "hold"]);
  return {
    status: served === AFTER && broken === 0 && aborted > 0 ? "held" : "broken",
    expected: `after ${ABORTS} aborts, ${AFTER} of ${AFTER} new sessions complete without ` +
      "refusal, timeout or reset before our FIN",
    actual: `${aborted} connections aborted with RST; then ${served} of ${AFTER} handshakes ` +
      `completed (${describeOutcomes(o)})`,
    sessions: [after.tally, aborts.tally],
  };
}
