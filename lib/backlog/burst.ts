/**
 * One burst: N connects fired at one instant from as many event loops as it
 * takes, each connection holding a probe byte for a while, then closed
 * cleanly; with a socket census of the server port around it.
 *
 * @module
 */

import { LoadRunner } from "../engine/runner.ts";
import type { SessionTally } from "../engine/tally.ts";
import type { Target } from "../base/target.ts";
import {
  type SocketReport,
  type SocketsUnavailable,
  SocketWatch,
  watchServerSockets,
} from "../census/watch.ts";

/**
 * A handshake this slow needed at least one SYN retransmission: Linux's
 * initial retransmission timeout is 1 s (TCP_TIMEOUT_INIT), and every later
 * retry comes later still, whatever the backoff (this kernel retries at a
 * linear 1 s, others double). Loopback handshakes without a retry take
 * microseconds to a few ms, so the margin below 1 s only absorbs timer slack.
 */
export const SYN_RETRANSMIT_AFTER_US = 900_000;

/** Options of {@link runBurst}. */
export interface BurstOptions {
  /**
   * How long each connection stays open after its handshake, ms. Default
   * 1500: long enough to see a half-open connection twice in the census
   * before its probe byte is retransmitted (about 1 s after the write).
   */
  holdMs?: number;
  /** Give up a handshake after this long, ms. Default 3000 (two SYN retries). */
  connectTimeoutMs?: number;
  /** Wait this long for the server's FIN after ours, ms. Default 1000. */
  closeTimeoutMs?: number;
  /**
   * After the burst, sample the server's sockets until it has settled or
   * this long has passed, ms. Default 2000.
   */
  drainMs?: number;
  /** Read the server's table with this shell command (remote server). */
  serverSocketsCommand?: string;
  /** Skip the socket census. */
  noCensus?: boolean;
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
 * (beyond 128 one loop stalls, facts doc), and every worker starts at one
 * shared instant once all are up, so the spread measures the firing itself.
 * Each session writes one byte and does not wait for an answer: a byte the
 * server never acknowledges is how a half-open connection shows.
 *
 * @example
 * ```ts ignore
 * import { runBurst } from "./burst.ts";
 * const burst = await runBurst(target, 256, { holdMs: 1500 });
 * console.log(burst.spreadMs, burst.synRetransmitted, burst.sockets);
 * ```
 */
export async function runBurst(
  target: Target,
  size: number,
  options: BurstOptions = {},
): Promise<BurstResult> {
  const watch: SocketWatch | SocketsUnavailable = options.noCensus
    ? { available: false, reason: "census turned off", counters: null }
    : await watchServerSockets(target, { serverSocketsCommand: options.serverSocketsCommand });
  if (watch instanceof SocketWatch) watch.start();
  const runner = new LoadRunner(target, {
    concurrency: size,
    sessions: size,
    synchronizedStart: true,
    send: new Uint8Array([0x0a]),
    awaitResponse: false,
    holdMs: options.holdMs ?? 1500,
    connectTimeoutMs: options.connectTimeoutMs ?? 3000,
    closeTimeoutMs: options.closeTimeoutMs ?? 1000,
    signal: options.signal,
  });
  const result = await runner.run();
  let sockets: SocketReport | SocketsUnavailable;
  if (watch instanceof SocketWatch) {
    await watch.stop();
    const drainMs = options.signal?.aborted ? 0 : options.drainMs ?? 2000;
    sockets = await watch.drain(drainMs, { signal: options.signal });
  } else {
    sockets = watch;
  }
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
