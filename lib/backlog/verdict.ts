/**
 * The verdict of a backlog sweep: measured, or which finding ended it
 * without a capacity (the server died, restarted, or never drained its
 * accept queue), with the one line a command prints for it.
 *
 * @module
 */

import type { BacklogEstimate } from "./estimate.ts";
import type { BacklogSweep } from "./sweep_result.ts";

/**
 * How a sweep ended:
 *
 * - `measured`: the estimate stands (whatever the capacity).
 * - `server-gone`: a burst was refused whole and a connect after it was
 *   still refused: the server is no longer reachable.
 * - `server-restarted`: a burst was refused whole, then the server answered
 *   again: it went down under the sweep and came back.
 * - `unreliable`: a burst could not start on a drained accept queue, so no
 *   capacity is given.
 * - `tester-limit`: synfin ran out of file descriptors or ports.
 * - `interrupted`: the signal stopped it.
 */
export type BacklogVerdictKind =
  | "measured"
  | "server-gone"
  | "server-restarted"
  | "unreliable"
  | "tester-limit"
  | "interrupted";

/** A sweep's verdict. */
export interface BacklogVerdict {
  /** Which. */
  kind: BacklogVerdictKind;
  /** One line for the user; `null` for `measured` and `interrupted`, which the report covers. */
  message: string | null;
}

/**
 * Judges a sweep and its estimate. A finding that ended the sweep wins over
 * the signal (it came first); a stale queue seen only in the bursts (the
 * wait turned off) is `unreliable` too.
 *
 * @example
 * ```ts
 * import { judgeSweep } from "./verdict.ts";
 * import { estimateBacklog } from "./estimate.ts";
 * import { sweepBacklog } from "./sweep.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const sweep = await sweepBacklog(server.target, { sizes: [4], holdMs: 100 });
 * console.assert(judgeSweep(sweep, estimateBacklog(sweep)).kind === "measured");
 * ```
 */
export function judgeSweep(sweep: BacklogSweep, estimate: BacklogEstimate): BacklogVerdict {
  const gone = sweep.serverGone ?? null;
  if (gone !== null) {
    const why = (estimate.unreliable ?? "").replace(/^none claimed: the server /, "");
    return gone.answeredAgain
      ? {
        kind: "server-restarted",
        message: `The server ${why}, then answered again: it restarted (crashed or was ` +
          `restarted under the burst); no capacity claimed`,
      }
      : {
        kind: "server-gone",
        message: `Cannot connect to ${sweep.target}: connection refused (ECONNREFUSED): the ` +
          `server ${why} and still refuses`,
      };
  }
  if (sweep.stoppedBy === "tester-limit") {
    return {
      kind: "tester-limit",
      message: "stopped early: synfin ran out of file descriptors or local ports; use smaller " +
        "bursts",
    };
  }
  if (estimate.unreliable !== null) {
    const held = estimate.unreliable.replace(/^estimate unreliable: the accept queue /, "");
    return {
      kind: "unreliable",
      message: `Estimate unreliable: the accept queue of ${sweep.target} ${held}; give a ` +
        "longer --queue-wait, or make the server accept faster",
    };
  }
  if (sweep.interrupted) return { kind: "interrupted", message: null };
  return { kind: "measured", message: null };
}
