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
import { type BacklogVerdictKind, judgeSweep } from "../backlog/verdict.ts";
import { compareBacklogSweeps, loadBacklogSweep } from "../backlog/compare.ts";
import { renderBacklogComparison, renderBacklogReport } from "../report/backlog_text.ts";
import { renderBacklogHtml } from "../report/html.ts";
import { type BacklogCommand, parseBacklogArgs } from "./backlog_args.ts";
import { BACKLOG_HELP } from "./help.ts";
import { onCtrlC } from "./interrupt.ts";
import { emit, say, sayEngineFallback, sayUsageError, writeReport } from "./output.ts";
import { reach } from "./reach.ts";
import { StatusLine } from "./status.ts";
import { renderBacklogEnd } from "./status_end.ts";

/**
 * Runs `backlog` with the words after it and returns the exit code: 0 when
 * the sweep measured (whatever the capacity); 3 when the server stopped
 * answering during it (a burst refused whole) and a connect after it was
 * refused too; 1 when it answered again after such a burst (it went down
 * under the sweep and restarted: a server failure), or when its accept queue
 * did not drain before a burst within `--queue-wait` (estimate unreliable);
 * 4 when synfin ran out of file descriptors or ports; 130 when interrupted.
 * With two targets, the first of these codes that is not 0.
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
      return emitted && await writeHtml(command.htmlPath, [a, b]) ? EXIT.ok : EXIT.usage;
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
  let code: number = EXIT.ok;
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
    // Off a terminal, the bursts once; before this sweep's verdict, which ends its part of the log.
    status.end(renderBacklogEnd(sweep));
    sweeps.push(sweep);
    const json = JSON.stringify(sweep, null, 2);
    const jsonPath = command.jsonPaths[i];
    const estimate = estimateBacklog(sweep);
    if (!await emit(jsonPath, json, () => renderBacklogReport(sweep, estimate))) {
      return EXIT.usage;
    }
    const verdict = judgeSweep(sweep, estimate);
    if (verdict.message !== null) say(verdict.message);
    if (verdict.kind === "tester-limit") {
      return await writeHtml(command.htmlPath, sweeps) ? EXIT.testerLimit : EXIT.usage;
    }
    if (code === EXIT.ok) code = VERDICT_EXIT[verdict.kind];
    if (stop.signal.aborted) break;
  }
  if (!await writeHtml(command.htmlPath, sweeps)) return EXIT.usage;
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
  return code;
}

/** `--html FILE`: every sweep that ran, in one report; `false` when it could not be written. */
async function writeHtml(path: string | undefined, sweeps: BacklogSweep[]): Promise<boolean> {
  return path === undefined || await writeReport(path, "--html", renderBacklogHtml(sweeps));
}

/** The exit code of each verdict but the two handled on their own. */
const VERDICT_EXIT: Readonly<Record<BacklogVerdictKind, number>> = {
  "measured": EXIT.ok,
  "interrupted": EXIT.ok,
  "server-gone": EXIT.unreachable,
  "server-restarted": EXIT.failed,
  "unreliable": EXIT.failed,
  "tester-limit": EXIT.testerLimit,
};
