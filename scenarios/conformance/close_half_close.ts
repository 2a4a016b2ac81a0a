/**
 * `close/half-close`: data the server sends after our FIN still arrives in
 * full, before its FIN. A server that treats our half-close as a full close
 * (or resets) loses the tail of its reply. Its sessions are the built-in
 * `half-close-reply` scenario's.
 *
 * @module
 */

import type { CaseContext, CaseFinding, CaseOptions } from "../../lib/suite/case.ts";
import { runBuiltinScenario } from "./scenario_run.ts";

/** The case. */
export const options: CaseOptions = {
  id: "close/half-close",
  severity: "MUST",
  requirement: "A reply sent after our FIN (half-close) arrives in full, then the server's FIN",
};

const CONNECTIONS = 10;

/**
 * Runs the built-in `half-close-reply` scenario on 10 connections at once:
 * the payload and our FIN at once, then the reply read until the server's
 * FIN.
 *
 * @example
 * ```ts
 * import * as closeHalfClose from "./close_half_close.ts";
 * import { SuiteRunner } from "../../lib/suite/runner.ts";
 * import { DEFAULT_SUITE_SETTINGS } from "../../lib/suite/plan.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const settings = { ...DEFAULT_SUITE_SETTINGS, census: { drainMs: 300 } };
 * const { cases } = await new SuiteRunner(server.target, [closeHalfClose], { settings }).run();
 * console.assert(cases[0].verdict === "PASS", cases[0].actual);
 * ```
 */
export default async function closeHalfClose(context: CaseContext): Promise<CaseFinding> {
  const { payload } = context.settings;
  const run = await runBuiltinScenario(context, "half-close-reply", {
    sessions: CONNECTIONS,
    concurrency: CONNECTIONS,
    send: payload,
  });
  const o = run.tally.outcomes;
  const passes = (name: string) => run.tally.checks.find((c) => c.name === name)?.passes ?? 0;
  // The server's FIN ended the reply (before ours or after): it came whole.
  const fin = passes("complete");
  const timeout = o["no-fin"];
  // Refused, timed out connecting, out of synfin's descriptors, ...
  const error = run.tally.sessions - o.clean - o["server-closed-first"] - o.reset - timeout;
  const reset = o.reset;
  const withReply = passes("replied");
  const echoed = passes("echo");
  // Its failed operations' errnos: a tester limit (EMFILE) is synfin's, not the server's.
  const sessions = [run.tally];
  const expected =
    `each of ${CONNECTIONS} connections: the reply to our ${payload.byteLength}-byte ` +
    "request in full after our FIN, then the server's FIN";
  const actual = `${fin} ended with the server's FIN, ${reset} reset, ` +
    `${timeout} no FIN in time, ${error} other errors; ` +
    `${withReply} received a reply (${echoed} exactly our bytes back)`;
  if (reset + error > 0) {
    return { status: "broken", expected, actual, sessions };
  }
  if (withReply === 0) {
    // A server that sends nothing (it waits for a protocol it does not see)
    // has no reply to lose: nothing to judge.
    return {
      status: "measured",
      expected,
      actual: `${actual}: the server sent nothing`,
      sessions,
    };
  }
  const held = fin === CONNECTIONS;
  return { status: held ? "held" : "broken", expected, actual, sessions };
}
