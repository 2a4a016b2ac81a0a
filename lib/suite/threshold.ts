/**
 * k6-style pass/fail thresholds on metrics: `handshake.p99<5ms`,
 * `outcome.reset<0.1%`, `server.closeWait==0`, `sessionsPerSecond>=1000`.
 *
 * The unit of the limit must suit the metric's kind: a duration takes `us`,
 * `ms`, `s` or `m`; a share takes `%` (compared as a percentage of its total)
 * or a bare number (compared as a count); a count takes a bare number. The
 * kind is known for certain only once the metrics exist, so
 * {@link evaluateThresholds} checks it; {@link parseThreshold} also checks it
 * for the metrics a load summary always provides (`handshake.p99`,
 * `outcome.reset`, ...), so a limit without a unit fails before the run
 * rather than after it.
 *
 * @module
 */

import { formatMicros } from "../base/duration.ts";
import { UsageError } from "../base/errors.ts";
import { closest } from "../base/closest.ts";
import {
  knownMetricKind,
  knownMetricNames,
  type Metric,
  type MetricKind,
  type MetricSet,
  PHASE_STATS,
  summaryMetricKind,
} from "./metrics.ts";

/** A comparison operator, read as `actual OP limit`. */
export type ThresholdOperator = "<" | "<=" | ">" | ">=" | "==" | "!=";

/** The unit of a limit: a duration unit, `%`, or none (a bare number). */
export type ThresholdUnit = "us" | "ms" | "s" | "m" | "%";

/** Every comparison operator. */
export const THRESHOLD_OPERATORS: readonly ThresholdOperator[] = ["<", "<=", ">", ">=", "==", "!="];

const DURATION_UNIT_US: Record<string, number> = { us: 1, ms: 1000, s: 1_000_000, m: 60_000_000 };

/** A parsed threshold: `metric operator value unit`. */
export interface Threshold {
  /** The expression as given, trimmed. */
  expression: string;
  /** Metric name, e.g. `handshake.p99`. */
  metric: string;
  /** How the metric compares to the limit. */
  operator: ThresholdOperator;
  /** The number as written, in `unit`. */
  value: number;
  /** The unit as written; absent for a bare number. */
  unit?: ThresholdUnit;
  /** The limit as written, e.g. `5ms`, `0.1%`, `0`. */
  limitText: string;
}

/** The verdict of one threshold. */
export interface ThresholdResult {
  /** The threshold's expression, e.g. `handshake.p99<5ms`. */
  expression: string;
  /** The metric it checks. */
  metric: string;
  /** Whether the metric exists, suits the unit and satisfies the comparison. */
  passed: boolean;
  /**
   * The value compared, on the limit's scale: microseconds for a duration,
   * percent for a share with `%`, the number otherwise. Absent when the
   * metric is missing or the unit does not suit it.
   */
  actual?: number;
  /** The limit on the same scale as `actual`. */
  limit: number;
  /** One line: the value, the limit and, on failure, by how much, e.g. `over by 2.20ms`. */
  message: string;
  /** The threshold checked. */
  threshold: Threshold;
}

/**
 * Parses `METRIC OP VALUE`, with optional spaces around the operator.
 *
 * @throws {UsageError} naming the expression and showing a valid one.
 * @example
 * ```ts
 * import { parseThreshold } from "./threshold.ts";
 * const threshold = parseThreshold("close.p99.9 < 50ms");
 * console.assert(threshold.metric === "close.p99.9");
 * console.assert(threshold.operator === "<" && threshold.value === 50 && threshold.unit === "ms");
 * ```
 */
