/**
 * The parts of a load report only scripted runs have: checks, with their
 * pass rates, and what scenarios threw.
 *
 * @module
 */

import type { LoadSummary } from "../census/load_summary.ts";
import { seriesKey } from "../engine/scripted/checks.ts";

/**
 * The checks and the scenario errors of a scripted run, as report lines
 * (each section after a blank line); none for a built-in run.
 *
 * @example
 * ```ts
 * import { scenarioLines } from "./scenario_text.ts";
 * import type { LoadSummary } from "../census/load_summary.ts";
 * const lines = scenarioLines({
 *   checks: [{ name: "pong", passes: 99, fails: 1 }],
 *   scriptErrors: [{ message: "Error: no banner", count: 3 }],
 * } as LoadSummary);
 * console.assert(lines.some((line) => /pong\s+99 of 100\s+99\.00%/.test(line)));
 * console.assert(lines.some((line) => line.includes("3  Error: no banner")));
 * ```
 */
export function scenarioLines(summary: LoadSummary): string[] {
  const lines: string[] = [];
  const checks = summary.checks ?? [];
  if (checks.length > 0) {
    lines.push("", "checks");
    const rows = checks.map((c) => {
      const total = c.passes + c.fails;
      const rate = total === 0 ? "-" : `${((c.passes / total) * 100).toFixed(2)}%`;
      return [
        `  ${c.fails > 0 ? "✗" : "✓"} ${seriesKey(c.name, c.tags)}`,
        `${num(c.passes)} of ${num(total)}`,
        rate,
      ];
    });
    lines.push(...align(rows));
  }
  const thrown = summary.scriptErrors ?? [];
  if (thrown.length > 0) {
    lines.push("", "scenario errors (sessions ended as error)");
    const width = Math.max(...thrown.map((t) => num(t.count).length));
    for (const t of thrown) lines.push(`  ${num(t.count).padStart(width)}  ${t.message}`);
  }
  return lines;
}

function align(rows: string[][]): string[] {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return rows.map((row) =>
    row.map((cell, col) => col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))
      .join("  ")
  );
}

function num(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}
