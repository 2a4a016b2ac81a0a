/**
 * What a backlog sweep is asked to do: the burst sizes (and the `--burst`
 * spec that gives them), the timings and the bisection budget, with their
 * defaults.
 *
 * @module
 */

import type { EngineName } from "../engine/load.ts";
import { BURST_DEFAULTS } from "./burst.ts";
import type { BurstSummary } from "./sweep_result.ts";
import type { CensusChoice } from "../census/settings.ts";
import { UsageError } from "../base/errors.ts";

/**
 * Largest burst: each connection holds a file descriptor in this process
 * (`ulimit -n` is often 20,000) and a client port (28,232 per destination,
 * still in TIME_WAIT from the previous bursts for about 60 s).
 *
 * @example
 * ```ts
 * import { MAX_BURST_SIZE, parseBurstSizes } from "./sweep_options.ts";
 * console.assert(parseBurstSizes(`${MAX_BURST_SIZE}`)[0] === 10_000);
 * ```
 */
export const MAX_BURST_SIZE = 10_000;

/**
 * The default sweep: doubling from 16 to 4096, the default `somaxconn` cap
 * of current kernels (older ones cap at 128, inside the range too).
 *
 * @example
 * ```ts
 * import { DEFAULT_BURST_SIZES } from "./sweep_options.ts";
 * console.assert(DEFAULT_BURST_SIZES[0] === 16 && DEFAULT_BURST_SIZES.at(-1) === 4096);
 * ```
 */
export const DEFAULT_BURST_SIZES: readonly number[] = Object.freeze(doubling(16, 4096));

/** The defaults of a sweep, times in ms. */
export interface BacklogSweepDefaults {
  /**
   * Long enough for a half-open connection to be seen twice by the census
   * before the server's syncookie completes it on our probe byte's
   * retransmission (see `runBurst`).
   */
  readonly holdMs: number;
  /** Two SYN retransmissions at this kernel's linear 1 s timeouts. */
  readonly connectTimeoutMs: number;
  /** Our FIN until the server's; past it the session ends as `no-fin`. */
  readonly closeTimeoutMs: number;
  /**
   * After a burst, sample the server until it is back to its baseline or
   * this long has passed: a slow accept loop still holds queued connections.
   * Without a census, the whole window is waited out between bursts.
   */
  readonly drainMs: number;
  /** Pause before the next burst (a server without a census gets the whole drain window). */
  readonly pauseMs: number;
  /**
   * Then wait up to this long for the accept queue to be back to its
   * baseline (see `waitForAcceptQueue`): a slow accept loop behind a full
   * queue (listen(8), one accept per 500 ms) still held 7 connections of
   * the previous burst after the 5 s drain, and that burst then overflowed
   * at 8. 30 s drains 4096 queued connections (the somaxconn cap) at one
   * accept per 7 ms; the wait ends as soon as the queue is back.
   */
  readonly queueWaitMs: number;
  /** Refinement bursts at most: 6 halvings narrow 512..1024 to 8. */
  readonly maxRefineBursts: number;
  /** Failing bursts in a row after which the doubling sweep stops. */
  readonly stopAfterFailing: number;
}

/**
 * Defaults of {@link BacklogSweepOptions}: one burst's own defaults (see
 * `BURST_DEFAULTS`), with a longer drain between bursts.
 *
 * @example
 * ```ts
 * import { BACKLOG_SWEEP_DEFAULTS } from "./sweep_options.ts";
 * console.assert(BACKLOG_SWEEP_DEFAULTS.holdMs === 1500);
 * console.assert(BACKLOG_SWEEP_DEFAULTS.drainMs === 5000);
 * ```
 */
export const BACKLOG_SWEEP_DEFAULTS: BacklogSweepDefaults = Object.freeze({
  holdMs: BURST_DEFAULTS.holdMs,
  connectTimeoutMs: BURST_DEFAULTS.connectTimeoutMs,
  closeTimeoutMs: BURST_DEFAULTS.closeTimeoutMs,
  drainMs: 5000,
  pauseMs: 250,
  queueWaitMs: 30_000,
  maxRefineBursts: 6,
  stopAfterFailing: 2,
});