export function parseThreshold(expression: string): Threshold {
  const text = expression.trim();
  function fail(detail: string): never {
    throw new UsageError(
      `Invalid threshold ${JSON.stringify(expression)}: ${detail}; ` +
        `expected METRIC OP VALUE, e.g. "handshake.p99<5ms"`,
    );
  }
  if (text === "") fail("it is empty");
  const found = /[<>=!]+/.exec(text);
  if (!found) fail("no comparison operator (use <, <=, >, >=, == or !=)");
  const metric = text.slice(0, found.index).trim();
  const operatorText = found[0];
  const valueText = text.slice(found.index + operatorText.length).trim();
  if (metric === "") fail("no metric name before the operator");
  // A series may carry a tag filter, as k6's: `mark.login{region:eu}.p99`.
  if (!/^[A-Za-z_][\w.-]*(\{[\w.-]+:[^{},]*(,[\w.-]+:[^{},]*)*\})?[\w.-]*$/.test(metric)) {
    fail(
      `bad metric name ${JSON.stringify(metric)} (letters, digits, ".", "-" and "_", ` +
        "and a tag filter such as {region:eu})",
    );
  }
  if (operatorText === "=") fail('"=" is not an operator, use "==" to test equality');
  if (!(THRESHOLD_OPERATORS as readonly string[]).includes(operatorText)) {
    fail(`unknown operator "${operatorText}" (use <, <=, >, >=, == or !=)`);
  }
  if (valueText === "") fail("no value after the operator");
  const value = /^(\d+(?:\.\d+)?)([A-Za-z%]*)$/.exec(valueText);
  if (!value) fail(`${JSON.stringify(valueText)} is not a number with an optional unit`);
  const [, numberText, unitText] = value;
  if (unitText !== "" && unitText !== "%" && !Object.hasOwn(DURATION_UNIT_US, unitText)) {
    fail(
      `unknown unit ${JSON.stringify(unitText)} (use us, ms, s or m for durations, % for shares)`,
    );
  }
  const threshold: Threshold = {
    expression: text,
    metric,
    operator: operatorText as ThresholdOperator,
    value: Number(numberText),
    limitText: `${numberText}${unitText}`,
  };
  if (unitText !== "") threshold.unit = unitText as ThresholdUnit;
  const kind = summaryMetricKind(metric);
  const problem = kind && unitProblem(threshold, kind);
  if (problem) {
    throw new UsageError(`Invalid threshold ${JSON.stringify(expression)}: ${metric} ${problem}`);
  }
  return threshold;
}

/**
 * Parses a threshold as {@link parseThreshold} does and also requires a
 * metric that a `check` run provides ({@link knownMetricNames}), with the
 * unit that suits it: what `--threshold` and the config file's
 * `thresholds` are checked with, before anything connects.
 *
 * @throws {UsageError} naming the unknown metric and the nearest known one.
 * @example
 * ```ts
 * import { parseKnownThreshold } from "./threshold.ts";
 * console.assert(parseKnownThreshold("server.closeWait==0").metric === "server.closeWait");
 * let message = "";
 * try {
 *   parseKnownThreshold("handshake.p999<5ms");
 * } catch (error) {
 *   message = (error as Error).message;
 * }
 * console.assert(message.includes('did you mean "handshake.p99.9"?'));
 * ```
 */
export function parseKnownThreshold(expression: string): Threshold {
  const threshold = parseThreshold(expression);
  const { metric } = threshold;
  const kind = knownMetricKind(metric);
  const invalid = `Invalid threshold ${JSON.stringify(expression)}`;
  if (kind === undefined) {
    const near = closest(metric, knownMetricNames());
    throw new UsageError(
      `${invalid}: unknown metric ${JSON.stringify(metric)}; ` +
        (near
          ? `did you mean ${JSON.stringify(near)}?`
          : `known: handshake.*, firstByte.*, close.*, tls.* (${PHASE_STATS.join(", ")}, count), ` +
            `outcome.*, ${
              knownMetricNames().filter((name) =>
                !/^(handshake|firstByte|close|tls|outcome)\./.test(name) ||
                /^tls\.(closeNotify|bareFin)$/.test(name)
              )
                .join(", ")
            }`),
    );
  }
  const problem = unitProblem(threshold, kind);
  if (problem) throw new UsageError(`${invalid}: ${metric} ${problem}`);
  return threshold;
}

/**
 * Checks each threshold against the metrics. Never throws: a missing metric
 * or a limit whose unit does not suit the metric fails its threshold, with a
 * message saying so.
 *
 * @example
 * ```ts
 * import { evaluateThresholds, parseThreshold } from "./threshold.ts";
 * const metrics = new Map([["handshake.p99", { kind: "duration" as const, value: 7200 }]]);
 * const [result] = evaluateThresholds([parseThreshold("handshake.p99<5ms")], metrics);
 * console.assert(!result.passed);
 * console.assert(result.message === "handshake.p99 = 7.20ms, limit < 5ms: over by 2.20ms");
 * ```
 */
export function evaluateThresholds(
  thresholds: Threshold[],
  metrics: MetricSet,
): ThresholdResult[] {
  return thresholds.map((threshold) => evaluate(threshold, metrics));
}

