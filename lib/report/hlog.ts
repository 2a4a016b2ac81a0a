/**
 * `--hlog FILE`: an HdrHistogram interval log, written by hdr-histogram-js's
 * own `HistogramLogWriter`: one interval per second, one `Tag=` line per
 * timed phase with values in that second, as HdrHistogram's
 * `HistogramLogProcessor` reads (`-tag handshake -outputValueUnitRatio 1000`
 * prints milliseconds) and the library's `HistogramLogReader` reads back.
 *
 * Layout, as Java's `HistogramLogWriter` writes it: the format version, a
 * `StartTime` and a `BaseTime` comment (epoch seconds), the legend, then
 * `Tag=PHASE,START,1.000,MAX,HISTFAAA...` with START relative to the base
 * time (the first second with values: a negative start would be skipped by
 * readers) and MAX in milliseconds (the writer's default ratio, 1000, over
 * microsecond values). Values inside the histograms are microseconds.
 *
 * @module
 */

import * as hdr from "hdr-histogram-js";
import type { LoadResult } from "../engine/load.ts";
import { TIMED_PHASES } from "../engine/tally.ts";

/** The writer divides an interval's max by this: microsecond values, millisecond max. */
export const HLOG_MAX_VALUE_UNIT_RATIO = 1000;

/**
 * The interval log of a load run with `intervalHistograms`, or `undefined`
 * when it was run without them.
 *
 * @example
 * ```ts
 * import * as hdr from "hdr-histogram-js";
 * import { renderHlog } from "./hlog.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const result = await new LoadRunner(server.target, { sessions: 5, intervalHistograms: true }).run();
 * const log = renderHlog(result)!;
 * const reader = new hdr.HistogramLogReader(log);
 * let handshakes = 0;
 * for (let h; (h = reader.nextIntervalHistogram()) !== null;) {
 *   if (h.tag === "handshake") handshakes += h.totalCount;
 * }
 * console.assert(handshakes === 5);
 * ```
 */
export function renderHlog(result: LoadResult): string | undefined {
  const intervals = result.tally.intervals;
  if (!intervals) return undefined;
  let text = "";
  const writer = new hdr.HistogramLogWriter((chunk) => text += chunk);
  const seconds = intervals.seconds;
  const baseSec = seconds[0] ?? Math.floor(result.startedAt / 1000);
  writer.outputLogFormatVersion();
  // outputStartTime() ends its comment with an extra newline, an empty line
  // Java's reader would not parse as an interval: the same words through
  // outputComment, as Java writes them.
  writer.outputComment(
    `[StartTime: ${(result.startedAt / 1000).toFixed(3)} (seconds since epoch), ` +
      `${new Date(result.startedAt).toISOString()}]`,
  );
  writer.outputComment(`[BaseTime: ${baseSec.toFixed(3)} (seconds since epoch)]`);
  writer.outputComment(
    "[synfin: values in microseconds; one Tag per phase: " +
      `${TIMED_PHASES.join(", ")}; target ${result.target.label}]`,
  );
  writer.outputLegend();
  for (const second of seconds) {
    const series = intervals.at(second);
    for (const phase of TIMED_PHASES) {
      const histogram = series.get(phase);
      if (!histogram || histogram.count === 0) continue;
      const interval = hdr.decodeFromCompressedBase64(histogram.encode(), 32, false);
      interval.tag = phase;
      const start = second - baseSec;
      writer.outputIntervalHistogram(interval, start, start + 1, HLOG_MAX_VALUE_UNIT_RATIO);
      interval.destroy();
    }
  }
  return text;
}
