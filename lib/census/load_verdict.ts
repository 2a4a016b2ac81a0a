/**
 * The verdict on a load with its census: whether the server passed, and if
 * not, why, in the words the `load` command prints. The CLI maps it to an
 * exit code; a program calling `runLoadWithCensus` gets the same judgement.
 *
 * @module
 */

import { FAILING_OUTCOMES, OUTCOMES } from "../engine/outcome.ts";
import type { LoadWithCensus } from "./load.ts";

/**
 * - `pass`: every session ended well and the server left no CLOSE_WAIT and
 *   no half-open connection behind;
 * - `fail`: the server's fault (a failing outcome, no session finished,
 *   CLOSE_WAIT left after the drain, half-open connections);
 * - `tester-limit`: synfin ran out of file descriptors or local ports, so
 *   the run says nothing about the server;
 * - `interrupted`: the signal stopped the run before its end.
 */
export type LoadVerdictKind = "pass" | "fail" | "tester-limit" | "interrupted";

/** The judgement of a load. */
export interface LoadVerdict {
  /** The verdict. */
  verdict: LoadVerdictKind;
  /**
   * Why, one line each, most telling first: every failing finding for
   * `fail`, the one reason (with advice) for `tester-limit` and
   * `interrupted`, none for `pass`. The `load` command prints the first.
   */
  reasons: string[];
}

/**
 * Judges a load and its census. A run cut short (by the signal, or by
 * synfin's own fd or port limit) is not judged on the server's behaviour:
 * its sessions were torn down by us, not by the server.
 *
 * @example
 * ```ts
 * import { judgeLoad } from "./load_verdict.ts";
 * import { runLoadWithCensus } from "./load.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 *
 * await using server = await startReferenceServer("well-behaved");
 * const runner = new LoadRunner(server.target, { sessions: 20, concurrency: 4 });
 * const { verdict, reasons } = judgeLoad(await runLoadWithCensus(runner, { census: "off" }));
 * console.assert(verdict === "pass" && reasons.length === 0);
 * ```
 */
export function judgeLoad({ result, summary }: LoadWithCensus): LoadVerdict {
  if (result.stoppedBy === "signal") {
    return {
      verdict: "interrupted",
      reasons: ["interrupted: the report above covers the sessions that finished"],
    };
  }
  if (result.stoppedBy === "tester-limit") {
    const errno = result.testerLimitErrno;
    const advice = errno === "EMFILE" || errno === "ENFILE"
      ? "out of file descriptors (EMFILE): lower --concurrency or raise `ulimit -n`"
      : `out of local ports or memory (${errno}): lower --concurrency or ` +
        "--rate, or widen net.ipv4.ip_local_port_range";
    return { verdict: "tester-limit", reasons: [`stopped early, synfin ran ${advice}`] };
  }
  const { tally } = result;
  const reasons: string[] = [];
  const failures = OUTCOMES.filter((o) => FAILING_OUTCOMES.has(o) && tally.outcomes[o] > 0);
  if (failures.length > 0) {
    const failed = failures.reduce((sum, o) => sum + tally.outcomes[o], 0);
    reasons.push(
      `FAIL: ${failed} of ${tally.sessions} sessions failed (` +
        failures.map((o) => `${o} ${tally.outcomes[o]}`).join(", ") + ")",
    );
  } else if (tally.sessions === 0) {
    reasons.push("FAIL: no session finished");
  }
  const closeWait = summary.lingering?.closeWait?.remaining ?? 0;
  if (closeWait > 0) {
    reasons.push(`FAIL: ${closeWait} server sockets left in CLOSE_WAIT after the drain`);
  }
  const halfOpen = summary.lingering?.halfOpen?.count ?? 0;
  if (halfOpen > 0) {
    reasons.push(`FAIL: ${halfOpen} half-open connections: the server's accept queue overflowed`);
  }
  return { verdict: reasons.length > 0 ? "fail" : "pass", reasons };
}
