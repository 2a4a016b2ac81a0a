/**
 * Renders the idle-timeout probe as text.
 *
 * @module
 */

import type { IdleProbeResult } from "../engine/idle_probe.ts";
import type { Target } from "../base/target.ts";

/**
 * Renders what the idle probe saw: how many connections the server dropped,
 * by FIN or RST, after how long, and how many it kept past the bound.
 *
 * @example
 * ```ts
 * import { renderIdleReport } from "./idle_text.ts";
 * const text = renderIdleReport({ hostname: "127.0.0.1", port: 80, label: "127.0.0.1:80" }, {
 *   connections: 2, opened: 2, connectErrors: {}, boundMs: 5000, elapsedMs: 1002,
 *   interrupted: false, finAfterMs: [1000, 1001], resetAfterMs: [], stillOpen: 0, otherErrors: {},
 * });
 * console.assert(text.includes("FIN"));
 * ```
 */
export function renderIdleReport(target: Target, result: IdleProbeResult): string {
  const lines = [
    `synfin idle ${target.label}  ${result.connections} idle connections, bound ` +
    `${seconds(result.boundMs)}`,
    `${result.opened} opened, probe ran ${seconds(result.elapsedMs)}` +
    (result.interrupted ? " (interrupted)" : ""),
  ];
  for (const [errno, count] of Object.entries(result.connectErrors)) {
    lines.push(`  ${count} connect${count === 1 ? "" : "s"} failed: ${errno}`);
  }
  lines.push("");
  lines.push(...dropLine("closed with FIN", result.finAfterMs));
  lines.push(...dropLine("reset (RST)", result.resetAfterMs));
  for (const [errno, count] of Object.entries(result.otherErrors)) {
    lines.push(`  ${count} ended with ${errno}`);
  }
  if (result.stillOpen > 0) {
    lines.push(`  ${result.stillOpen} still open after ${seconds(result.elapsedMs)}`);
  }
  lines.push("", idleVerdict(result));
  return lines.join("\n");
}

/**
 * One line: the idle timeout the server applies, or that none was seen.
 *
 * @example
 * ```ts
 * import { idleVerdict } from "./idle_text.ts";
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

function dropLine(label: string, times: number[]): string[] {
  if (times.length === 0) return [];
  return [
    `  ${times.length} ${label} after ${seconds(times[0])}` +
    (seconds(times[times.length - 1]) !== seconds(times[0])
      ? ` to ${seconds(times[times.length - 1])}`
      : ""),
  ];
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}
