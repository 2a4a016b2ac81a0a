/**
 * `close/answers-fin`: after our FIN (a half-close), the server answers with
 * its own FIN within the bound, for every session. A server that does not
 * leaves its socket in CLOSE_WAIT.
 *
 * @module
 */

import type { CaseContext, CaseFinding, CaseOptions } from "../../lib/suite/case.ts";
import { formatMicros } from "../../lib/base/duration.ts";
import { resetsIn } from "../../lib/engine/outcome.ts";

/** The case. */
export const options: CaseOptions = {
  id: "close/answers-fin",
  severity: "MUST",
  requirement:
    "After our FIN, the server answers with its FIN (else its socket sits in CLOSE_WAIT)",
};

/**
 * Reads the shared lifecycle run: sessions that sent our FIN first.
 *
 * @example
 * ```ts
 * import * as closeAnswersFin from "./close_answers_fin.ts";
 * import { SuiteRunner } from "../../lib/suite/runner.ts";
 * import { DEFAULT_SUITE_SETTINGS } from "../../lib/suite/plan.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const settings = { ...DEFAULT_SUITE_SETTINGS, census: { drainMs: 300 } };
 * const { cases } = await new SuiteRunner(server.target, [closeAnswersFin], { settings }).run();
 * console.assert(cases[0].verdict === "PASS", cases[0].actual);
 * ```
 */
export default async function closeAnswersFin(context: CaseContext): Promise<CaseFinding> {
  const { summary } = await context.lifecycle();
  const { clean, "no-fin": noFin } = summary.outcomes;
  const reset = resetsIn(summary.errors, ["close"]);
  const finFirst = clean + noFin + reset;
  const bound = formatMicros(summary.load.closeTimeoutMs * 1000);
  const expected = `the server's FIN within ${bound} of ours, in every session`;
  if (finFirst === 0) {
    return {
      status: "skipped",
      expected,
      reason: `no session got to send the first FIN (${summary.outcomes["server-closed-first"]} ` +
        "closed first by the server)",
    };
  }
  const close = summary.phases.close;
  const actual = `${clean} of ${finFirst} sessions got the server's FIN` +
    (close.count > 0 ? ` (p99 ${formatMicros(close.p99Us)})` : "") +
    (noFin > 0 ? `; ${noFin} never got it within ${bound}` : "") +
    (reset > 0 ? `; ${reset} got an RST instead` : "");
  return { status: clean === finFirst ? "held" : "broken", expected, actual };
}
