/**
 * Renders a series (connections per second, a latency percentile per second)
 * as a one-line bar chart for a terminal report.
 *
 * @module
 */

/** The bars, lowest first. */
const BARS = "▁▂▃▄▅▆▇█";

/** Shown for a value that is not a finite number: no data for that slot. */
const NO_DATA = " ";

/** Options of {@linkcode sparkline}. */
export interface SparklineOptions {
  /**
   * Value drawn as the lowest bar; smaller values are clamped.
   *
   * @default the smallest value (on the log scale, the smallest positive one)
   */
  min?: number;
  /**
   * Value drawn as the highest bar; larger values are clamped.
   *
   * @default the largest value
   */
  max?: number;
  /**
   * Logarithmic scale. Connect latencies span about 30 us (loopback) to 1 s
   * and more (a SYN retransmitted after a drop); on a linear scale everything
   * but the retransmits sits on the lowest bar.
   *
   * @default {false}
   */
  log?: boolean;
}

/**
 * Renders one character per value from `▁▂▃▄▅▆▇█`, splitting `min..max` into
 * eight equal bands (equal ratios on the log scale).
 *
 * - A value at or below `min` (so zero, when it is the smallest value) is `▁`.
 * - A value that is not a finite number (`NaN` for a slot with no data) is a
 *   space, so gaps stay visible.
 * - On the log scale a value `<= 0` is `▁`, and the default `min` is the
 *   smallest positive value.
 * - When `min === max` (a flat series) every value is `▁`, or `█` if above `max`.
 *
 * @throws {RangeError} when `min` or `max` is not finite, `min > max`, or `log`
 *   is set with `min <= 0`.
 * @example
 * ```ts
 * import { sparkline } from "./sparkline.ts";
 * console.assert(sparkline([0, 1, 2, 3, 4, 5, 6, 7]) === "▁▂▃▄▅▆▇█");
 * console.assert(sparkline([1, NaN, 8], { min: 0, max: 8 }) === "▂ █");
 * // Latencies in seconds: 30 us .. 1 s, one bar per band of about half a decade.
 * console.assert(sparkline([30e-6, 1e-3, 1], { log: true }) === "▁▃█");
 * ```
 */
export function sparkline(values: readonly number[], options: SparklineOptions = {}): string {
  const { log = false } = options;
  // A loop, not Math.min(...values): spreading a long series overflows the stack.
  let smallest = Infinity;
  let largest = -Infinity;
  for (const value of values) {
    if (!Number.isFinite(value) || (log && value <= 0)) continue;
    if (value < smallest) smallest = value;
    if (value > largest) largest = value;
  }
  let { min, max } = options;
  if (smallest <= largest) {
    min ??= max === undefined ? smallest : Math.min(smallest, max);
    max ??= Math.max(largest, min);
  } else {
    min ??= max ?? (log ? 1 : 0);
    max ??= min;
  }
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new RangeError(`Invalid sparkline scale ${min}..${max}: use finite min <= max`);
  }
  if (log && min <= 0) {
    throw new RangeError(`Invalid log sparkline scale ${min}..${max}: min must be above 0`);
  }
  const scale = log ? Math.log : (value: number) => value;
  const bottom = scale(min);
  const span = scale(max) - bottom;
  let line = "";
  for (const value of values) {
    if (!Number.isFinite(value)) {
      line += NO_DATA;
    } else if (value <= min) {
      line += BARS[0];
    } else if (value >= max) {
      line += BARS[BARS.length - 1];
    } else {
      const fraction = (scale(value) - bottom) / span;
      line += BARS[Math.min(BARS.length - 1, Math.floor(fraction * BARS.length))];
    }
  }
  return line;
}
