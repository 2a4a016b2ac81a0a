/**
 * A socket census around a run, written once for every run that needs one
 * (a load, a burst): pick the sources and take the baseline right before the
 * run, sample during it, take the end census, then sample through the drain
 * window until the server has settled.
 *
 * @module
 */

import { commandSocketSource, isThisHost, localSocketSource, portSocketSource } from "./source.ts";
import type { CensusChoice } from "./settings.ts";
import type { SocketReport, SocketsUnavailable } from "./socket_report.ts";
import type { Target } from "../base/target.ts";
import { SocketWatch } from "./watch.ts";

/** Options of {@link watchServerSockets}. */
export interface WatchServerSocketsOptions {
  /** Read the server's table with this shell command (`--server-sockets`). */
  serverSocketsCommand?: string;
  /**
   * Sampling interval, ms.
   *
   * @default {250}
   */
  intervalMs?: number;
}

/**
 * Picks the census sources for `target` and takes the baseline: a
 * `--server-sockets` command when given (the tester's side then comes from
 * this host's table), this host's table when the target is local, else none.
 * Gives {@link SocketsUnavailable} with the reason when no census can be taken.
 *
 * @example
 * ```ts
 * import { watchServerSockets } from "./with_census.ts";
 * import { SocketWatch } from "./watch.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const watch = await watchServerSockets(server.target);
 * console.assert(watch instanceof SocketWatch);
 * const remote = await watchServerSockets({ hostname: "192.0.2.1", port: 80, label: "x" });
 * console.assert(!(remote instanceof SocketWatch) && remote.reason.includes("--server-sockets"));
 * ```
 */
export async function watchServerSockets(
  target: Target,
  options: WatchServerSocketsOptions = {},
): Promise<SocketWatch | SocketsUnavailable> {
  let watch: SocketWatch;
  if (options.serverSocketsCommand !== undefined) {
    watch = new SocketWatch(target.port, {
      server: commandSocketSource(options.serverSocketsCommand),
      tester: localSocketSource(),
      intervalMs: options.intervalMs,
    });
  } else if (isThisHost(target)) {
    // ss reads only the port's sockets; without ss, the whole /proc table.
    const ss = portSocketSource(target.port);
    const server = await ss.read().then(() => ss, () => localSocketSource());
    watch = new SocketWatch(target.port, { server, intervalMs: options.intervalMs });
  } else {
    return {
      available: false,
      reason: `${target.hostname} is not this host: give --server-sockets CMD to read its table`,
      counters: null,
    };
  }
  try {
    await watch.baseline();
    return watch;
  } catch (error) {
    return {
      available: false,
      reason: error instanceof Error ? error.message : String(error),
      counters: null,
    };
  }
}

/** Options of {@link withCensus}. */
export interface CensusHooks {
  /**
   * When aborted by the end of the run, the drain is skipped (the end census
   * is still reported); aborted during the drain, it ends the drain.
   */
  signal?: AbortSignal;
  /** Told when no census can be taken, with the reason; the run still goes ahead. */
  onCensusUnavailable?: (reason: string) => void;
  /** Told when the drain window starts, with its length in ms. */
  onDrain?: (windowMs: number) => void;
  /**
   * Sampling interval during the run, ms. A burst wants it short: its
   * accept queue is full only while the server works through it (150 ms for
   * a backlog of 2 taken one per 50 ms), which a 250 ms interval can miss.
   *
   * @default {250}
   */
  intervalMs?: number;
}

/** A run's own result and the census around it. */
export interface CensusAround<T> {
  /** What the run returned. */
  result: T;
  /** The census; `null` when it was `"off"`. */
  sockets: SocketReport | SocketsUnavailable | null;
}

/**
 * Runs `run` with a census of `target`'s port around it: the baseline
 * right before (so that anything already on the port, another client's
 * sockets or an earlier run's CLOSE_WAIT, is left out of the deltas),
 * samples during it, the end census, then the drain window of
 * `census.drainMs`, which ends early once the server has settled.
 *
 * @example
 * ```ts
 * import { withCensus } from "./with_census.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("leaky");
 * const { result, sockets } = await withCensus(server.target, { drainMs: 300 }, async () => {
 *   const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.target.port });
 *   await conn.closeWrite();
 *   await new Promise((resolve) => setTimeout(resolve, 100));
 *   conn.close();
 *   return "one half-close";
 * });
 * console.assert(result === "one half-close");
 * console.assert(sockets?.available && sockets.server.CLOSE_WAIT.drained === 1);
 * ```
 */
export async function withCensus<T>(
  target: Target,
  census: CensusChoice,
  run: () => Promise<T>,
  hooks: CensusHooks = {},
): Promise<CensusAround<T>> {
  if (census === "off") return { result: await run(), sockets: null };
  const watch = await watchServerSockets(target, {
    serverSocketsCommand: census.serverSocketsCommand,
    intervalMs: hooks.intervalMs,
  });
  if (!(watch instanceof SocketWatch)) {
    hooks.onCensusUnavailable?.(watch.reason);
    return { result: await run(), sockets: watch };
  }
  watch.start();
  let result: T;
  try {
    result = await run();
  } finally {
    await watch.stop();
  }
  const aborted = hooks.signal?.aborted ?? false;
  if (!aborted) hooks.onDrain?.(census.drainMs);
  // After a stop the drain is skipped; the end census is still reported.
  const sockets = await watch.drain(aborted ? 0 : census.drainMs, { signal: hooks.signal });
  return { result, sockets };
}
