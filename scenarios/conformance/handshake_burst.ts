/**
 * `handshake/burst`: a burst of simultaneous connects completes without SYN
 * retransmissions, resets, timeouts or half-open connections, i.e. the
 * accept queue absorbs it.
 *
 * @module
 */

import { runBurst } from "../../lib/backlog/burst.ts";
import type { CaseContext, CaseFinding, CaseOptions } from "../../lib/suite/case.ts";
import { formatMicros } from "../../lib/base/duration.ts";
import { resetsIn } from "../../lib/engine/outcome.ts";

/** The case. */
export const options: CaseOptions = {
  id: "handshake/burst",
  severity: "MUST",
  requirement:
    "A burst of simultaneous connects completes on the first SYN, without resets or half-open connections",
};

/**
 * Fires one burst of `settings.burstSize` connects (see `runBurst`).
 *
 * @example
 * ```ts
 * import * as handshakeBurst from "./handshake_burst.ts";
 * import { SuiteRunner } from "../../lib/suite/runner.ts";
 * import { DEFAULT_SUITE_SETTINGS } from "../../lib/suite/plan.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const settings = { ...DEFAULT_SUITE_SETTINGS, census: { drainMs: 300 }, burstSize: 32 };
 * const { cases } = await new SuiteRunner(server.target, [handshakeBurst], { settings }).run();
 * console.assert(cases[0].verdict === "PASS", cases[0].actual);
 * ```
 */
export default async function handshakeBurst(context: CaseContext): Promise<CaseFinding> {
  const { burstSize, connectTimeoutMs, closeTimeoutMs, census } = context.settings;
  const burst = await runBurst(context.target, burstSize, {
    engine: context.settings.engine,
    // Long enough for the census to see a half-open connection twice.
    holdMs: 1200,
    connectTimeoutMs,
    closeTimeoutMs,
    // The burst is judged on its handshakes: a short drain is enough.
    census: census === "off" ? "off" : { ...census, drainMs: Math.min(census.drainMs, 1000) },
    signal: context.signal,
  });
  const outcomes = burst.tally.outcomes;
  // How the server closes is the close cases' business: only resets while
  // connecting or holding count here.
  const resets = resetsIn(burst.tally.errors, ["handshake", "firstByte", "hold"]);
  const halfOpen = burst.sockets.available ? burst.sockets.halfOpen : null;
  const overflows = burst.sockets.counters?.listenOverflows;
  const p99 = burst.tally.histograms.handshake.stats().p99Us;
  const expected = `all ${burstSize} connects complete on the first SYN (handshake under 1s), ` +
    "no reset, no timeout, no half-open connection";
  const actual = `${burst.firstSyn} on the first SYN, ${burst.synRetransmitted} after a SYN ` +
    `retransmission, ${resets} reset, ${outcomes["connect-timeout"]} timed out, ` +
    `${halfOpen ?? "unknown (no census)"} half-open` +
    (outcomes.refused > 0 ? `, ${outcomes.refused} refused` : "") +
    `; p99 ${formatMicros(p99)}, connects spread ` +
    `over ${burst.spreadMs.toFixed(1)}ms` +
    (overflows === undefined ? "" : `; ListenOverflows +${overflows}`);
  const held = burst.firstSyn === burstSize && resets === 0 &&
    outcomes["connect-timeout"] === 0 && (halfOpen ?? 0) === 0;
  return { status: held ? "held" : "broken", expected, actual, sessions: [burst.tally] };
}
