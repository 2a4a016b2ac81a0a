/**
 * `close/no-reset`: a graceful close ends with FIN, not RST.
 *
 * @module
 */

import {
  type CaseContext,
  type CaseFinding,
  type CaseOptions,
  unconnectedRun,
} from "../../lib/suite/case.ts";
import { RESET_ERRNOS } from "../../lib/engine/outcome.ts";

/** The case. */
export const options: CaseOptions = {
  id: "close/no-reset",
  severity: "MUST",
  requirement: "Graceful closes end with FIN, not RST",
};

/**
 * Reads the shared lifecycle run: sessions that ended in a reset.
 *
 * @example
 * ```ts
 * import * as closeNoReset from "./close_no_reset.ts";
 * import { SuiteRunner } from "../../lib/suite/runner.ts";
 * import { DEFAULT_SUITE_SETTINGS } from "../../lib/suite/plan.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const settings = { ...DEFAULT_SUITE_SETTINGS, census: { drainMs: 300 } };
 * const { cases } = await new SuiteRunner(server.target, [closeNoReset], { settings }).run();
 * console.assert(cases[0].verdict === "PASS", cases[0].actual);
 * ```
 */
export default async function closeNoReset(context: CaseContext): Promise<CaseFinding> {
  const { summary } = await context.lifecycle();
  const unconnected = unconnectedRun(summary, "0 sessions reset");
  if (unconnected) return unconnected;
  const resets = summary.outcomes.reset;
  const where = summary.errors
    .filter((e) => RESET_ERRNOS.has(e.errno))
    .map((e) => `${e.errno} in ${e.phase} ${e.count}`)
    .join(", ");
  return {
    status: resets === 0 ? "held" : "broken",
    expected: "0 sessions reset",
    actual: `${resets} of ${summary.sessions} sessions ended with an RST` +
      (where ? ` (${where})` : ""),
  };
}
