/**
 * The notes under a backlog report: what the sweep could not measure, how
 * long it waited for the accept queue before each burst, and why it stopped.
 *
 * @module
 */

import type { BacklogEstimate } from "../backlog/estimate.ts";
import type { BacklogSweep } from "../backlog/sweep_result.ts";
import { formatMicros } from "../base/duration.ts";

/**
 * The notes of a sweep, each line starting `note: `, after one blank line;
 * none when there is nothing to say.
 *
 * @example
 * ```ts
 * import { backlogNotes } from "./backlog_notes.ts";
 * import { estimateBacklog } from "../backlog/estimate.ts";
 * import { sweepBacklog } from "../backlog/sweep.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const sweep = await sweepBacklog(server.target, { sizes: [4], holdMs: 100 });
 * const notes = backlogNotes(sweep, estimateBacklog(sweep));
 * console.assert(notes.length === 0); // nothing to say
 * ```
 */
export function backlogNotes(sweep: BacklogSweep, e: BacklogEstimate): string[] {
  const lines: string[] = [];
  if (sweep.censusUnavailable !== null) {
    lines.push(
      `no socket census (${sweep.censusUnavailable}): half-open connections, the accept queue ` +
        "and the kernel counters are not measured",
    );
  }
  const s = sweep.settings;
  const waited = sweep.bursts.filter((burst) => (burst.queueWaitMs ?? 0) > 0).length;
  if (waited > 0) {
    lines.push(
      `before ${waited} burst${waited === 1 ? "" : "s"} the sweep waited for the accept queue ` +
        `to be back to ${sweep.acceptQueueBaseline ?? 0} (its length before the sweep), up to ` +
        `${ms(s.queueWaitMs)}: see queue wait`,
    );
  }
  if (e.queueNotEmptyAtStart.length > 0) {
    lines.push(
      `bursts ${e.queueNotEmptyAtStart.join(", ")} started with connections of the previous ` +
        "burst still queued (had less room): give a longer --queue-wait",
    );
  }
  const gone = sweep.serverGone;
  const undrained = sweep.queueNotDrained;
  if (gone) {
    lines.push(
      `the sweep stopped: burst ${gone.refusedBurst} was refused whole (nothing listened), and ` +
        (gone.answeredAgain
          ? "the server answered again after it"
          : "a connect after it was refused too"),
    );
  } else if (undrained) {
    lines.push(
      `the sweep stopped before burst ${undrained.nextBurst}: the accept queue still held ` +
        `${undrained.held} above its ${undrained.baseline} after ${ms(undrained.waitedMs)}`,
    );
  } else if (sweep.stoppedBy === "failing-bursts") {
    lines.push(
      `the sweep stopped after ${sweep.settings.stopAfterFailing} failing bursts in a row ` +
        "(larger bursts only add timeouts)",
    );
  } else if (sweep.stoppedBy === "tester-limit") {
    lines.push("the sweep stopped: synfin ran out of file descriptors or ephemeral ports");
  } else if (sweep.interrupted) {
    lines.push("interrupted: the estimate covers the bursts that completed");
  }
  return lines.length === 0 ? [] : ["", ...lines.map((line) => `note: ${line}`)];
}

function ms(value: number): string {
  return formatMicros(value * 1000);
}
