/**
 * `synfin backlog`: accept-queue burst sweeps of one or two targets, or a
 * comparison of two saved sweeps.
 *
 * @module
 */

import { EXIT } from "../base/exit_codes.ts";
import { sweepBacklog } from "../backlog/sweep.ts";
import type { BacklogSweep } from "../backlog/sweep_result.ts";
import { estimateBacklog } from "../backlog/estimate.ts";
import { compareBacklogSweeps, loadBacklogSweep } from "../backlog/compare.ts";
import { renderBacklogComparison, renderBacklogReport } from "../report/backlog_text.ts";
import { type BacklogCommand, parseBacklogArgs } from "./backlog_args.ts";
import { BACKLOG_HELP } from "./help.ts";
import { onCtrlC } from "./interrupt.ts";
import { emit, say, sayEngineFallback, sayUsageError } from "./output.ts";
import { reach } from "./reach.ts";
import { StatusLine } from "./status.ts";

/**
 * Runs `backlog` with the words after it and returns the exit code: 0, or
 * 4 when synfin ran out of file descriptors or ports, 130 when interrupted.
 *
 * @example
 * ```ts
 * import { backlog } from "./backlog.ts";
 * console.assert(await backlog(["--help"]) === 0);
 * ```
 */
export async function backlog(args: string[]): Promise<number> {
  let command: BacklogCommand;
  try {
    command = parseBacklogArgs(args);
    if (command.kind === "compare") {
      const [a, b] = await Promise.all(command.files.map(loadBacklogSweep));
      const comparison = compareBacklogSweeps(a, b, { labels: command.files });
      const json = JSON.stringify(comparison, null, 2);
      const emitted = await emit(
        command.jsonPath ?? undefined,
        json,
        () => renderBacklogComparison(comparison),
      );
      return emitted ? EXIT.ok : EXIT.usage;
    }
  } catch (error) {
    return sayUsageError(error);
  }
  if (command.kind === "help") {
    console.log(BACKLOG_HELP);
    return EXIT.ok;
  }
  sayEngineFallback(command.sweep.engine);
  using stop = onCtrlC();
  const status = new StatusLine();
  const sweeps: BacklogSweep[] = [];
  for (const [i, target] of command.targets.entries()) {
    const unreachable = await reach(target, command.sweep.connectTimeoutMs, stop.signal);
    if (unreachable !== undefined) return unreachable;
    const sweep = await sweepBacklog(target, {
      ...command.sweep,
      signal: stop.signal,
      onBurstStart: (size, index, total) =>
        status.show(`${target.label}: burst ${index + 1}/${total} of ${size}`),
    });
    status.clear();
    sweeps.push(sweep);
    const json = JSON.stringify(sweep, null, 2);
    const jsonPath = command.jsonPaths[i];
    if (!await emit(jsonPath, json, () => renderBacklogReport(sweep, estimateBacklog(sweep)))) {
      return EXIT.usage;
    }
    if (sweep.stoppedBy === "tester-limit") {
      say("stopped early: synfin ran out of file descriptors or local ports; use smaller bursts");
      return EXIT.testerLimit;
    }
    if (stop.signal.aborted) break;
  }
  if (sweeps.length === 2 && !command.jsonPaths.includes("-")) {
    console.log("");
    console.log(renderBacklogComparison(compareBacklogSweeps(sweeps[0], sweeps[1], {
      labels: [command.targets[0].label, command.targets[1].label],
    })));
  }
  if (stop.signal.aborted) {
    say("interrupted: the report above covers the bursts that ran");
    return EXIT.interrupted;
  }
  return EXIT.ok;
}
