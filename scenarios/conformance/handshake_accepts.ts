/**
 * `handshake/accepts`: the server completes the three-way handshake within
 * a bound, for every one of a few unhurried connects.
 *
 * @module
 */

import type { CaseContext, CaseFinding, CaseOptions } from "../../lib/suite/case.ts";
import { formatMicros } from "../../lib/base/duration.ts";
import { describeOutcomes } from "../../lib/engine/outcome.ts";
import { runBuiltinScenario } from "./scenario_run.ts";

/** The case. */
export const options: CaseOptions = {
  id: "handshake/accepts",
  severity: "MUST",
  requirement: "The server completes the handshake within the bound",
};

const SESSIONS = 20;

/**
 * Runs 20 sessions of the built-in `half-close` scenario, 5 at a time, with
 * the handshake bound as connect timeout.
 *
 * @example
 * ```ts
 * import * as handshakeAccepts from "./handshake_accepts.ts";
 * import { SuiteRunner } from "../../lib/suite/runner.ts";
 * import { DEFAULT_SUITE_SETTINGS } from "../../lib/suite/plan.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const settings = { ...DEFAULT_SUITE_SETTINGS, census: { drainMs: 300 } };
 * const { cases } = await new SuiteRunner(server.target, [handshakeAccepts], { settings }).run();
 * console.assert(cases[0].verdict === "PASS", cases[0].actual);
 * ```
 */
export default async function handshakeAccepts(context: CaseContext): Promise<CaseFinding> {
  const { handshakeBoundMs } = context.settings;
  const result = await runBuiltinScenario(context, "half-close", {
    sessions: SESSIONS,
    concurrency: 5,
    connectTimeoutMs: handshakeBoundMs,
    // Only the handshake is judged here: do not wait long for a FIN.
    closeTimeoutMs: 100,
  });
  const handshake = result.tally.histograms.handshake.stats();
  const expected = `${SESSIONS} of ${SESSIONS} handshakes complete within ` +
    formatMicros(handshakeBoundMs * 1000);
  const actual = `${handshake.count} of ${result.tally.sessions} completed` +
    (handshake.count > 0
      ? ` (p50 ${formatMicros(handshake.p50Us)}, max ` +
        `${formatMicros(handshake.maxUs)})`
      : "") +
    (handshake.count < result.tally.sessions ? `; ${describeOutcomes(result.tally.outcomes)}` : "");
  const held = handshake.count === SESSIONS && handshake.maxUs <= handshakeBoundMs * 1000;
  return { status: held ? "held" : "broken", expected, actual, sessions: [result.tally] };
}
