/**
 * Parses human durations such as `500ms`, `10s`, `1m`, `1.5s`.
 *
 * @module
 */

import { UsageError } from "./errors.ts";
import { MAX_DURATION_MS } from "./limits.ts";

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Options of {@link parseDuration}. */
export interface DurationOptions {
  /**
   * Whether 0 is refused (a timeout or a run length of 0 is no timeout).
   *
   * @default {false}
   */
  positive?: boolean;
}

/**
 * Parses a duration into milliseconds. A bare number is seconds, as in wrk;
 * a number (from a JSON config file) is seconds too. The one check of every
 * duration, flag or config key: past {@link MAX_DURATION_MS} (24 h) it is
 * refused, as timers would overflow.
 *
 * @param text e.g. `250ms`, `10s`, `1m`, or a number of seconds.
 * @param optionName the option being parsed, named in the error message.
 * @throws {UsageError} when the text is not a duration, is 0 with
 * `positive`, or is longer than 24 h.
 * @example
 * ```ts
 * import { parseDuration } from "./duration.ts";
 * console.assert(parseDuration("1m") === 60_000);
 * console.assert(parseDuration("250ms") === 250);
 * console.assert(parseDuration(5, "--duration") === 5000);
 * ```
 */
export function parseDuration(
  text: string | number,
  optionName = "duration",
  { positive = false }: DurationOptions = {},
): number {
  const shown = String(text);
  const match = /^(\d+(?:\.\d+)?)(us|ms|s|m|h)?$/.exec(shown.trim());
  if (!match) {
    const negative = /^-\d+(?:\.\d+)?(us|ms|s|m|h)?$/.test(shown.trim());
    throw new UsageError(
      `Invalid ${optionName} "${shown}": ${
        negative ? "must be positive" : "use e.g. 500ms, 10s or 1m"
      }`,
    );
  }
  const ms = Number(match[1]) * UNIT_MS[match[2] ?? "s"];
  if (positive && ms <= 0) {
    throw new UsageError(`Invalid ${optionName} "${shown}": must be more than 0`);
  }
  if (ms > MAX_DURATION_MS) {
    throw new UsageError(
      `Invalid ${optionName} "${shown}": at most 24h (longer waits overflow synfin's timers)`,
    );
  }
  return ms;
}

/**
 * Formats microseconds for a report: `850us`, `1.25ms`, `1.02s`.
 *
 * @example
 * ```ts
 * import { formatMicros } from "./duration.ts";
 * console.assert(formatMicros(1250) === "1.25ms");
 * ```
 */
export function formatMicros(us: number): string {
  // Round first, then pick the unit, so 999.6us reads 1.00ms, not 1000us.
  if (Math.round(us) < 1000) return `${Math.round(us)}us`;
  const ms = Number(trim(us / 1000));
  if (ms < 1000) return `${trim(ms)}ms`;
  return `${trim(us / 1_000_000)}s`;
}

function trim(value: number): string {
  const digits = value >= 99.95 ? 0 : value >= 9.995 ? 1 : 2;
  return value.toFixed(digits);
}
