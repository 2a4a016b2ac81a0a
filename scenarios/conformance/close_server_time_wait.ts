/**
 * `close/server-time-wait`: the client, not the server, closes first, so
 * the TIME_WAIT stays on the client's side.
 *
 * @module
 */

import {
  type CaseContext,
  type CaseFinding,
  type CaseOptions,
  unconnectedRun,
} from "../../lib/suite/case.ts";

/** The case. */
export const options: CaseOptions = {
  id: "close/server-time-wait",
  severity: "SHOULD",
  requirement:
    "The server lets the client close first, so TIME_WAIT (about 60 s per connection) stays on the client",
};

/**
 * Reads the shared lifecycle run, whose sessions dwell before their FIN so
 * that a server closing first has the time to show it.
 *
 * @example
 * ```ts
 * import * as closeServerTimeWait from "./close_server_time_wait.ts";
 * import { SuiteRunner } from "../../lib/suite/runner.ts";
 * import { DEFAULT_SUITE_SETTINGS } from "../../lib/suite/plan.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const settings = { ...DEFAULT_SUITE_SETTINGS, census: { drainMs: 300 } };
 * const { cases } = await new SuiteRunner(server.target, [closeServerTimeWait], { settings }).run();
 * console.assert(cases[0].verdict === "PASS", cases[0].actual);
 * ```
 */
export default async function closeServerTimeWait(context: CaseContext): Promise<CaseFinding> {
  const expected = "the client closes first: 0 sessions closed by the server, 0 server TIME_WAIT";
  const { summary } = await context.lifecycle();
  const unconnected = unconnectedRun(summary, expected);
  if (unconnected) return unconnected;
  const first = summary.lingering?.serverTimeWait;
  const closedFirst = summary.outcomes["server-closed-first"];
  const timeWait = first?.serverTimeWait ?? null;
  const share = summary.sessions === 0 ? 0 : (closedFirst / summary.sessions) * 100;
  return {
    status: closedFirst === 0 && (timeWait ?? 0) === 0 ? "held" : "broken",
    expected,
    actual: `the server closed first in ${closedFirst} of ${summary.sessions} sessions ` +
      `(${share.toFixed(1)}%)` +
      (timeWait === null ? "" : `; ${timeWait} server-side TIME_WAIT sockets`),
  };
}