/** Options of `sweepBacklog`; the defaults are {@link BACKLOG_SWEEP_DEFAULTS}. */
export interface BacklogSweepOptions {
  /**
   * The socket layer the sessions run on.
   *
   * @default {"raw" where FFI runs (see chooseEngine), else "deno"}
   */
  engine?: EngineName;
  /**
   * Burst sizes, run ascending.
   *
   * @default {DEFAULT_BURST_SIZES}
   */
  sizes?: readonly number[];
  /**
   * Connection hold, ms.
   *
   * @default {1500}
   */
  holdMs?: number;
  /**
   * Handshake timeout, ms.
   *
   * @default {3000}
   */
  connectTimeoutMs?: number;
  /**
   * Wait for the server's FIN, ms.
   *
   * @default {1000}
   */
  closeTimeoutMs?: number;
  /**
   * The census around each burst, or `"off"`. Its `drainMs` is the drain
   * window after each burst (it ends once the server has settled).
   *
   * @default {{ drainMs: 5000 }}
   */
  census?: CensusChoice;
  /**
   * Pause between bursts, ms.
   *
   * @default {250}
   */
  pauseMs?: number;
  /**
   * Before each burst, wait up to this long (ms) for the listener's accept
   * queue to be back to its length before the sweep. When it is not, the
   * sweep stops (`"queue-not-drained"`) and the estimate is unreliable. 0
   * fires each burst at once, whatever the queue holds (a burst that then
   * starts on a fuller queue also makes the estimate unreliable). Needs a
   * census to read the queue; without one, nothing is waited for.
   *
   * @default {30000}
   */
  queueWaitMs?: number;
  /**
   * Bisect between the largest clean and the smallest failing burst.
   *
   * @default {true}
   */
  refine?: boolean;
  /**
   * Bisection bursts at most.
   *
   * @default {6}
   */
  maxRefineBursts?: number;
  /**
   * Stop the doubling sweep after this many failing bursts in a row; 0 runs every size.
   *
   * @default {2}
   */
  stopAfterFailing?: number;
  /** Stops the sweep after the burst in flight (which is cut short); the rest is returned. */
  signal?: AbortSignal;
  /** Called before each burst; `total` is the bursts planned at that point. */
  onBurstStart?: (size: number, index: number, total: number) => void;
  /**
   * Called after each burst. `total` counts the bursts planned at that point:
   * the sizes of the sweep, then the bisection steps still needed (it shrinks
   * when the sweep stops early).
   */
  onBurst?: (burst: BurstSummary, index: number, total: number) => void;
}

/**
 * Parses a `--burst` spec: `64..2048` (doubling from 64, ending at 2048
 * even when the doubling does not land on it), `100,200,400`, or `512`.
 * Returns the sizes ascending, without duplicates.
 *
 * @throws {UsageError} naming the bad text when a size is not a whole number
 *   in 1..{@link MAX_BURST_SIZE} or a range runs backwards.
 * @example
 * ```ts
 * import { parseBurstSizes } from "./sweep_options.ts";
 * console.assert(parseBurstSizes("64..512").join() === "64,128,256,512");
 * console.assert(parseBurstSizes("100..500").join() === "100,200,400,500");
 * console.assert(parseBurstSizes("400,100,200").join() === "100,200,400");
 * console.assert(parseBurstSizes("512").join() === "512");
 * ```
 */
export function parseBurstSizes(text: string): number[] {
  const spec = text.trim();
  const bad = (why: string) =>
    new UsageError(
      `Invalid --burst "${text}": ${why}; use e.g. 64..2048 (doubling), 100,200,400 or 512`,
    );
  const size = (part: string): number => {
    const trimmed = part.trim();
    if (!/^\d+$/.test(trimmed)) {
      throw bad(trimmed === "" ? "a size is missing" : `"${trimmed}" is not a whole number`);
    }
    const value = Number(trimmed);
    if (value < 1 || value > MAX_BURST_SIZE) {
      throw bad(`${value} is outside 1..${MAX_BURST_SIZE} (each connect holds an fd and a port)`);
    }
    return value;
  };
  if (spec === "") throw bad("no size given");
  const range = /^(.*?)\.\.(.*)$/.exec(spec);
  if (range) {
    const from = size(range[1]);
    const to = size(range[2]);
    if (from > to) throw bad(`the range runs backwards (${from} > ${to})`);
    return doubling(from, to);
  }
  return [...new Set(spec.split(",").map(size))].sort((a, b) => a - b);
}

function doubling(from: number, to: number): number[] {
  const sizes: number[] = [];
  for (let size = from; size < to; size *= 2) sizes.push(size);
  sizes.push(to);
  return sizes;
}
