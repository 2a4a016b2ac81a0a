/**
 * The idle probe's verdict in one line, beside the probe: the suite's
 * idle/timeout case and the idle report both state it.
 *
 * @module
 */

import type { IdleProbeResult } from "./idle_probe.ts";

/**
 * Drops this soon after the handshake are a server that closes (or resets)
 * at accept, not an idle timeout: on loopback such a server's FIN comes
 * within 0-2 ms (the closes-first reference server), and no server times
 * out a fresh connection this fast, while the margin leaves room for a
 * FIN sent at accept to cross a network's round trip.
 */
const CLOSES_AT_ONCE_MS = 100;

/**
 * One line: the idle timeout the server applies, that none was seen, or
 * that the server closes connections at once (within 100 ms: no idle time).
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
  const first = seconds(dropped[0]);
  const last = seconds(dropped[dropped.length - 1]);
  if (dropped[dropped.length - 1] < CLOSES_AT_ONCE_MS) {
    return `no idle timeout: the server closes connections at once (${how}; ` +
      `${dropped.length} of ${result.opened} within ${last} of the handshake)`;
  }
  const median = dropped[Math.floor(dropped.length / 2)];
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
