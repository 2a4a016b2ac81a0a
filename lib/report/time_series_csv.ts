/**
 * `--csv FILE`: the JSON summary's `timeSeries` as CSV, one row per second:
 * sessions started, finished and failed; the handshake's p50 and p99 in that
 * second when the run kept per-second histograms; and the server's socket
 * states from the census, when one was taken.
 *
 * @module
 */

import type { LoadSummary } from "../census/load_summary.ts";
import type { IntervalHistograms } from "../engine/interval_histograms.ts";

/**
 * The CSV of a summary's time series. `intervals` (the tally's per-second
 * histograms) adds `handshake_p50_us` and `handshake_p99_us` (empty in a
 * second without handshakes). With a census, `server_STATE` columns give
 * each server-side state's delta from the baseline at the last sample of
 * that second, on the census's clock (its baseline is taken just before the
 * first session, so a sample can fall up to a fraction of a second early).
 *
 * @example
 * ```ts
 * import { renderTimeSeriesCsv } from "./time_series_csv.ts";
 * import { summarizeLoad } from "../census/load_summary.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const result = await new LoadRunner(server.target, { sessions: 5, intervalHistograms: true }).run();
 * const csv = renderTimeSeriesCsv(summarizeLoad(result), result.tally.intervals);
 * console.assert(csv.startsWith("second,time,started,finished,failed,handshake_p50_us,handshake_p99_us\n"));
 * ```
 */
export function renderTimeSeriesCsv(summary: LoadSummary, intervals?: IntervalHistograms): string {
  const { points, from, intervalMs } = summary.timeSeries;
  const fromMs = from === null ? 0 : Date.parse(from);
  const firstSecond = Math.floor(fromMs / 1000);
  const sockets = summary.sockets?.available ? summary.sockets : undefined;
  const states = sockets
    ? [...new Set(sockets.series.flatMap((s) => Object.keys(s.server)))].sort()
    : [];
  const census = new Map<number, Record<string, number | undefined>>();
  for (const sample of sockets?.series ?? []) {
    census.set(Math.floor(sample.atMs / 1000), sample.server as Record<string, number>);
  }
  const header = ["second", "time", "started", "finished", "failed"];
  if (intervals) header.push("handshake_p50_us", "handshake_p99_us");
  header.push(...states.map((state) => `server_${state}`));
  const rows = [header.join(",")];
  for (const point of points) {
    const row: (string | number)[] = [
      point.second,
      new Date(fromMs + point.second * intervalMs).toISOString(),
      point.started,
      point.finished,
      point.failed,
    ];
    if (intervals) {
      const handshake = intervals.at(firstSecond + point.second).get("handshake");
      row.push(
        handshake ? handshake.percentile(50) : "",
        handshake ? handshake.percentile(99) : "",
      );
    }
    const sample = census.get(point.second);
    for (const state of states) row.push(sample?.[state] ?? "");
    rows.push(row.join(","));
  }
  return rows.join("\n") + "\n";
}
