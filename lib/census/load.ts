/**
 * A load run with a socket census around it: baseline, samples during the
 * load, end, drain window, and the lingering-socket findings, folded into
 * one summary. Used by the `load` command and by the conformance cases that
 * look at what the server leaves behind.
 *
 * @module
 */

import { findLingering } from "./findings.ts";
import type { LoadResult, LoadRunner } from "../engine/runner.ts";
import { type LoadSummary, summarizeLoad } from "./load_summary.ts";
import { readTcpSysctls } from "./sysctls.ts";
import { type CensusChoice, censusSettings } from "./settings.ts";
import { withCensus } from "./with_census.ts";

/** Options of {@link runLoadWithCensus}. */
export interface LoadWithCensusOptions {
  /**
   * The census, or `"off"`.
   *
   * @default {censusSettings()}
   */
  census?: CensusChoice;
  /**
   * Stops the load and skips the drain; the partial result is returned. The
   * load stops on the `signal` of the runner's own `LoadOptions`: give the
   * runner this same signal.
   */
  signal?: AbortSignal;
  /** Told when no census can be taken, with the reason. */
  onCensusUnavailable?: (reason: string) => void;
  /** Told when the drain window starts. */
  onDrain?: (windowMs: number) => void;
}

/** The raw result and its summary (with `sockets` and `lingering` unless the census was off). */
export interface LoadWithCensus {
  /** The load's raw result. */
  result: LoadResult;
  /** The summary, census included. */
  summary: LoadSummary;
}

/**
 * Runs `runner`'s load with a census of its target's port around it (see
 * {@link withCensus}). The caller builds the runner, so it can listen to
 * its `"progress"` events before the load starts.
 *
 * @example
 * ```ts
 * import { runLoadWithCensus } from "./load.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("leaky");
 * const runner = new LoadRunner(server.target, { sessions: 10, closeTimeoutMs: 200 });
 * let completed = 0;
 * runner.addEventListener("progress", (event) => completed = event.progress.completed);
 * const { summary } = await runLoadWithCensus(runner, { census: { drainMs: 300 } });
 * console.assert(summary.lingering?.closeWait?.remaining === 10);
 * console.assert(completed <= 10);
 * ```
 */
export async function runLoadWithCensus(
  runner: LoadRunner,
  options: LoadWithCensusOptions = {},
): Promise<LoadWithCensus> {
  const census = options.census ?? censusSettings();
  const { result, sockets } = await withCensus(runner.target, census, () => runner.run(), options);
  const summary = summarizeLoad(result);
  if (sockets === null) return { result, summary };
  const range = (await readTcpSysctls()).ephemeralPortRange;
  const lingering = findLingering(sockets, summary.outcomes, {
    ephemeralPorts: range ? range.high - range.low + 1 : undefined,
  });
  return { result, summary: { ...summary, sockets, lingering } };
}