function evaluate(threshold: Threshold, metrics: MetricSet): ThresholdResult {
  const { expression, metric: name, operator } = threshold;
  const base = { expression, metric: name, threshold };
  const metric = metrics.get(name);
  const limit = limitOf(threshold);
  if (!metric) return { ...base, passed: false, limit, message: missingMessage(name, metrics) };
  const problem = unitProblem(threshold, metric.kind);
  if (problem) {
    return { ...base, passed: false, limit, message: `${name} = ${describe(metric)} ${problem}` };
  }
  const asPercent = metric.kind === "share" && threshold.unit === "%";
  const actual = asPercent ? percentOf(metric) : metric.value;
  const passed = compare(actual, operator, limit);
  const shown = asPercent
    ? `${formatNumber(actual)}% (${metric.value} of ${metric.total ?? 0})`
    : describe(metric);
  const difference = (amount: number) =>
    metric.kind === "duration"
      ? formatMicros(amount)
      : asPercent
      ? `${formatNumber(amount)} points`
      : formatNumber(amount);
  const verdict = passed ? "ok" : shortfall(actual, operator, limit, difference);
  return {
    ...base,
    passed,
    actual,
    limit,
    message: `${name} = ${shown}, limit ${operator} ${threshold.limitText}: ${verdict}`,
  };
}

/** The limit on the comparison scale: microseconds, percent or a number. */
function limitOf(threshold: Threshold): number {
  const factor = threshold.unit ? DURATION_UNIT_US[threshold.unit] : undefined;
  // Round to nanoseconds so 1.1ms is 1100us exactly, not 1100.0000000000002.
  return factor === undefined
    ? threshold.value
    : Math.round(threshold.value * factor * 1000) / 1000;
}

/**
 * Why the limit's unit does not suit a metric of `kind`, as the rest of a
 * sentence about the metric, or `undefined`.
 */
function unitProblem(threshold: Threshold, kind: MetricKind): string | undefined {
  const { metric, operator, unit } = threshold;
  const numberText = threshold.limitText.replace(/[A-Za-z%]+$/, "");
  const isDuration = unit !== undefined && unit !== "%";
  if (kind === "duration" && !isDuration) {
    return `is a duration: add a unit, e.g. "${metric}${operator}${numberText}ms"`;
  }
  if (kind === "count" && unit !== undefined) {
    return `is a count: compare it with a bare number, e.g. "${metric}${operator}${numberText}"`;
  }
  if (kind === "share" && isDuration) {
    return `is a share: compare it with a percentage or a count, ` +
      `e.g. "${metric}${operator}${numberText}%"`;
  }
  return undefined;
}

function compare(actual: number, operator: ThresholdOperator, limit: number): boolean {
  switch (operator) {
    case "<":
      return actual < limit;
    case "<=":
      return actual <= limit;
    case ">":
      return actual > limit;
    case ">=":
      return actual >= limit;
    case "==":
      return actual === limit;
    case "!=":
      return actual !== limit;
  }
}

/** How a failed comparison missed, e.g. `over by 2.20ms`. */
function shortfall(
  actual: number,
  operator: ThresholdOperator,
  limit: number,
  difference: (amount: number) => string,
): string {
  if (actual === limit) return operator === "!=" ? "equal to the limit" : "at the limit";
  return actual > limit
    ? `over by ${difference(actual - limit)}`
    : `under by ${difference(limit - actual)}`;
}

function percentOf(metric: Metric): number {
  // With no sessions at all there is nothing to be a share of: read it as 0%.
  const total = metric.total ?? 0;
  return total > 0 ? (metric.value * 100) / total : 0;
}

function describe(metric: Metric): string {
  if (metric.kind === "duration") return formatMicros(metric.value);
  if (metric.kind === "share") return `${formatNumber(metric.value)} of ${metric.total ?? 0}`;
  return formatNumber(metric.value);
}

/** Integers as they are, others with two decimals (or two significant digits if tiny). */
function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const fixed = value.toFixed(2);
  // 0.001 points must not read as 0.00: show the first significant digits.
  return Number(fixed) === 0 ? value.toPrecision(2) : fixed;
}

function missingMessage(name: string, metrics: MetricSet): string {
  const dot = name.indexOf(".");
  const family = dot === -1 ? name : name.slice(0, dot);
  const count = metrics.get(`${family}.count`);
  if (count && count.kind === "count" && count.value === 0) {
    return `no metric "${name}": ${family} recorded no values (${family}.count = 0)`;
  }
  const related = [...metrics.keys()].filter((known) => known.startsWith(`${family}.`));
  const known = related.length > 0 ? related : [...metrics.keys()];
  if (known.length === 0) return `no metric "${name}" (no metrics were measured)`;
  return `no metric "${name}" (known: ${known.join(", ")})`;
}
