/**
 * `synfin load HOST:PORT`: a load with a socket census around it, the
 * text or JSON report, and the load's verdict as the exit code.
 *
 * @module
 */

import { EXIT, type ExitCode } from "../base/exit_codes.ts";
import { LoadRunner } from "../engine/runner.ts";
import { runLoadWithCensus } from "../census/load.ts";
import { judgeLoad, type LoadVerdictKind } from "../census/load_verdict.ts";
import { renderTextReport } from "../report/load_text.ts";
import type { LoadCommand } from "./load_args.ts";
import { onCtrlC } from "./interrupt.ts";
import { emit, say, sayEngineFallback } from "./output.ts";
import { reach } from "./reach.ts";
import { StatusLine } from "./status.ts";

/** The exit code of each load verdict. */
export const LOAD_VERDICT_EXIT: Readonly<Record<LoadVerdictKind, ExitCode>> = Object.freeze({
  pass: EXIT.ok,
  fail: EXIT.failed,
  "tester-limit": EXIT.testerLimit,
  interrupted: EXIT.interrupted,
});

/**
 * Runs `load` and returns the exit code of its verdict (see `judgeLoad`),
 * after printing the report and the verdict's first reason.
 *
 * @example
 * ```ts
 * import { load } from "./load.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const code = await load({
 *   kind: "load",
 *   target: server.target,
 *   load: { sessions: 20, concurrency: 4 },
 *   census: "off",
 *   jsonPath: "-",
 * });
 * console.assert(code === 0);
 * ```
 */
export async function load(command: LoadCommand): Promise<number> {
  using stop = onCtrlC();
  sayEngineFallback(command.load.engine);
  const unreachable = await reach(command.target, command.load.connectTimeoutMs, stop.signal);
  if (unreachable !== undefined) return unreachable;
  const status = new StatusLine();
  const runner = new LoadRunner(command.target, { ...command.load, signal: stop.signal });
  if (status.enabled) runner.addEventListener("progress", status.showLoadProgress);
  const run = await runLoadWithCensus(runner, {
    census: command.census,
    signal: stop.signal,
    onCensusUnavailable: (reason) => say(`no socket census: ${reason}`),
    onDrain: (ms) => {
      if (!status.enabled) return;
      status.clear();
      say(`draining: sampling the server's sockets for up to ${ms / 1000}s`);
    },
  });
  status.clear();
  const json = JSON.stringify(run.summary, null, 2);
  if (!await emit(command.jsonPath, json, () => renderTextReport(run.summary))) return EXIT.usage;
  const { verdict, reasons } = judgeLoad(run);
  // One line: the report above shows the rest.
  if (reasons.length > 0) say(reasons[0]);
  return LOAD_VERDICT_EXIT[verdict];
}
