/**
 * The bounds of the values synfin takes from the command line and the config
 * file, and the one check of a whole number that both use, so `-c 20000`
 * and `{"concurrency": 20000}` fail alike, with the same words.
 *
 * @module
 */

import { UsageError } from "./errors.ts";

/**
 * The longest duration any option takes, ms (24 h). Timers hold at most
 * 2^31-1 ms (about 24.8 days): past that, `setTimeout` fires at once
 * (`TimeoutOverflowWarning`) and an epoll wait fails, and synfin adds
 * durations up (a load's duration plus its drain and close timeout), so the
 * cap sits well below that range.
 */
export const MAX_DURATION_MS = 24 * 60 * 60 * 1000;

/** The largest delay a timer accepts, ms (2^31-1, a signed 32-bit count). */
export const TIMER_LIMIT_MS = 2 ** 31 - 1;

/** Most sessions in flight in the suite's load; each holds a file descriptor. */
export const MAX_CONCURRENCY = 10_000;

/**
 * Why `value` is not a whole number from `min` to `max`, as the rest of a
 * sentence, or `undefined` when it is one. Takes the text of a flag or a
 * number from a JSON file.
 *
 * @example
 * ```ts
 * import { wholeNumberProblem } from "./limits.ts";
 * console.assert(wholeNumberProblem("20", 1, 100) === undefined);
 * console.assert(wholeNumberProblem(-5, 1, 100) === "must be positive (a whole number from 1 to 100)");
 * console.assert(wholeNumberProblem(1e9, 1, 100) === "give a whole number from 1 to 100");
 * ```
 */
export function wholeNumberProblem(value: unknown, min: number, max: number): string | undefined {
  const range = `a whole number from ${min} to ${max}`;
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || !/^-?\d+$/.test(text)) return `give ${range}`;
  const number = Number(text);
  if (number < 0 && min >= 0) return `must be positive (${range})`;
  return number < min || number > max ? `give ${range}` : undefined;
}

/**
 * A whole number from `min` to `max`, given as `option` (a flag, or the
 * config key's flag): the one check of `-c`, `-n`, `--burst`, ... and the
 * config file's `concurrency`.
 *
 * @throws {UsageError} `Invalid OPTION "VALUE": give a whole number from MIN to MAX`.
 * @example
 * ```ts
 * import { wholeNumber } from "./limits.ts";
 * console.assert(wholeNumber("20", "--concurrency", 1, 10_000) === 20);
 * console.assert(wholeNumber(20, "--concurrency", 1, 10_000) === 20);
 * ```
 */
export function wholeNumber(value: unknown, option: string, min: number, max: number): number {
  const problem = wholeNumberProblem(value, min, max);
  if (problem !== undefined) throw new UsageError(`Invalid ${option} "${value}": ${problem}`);
  return Number(value);
}
