/**
 * `abort/survives-reset`: after clients abort their connections with an
 * RST, the server still accepts and serves new ones.
 *
 * @module
 */

import * as net from "node:net";
import type { CaseContext, CaseFinding, CaseOptions } from "../../lib/suite/case.ts";
import { LoadRunner } from "../../lib/engine/runner.ts";
import { describeOutcomes, resetsIn } from "../../lib/engine/outcome.ts";

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

/**
 * Aborts 20 connections with an RST (after one written byte), then runs 20
 * ordinary sessions.
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
  const aborts = await Promise.all(Array.from({ length: ABORTS }, () => abortOne(context)));
  const aborted = aborts.filter((a) => a.connected).length;
  // Give the server a moment to see the resets before the next connects.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const after = await new LoadRunner(context.target, {
    engine: context.settings.engine,
    sessions: AFTER,
    concurrency: 20,
    connectTimeoutMs: context.settings.connectTimeoutMs,
    closeTimeoutMs: context.settings.closeTimeoutMs,
    // A dwell before our FIN, so a server that resets every connection at
    // accept shows it before our FIN (a reset in the hold), never racing our
    // FIN: without it the resets-at-accept server passed this case in 1 run
    // of 6 (tests/faults/stability_test.ts), its RST landing after our FIN.
    holdMs: AFTER_HOLD_MS,
    signal: context.signal,
  }).run();
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
    sessions: [after.tally, {
      errors: aborts.filter((a) => a.errno !== undefined)
        .map((a) => ({ phase: "handshake" as const, errno: a.errno!, count: 1 })),
    }],
  };
}

/**
 * `node:net`'s `resetAndDestroy()` sets SO_LINGER to 0 before closing, so
 * the kernel sends an RST; Deno's own `close()` always sends a FIN.
 */
function abortOne(context: CaseContext): Promise<{ connected: boolean; errno?: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: context.target.hostname, port: context.target.port });
    const timer = setTimeout(() => socket.destroy(), context.settings.connectTimeoutMs);
    let connected = false;
    let errno: string | undefined;
    socket.on("connect", () => {
      connected = true;
      socket.write("x", () => socket.resetAndDestroy());
    });
    // Only an error before the connect says anything (EMFILE: ours); after it, our own RST.
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (!connected) errno = error.code;
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ connected, errno });
    });
  });
}
