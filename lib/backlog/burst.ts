/**
 * One burst: N connects fired at one instant from as many event loops as it
 * takes, each connection holding a probe byte for a while, then closed
 * cleanly; with a socket census of the server port around it.
 *
 * @module
 */

import type { EngineName } from "../engine/load.ts";
import { LoadRunner } from "../engine/runner.ts";
import type { SessionTally } from "../engine/tally.ts";
import type { Target } from "../base/target.ts";
import type { CensusChoice } from "../census/settings.ts";
import type { SocketReport, SocketsUnavailable } from "../census/socket_report.ts";
import { withCensus } from "../census/with_census.ts";

/**
 * A handshake this slow needed at least one SYN retransmission: Linux's
 * initial retransmission timeout is 1 s (TCP_TIMEOUT_INIT), and every later
 * retry comes later still, whatever the backoff (this kernel retries at a
 * linear 1 s, others double). Loopback handshakes without a retry take
 * microseconds to a few ms, so the margin below 1 s only absorbs timer slack.
 */
export const SYN_RETRANSMIT_AFTER_US = 900_000;

/**
 * The census samples a burst this often, ms: a full accept queue lasts only
 * as long as the server takes to accept it, from a few ms to a few hundred.
 * A sample costs an `ss` run of about 6 ms here (20 runs took 0.12 s; the
 * watch backs off to five times a read's cost), and the burst's connects
 * are all issued before the first sample.
 */
const BURST_CENSUS_INTERVAL_MS = 20;

/** The defaults of one burst, times in ms; the backlog sweep starts from them. */
export interface BurstDefaults {
  /**
   * Long enough to see a half-open connection twice in the census before
   * its probe byte is retransmitted (about 1 s after the write), and for
   * the server's syncookie to complete it on that retransmission.
   */
  readonly holdMs: number;
  /** Two SYN retransmissions at this kernel's linear 1 s timeouts. */
  readonly connectTimeoutMs: number;
  /** Our FIN until the server's; past it the session ends as `no-fin`. */
  readonly closeTimeoutMs: number;
  /** The census' drain window after one burst (shorter than a load's: a burst is small). */
  readonly drainMs: number;
}

/**
 * Defaults of {@link runBurst}.
 *
 * @example
 * ```ts
 * import { BURST_DEFAULTS } from "./burst.ts";
 * console.assert(BURST_DEFAULTS.holdMs === 1500 && BURST_DEFAULTS.drainMs === 2000);
 * ```
 */
export const BURST_DEFAULTS: BurstDefaults = Object.freeze({
  holdMs: 1500,
  connectTimeoutMs: 3000,
  closeTimeoutMs: 1000,
  drainMs: 2000,
});

/** Options of {@link runBurst}. */
export interface BurstOptions {
  /**
   * The socket layer the sessions run on.
   *
   * @default {"raw" where FFI runs (see chooseEngine), else "deno"}
   */
  engine?: EngineName;
  /**
   * How long each connection stays open after its handshake, ms.
   *
   * @default {BURST_DEFAULTS.holdMs}
   */
  holdMs?: number;
  /**
   * Give up a handshake after this long, ms.
   *
   * @default {BURST_DEFAULTS.connectTimeoutMs}
   */
  connectTimeoutMs?: number;
  /**
   * Wait this long for the server's FIN after ours, ms.
   *
   * @default {BURST_DEFAULTS.closeTimeoutMs}
   */
  closeTimeoutMs?: number;
  /**
   * The census around the burst, or `"off"`.
   *
   * @default {{ drainMs: BURST_DEFAULTS.drainMs }}
   */
  census?: CensusChoice;
  /** Stops the burst; what was measured is returned. */
  signal?: AbortSignal;
}

/** What one burst measured. */
export interface BurstResult {
  /** Connects fired. */
  size: number;
  /** Event loops (workers) that fired them. */
  eventLoops: number;
  /** Spread of the connect calls, first to last, ms. */
  spreadMs: number;
  /** Wall time of the burst, hold and close included, ms. */
  durationMs: number;
  /** Every session's outcome and timings. */
  tally: SessionTally;
  /** Handshakes that completed on the first SYN. */
  firstSyn: number;
  /** Handshakes at or past {@link SYN_RETRANSMIT_AFTER_US}: SYN retransmitted. */
  synRetransmitted: number;
  /** The census of the server port around the burst. */
  sockets: SocketReport | SocketsUnavailable;
  /** Whether the burst was stopped by its signal. */
  interrupted: boolean;
}

/**
 * Fires one burst of `size` simultaneous connects at `target`.
 *
 * Sessions are split over workers with at most 100 in flight per event loop
 * (beyond 128 one loop stalls, docs/tcp-facts.md), and every worker starts at
 * one shared instant once all are up, so the spread measures the firing
 * itself. Each session writes one byte and does not wait for an answer: a
 * byte the server never acknowledges is how a half-open connection shows.
 *
 * @example
 * ```ts
 * import { runBurst } from "./burst.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const burst = await runBurst(server.target, 16, { holdMs: 200, census: { drainMs: 300 } });
 * console.assert(burst.firstSyn === 16 && burst.synRetransmitted === 0);
 * console.assert(burst.sockets.available && burst.sockets.halfOpen === 0);
 * ```
 */
export async function runBurst(
  target: Target,
  size: number,
  options: BurstOptions = {},
): Promise<BurstResult> {
  const d = BURST_DEFAULTS;
  const runner = new LoadRunner(target, {
    concurrency: size,
    sessions: size,
    synchronizedStart: true,
    send: new Uint8Array([0x0a]),
    awaitResponse: false,
    holdMs: options.holdMs ?? d.holdMs,
    connectTimeoutMs: options.connectTimeoutMs ?? d.connectTimeoutMs,
    closeTimeoutMs: options.closeTimeoutMs ?? d.closeTimeoutMs,
    engine: options.engine,
    signal: options.signal,
  });
  const census = options.census ?? { drainMs: d.drainMs };
  const around = await withCensus(target, census, () => runner.run(), {
    signal: options.signal,
    intervalMs: BURST_CENSUS_INTERVAL_MS,
  });
  const result = around.result;
  const sockets = around.sockets ??
    { available: false, reason: "census turned off", counters: null };
  const { tally } = result;
  const synRetransmitted = tally.histograms.handshake.countAtOrAbove(SYN_RETRANSMIT_AFTER_US);
  return {
    size,
    eventLoops: result.maxInFlightPerEventLoop.length,
    spreadMs: tally.firstConnectAt === null ? 0 : tally.lastConnectAt! - tally.firstConnectAt,
    durationMs: result.durationMs,
    tally,
    firstSyn: tally.histograms.handshake.count - synRetransmitted,
    synRetransmitted,
    sockets,
    interrupted: result.stoppedBy === "signal",
  };
}
