/**
 * How a case opens sessions: it runs one of the built-in session scenarios
 * (`scenarios/sessions/`) through the same runner as `synfin run NAME`, on
 * the suite's engine, with the suite's timeouts and stop signal, so what a
 * case judges is what `run NAME` would show.
 *
 * @module
 */

import type { CaseContext } from "../../lib/suite/case.ts";
import { type LoadOptions, type LoadResult, LoadRunner } from "../../lib/engine/runner.ts";
import { builtinScenarioUrl } from "../sessions/registry.ts";

/**
 * Runs the built-in scenario `name` against the case's target. `options`
 * gives the load's shape and the session's parameters; the engine, the
 * timeouts and the signal are the suite's unless `options` sets them.
 *
 * @throws {Error} when no built-in scenario has that name (a bug in the case).
 * @example
 * ```ts
 * import { runBuiltinScenario } from "./scenario_run.ts";
 * import { DEFAULT_SUITE_SETTINGS } from "../../lib/suite/plan.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const context = {
 *   target: server.target,
 *   settings: DEFAULT_SUITE_SETTINGS,
 *   signal: new AbortController().signal,
 *   lifecycle: () => Promise.reject(new Error("not used")),
 *   idle: () => Promise.reject(new Error("not used")),
 * };
 * const result = await runBuiltinScenario(context, "abort", { sessions: 3, concurrency: 3 });
 * console.assert(result.tally.outcomes.aborted === 3);
 * ```
 */
export function runBuiltinScenario(
  context: CaseContext,
  name: string,
  options: LoadOptions,
): Promise<LoadResult> {
  const scenario = builtinScenarioUrl(name);
  if (scenario === undefined) throw new Error(`No built-in session scenario named ${name}`);
  const { engine, connectTimeoutMs, closeTimeoutMs } = context.settings;
  return new LoadRunner(context.target, {
    engine,
    connectTimeoutMs,
    closeTimeoutMs,
    signal: context.signal,
    ...options,
    scenario,
  }).run();
}
