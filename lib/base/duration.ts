/**
 * Parses human durations such as `500ms`, `10s`, `1m`, `1.5s`.
 *
 * @module
 */

import { UsageError } from "./errors.ts";

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration into milliseconds. A bare number is seconds, as in wrk.
 *
 * @param text e.g. `250ms`, `10s`, `1m`.
 * @param optionName the option being parsed, named in the error message.
 * @throws {UsageError} when the text is not a duration.
 * @example
 * ```ts
 * import { parseDuration } from "./duration.ts";
 * console.assert(parseDuration("1m") === 60_000);
 * console.assert(parseDuration("250ms") === 250);
 * ```
 */
export function parseDuration(text: string, optionName = "duration"): number {
  const match = /^(\d+(?:\.\d+)?)(us|ms|s|m|h)?$/.exec(text.trim());
  if (!match) {
    throw new UsageError(`Invalid ${optionName} "${text}": use e.g. 500ms, 10s or 1m`);
  }
  return Number(match[1]) * UNIT_MS[match[2] ?? "s"];
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
