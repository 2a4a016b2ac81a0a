/**
 * The idle probe's verdict in one line, beside the probe: the suite's
 * idle/timeout case and the idle report both state it.
 *
 * @module
 */

import type { IdleProbeResult } from "./idle_probe.ts";

/**
 * One line: the idle timeout the server applies, or that none was seen.
 *
 * @example
 * ```ts
 * import { idleVerdict } from "./idle_verdict.ts";
 * console.assert(idleVerdict({
 *   connections: 1, opened: 1, connectErrors: {}, boundMs: 5000, elapsedMs: 5000,
 *   interrupted: false, finAfterMs: [], resetAfterMs: [], stillOpen: 1, otherErrors: {},
 * }).includes("no idle timeout"));
 * ```
 */
export function idleVerdict(result: IdleProbeResult): string {
  const dropped = [...result.finAfterMs, ...result.resetAfterMs].sort((a, b) => a - b);
  if (result.opened === 0) return "no connection opened: nothing to judge";
  if (dropped.length === 0) {
    return `no idle timeout within ${seconds(result.elapsedMs)}: the server keeps idle connections`;
  }
  const how = result.resetAfterMs.length === 0
    ? "FIN"
    : result.finAfterMs.length === 0
    ? "RST"
    : "FIN and RST";
  const median = dropped[Math.floor(dropped.length / 2)];
  const first = seconds(dropped[0]);
  const last = seconds(dropped[dropped.length - 1]);
  return `idle timeout about ${seconds(median)} (${how}; ${dropped.length} of ${result.opened} ` +
    `dropped ${first === last ? `after ${first}` : `between ${first} and ${last}`})`;
}

/**
 * A probe time in the idle reports' unit: ms below a second, else seconds.
 *
 * @example
 * ```ts
 * import { seconds } from "./idle_verdict.ts";
 * console.assert(seconds(1500) === "1.50s");
 * ```
 */
export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}
