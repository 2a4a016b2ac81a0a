/**
 * Renders the idle-timeout probe as text.
 *
 * @module
 */

import type { IdleProbeResult } from "../engine/idle_probe.ts";
import type { Target } from "../base/target.ts";
import { idleVerdict, seconds } from "../engine/idle_verdict.ts";

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

function dropLine(label: string, times: number[]): string[] {
  if (times.length === 0) return [];
  return [
    `  ${times.length} ${label} after ${seconds(times[0])}` +
    (seconds(times[times.length - 1]) !== seconds(times[0])
      ? ` to ${seconds(times[times.length - 1])}`
      : ""),
  ];
}
