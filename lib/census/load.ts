/**
 * A load run with a socket census around it: baseline, samples during the
 * load, end, drain window, and the lingering-socket findings, folded into
 * one summary. Used by the `load` command and by the conformance cases that
 * look at what the server leaves behind.
 *
 * @module
 */

import { findLingering } from "./findings.ts";
import { type LoadOptions, type LoadResult, LoadRunner } from "../engine/runner.ts";
import {
  type SocketReport,
  type SocketsUnavailable,
  SocketWatch,
  watchServerSockets,
} from "./watch.ts";
import { type LoadSummary, summarizeLoad } from "./load_summary.ts";
import type { Target } from "../base/target.ts";
import { readTcpSysctls } from "./sysctls.ts";
import type { CensusSettings } from "./settings.ts";

/** Options of {@link runLoadWithCensus}. */
export interface LoadWithCensusOptions {
  /** The load. */
  load: LoadOptions;
  /** The census; omit for none. */
  census?: CensusSettings;
  /** Stops the load and skips the drain; the partial result is returned. */
  signal?: AbortSignal;
  /** Gets the runner before it starts (to listen to its progress events). */
  onRunner?: (runner: LoadRunner) => void;
  /** Told when no census can be taken, with the reason. */
  onCensusUnavailable?: (reason: string) => void;
  /** Told when the drain window starts. */
  onDrain?: (windowMs: number) => void;
}

/** The raw result and its summary (with `sockets` and `lingering` when a census was asked for). */
export interface LoadWithCensus {
  /** The load's raw result. */
  result: LoadResult;
  /** The summary, census included. */
  summary: LoadSummary;
}

/**
 * Runs a load with a census of the server port around it.
 *
 * The baseline is taken right before the load, so anything already on the
 * port (another client's sockets, an earlier run's CLOSE_WAIT) is left out
 * of the deltas.
 *
 * @example
 * ```ts ignore
 * import { runLoadWithCensus } from "./load.ts";
 * const { summary } = await runLoadWithCensus(target, {
 *   load: { sessions: 200 },
 *   census: { drainMs: 3000 },
 * });
 * console.log(summary.lingering?.closeWait?.remaining);
 * ```
 */
export async function runLoadWithCensus(
  target: Target,
  options: LoadWithCensusOptions,
): Promise<LoadWithCensus> {
  const census = options.census
    ? await watchServerSockets(target, {
      serverSocketsCommand: options.census.serverSocketsCommand,
    })
    : undefined;
  if (census && !(census instanceof SocketWatch)) options.onCensusUnavailable?.(census.reason);
  const runner = new LoadRunner(target, { ...options.load, signal: options.signal });
  options.onRunner?.(runner);
  if (census instanceof SocketWatch) census.start();
  const result = await runner.run();
  const summary = summarizeLoad(result);
  if (!census || !options.census) return { result, summary };

  let sockets: SocketReport | SocketsUnavailable;
  if (census instanceof SocketWatch) {
    await census.stop();
    const aborted = options.signal?.aborted ?? false;
    if (!aborted) options.onDrain?.(options.census.drainMs);
    // After a stop the drain is skipped; the end census is still reported.
    sockets = await census.drain(aborted ? 0 : options.census.drainMs, { signal: options.signal });
  } else {
    sockets = census;
  }
  const range = (await readTcpSysctls()).ephemeralPortRange;
  const lingering = findLingering(sockets, summary.outcomes, {
    ephemeralPorts: range ? range.high - range.low + 1 : undefined,
  });
  return { result, summary: { ...summary, sockets, lingering } };
}
