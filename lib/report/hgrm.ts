/**
 * `--hgrm DIR`: one percentile distribution per phase, as wrk2 prints and
 * HdrHistogram's plotter (`plotFiles.html`) reads, written by hdr-histogram-js's
 * own `outputPercentileDistribution`, not by hand. Values are microseconds
 * (scaling ratio 1: the histograms record microseconds; wrk2 divides by
 * 1000 to print milliseconds), 5 ticks per half distance as wrk2 prints.
 *
 * @module
 */

import * as hdr from "hdr-histogram-js";
import type { LoadSummary } from "../census/load_summary.ts";
import { TIMED_PHASES } from "../engine/tally.ts";

/** Percentile ticks per half distance to 100%, as wrk2 and HdrHistogram's examples print. */
export const HGRM_TICKS_PER_HALF_DISTANCE = 5;
/** Values are printed as recorded: microseconds. */
export const HGRM_VALUE_UNIT_RATIO = 1;

/** One `.hgrm` file: its name in the directory and its text. */
export interface HgrmFile {
  /** `handshake.hgrm`, `close.hgrm`, `mark.login{region:eu}.hgrm`, ... */
  name: string;
  /** The percentile distribution. */
  text: string;
}

/**
 * The percentile distribution of one encoded histogram (`HISTFAAA...`).
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from "../engine/histogram.ts";
 * import { renderHgrm } from "./hgrm.ts";
 * const histogram = new LatencyHistogram();
 * for (const us of [40, 50, 60]) histogram.record(us);
 * const text = renderHgrm(histogram.encode());
 * console.assert(text.includes("Value     Percentile TotalCount"));
 * console.assert(/Total count\s+=\s+3\]/.test(text));
 * ```
 */
export function renderHgrm(encoded: string): string {
  const histogram = hdr.decodeFromCompressedBase64(encoded, 32, false);
  try {
    return histogram.outputPercentileDistribution(
      HGRM_TICKS_PER_HALF_DISTANCE,
      HGRM_VALUE_UNIT_RATIO,
    );
  } finally {
    histogram.destroy();
  }
}

/**
 * The `.hgrm` files of a load: each timed phase with values (`tls` only with
 * `--tls`), then each scenario mark series as `mark.NAME.hgrm` (a `/` in a
 * name becomes `_`).
 *
 * @example
 * ```ts
 * import { hgrmFiles } from "./hgrm.ts";
 * import { summarizeLoad } from "../census/load_summary.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const summary = summarizeLoad(await new LoadRunner(server.target, { sessions: 5 }).run());
 * console.assert(hgrmFiles(summary).map((f) => f.name).join() === "handshake.hgrm,close.hgrm");
 * ```
 */
export function hgrmFiles(summary: LoadSummary): HgrmFile[] {
  const files: HgrmFile[] = [];
  for (const phase of TIMED_PHASES) {
    const stats = summary.phases[phase];
    if (stats && stats.count > 0) {
      files.push({ name: `${phase}.hgrm`, text: renderHgrm(stats.histogram) });
    }
  }
  for (const [key, stats] of Object.entries(summary.marks ?? {})) {
    if (stats.count === 0) continue;
    files.push({
      name: `mark.${key.replaceAll("/", "_")}.hgrm`,
      text: renderHgrm(stats.histogram),
    });
  }
  return files;
}

/** One row of a `.hgrm` file. */
export interface HgrmRow {
  /** The value, in the file's unit. */
  value: number;
  /** Percentile level, 0..100. */
  percentile: number;
  /** Values at or below `value`. */
  totalCount: number;
}

/** A `.hgrm` file read back: its rows and its footer. */
export interface ParsedHgrm {
  /** Rows in order. */
  rows: HgrmRow[];
  /** `Total count` of the footer. */
  totalCount: number;
  /** `Max` of the footer. */
  max: number;
  /** `Mean` of the footer. */
  mean: number;
}

/**
 * Reads a `.hgrm` text (the classic format `outputPercentileDistribution`
 * writes) back into rows and totals.
 *
 * @throws {SyntaxError} when the text has no footer.
 * @example
 * ```ts
 * import { LatencyHistogram } from "../engine/histogram.ts";
 * import { parseHgrm, renderHgrm } from "./hgrm.ts";
 * const histogram = new LatencyHistogram();
 * for (const us of [40, 50, 60]) histogram.record(us);
 * const parsed = parseHgrm(renderHgrm(histogram.encode()));
 * console.assert(parsed.totalCount === 3 && parsed.rows.at(-1)?.value === 60);
 * ```
 */
export function parseHgrm(text: string): ParsedHgrm {
  const rows: HgrmRow[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    // The 100% row has no 1/(1-Percentile) column.
    if (fields.length < 3 || fields.length > 4 || !/^[\d.]+$/.test(fields[0])) continue;
    rows.push({
      value: Number(fields[0]),
      percentile: Number(fields[1]) * 100,
      totalCount: Number(fields[2]),
    });
  }
  const footer = (name: string) => {
    const match = new RegExp(`${name}\\s*=\\s*([\\d.]+)`).exec(text);
    if (!match) throw new SyntaxError(`Not a .hgrm text: no "${name}" in its footer`);
    return Number(match[1]);
  };
  return { rows, totalCount: footer("Total count"), max: footer("Max"), mean: footer("Mean") };
}

/**
 * The value at `percentile` from a `.hgrm`'s rows: the first row whose
 * cumulative count reaches the percentile's count, as
 * `getValueAtPercentile` counts. Exact when `percentile` is one of the
 * file's ticks (50 and 90 are, with 5 ticks per half distance) or the rows
 * are dense there (every bucket has a row once the tick step is under one
 * value: past 99% for up to 640 values); otherwise an upper bound.
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from "../engine/histogram.ts";
 * import { hgrmPercentile, parseHgrm, renderHgrm } from "./hgrm.ts";
 * const histogram = new LatencyHistogram();
 * for (let us = 1; us <= 100; us++) histogram.record(us);
 * const parsed = parseHgrm(renderHgrm(histogram.encode()));
 * console.assert(hgrmPercentile(parsed, 50) === histogram.percentile(50));
 * ```
 */
export function hgrmPercentile(parsed: ParsedHgrm, percentile: number): number {
  const wanted = Math.max(1, Math.ceil((percentile / 100) * parsed.totalCount - 1e-9));
  return parsed.rows.find((row) => row.totalCount >= wanted)?.value ?? 0;
}
