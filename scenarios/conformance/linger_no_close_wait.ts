/**
 * `linger/no-close-wait`: once the drain window has passed, no server-side
 * socket of the port that the server accepted remains in CLOSE_WAIT. A
 * connection still in the accept queue when the drain ends is in CLOSE_WAIT
 * too (we closed, nobody accepted it yet), but no handler holds it: a slow
 * accept loop, which the handshake cases judge, not a leak. Against a server
 * with backlog 4 that accepts every 200 ms the lifecycle run leaves its
 * queue full, and a short drain ends with one or two still queued.
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
  id: "linger/no-close-wait",
  severity: "MUST",
  requirement: "No accepted server socket remains in CLOSE_WAIT after the drain window",
};

/**
 * Reads the socket census of the shared lifecycle run.
 *
 * @example
 * ```ts
 * import * as lingerNoCloseWait from "./linger_no_close_wait.ts";
 * import { SuiteRunner } from "../../lib/suite/runner.ts";
 * import { DEFAULT_SUITE_SETTINGS } from "../../lib/suite/plan.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const settings = { ...DEFAULT_SUITE_SETTINGS, census: { drainMs: 300 } };
 * const { cases } = await new SuiteRunner(server.target, [lingerNoCloseWait], { settings }).run();
 * console.assert(cases[0].verdict === "PASS", cases[0].actual);
 * ```
 */
export default async function lingerNoCloseWait(context: CaseContext): Promise<CaseFinding> {
  const expected = "0 accepted server-side CLOSE_WAIT sockets after the drain";
  if (context.settings.census === "off") {
    return { status: "skipped", expected, reason: "the socket census is off (--no-census)" };
  }
  const { summary } = await context.lifecycle();
  const unconnected = unconnectedRun(summary, expected);
  if (unconnected) return unconnected;
  const sockets = summary.sockets;
  const closeWait = summary.lingering?.closeWait;
  if (!sockets?.available || !closeWait) {
    return {
      status: "skipped",
      expected,
      reason: `no socket census: ${sockets && !sockets.available ? sockets.reason : "not taken"}`,
    };
  }
  const drain = `${(sockets.drainedAfterMs / 1000).toFixed(1)}s`;
  const { remaining, leakedByHandler, neverAccepted, noFinSessions } = closeWait;
  let actual: string;
  if (remaining === 0) {
    actual = `0 after a ${drain} drain`;
  } else if (leakedByHandler === 0) {
    actual = `0 accepted sockets left in CLOSE_WAIT after a ${drain} drain; ${neverAccepted} ` +
      "still in the accept queue (never accepted: a slow accept loop, not a handler leak)";
  } else {
    actual = `${remaining} left after a ${drain} drain (${leakedByHandler} accepted ` +
      `and never closed by the handler, ${neverAccepted} never accepted); ` +
      `${noFinSessions} sessions got no FIN`;
  }
  return { status: leakedByHandler === 0 ? "held" : "broken", expected, actual };
}
